"""Pydantic models of the wire format, for the OpenAPI document (and its schemathesis checks).

Requests are parsed and validated by `app.protocol` so that a bad record gets its own deterministic per-record
result instead of failing the batch; these models describe the same shapes for clients and tools.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.protocol import MAX_BATCH_RECORDS, MAX_MISSING_IDS

UUID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


class ErrorBody(BaseModel):
    error: str = Field(description="machine-readable code, e.g. bad_request, too_deep, too_many_records")
    message: str | None = None


class AuthErrorBody(BaseModel):
    error: Literal["bad_signature", "clock_skew", "replay", "unknown_device"]
    server_time: int = Field(description="the platform's clock, Unix seconds")


class RevokedBody(BaseModel):
    error: Literal["revoked"]
    server_time: int


class EnrolRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")
    code: str = Field(min_length=1, max_length=64, description="the one-time code printed by `enrol`")


class EnrolAnswer(BaseModel):
    device_id: str
    key_id: str
    secret: str = Field(pattern=r"^[0-9a-f]{64}$")
    terminal: str = Field(pattern=r"^[0-9]{3}$")
    division: str = Field(pattern=r"^[0-9]{6}$")
    hall: str = Field(pattern=r"^[0-9]{2}$")
    window: str


class RotateAnswer(BaseModel):
    device_id: str
    key_id: str
    secret: str = Field(pattern=r"^[0-9a-f]{64}$")


class ConfirmAnswer(BaseModel):
    device_id: str
    key_id: str


class Envelope(BaseModel):
    record_id: str = Field(pattern=UUID_PATTERN)
    kind: Literal["case", "receipt", "rating", "event", "assist"]
    schema_: int = Field(alias="schema", ge=1, le=1)
    terminal: str = Field(pattern=r"^[0-9]{3}$")
    terminal_seq: int = Field(ge=0, le=2**63 - 1)
    created_at: str = Field(description="RFC 3339 with an offset (the terminal's clock)")
    depends_on: str | None = Field(default=None, pattern=UUID_PATTERN)
    body_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    body: dict[str, Any]


class BatchRequest(BaseModel):
    records: list[Envelope] = Field(max_length=MAX_BATCH_RECORDS)


class RecordResultModel(BaseModel):
    record_id: str | None
    status: Literal["accepted", "duplicate", "conflict", "rejected", "retry_later"]
    code: str | None
    message: str | None
    server_ref: str | None
    accepted_at: str | None


class BatchResult(BaseModel):
    results: list[RecordResultModel]
    server_time: int


class MissingRequest(BaseModel):
    record_ids: list[str] = Field(max_length=MAX_MISSING_IDS)


class CaseCheckRequest(BaseModel):
    id_last4: str = Field(min_length=4, max_length=4, description="last 4 characters of the applicant's ID number")


class MissingAnswer(BaseModel):
    missing: list[str]


class Summary(BaseModel):
    device_id: str
    terminal: str
    division: str
    hall: str
    records: int
    by_kind: dict[str, int]
    max_terminal_seq: int | None
    case_seqs: dict[str, int] = Field(
        default_factory=dict,
        description="highest case sequence per day (yyyymmdd) among this terminal's case numbers, last 31 days",
    )
    instance_id: str = Field(description="platform instance id; changes when the database is restored from backup")


class Change(BaseModel):
    model_config = ConfigDict(extra="allow")
    seq: int
    type: Literal["case_status", "rating"]
    case_no: str
    created_at: str


class UpdatesPage(BaseModel):
    changes: list[Change]
    next_cursor: str
    has_more: bool


class HistoryEntry(BaseModel):
    status: str
    at: str
    note: str


class BundleMemberStatus(BaseModel):
    """One member department's case of a 一件事, as the parent number's answer lists it (no personal data)."""

    case_no_masked: str = Field(description="first 6 and last 4 digits, as the receipt QR's pages show it")
    item_code: str
    item_name: str
    department: str
    status: str
    expected_date: str = Field(description="the promised date (YYYY-MM-DD), empty when unknown")
    updated_at: str
    history: list[HistoryEntry]


class BundleStatus(BaseModel):
    name: str
    members: list[BundleMemberStatus]
    done: int = Field(description="members completed or delivered")


class CaseStatus(BaseModel):
    case_no: str
    status: str
    item_code: str
    item_name: str
    updated_at: str
    history: list[HistoryEntry]
    bundle: BundleStatus | None = Field(
        default=None, description="set when case_no is a 一件事's own (parent) number: every member's progress"
    )


class BlobStored(BaseModel):
    sha256: str
    size: int
    created: bool


class Health(BaseModel):
    status: Literal["ok"]
    schema_version: int
    instance_id: str = Field(description="platform instance id; changes when the database is restored from backup")
    features: list[str] = Field(default_factory=list, description='optional protocol features, e.g. "gzip"')


# --- electronic licences (电子证照) --------------------------------------------------------------------------------

LicenceType = Literal["居民身份证", "居民户口簿", "结婚证", "不动产权证书", "营业执照", "出生医学证明"]


class LicenceErrorBody(BaseModel):
    error: str = Field(description="bad_field, consent_required, unknown_licence, revoked")
    field: str | None = Field(default=None, description="the request field that is wrong")
    message: str | None = None


class LicenceConsentRequest(BaseModel):
    holder_id: str = Field(pattern=r"^[0-9A-Z]{18}$", description="ID number or credit code (never in a URL)")
    case_ref: str = Field(pattern=r"^[0-9A-Za-z\-]{1,40}$", description="case number, or the draft's id before it")
    staff_no: str = Field(pattern=r"^[0-9A-Za-z]{1,32}$", description="the clerk asking")
    method: Literal["tick", "tick_card", "declared"] = Field(
        description="tick: consent ticked; tick_card: ticked and the card read; declared: a scripted intake's claim"
    )


class LicenceConsentAnswer(BaseModel):
    consent_token: str
    expires_at: int = Field(description="Unix seconds")


class LicenceListRequest(BaseModel):
    consent_token: str
    types: list[LicenceType] | None = None


class LicenceNumberRequest(BaseModel):
    consent_token: str
    licence_no: str = Field(pattern=r"^[0-9A-Za-z\-]{6,64}$")


class LicenceSummary(BaseModel):
    licence_no: str
    licence_type: LicenceType
    issuer: str
    valid_from: str
    valid_until: str | None = Field(description="null: 长期")
    valid: bool = Field(description="valid on the hall's today")
    holder_masked: str


class LicenceListAnswer(BaseModel):
    licences: list[LicenceSummary]


class LicenceFetchAnswer(LicenceSummary):
    media_type: str
    image_base64: str
