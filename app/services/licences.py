"""LicenceService: electronic licences (电子证照) in place of paper at intake (issue 18).

With the applicant's consent (a tick, plus the ID card read where the counter has a reader) the service asks the
platform's licence library which of the licences the item's materials name the holder has, and fetches each one it
will use (the 调取 the platform audits). Every request runs on the service's own worker thread; the answer comes
back by the `lookup_done` signal, so the form never waits on the network: offline, or when the platform has
nothing, the clerk goes on collecting paper. Without consent no request leaves the terminal.

A material satisfied by a licence gets the status `e_licence` with the licence's number (`apply`): no paper, no
scan; the receipt lists it under 电子证照 as 电子证照已调取. The licence image is kept in memory only, never stored
or logged. The holder's number goes to the platform once, in the consent request's POST body.

The HTTP client (and `requests`) is imported on the worker thread at first use, never at start.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from app.domain.models import ApplicantKind, MaterialStatus, ServiceItem
from app.services.intake_form import IntakeDraft, applies

if TYPE_CHECKING:
    from app.config import Config
    from app.paths import AppPaths
    from app.sync.client import PlatformClient

log = logging.getLogger("tongban.licences")

#: Connect and read timeouts of a licence request: a counter does not wait long for a convenience.
LICENCE_TIMEOUT = (3.0, 10.0)


class LookupOutcome(StrEnum):
    FOUND = "found"  # at least one usable licence
    NONE = "none"  # the platform answered: nothing usable for this item's materials
    NO_CONSENT = "no_consent"  # refused before anything left the terminal
    NOTHING_TO_ASK = "nothing_to_ask"  # no material of the item can be replaced by a licence
    OFFLINE = "offline"  # not enrolled, or the platform could not be reached
    FAILED = "failed"  # the platform refused or answered wrongly


@dataclass(frozen=True, slots=True)
class FoundLicence:
    licence_no: str
    licence_type: str
    issuer: str
    valid_until: str | None
    media_type: str
    image: bytes  # held in memory for the clerk to look at; never stored, never logged

    def __repr__(self) -> str:
        return f"FoundLicence({self.licence_type!r}, {len(self.image)} bytes)"


@dataclass(frozen=True, slots=True)
class LicenceLookup:
    draft_id: str
    outcome: LookupOutcome
    licences: tuple[FoundLicence, ...] = ()
    message_zh: str = ""


_MESSAGES = {
    LookupOutcome.NO_CONSENT: "申请人未授权调取电子证照，请收取纸质材料。",
    LookupOutcome.NOTHING_TO_ASK: "本事项没有可用电子证照代替的材料。",
    LookupOutcome.OFFLINE: "暂时无法连接电子证照库，请收取纸质材料。",
    LookupOutcome.FAILED: "电子证照库未能答复，请收取纸质材料。",
    LookupOutcome.NONE: "电子证照库中没有申请人可用的相关证照，请收取纸质材料。",
}


def wanted_types(draft: IntakeDraft, item: ServiceItem) -> list[str]:
    """The licence types that could replace a material of `item` that still applies to this draft."""
    types: list[str] = []
    for req in item.materials:
        if req.licence_type is None or req.licence_type in types:
            continue
        material = draft.material(req.code)
        if material is not None and material.status is MaterialStatus.NOT_APPLICABLE:
            continue
        if applies(req, draft.answers, item) is False:
            continue
        types.append(req.licence_type)
    return types


def holder_of(draft: IntakeDraft) -> str:
    a = draft.applicant
    return (a.credit_code if a.kind is ApplicantKind.ENTERPRISE else a.id_number).strip().upper()


def apply(draft: IntakeDraft, item: ServiceItem, lookup: LicenceLookup) -> list[str]:
    """Mark each material a found licence can replace as `e_licence`; returns the material codes changed."""
    if lookup.draft_id != draft.draft_id:
        return []
    by_type = {lic.licence_type: lic for lic in lookup.licences}
    changed: list[str] = []
    for req in item.materials:
        found = by_type.get(req.licence_type or "")
        material = draft.material(req.code)
        if found is None or material is None or material.status is MaterialStatus.NOT_APPLICABLE:
            continue
        material.status = MaterialStatus.E_LICENCE
        material.licence_no = found.licence_no
        material.count = 0
        changed.append(req.code)
    return changed


@dataclass(frozen=True, slots=True)
class _Job:
    draft_id: str
    holder: str  # never printed: see __repr__
    staff_no: str
    method: str
    types: list[str]

    def __repr__(self) -> str:
        return f"_Job({self.draft_id!r}, {self.method!r}, {self.types!r})"


def _lookup(draft_id: str, outcome: LookupOutcome) -> LicenceLookup:
    return LicenceLookup(draft_id, outcome, (), _MESSAGES[outcome])


ClientFactory = Callable[[], "PlatformClient | None"]


def client_factory(config: Config, paths: AppPaths) -> ClientFactory:
    """Builds, on the worker thread, a client for the enrolled platform (None when not enrolled)."""

    def make() -> PlatformClient | None:
        from app.sync.cli_handlers import platform_url
        from app.sync.client import PlatformClient
        from app.sync.credentials import CredentialsError, CredentialStore

        try:
            creds = CredentialStore(paths.data_dir).load()
        except CredentialsError:
            return None
        url = platform_url(config, creds)
        if not url or creds is None:
            return None
        return PlatformClient(url, creds, ca_bundle=config.ca_bundle, timeout=LICENCE_TIMEOUT)

    return make


def check_declared(
    client: PlatformClient | None, draft: IntakeDraft, item: ServiceItem, staff_no: str
) -> tuple[list[tuple[str, str]], bool]:
    """Scripted intake: check each `e_licence` material's number with the library (consent `declared`).

    Returns (problems, checked): problems as (field path, Chinese reason) for numbers the library does not hold
    for this applicant, holds as another type, or holds expired; `checked` is False when the platform could not be
    asked (not enrolled or unreachable): the record is then stored with its numbers unverified.
    Runs on the caller's thread (the command line has no GUI thread to keep free).
    """
    from app.sync.errors import LicenceRefusedError, TransientError

    wanted = [
        (m, req)
        for req in item.materials
        if (m := draft.material(req.code)) is not None and m.status is MaterialStatus.E_LICENCE
    ]
    if not wanted:
        return [], True
    if client is None:
        return [], False
    problems: list[tuple[str, str]] = []
    try:
        token = client.licence_consent(
            holder_id=holder_of(draft), case_ref=draft.draft_id, staff_no=staff_no or "-", method="declared"
        )
        for material, req in wanted:
            path = f"materials.{material.code}.licence_no"
            try:
                found = client.licence_verify(token, material.licence_no.strip())
            except LicenceRefusedError as exc:
                if str(exc) != "unknown_licence":
                    raise
                problems.append((path, "电子证照库中没有申请人的该证照，请核对证照编号或收取纸质材料"))
                continue
            if found.get("licence_type") != req.licence_type:
                problems.append((path, f"该编号是{found.get('licence_type')}，不能代替“{req.name}”"))
            elif found.get("valid") is not True:
                problems.append((path, "该电子证照已过期，请收取纸质材料"))
    except TransientError as exc:
        log.info("declared licences not checked: platform unreachable (%s)", type(exc).__name__)
        return [], False
    return problems, True


class LicenceService(QObject):
    """Signals: `lookup_done(LicenceLookup)` (on the GUI thread) for every `lookup` call, refused ones included."""

    lookup_done = Signal(object)

    def __init__(self, *, client_factory: ClientFactory, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._factory = client_factory
        self._client: PlatformClient | None = None
        self._client_made = False
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="licences")
        self._closed = False

    def close(self) -> None:
        """Stop the worker (a request under way finishes in the background; its answer is dropped)."""
        self._closed = True
        self._pool.shutdown(wait=False, cancel_futures=True)
        with self._lock:
            if self._client is not None:
                self._client.close()

    def lookup(
        self,
        *,
        draft: IntakeDraft,
        item: ServiceItem,
        staff_no: str,
        consent: bool,
        card_reader: bool = False,
        card_read: bool = False,
    ) -> bool:
        """Ask the library for this draft's applicant; False (and `lookup_done` at once) when nothing is asked.

        `consent`: the applicant ticked consent. `card_reader`: the counter has an ID card reader; then the card must
        have been read (`card_read`) as well. Without consent no request leaves the terminal.
        """
        holder = holder_of(draft)
        if not consent or (card_reader and not card_read) or not holder:
            self._answer(_lookup(draft.draft_id, LookupOutcome.NO_CONSENT))
            return False
        types = wanted_types(draft, item)
        if not types:
            self._answer(_lookup(draft.draft_id, LookupOutcome.NOTHING_TO_ASK))
            return False
        method = "tick_card" if card_reader and card_read else "tick"
        # The draft has no case number yet: the platform's audit keys the access by the draft's id until then.
        self._pool.submit(self._run, _Job(draft.draft_id, holder, staff_no or "-", method, types))
        return True

    # --- worker thread ----------------------------------------------------------------------------------------

    def _client_or_none(self) -> PlatformClient | None:
        with self._lock:
            if not self._client_made:
                self._client_made = True
                self._client = self._factory()
            return self._client

    def _run(self, job: _Job) -> None:
        from app.sync.errors import LicenceRefusedError, PlatformError, TransientError

        lookup: LicenceLookup
        try:
            client = self._client_or_none()
            lookup = _lookup(job.draft_id, LookupOutcome.OFFLINE) if client is None else self._ask(client, job)
        except TransientError as exc:
            log.info("licence lookup: platform unreachable (%s)", type(exc).__name__)
            lookup = _lookup(job.draft_id, LookupOutcome.OFFLINE)
        except (LicenceRefusedError, PlatformError) as exc:
            log.warning("licence lookup refused: %s (%s)", type(exc).__name__, exc.status)
            lookup = _lookup(job.draft_id, LookupOutcome.FAILED)
        except Exception as exc:  # a bug must not leave the form waiting for an answer
            log.exception("licence lookup failed: %s", type(exc).__name__)
            lookup = _lookup(job.draft_id, LookupOutcome.FAILED)
        if not self._closed:
            self._answer(lookup)

    @staticmethod
    def _ask(client: PlatformClient, job: _Job) -> LicenceLookup:
        import base64

        draft_id, types = job.draft_id, job.types
        token = client.licence_consent(
            holder_id=job.holder, case_ref=draft_id, staff_no=job.staff_no, method=job.method
        )
        listed = client.licence_list(token, types)
        chosen: dict[str, dict[str, Any]] = {}
        for entry in listed:
            kind = entry.get("licence_type")
            if entry.get("valid") is True and isinstance(kind, str) and kind in types and kind not in chosen:
                chosen[kind] = entry
        found: list[FoundLicence] = []
        for kind, entry in chosen.items():
            fetched = client.licence_fetch(token, str(entry["licence_no"]))
            found.append(
                FoundLicence(
                    licence_no=str(fetched["licence_no"]),
                    licence_type=kind,
                    issuer=str(fetched.get("issuer", "")),
                    valid_until=fetched.get("valid_until"),
                    media_type=str(fetched.get("media_type", "")),
                    image=base64.b64decode(str(fetched.get("image_base64", ""))),
                )
            )
        log.info("licence lookup: %d of %d wanted types found", len(found), len(types))
        if not found:
            return _lookup(draft_id, LookupOutcome.NONE)
        names = "、".join(f.licence_type for f in found)
        return LicenceLookup(draft_id, LookupOutcome.FOUND, tuple(found), f"已调取电子证照：{names}。")

    def _answer(self, lookup: LicenceLookup) -> None:
        self.lookup_done.emit(lookup)
