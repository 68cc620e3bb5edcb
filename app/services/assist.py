"""帮办 of online filing (issue 18): a clerk helped a citizen file on the online portal instead of taking paper.

The clerk records the item, the portal's application number (format checked: 2 letters, the date YYYYMMDD, an
8-digit serial, e.g. LN2026120200001234), the applicant (stored and sent masked only) and the outcome. The record is
stored with its outbox entry (kind `assist`) in one transaction, syncs like any record, counts toward 网上实办率 on
the platform, and can be rated: its record id is the service act a rating refers to (`RatingService.request_rating(
case_no=None, service_act_id=assist.record_id, ...)`).

`tongban assist --json FILE [--result-json]`: one record or a list, each checked as above; a refused record names
the field and stores nothing; exit status 1 when any record was refused.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from app.config import Config
from app.domain.masking import mask_credit_code, mask_id_number, mask_name
from app.domain.models import AssistOutcome, OnlineAssist, ServiceItem
from app.paths import AppPaths
from app.protocol import is_portal_app_no
from app.services.errors import UserFacingError
from app.services.intake_form import FieldError, check_field
from app.services.staff import normalise_staff_no
from offline_cache import Store, StoreError

log = logging.getLogger("tongban.assist")

OUTCOME_ZH = {
    AssistOutcome.SUBMITTED: "已网上提交",
    AssistOutcome.INCOMPLETE: "未完成",
    AssistOutcome.FAILED: "提交失败",
}


@dataclass
class AssistResult:
    index: int
    assist_id: str = ""
    errors: list[FieldError] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        if self.assist_id:
            return {"index": self.index, "ok": True, "assist_id": self.assist_id}
        return {
            "index": self.index,
            "ok": False,
            "errors": [{"field": e.path, "label": e.label, "message": e.message} for e in self.errors],
        }


def _text(raw: dict[str, Any], key: str) -> str:
    value = raw.get(key, "")
    return value.strip() if isinstance(value, str) else ""


def _applicant_masked(raw: Any, errors: list[FieldError]) -> str:
    """The applicant as stored and sent: name and number masked (never the full values)."""
    if not isinstance(raw, dict):
        errors.append(FieldError("applicant", "申请人", "申请人应为对象（kind、name 及证件号码）"))
        return ""
    kind = raw.get("kind", "person")
    name = _text(raw, "name")
    if kind == "enterprise":
        code = _text(raw, "credit_code").upper()
        problem = check_field("applicant.enterprise_name", name) or None
        if problem:
            errors.append(FieldError("applicant.name", "企业名称", problem))
        bad_code = check_field("applicant.credit_code", code)
        if bad_code:
            errors.append(FieldError("applicant.credit_code", "统一社会信用代码", bad_code))
        return "" if problem or bad_code else f"{name} {mask_credit_code(code)}"
    if kind != "person":
        errors.append(FieldError("applicant.kind", "申请人类型", "kind 应为 person 或 enterprise"))
        return ""
    number = _text(raw, "id_number").upper()
    bad_name = check_field("applicant.name", name)
    if bad_name:
        errors.append(FieldError("applicant.name", "申请人姓名", bad_name))
    bad_number = check_field("applicant.id_number", number)
    if bad_number:
        errors.append(FieldError("applicant.id_number", "申请人身份证号码", bad_number))
    return "" if bad_name or bad_number else f"{mask_name(name)} {mask_id_number(number)}"


def check_assist(raw: Any, *, item_lookup: Any, staff_known: Any) -> tuple[dict[str, Any], list[FieldError]]:
    """Validate one 帮办 record; returns the cleaned values and the errors (each naming its field)."""
    errors: list[FieldError] = []
    if not isinstance(raw, dict):
        return {}, [FieldError("record", "记录", "记录应为 JSON 对象")]
    item: ServiceItem | None = item_lookup(_text(raw, "item_code"))
    if item is None:
        errors.append(FieldError("item_code", "事项编码", "事项编码不存在"))
    portal_app_no = _text(raw, "portal_app_no").upper()
    if not is_portal_app_no(portal_app_no):
        errors.append(
            FieldError(
                "portal_app_no",
                "网上申报编号",
                "网上申报编号应为2位字母、8位申报日期和8位流水号，例如 LN2026120200001234",
            )
        )
    outcome_text = raw.get("outcome", "")
    if outcome_text not in {o.value for o in AssistOutcome}:
        errors.append(FieldError("outcome", "办理结果", "outcome 应为 submitted、incomplete 或 failed"))
    masked = _applicant_masked(raw.get("applicant"), errors)
    staff_no = normalise_staff_no(str(raw.get("staff_no", "")))
    if not staff_no or not staff_known(staff_no):
        errors.append(FieldError("staff_no", "工号", "工号不存在或已停用"))
    values = {
        "item": item,
        "portal_app_no": portal_app_no,
        "outcome": AssistOutcome(outcome_text) if not any(e.path == "outcome" for e in errors) else None,
        "applicant_masked": masked,
        "staff_no": staff_no,
    }
    return values, errors


def record_assist(
    store: Store, values: dict[str, Any], *, config: Config, now: dt.datetime | None = None
) -> OnlineAssist:
    item: ServiceItem = values["item"]
    assist = OnlineAssist(
        record_id=str(uuid.uuid4()),
        item_code=item.code,
        item_name=item.name,
        portal_app_no=values["portal_app_no"],
        applicant_masked=values["applicant_masked"],
        outcome=values["outcome"],
        division=config.division,
        hall=config.hall_code,
        window=config.window,
        terminal=config.terminal_code,
        staff_no=values["staff_no"],
        assisted_at=now or dt.datetime.now(dt.UTC),
    )
    store.save_assist(assist, actor=values["staff_no"])
    log.info("online assist %s recorded (%s) by %s", assist.record_id, assist.outcome.value, assist.staff_no)
    return assist


def assist_command(*, config: Config, paths: AppPaths, json_file: Path, json_output: bool, out: TextIO) -> int:
    """`tongban assist --json FILE`: store every valid 帮办 record; 0 when all were stored, 1 when any was refused."""
    from app.services.catalogue import CatalogueService
    from app.services.intake_cli import load_records
    from app.sync.credentials import resolve_identity
    from offline_cache import open_store

    records = load_records(json_file)
    results: list[AssistResult] = []
    try:
        with open_store(paths.database, recover_corrupt=False, integrity_check=False) as store:
            identity = resolve_identity(config, paths.data_dir)
            if identity.problem is not None:
                raise UserFacingError(identity.problem, detail="no_identity")
            catalogue = CatalogueService(paths.data_dir)

            def staff_known(staff_no: str) -> bool:
                member = store.staff.get(staff_no)
                return member is not None and not member.disabled

            for index, raw in enumerate(records):
                values, errors = check_assist(raw, item_lookup=catalogue.get, staff_known=staff_known)
                if errors:
                    results.append(AssistResult(index, errors=errors))
                    continue
                assist = record_assist(store, values, config=identity.config)
                results.append(AssistResult(index, assist_id=assist.record_id))
    except StoreError as exc:
        raise UserFacingError(exc.message, detail=exc.code) from exc
    refused = sum(1 for r in results if not r.assist_id)
    log.info("scripted assist: %d stored, %d refused", len(results) - refused, refused)
    if json_output:
        payload = {"stored": len(results) - refused, "refused": refused, "records": [r.to_json() for r in results]}
        out.write(json.dumps(payload, ensure_ascii=False) + "\n")
    else:
        for r in results:
            if r.assist_id:
                out.write(f"第{r.index + 1}条：已记录帮办，编号 {r.assist_id}\n")
            else:
                reasons = "；".join(f"{e.label}（{e.path}）：{e.message}" for e in r.errors)
                out.write(f"第{r.index + 1}条：未保存。{reasons}\n")
    return 1 if refused else 0
