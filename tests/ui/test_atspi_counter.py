"""Every counter page and dialog as a screen reader (Orca) sees it: walked over AT-SPI on a real X screen (issue 19).

The counter program runs in its own process on Xvfb with Qt's AT-SPI bridge on, on a private session bus; Debian's
Python walks each page's tree with pyatspi. Fails on an interactive node without a Chinese name, or a drop-down
announced only by its current value. Each page's node count is printed (`-s`) and written to
<tests.shots root>/atspi_counter_pages.txt.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.atspi.session import AtspiSession, Driver, missing_tools, problems
from tests.shots import shots_root

PAGES = (
    "sign_in",
    "item_picker",
    "intake_form",
    "intake_agent",
    "intake_enterprise",
    "materials",
    "delivery",
    "submit_result",
    "today_cases",
    "daily_report",
    "admin_auth",
    "platform_settings",
    "dead_letters",
    "print_preview",
    "attach_file_dialog",
    "citizen_levels",
    "citizen_reasons",
)
REPORT = shots_root() / "atspi_counter_pages.txt"


@pytest.fixture(scope="module")
def session() -> Iterator[AtspiSession]:
    missing = missing_tools()
    if missing:
        pytest.skip(f"AT-SPI check needs: {', '.join(missing)} (scripts/setup.sh test installs them)")
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("", encoding="utf-8")
    with AtspiSession() as s:
        yield s


@pytest.fixture(scope="module")
def counter(session: AtspiSession) -> Iterator[Driver]:
    with session.driver("tests.atspi.counter_driver") as driver:
        yield driver


@pytest.mark.parametrize("page_name", PAGES)
def test_every_control_is_named_for_a_screen_reader(session: AtspiSession, counter: Driver, page_name: str) -> None:
    page = counter.show(page_name)
    nodes = session.walk(counter.pid, page)
    found = problems(nodes)
    line = f"{page_name}: {len(nodes)} nodes ({sum(1 for n in nodes if n['role'] == 'combo box')} drop-downs)"
    print(line, *found, sep="\n    ")
    with REPORT.open("a", encoding="utf-8") as report:
        report.write(line + "\n")
    assert len(nodes) > 5, nodes  # the page was found and has content
    assert found == []
