"""Shared helpers of the intake tests: a real store file, the shipped catalogue, a clerk, filled drafts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from app.config import Config, config_from_dict
from app.domain.models import DeliveryMethod, MaterialStatus
from app.domain.validation import resident_id_check_char
from app.services.catalogue import CatalogueService
from app.services.intake import IntakeService
from app.services.intake_form import AgentInput, IntakeDraft
from offline_cache import Store, open_store
from tests import pii_samples

#: 不动产权证书补证: mail allowed, an agent question with conditional materials.
ITEM_CODE = "210882070405000"
STAFF_NO = "S0042"
STAFF_PIN = "246810"
#: pii_samples.ID_NUMBER_2 has a wrong check character (…3716); this is the same number with the right one.
AGENT_ID = pii_samples.ID_NUMBER_2[:17] + resident_id_check_char(pii_samples.ID_NUMBER_2[:17])
NOW = dt.datetime(2026, 11, 24, 1, 30, tzinfo=dt.UTC)  # 09:30 in Yingkou


class FakeClock:
    def __init__(self, start: dt.datetime = NOW) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += dt.timedelta(**kwargs)


def hall_config() -> Config:
    return config_from_dict({"division": "210800", "hall_code": "01", "window": "07", "terminal_code": "003"})


def store_at(tmp_path: Path) -> Iterator[Store]:
    """Body of a `store` fixture: a real store file under the test's folder."""
    with open_store(tmp_path / "data" / "terminal.sqlite3") as s:
        yield s


def fill_person(draft: IntakeDraft, *, agent: bool = False) -> IntakeDraft:
    a = draft.applicant
    a.name, a.id_number, a.phone, a.address = (
        pii_samples.NAME,
        pii_samples.ID_NUMBER,
        pii_samples.PHONE,
        pii_samples.ADDRESS,
    )
    if agent:
        draft.agent = AgentInput(pii_samples.NAME_2, AGENT_ID, pii_samples.PHONE_2)
    return draft


def receive_all(draft: IntakeDraft) -> IntakeDraft:
    for m in draft.materials:
        if m.status is MaterialStatus.MISSING:
            m.status, m.count = MaterialStatus.ORIGINAL, 1
    return draft


def mail_to_applicant(draft: IntakeDraft) -> IntakeDraft:
    draft.delivery_method = DeliveryMethod.MAIL
    draft.delivery_address = pii_samples.ADDRESS
    draft.delivery_postcode = "115000"
    return draft


def make_service(store: Store, catalogue: CatalogueService, clock: FakeClock | None = None) -> IntakeService:
    return IntakeService(store=store, config=hall_config(), item_lookup=catalogue.get, clock=clock or FakeClock())


def counts(store: Store) -> dict[str, int]:
    conn = store.db.conn
    return {
        t: int(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0])
        for t in ("cases", "case_materials", "case_attachments", "outbox")
    }
