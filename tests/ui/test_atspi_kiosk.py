"""Every kiosk page as a screen reader (Orca) sees it, walked over AT-SPI on a real X screen (issue 12): each
interactive node has a role, a Chinese name and can take the keyboard focus. Node counts go to
<tests.shots root>/atspi_kiosk_pages.txt."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import pii_samples
from tests.atspi.session import AtspiSession, Driver, interactive, missing_tools, problems
from tests.shots import shots_root

PAGES = (
    "home",
    "progress",
    "progress_result",
    "progress_bundle",
    "guide",
    "guide_question",
    "guide_detail",
    "guide_keyboard",
    "rating_levels",
    "rating_reasons",
    "reprint",
    "admin",
    "error",
    "idle_countdown",
    "home_elder",
    "intake_items",
    "intake_question",
    "intake_card",
    "intake_phone",
    "intake_materials",
    "intake_delivery",
    "intake_confirm",
    "intake_result",
    "intake_typed_id",
    "intake_typed_name",
)
#: 就业失业登记 in the seed catalogue (tests/atspi/kiosk_driver.py INTAKE_ITEM): one 情形 question, window pickup.
INTAKE_ITEM = "210800200114000"
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


def test_a_bundles_members_are_read_out_block_by_block(session: AtspiSession, kiosk: Driver) -> None:
    """A 一件事's progress as Orca reads it: each member department's block is a node named 第N项：<item>，<stage>
    (department, promised date and steps in its description), and the pages of blocks are turned by named buttons."""
    nodes = session.walk(kiosk.pid, kiosk.show("progress_bundle"))
    names = [str(n["name"]) for n in nodes]
    blocks = [name for name in names if name.startswith("第") and "项：" in name]
    assert blocks == [
        "第1项：出生医学证明首次签发，已收件",
        "第2项：出生登记（户口登记），已收件",
        "第3项：城乡居民基本医疗保险参保登记，已收件",
        "第4项：社会保障卡申领，已收件",
    ], names
    assert "下一页" in names and "评价这件事" in names
    assert pii_samples.NAME not in "\n".join(names) and pii_samples.ID_NUMBER not in "\n".join(names)


def _seed_item(code: str) -> dict[str, object]:
    seed = Path(__file__).resolve().parents[2] / "resources" / "catalogue" / "seed.json"
    data = json.loads(seed.read_text(encoding="utf-8"))
    items = data["items"] if isinstance(data, dict) else data
    return next(item for item in items if item["code"] == code)


def test_a_whole_intake_through_atspi_actions(session: AtspiSession, kiosk: Driver) -> None:
    """自助收件 as a screen-reader user does it: every step found by its Chinese name and operated by the AT-SPI
    action Orca uses (Press, or the field's text set), from the home tile to the printed receipt."""
    item = _seed_item(INTAKE_ITEM)
    title = kiosk.show("home").title

    def act(name: str, **kwargs: object) -> dict[str, object]:
        return session.act(kiosk.pid, title, name, **kwargs)  # type: ignore[arg-type]

    act("自助收件", press=True)
    act("自助收件：请选择事项", timeout=30)  # the items are on screen
    for _ in range(10):  # the item may be on a later page of the list
        try:
            act(str(item["name"]), press=True, timeout=5)
            break
        except RuntimeError:
            act("下一页", press=True)
    answers: dict[str, str] = {}
    for question in item["questions"]:  # type: ignore[attr-defined]
        answers[question["id"]] = question["options"][0]
        act(question["options"][0], press=True)
    act("读取身份证", press=True)
    field = act("联系电话", timeout=60)  # the card was read (on the reader's worker)
    assert field["role"] == "text"
    act("联系电话", text=pii_samples.PHONE)
    act("确定", press=True)
    for material in item["materials"]:  # type: ignore[attr-defined]
        condition = material.get("condition")
        if condition and answers.get(condition["question_id"]) not in condition["answers"]:
            continue  # not asked for with this answer
        act(material["name"], press=True)  # 已带
    act("下一步", press=True)
    act("窗口领取", press=True)
    act("确认提交", press=True)
    act("评价本次服务", timeout=60)  # the receipt was printed
    case = kiosk.ask("newest_kiosk_case")
    assert case["case_no"] and case["item_code"] == INTAKE_ITEM
    assert case["state"] == "received" and case["staff_no"] == "KIOSK"
    assert case["missing"] == "0", case  # every material pressed was recorded as at hand
