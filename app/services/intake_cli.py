"""`tongban intake --json FILE [--json-output]`: scripted intake (migration, batch entry after an outage).

FILE holds one record or a list of records in the shape of docs/intake.md (the form's fields, the item by code,
the clerk by number). Each record is checked exactly as the form checks it (`intake_form.check_draft`); a valid
one is stored with its outbox entry and its case number printed; an invalid one is reported with the field and the
reason and stores nothing. The exit status is 1 when any record was refused.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from app.config import Config
from app.domain.case_number import format_grouped
from app.domain.models import Attachment, Bundle, MaterialStatus
from app.domain.scenarios import chosen_members
from app.paths import AppPaths
from app.services.attachments import AttachmentError, display_filename, read_checked
from app.services.catalogue import CatalogueService
from app.services.errors import UserFacingError
from app.services.intake import Decision, IntakeService, SubmitRefusedError
from app.services.intake_form import DraftFormatError, FieldError, IntakeDraft, draft_from_json, merge_with_item
from app.services.staff import normalise_staff_no
from app.sync.credentials import resolve_identity
from offline_cache import Store, StoreError, open_store

log = logging.getLogger("tongban.intake")

MAX_FILE_BYTES = 50 * 1024 * 1024


@dataclass
class RecordOutcome:
    index: int
    case_no: str = ""
    state: str = ""
    errors: list[FieldError] = field(default_factory=list)
    #: For a 一件事 record: the bundle's id and name, the parent case's own number (also in `case_no`), and
    #: (item code, item name, case number) per member.
    bundle_id: str = ""
    parent_case_no: str = ""
    bundle_name: str = ""
    members: list[tuple[str, str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        if self.bundle_id and self.case_no:
            return {
                "index": self.index,
                "ok": True,
                "bundle_id": self.bundle_id,
                "parent_case_no": self.parent_case_no,
                "case_no": self.case_no,
                "state": self.state,
                "members": [{"item_code": c, "item_name": n, "case_no": no} for c, n, no in self.members],
            }
        if self.case_no:
            return {"index": self.index, "ok": True, "case_no": self.case_no, "state": self.state}
        return {
            "index": self.index,
            "ok": False,
            "errors": [{"field": e.path, "label": e.label, "message": e.message} for e in self.errors],
        }


def _echo(value: str, limit: int = 32) -> str:
    """A value quoted back in a report line: printable characters only, at most `limit` of them."""
    shown = "".join(c for c in value[: limit * 4] if c.isprintable())
    return shown[:limit] + "…" if len(shown) > limit or len(value) > limit * 4 else shown


def load_records(path: Path) -> list[Any]:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise UserFacingError(f"文件过大（最大{MAX_FILE_BYTES // (1024 * 1024)} MB）：{path}")
        # utf-8-sig: a file saved by Windows Notepad starts with a byte-order mark; it is read like any other.
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise UserFacingError(f"无法读取 {path}：{exc.strerror or exc}") from exc
    except RecursionError as exc:  # Python's parser gives up on very deep nesting this way, not JSONDecodeError
        log.warning("scripted intake file refused: nested too deeply")
        raise UserFacingError(
            f"{path} 的 JSON 嵌套层数过多，无法读取（每条记录只应有几层：记录 → 申请人/材料 → 字段）", detail="too_deep"
        ) from exc
    except UnicodeDecodeError as exc:
        raise UserFacingError(f"{path} 不是 UTF-8 编码的文本文件（请以 UTF-8 保存）") from exc
    except json.JSONDecodeError as exc:
        raise UserFacingError(
            f"{path} 不是有效的 UTF-8 JSON 文件：第 {exc.lineno} 行第 {exc.colno} 列有误（{exc.msg}）"
        ) from exc
    return data if isinstance(data, list) else [data]


class _PendingFiles:
    """Attachments of one record, checked but not yet stored (an invalid record stores nothing)."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.data: dict[str, tuple[bytes, str, str]] = {}  # placeholder sha -> (bytes, filename, media type)

    def __call__(self, value: Any, path: str) -> Attachment:
        if not isinstance(value, str) or not value:
            raise DraftFormatError(path, "附件应为文件路径")
        file = Path(value) if Path(value).is_absolute() else self.base / value
        try:
            data, media_type = read_checked(file)
        except AttachmentError as exc:
            raise DraftFormatError(path, f"附件 {Path(value).name}：{exc.message}") from exc
        sha = hashlib.sha256(data).hexdigest()
        name = display_filename(file.name, media_type)
        self.data[sha] = (data, name, media_type)
        return Attachment(sha256=sha, filename=name, media_type=media_type, size=len(data))

    def store(self, store: Store) -> None:
        for data, name, media_type in self.data.values():
            store.blobs.put(data, filename=name, media_type=media_type)


#: Checks a draft's declared electronic licences: the errors (field named) of numbers the platform refuses.
LicenceCheck = Callable[[IntakeDraft, Any, str], list[FieldError]]


def _one(
    raw: Any,
    index: int,
    *,
    store: Store,
    service: IntakeService,
    catalogue: CatalogueService,
    base: Path,
    licences: LicenceCheck | None = None,
) -> RecordOutcome:
    outcome = RecordOutcome(index)
    files = _PendingFiles(base)
    try:
        draft = draft_from_json(raw, attachment=files)
        item = catalogue.get(draft.item_code)
        if item is None:
            raise DraftFormatError("item_code", f"事项编码 {_echo(draft.item_code)} 不存在")
        merge_with_item(draft, item)
        staff_no = normalise_staff_no(str(raw.get("staff_no", "")))
        member = store.staff.get(staff_no) if staff_no else None
        if member is None or member.disabled:
            raise DraftFormatError("staff_no", "工号不存在或已停用")
        decision_text = raw.get("decision", "receive")
        if not isinstance(decision_text, str) or decision_text not in {d.value for d in Decision}:
            raise DraftFormatError("decision", "decision 应为 receive 或 refuse")
        decision = Decision(decision_text)
        refusal_reason = raw.get("refusal_reason", "") or ""
        if not isinstance(refusal_reason, str):
            raise DraftFormatError("refusal_reason", "refusal_reason 应为文字")
        # Everything submit checks, checked before any scan is stored: a refused record stores nothing.
        errors = service.precheck(draft=draft, decision=decision, refusal_reason=refusal_reason)
        if errors:
            raise SubmitRefusedError(errors)
        if licences is not None and any(m.licence_no for m in draft.materials):
            errors = licences(draft, item, staff_no)
            if errors:
                raise SubmitRefusedError(errors)
        files.store(store)
        result = service.submit(
            draft=draft,
            staff_no=staff_no,
            decision=decision,
            refusal_reason=refusal_reason,
            print_receipt=False,
        )
    except DraftFormatError as exc:
        path = _echo(exc.path, 64)  # built from the file's own keys and codes: bounded like any echoed value
        outcome.errors = [FieldError(path, path, _echo(exc.message, 200))]
    except SubmitRefusedError as exc:
        outcome.errors = exc.errors
    else:
        outcome.case_no = result.case.case_no
        outcome.state = result.case.state.value
        if isinstance(licences, _LicenceChecker) and licences.unchecked:
            _keep_unverified(store, result.case.record_id, draft, item, staff_no)
    return outcome


#: Keys of a 一件事 record that are the bundle's own; the rest is the shared body of every member's record.
_BUNDLE_KEYS = frozenset({"bundle_code", "bundle_answers", "shared_materials", "members", "answers"})


def _bundle_answers(raw: dict[str, Any], bundle: Bundle) -> dict[str, str]:
    """The record's answers to the bundle's own questions (which members), checked like an item's answers."""
    bundle_answers = raw.get("bundle_answers") or {}
    if not isinstance(bundle_answers, dict):
        raise DraftFormatError("bundle_answers", "bundle_answers 应为对象")
    questions = {q.id: q for q in bundle.questions}
    for qid, answer in bundle_answers.items():
        question = questions.get(qid)
        if question is None:
            raise DraftFormatError(f"bundle_answers.{_echo(qid)}", f"一件事没有问题 {_echo(qid)}")
        if answer not in question.options:
            raise DraftFormatError(
                f"bundle_answers.{_echo(qid)}", f"“{question.text}”的回答应为以下之一：{'、'.join(question.options)}"
            )
    return {k: v for k, v in bundle_answers.items() if isinstance(v, str)}


def _member_records(raw: dict[str, Any], bundle: Bundle, catalogue: CatalogueService) -> list[dict[str, Any]]:
    """One item record per chosen member: the shared body, the answers its questions take (each question asked
    once for the bundle), its own materials, and each shared material under the member material it covers."""
    bundle_answers = _bundle_answers(raw, bundle)
    answers = raw.get("answers") or {}
    shared = raw.get("shared_materials") or []
    per_member = raw.get("members") or {}
    if not isinstance(answers, dict) or not isinstance(shared, list) or not isinstance(per_member, dict):
        raise DraftFormatError("record", "answers、members 应为对象，shared_materials 应为列表")
    chosen = chosen_members(bundle, bundle_answers)
    chosen_codes = {m.item_code for m in chosen}
    for code in per_member:
        if code not in chosen_codes:
            raise DraftFormatError(f"members.{_echo(code)}", f"{_echo(code)} 不是本次办理的一件事成员")
    shared_by_code = {s.code: s for s in bundle.shared_materials}
    for entry in shared:
        if not isinstance(entry, dict) or entry.get("code") not in shared_by_code:
            raise DraftFormatError(
                "shared_materials",
                f"一件事没有共享材料 {_echo(str(entry.get('code', '')) if isinstance(entry, dict) else '')}",
            )
    body = {k: v for k, v in raw.items() if k not in _BUNDLE_KEYS}
    records: list[dict[str, Any]] = []
    asked: set[str] = set()
    for member in chosen:
        item = catalogue.get(member.item_code)
        assert item is not None  # the catalogue validator checked every member
        own = per_member.get(member.item_code) or {}
        if not isinstance(own, dict):
            raise DraftFormatError(f"members.{member.item_code}", "成员应为对象")
        materials = list(own.get("materials") or [])
        for entry in shared:
            for item_code, material_code in shared_by_code[entry["code"]].covers:
                if item_code == member.item_code:
                    materials.append({**entry, "code": material_code})
        item_questions = {q.id for q in item.questions}
        asked |= item_questions
        record = {**body, **{k: v for k, v in own.items() if k != "materials"}}
        record.update(
            item_code=member.item_code,
            answers={k: v for k, v in answers.items() if k in item_questions},
            materials=materials,
        )
        records.append(record)
    for qid in answers:
        if qid not in asked:
            raise DraftFormatError(f"answers.{_echo(qid)}", f"本次办理的成员事项都没有情形问题 {_echo(qid)}")
    return records


def _one_bundle(
    raw: dict[str, Any],
    index: int,
    *,
    store: Store,
    service: IntakeService,
    catalogue: CatalogueService,
    base: Path,
    stored_scans: bool = False,
) -> RecordOutcome:
    """A 一件事 record: every member checked first (nothing is stored when one is refused), then one case per
    member, each with its own number, time limit and routing, linked by one bundle id. Attachments are file paths
    (scripted intake), or with `stored_scans` scans already stored (`sha256`, `filename`, `media_type`, `size`: the
    counter's 一件事 page), each checked intact before any member is stored."""
    outcome = RecordOutcome(index)
    files = _PendingFiles(base)
    code = str(raw.get("bundle_code", "")).strip()
    bundle = catalogue.bundle(code)
    prepared: list[tuple[IntakeDraft, str]] = []
    try:
        if bundle is None:
            raise DraftFormatError("bundle_code", f"一件事编码 {_echo(code)} 不存在")
        staff_no = normalise_staff_no(str(raw.get("staff_no", "")))
        member = store.staff.get(staff_no) if staff_no else None
        if member is None or member.disabled:
            raise DraftFormatError("staff_no", "工号不存在或已停用")
        if raw.get("decision", "receive") != "receive":
            raise DraftFormatError("decision", "一件事只能整体收件（decision 应为 receive）")
        errors: list[FieldError] = []
        for record in _member_records(raw, bundle, catalogue):
            item_code = record["item_code"]
            try:
                draft = draft_from_json(record, attachment=None if stored_scans else files)
                item = catalogue.get(item_code)
                assert item is not None
                merge_with_item(draft, item)
            except DraftFormatError as exc:
                raise DraftFormatError(f"members.{item_code}.{exc.path}", exc.message) from exc
            for error in service.precheck(draft=draft, decision=Decision.RECEIVE):
                errors.append(FieldError(f"members.{item_code}.{error.path}", error.label, error.message))
            if stored_scans:
                errors += _lost_scans(store, draft, item, item_code)
            prepared.append((draft, item_code))
        if errors:
            raise SubmitRefusedError(errors)
        files.store(store)
        drafts = [draft for draft, _code in prepared]
        saved = service.submit_bundle(
            drafts=drafts, staff_no=staff_no, bundle_code=bundle.code, bundle_name=bundle.name
        )
        for saved_member in saved.members:
            outcome.members.append(
                (saved_member.case.item_code, saved_member.case.item_name, saved_member.case.case_no)
            )
    except DraftFormatError as exc:
        path = _echo(exc.path, 96)
        outcome.errors = [FieldError(path, path, _echo(exc.message, 200))]
    except SubmitRefusedError as exc:
        outcome.errors = exc.errors
    else:
        outcome.bundle_id = saved.parent.bundle_id
        outcome.bundle_name = bundle.name
        outcome.parent_case_no = saved.parent.case_no
        outcome.case_no = saved.parent.case_no
        outcome.state = "received"
    return outcome


def _lost_scans(store: Store, draft: IntakeDraft, item: Any, item_code: str) -> list[FieldError]:
    """A stored scan gone or damaged since it was attached refuses the bundle before any member is stored."""
    names = {m.code: m.name for m in item.materials}
    return [
        FieldError(
            f"members.{item_code}.materials.{m.code}",
            names.get(m.code, m.code),
            "扫描件已丢失（文件不存在或已损坏），请重新扫描后再提交",
        )
        for m in draft.materials
        if any(not store.blobs.intact(a.sha256) for a in m.attachments)
    ]


def take_in_bundle(
    record: dict[str, Any], *, store: Store, service: IntakeService, catalogue: CatalogueService
) -> RecordOutcome:
    """The counter's 一件事 intake: the same checks and storage as a scripted `bundle_code` record; its scans are
    already stored (attached on the page), each on every member case that receives its material."""
    return _one_bundle(record, 0, store=store, service=service, catalogue=catalogue, base=Path.cwd(), stored_scans=True)


class _LicenceChecker:
    """Declared `e_licence` materials are checked with the platform's licence library when it can be asked
    (issue 18); offline they are stored unverified (logged) and the sync engine checks them later
    (`SyncEngine.verify_licences`). `unchecked` says whether the last call could not ask the platform."""

    def __init__(self, config: Config, paths: AppPaths) -> None:
        self._config, self._paths = config, paths
        self._made: list[Any] = []
        self.unchecked = False

    def __call__(self, draft: IntakeDraft, item: Any, staff_no: str) -> list[FieldError]:
        from app.services.licences import check_declared, client_factory

        if not self._made:
            self._made.append(client_factory(self._config, self._paths)())
        problems, checked = check_declared(self._made[0], draft, item, staff_no)
        self.unchecked = not checked
        if not checked:
            log.warning("scripted intake: declared e-licence numbers stored unverified (platform not reachable)")
        return [FieldError(path, "电子证照编号", reason) for path, reason in problems]


def _keep_unverified(store: Store, case_record_id: str, draft: IntakeDraft, item: Any, staff_no: str) -> None:
    """The case's declared licences the platform could not check: checked on sync (`licence_checks`)."""
    declared = [
        (req.code, req.licence_type)
        for req in item.materials
        if req.licence_type
        and (m := draft.material(req.code)) is not None
        and m.status is MaterialStatus.E_LICENCE
        and m.licence_no
    ]
    if declared:
        store.licence_checks.add_unverified(case_record_id, declared, actor=staff_no or "intake")


def intake_command(*, config: Config, paths: AppPaths, json_file: Path, json_output: bool, out: TextIO) -> int:
    """Store every valid record of `json_file`; returns 0 when all were stored, 1 when any was refused.

    Raises UserFacingError (one Chinese line) when the file cannot be read or the store cannot be opened/written;
    records stored before a store failure stay stored (each record is its own transaction).
    """
    records = load_records(json_file)
    outcomes: list[RecordOutcome] = []
    try:
        with open_store(paths.database, recover_corrupt=False, integrity_check=False) as store:
            catalogue = CatalogueService(paths.data_dir)
            service = IntakeService(store=store, config=config, item_lookup=catalogue.get)
            identity = resolve_identity(config, paths.data_dir)
            service.use_config(identity.config, identity_problem=identity.problem)
            if service.identity_problem is not None:  # no record of the file is stored without an identity
                log.warning("scripted intake refused: this terminal has no usable identity")
                raise UserFacingError(service.identity_problem, detail="no_identity")
            checker = _LicenceChecker(identity.config, paths)
            for index, raw in enumerate(records):
                if not isinstance(raw, dict):
                    outcomes.append(RecordOutcome(index, errors=[FieldError("record", "记录", "记录应为 JSON 对象")]))
                    continue
                handle = _one_bundle if "bundle_code" in raw else functools.partial(_one, licences=checker)
                outcomes.append(
                    handle(raw, index, store=store, service=service, catalogue=catalogue, base=json_file.parent)
                )
    except StoreError as exc:
        raise UserFacingError(exc.message, detail=exc.code) from exc
    refused = sum(1 for o in outcomes if not o.case_no)
    log.info("scripted intake: %d stored, %d refused", len(outcomes) - refused, refused)
    if json_output:
        out.write(
            json.dumps(
                {"stored": len(outcomes) - refused, "refused": refused, "records": [o.to_json() for o in outcomes]},
                ensure_ascii=False,
            )
            + "\n"
        )
    else:
        for o in outcomes:
            if o.bundle_id and o.case_no:
                parent = format_grouped(o.parent_case_no)
                out.write(
                    f"第{o.index + 1}条：已保存一件事「{o.bundle_name}」，一件事办件编号 {parent}"
                    f"（{len(o.members)}项成员办件）\n"
                )
                for _code, name, case_no in o.members:
                    out.write(f"  {name}：办件编号 {format_grouped(case_no)}\n")
            elif o.case_no:
                out.write(f"第{o.index + 1}条：已保存，办件编号 {format_grouped(o.case_no)}\n")
            else:
                for e in o.errors:
                    out.write(f"第{o.index + 1}条：未保存，{e.label}（{e.path}）：{e.message}\n")
        out.write(f"共{len(outcomes)}条：保存{len(outcomes) - refused}条，拒绝{refused}条\n")
    return 1 if refused else 0
