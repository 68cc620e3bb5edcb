"""Every kiosk page as a screen reader (Orca) sees it, walked over AT-SPI on a real X screen (issue 12): each
interactive node has a role, a Chinese name and can take the keyboard focus. Node counts go to
<tests.shots root>/atspi_kiosk_pages.txt."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.atspi.session import AtspiSession, Driver, interactive, missing_tools, problems
from tests.shots import shots_root

PAGES = (
    "home",
    "progress",
    "progress_result",
    "guide",
    "guide_detail",
    "guide_keyboard",
    "rating_levels",
    "rating_reasons",
    "reprint",
    "admin",
    "error",
    "idle_countdown",
    "home_elder",
)
REPORT = shots_root() / "atspi_kiosk_pages.txt"


@pytest.fixture(scope="module")
def session() -> Iterator[AtspiSession]:
    missing = missing_tools()
    if missing:
        pytest.skip(f"AT-SPI check needs: {', '.join(missing)} (scripts/setup.sh test installs them)")
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("", encoding="utf-8")
    with AtspiSession(screen="1080x1920x24") as s:
        yield s


@pytest.fixture(scope="module")
def kiosk(session: AtspiSession) -> Iterator[Driver]:
    with session.driver("tests.atspi.kiosk_driver") as driver:
        yield driver


@pytest.mark.parametrize("page_name", PAGES)
def test_every_kiosk_control_is_named_and_focusable(session: AtspiSession, kiosk: Driver, page_name: str) -> None:
    page = kiosk.show(page_name)
    nodes = session.walk(kiosk.pid, page)
    found = problems(nodes)
    for node in nodes:
        if interactive(node) and str(node["role"]) in {"push button", "toggle button", "check box", "text"}:
            if "focusable" not in node["states"]:
                found.append(f"{node['role']} {node['id'] or node['path']}: cannot take the focus")
            if not str(node["role"]).strip():
                found.append(f"{node['id'] or node['path']}: no role")
    line = f"{page_name}: {len(nodes)} nodes"
    print(line, *found, sep="\n    ")
    with REPORT.open("a", encoding="utf-8") as report:
        report.write(line + "\n")
    assert len(nodes) > 3, nodes
    assert found == []
