"""The HTTP API of SYNC_PROTOCOL.md on FastAPI. Handlers are thin: parsing, limits, status codes; the work is in
the sibling modules. Every non-2xx answer is JSON with an `error` code.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import threading
import time
import traceback
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse
from pydantic import TypeAdapter
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.protocol import (
    MAX_BATCH_BYTES,
    MAX_BATCH_RECORDS,
    MAX_JSON_DEPTH,
    MAX_MISSING_IDS,
    is_case_no,
    is_sha256_hex,
    is_uuid,
    json_depth,
)
from central import (
    blobs,
    cases,
    catalogue,
    citizen,
    devices,
    halltime,
    ingest,
    licences,
    migrations,
    reconcile,
    web,
    wire,
)
from central.auth import AuthError, Device, SignedRequest, authenticate
from central.faults import FaultSource
from central.halltime import HallTime
from central.ratelimit import FailureThrottle, RateLimiter

log = logging.getLogger("tongban.central.api")

#: Request bodies larger than this are refused before they are read (blobs have their own limit).
MAX_JSON_REQUEST_BYTES = MAX_BATCH_BYTES
MAX_MISSING_BYTES = 512 * 1024
#: Wrong enrolment codes one address may try per window before every attempt from it gets 429.
ENROL_FAILURES = 10
ENROL_WINDOW_S = 600
#: The kiosk's progress check (`POST /api/v1/cases/{case_no}:check`): wrong checks per case number and per device
#: in `CHECK_WINDOW_S`; past either, 429 `too_many_checks` for every check of that case (or from that device).
CHECK_FAILURES_PER_CASE = 5
CHECK_FAILURES_PER_DEVICE = 30
CHECK_WINDOW_S = 3600


class ApiError(Exception):
    def __init__(self, status: int, error: str, message: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(error)
        self.status = status
        self.error = error
        self.message = message
        self.headers = headers


class _BodyTooLargeError(Exception):
    pass


class _BodyTooSlowError(Exception):
    pass


@dataclass(frozen=True)
class BodyRate:
    """The slowest request body taken: `bytes_per_s` on average once `grace_s` seconds have passed (0: off)."""

    bytes_per_s: int = 1024
    grace_s: float = 10.0

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> BodyRate:
        """`TB_CENTRAL_MIN_BODY_RATE=B/S`: at least B bytes per second after S seconds (default 1024/10)."""
        rate, _, grace = env.get("TB_CENTRAL_MIN_BODY_RATE", "1024/10").partition("/")
        return cls(int(rate), float(grace or 10))


def _body_limit(path: str) -> int:
    if path.startswith("/api/v1/blobs/"):
        return blobs.MAX_BLOB_BYTES
    return MAX_JSON_REQUEST_BYTES


class _BodyReader:
    """`receive` with the body limits: at most `limit` bytes, and at least `rate` on average after its grace time.

    A body trickling in below the minimum rate is cut off (408): it cannot hold a connection and its task for ever
    (issue 16; slow but real township links stay far above it). Once the body is complete, `receive` is passed on
    untouched (waiting for a disconnect is not a body).
    """

    def __init__(self, receive: Receive, limit: int, rate: BodyRate) -> None:
        self._receive = receive
        self.limit = limit
        self.rate = rate
        self.seen = 0
        self._done = False
        self._started = time.monotonic()

    async def receive(self) -> Message:
        if self._done or not self.rate.bytes_per_s:
            return await self._receive()
        elapsed = time.monotonic() - self._started
        wait = max(self.rate.grace_s, self.seen / self.rate.bytes_per_s) - elapsed
        try:
            message = await asyncio.wait_for(self._receive(), max(wait, 0.001))
        except TimeoutError:
            raise _BodyTooSlowError() from None
        if message["type"] == "http.request":
            self.seen += len(message.get("body", b""))
            if self.seen > self.limit:
                raise _BodyTooLargeError()
            self._done = not message.get("more_body", False)
        else:
            self._done = True
        return message


class GuardMiddleware:
    """The outermost layer: injected status faults, body limits, and a JSON 500 for any bug.

    - 413 before reading when Content-Length is over the limit; a chunked body is cut off once it passes it.
    - An exception from a handler is logged and answered as JSON 500 here, so it never reaches the server's own
      error path (which would close the connection mid-answer).
    """

    def __init__(self, app: ASGIApp, faults: FaultSource, min_body_rate: BodyRate | None = None) -> None:
        self.app = app
        self.faults = faults
        self.min_body_rate = min_body_rate or BodyRate.from_env(os.environ)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"].startswith("/api/v1/"):
            fault = self.faults.take_status()
            if fault is not None:
                headers = {"retry-after": str(fault.retry_after)} if fault.retry_after is not None else {}
                await _send_json(send, fault.status, {"error": "injected_fault", "message": "TB_FAULT"}, headers)
                return
        limit = _body_limit(scope["path"])
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await _send_json(send, 413, {"error": "too_large", "message": f"request body exceeds {limit} bytes"})
            return
        started = False
        body = _BodyReader(receive, limit, self.min_body_rate)

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, body.receive, tracking_send)
        except _BodyTooSlowError:
            log.warning("request body below %d bytes/s after %d bytes: cut off", body.rate.bytes_per_s, body.seen)
            if not started:
                await _send_json(send, 408, {"error": "body_too_slow", "message": "request body arrives too slowly"})
        except _BodyTooLargeError:
            if not started:
                await _send_json(send, 413, {"error": "too_large", "message": f"request body exceeds {limit} bytes"})
        except (OperationalError, PoolTimeoutError) as exc:
            # Disk full, database locked past the busy timeout, or PostgreSQL unreachable: the client retries.
            orig = getattr(exc, "orig", None)
            log.error("database unavailable: %s", type(orig or exc).__name__)
            if not started:
                await _send_json(
                    send,
                    503,
                    {"error": "database_unavailable", "message": "storage unavailable; retry later"},
                    {"retry-after": "30"},
                )
        except Exception as exc:
            log_internal_error(exc)
            if not started:
                await _send_json(
                    send, 500, {"error": "internal_error", "message": "the platform failed; nothing was applied"}
                )


def log_internal_error(exc: BaseException) -> None:
    """Log a bug's type, the failing SQL (placeholders only) and the stack, never an exception's message.

    Messages can quote values: PostgreSQL's "Key (phone)=(…) already exists", a KeyError's key. Engines are created
    with `hide_parameters=True` as well, so the parameter list is never in the text either.
    """
    frames = "".join(traceback.format_tb(exc.__traceback__))
    what = type(exc).__name__
    if isinstance(exc, DBAPIError):
        orig = exc.orig
        code = getattr(getattr(orig, "diag", None), "sqlstate", None) or getattr(orig, "sqlite_errorname", None)
        what = f"{what}/{type(orig).__name__} ({code}) in statement: {str(exc.statement)[:500]}"
    log.error("internal error: %s\n%s", what, frames)


async def _send_json(send: Send, status: int, payload: dict[str, Any], extra: dict[str, str] | None = None) -> None:
    body = json.dumps(payload).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in (extra or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _error(status: int, error: str, message: str | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    content: dict[str, Any] = {"error": error}
    if message is not None:
        content["message"] = message
    return JSONResponse(content, status_code=status, headers=headers)


#: What `/healthz` lists in `features` (SYNC_PROTOCOL.md "Revisions": a terminal sends gzip only when listed).
FEATURES = ("gzip", "assist")
#: Features left out of `/healthz` (comma-separated), e.g. to stage a rollout or to test an older platform.
HIDE_FEATURES_ENV = "TB_CENTRAL_HIDE_FEATURES"


def _inflate(body: bytes, limit: int) -> bytes:
    """A gzip request body, inflated; inflation stops past `limit` bytes (413), so a small bomb costs nothing."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(body, limit + 1)
    except zlib.error:
        raise ApiError(400, "bad_gzip", "the gzip body cannot be inflated") from None
    if len(data) > limit:
        raise ApiError(413, "too_large", f"request body inflates past {limit} bytes")
    if not inflater.eof or inflater.unused_data:
        raise ApiError(400, "bad_gzip", "the gzip body is truncated or has trailing data")
    return data


def _parse_json(body: bytes) -> Any:
    try:
        value = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise ApiError(400, "bad_json", "request body is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise ApiError(400, "bad_json", f"malformed JSON at position {exc.pos}") from None
    except RecursionError:
        raise ApiError(400, "too_deep", f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
    if json_depth(value) > MAX_JSON_DEPTH:
        raise ApiError(400, "too_deep", f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    return value


_AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": wire.ErrorBody, "description": "malformed request"},
    401: {"model": wire.AuthErrorBody, "description": "signature, clock or nonce check failed"},
    403: {"model": wire.RevokedBody, "description": "the device is revoked"},
    413: {"model": wire.ErrorBody, "description": "request too large"},
    429: {"model": wire.ErrorBody, "description": "rate limited; see Retry-After"},
}


class _State:
    """What the handlers need, kept on `app.state.tb`."""

    def __init__(
        self,
        engine: Engine,
        faults: FaultSource,
        limiter: RateLimiter,
        hall_time: HallTime = halltime.DEFAULT,
        hall_phones: dict[str, str] | None = None,
    ) -> None:
        self.engine = engine
        #: The halls' clock for every time a page shows (issue 21); stored times stay UTC.
        self.hall_time = hall_time
        #: Phone shown on the citizen's progress page per hall key ("*": any hall), e.g. {"21080001": "0417-2825800"}.
        self.hall_phones = dict(hall_phones or {})
        self.faults = faults
        self.limiter = limiter
        #: Wrong enrolment codes per client address (issue 16: 40 in a row were all answered).
        self.enrol_throttle = FailureThrottle(ENROL_FAILURES, ENROL_WINDOW_S)
        #: Wrong progress checks per case number and per device (10,000 tries would find an ID number's last 4).
        self.check_case_throttle = FailureThrottle(CHECK_FAILURES_PER_CASE, CHECK_WINDOW_S)
        self.check_device_throttle = FailureThrottle(CHECK_FAILURES_PER_DEVICE, CHECK_WINDOW_S)


def _state(request: Request) -> _State:
    state: _State = request.app.state.tb
    return state


StateDep = Annotated[_State, Depends(_state)]


async def signed(
    request: Request,
    state: StateDep,
    *,
    x_tb_device: Annotated[str | None, Header(description="device_id from enrolment")] = None,
    x_tb_key_id: Annotated[str | None, Header(description="key_id of the signing key")] = None,
    x_tb_timestamp: Annotated[str | None, Header(description="Unix seconds")] = None,
    x_tb_nonce: Annotated[str | None, Header(description="16 random bytes, hex")] = None,
    x_tb_signature: Annotated[str | None, Header(description="hex HMAC-SHA256 of the TB1 string")] = None,
) -> Device:
    """The signing device, verified per the protocol (then rate-limited per device)."""
    body = await request.body()
    signed_request = SignedRequest(
        device=x_tb_device,
        key_id=x_tb_key_id,
        timestamp=x_tb_timestamp,
        nonce=x_tb_nonce,
        signature=x_tb_signature,
        method=request.method,
        path=request.scope.get("raw_path", request.scope["path"].encode()).decode("latin-1"),
        query=request.scope.get("query_string", b"").decode("latin-1"),
        body=body,
    )
    device = await run_in_threadpool(authenticate, state.engine, signed_request)
    wait = state.limiter.take(device.device_id)
    if wait is not None:
        raise ApiError(429, "rate_limited", "too many requests", {"Retry-After": str(wait)})
    return device


SignedDevice = Annotated[Device, Depends(signed)]
Sha256Path = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$", description="lowercase hex SHA-256")]
router = APIRouter()


@router.get("/healthz", response_model=wire.Health, responses={503: {"model": wire.ErrorBody}})
def healthz(state: StateDep) -> Any:
    try:
        instance = reconcile.instance_id(state.engine)  # one read of the database: the check itself
    except Exception:
        log.exception("health check: database unavailable")
        return _error(503, "database_unavailable", headers={"Retry-After": "5"})
    hidden = {f.strip() for f in os.environ.get(HIDE_FEATURES_ENV, "").split(",")}
    features = [f for f in FEATURES if f not in hidden]
    return {"status": "ok", "schema_version": migrations.LATEST, "instance_id": instance, "features": features}


@router.post(
    "/api/v1/devices/enrol",
    response_model=wire.EnrolAnswer,
    responses={400: {"model": wire.ErrorBody}, 413: {"model": wire.ErrorBody}, 429: {"model": wire.ErrorBody}},
)
def enrol(payload: wire.EnrolRequest, request: Request, state: StateDep) -> Any:
    # Per source address (the proxy's client only when the proxy is trusted, see `serve --trusted-proxies`).
    who = request.client.host if request.client else "?"
    wait = state.enrol_throttle.blocked(who)
    if wait is not None:
        raise ApiError(429, "too_many_attempts", "too many wrong enrolment codes", {"Retry-After": str(wait)})
    try:
        return devices.enrol(state.engine, payload.code)
    except devices.EnrolError as exc:
        state.enrol_throttle.failed(who)
        log.warning("enrolment refused (%s) from %s", exc.error, who)
        raise ApiError(400, exc.error, exc.message) from None


@router.post("/api/v1/devices/rotate", response_model=wire.RotateAnswer, responses=_AUTH_RESPONSES)
def rotate(device: SignedDevice, state: StateDep) -> Any:
    try:
        return devices.rotate(state.engine, device)
    except devices.EnrolError as exc:
        raise ApiError(400, exc.error, exc.message) from None


@router.post("/api/v1/devices/rotate/confirm", response_model=wire.ConfirmAnswer, responses=_AUTH_RESPONSES)
def rotate_confirm(device: SignedDevice, state: StateDep) -> Any:
    try:
        return devices.confirm_rotation(state.engine, device)
    except devices.EnrolError as exc:
        raise ApiError(400, exc.error, exc.message) from None


@router.post(
    "/api/v1/records:batch",
    response_model=wire.BatchResult,
    responses={
        **_AUTH_RESPONSES,
        415: {"model": wire.ErrorBody, "description": "Content-Encoding other than gzip"},
        426: {"model": wire.ErrorBody, "description": "unknown envelope schema"},
    },
)
async def records_batch(request: Request, device: SignedDevice, state: StateDep) -> Any:
    body = await request.body()  # the signature covered these bytes, as sent
    encoding = request.headers.get("content-encoding", "").strip().lower()
    if encoding == "gzip":
        body = _inflate(body, MAX_BATCH_BYTES)
    elif encoding not in ("", "identity"):
        raise ApiError(415, "unsupported_encoding", "Content-Encoding must be gzip or absent")
    payload = _parse_json(body)
    if not isinstance(payload, dict) or not isinstance(payload.get("records"), list):
        raise ApiError(400, "bad_request", "body must be an object with a 'records' list")
    records = payload["records"]
    if len(records) > MAX_BATCH_RECORDS:
        raise ApiError(413, "too_many_records", f"at most {MAX_BATCH_RECORDS} records per batch")
    return await run_in_threadpool(_ingest, state, device, records)


def _ingest(state: _State, device: Device, records: list[Any]) -> Any:
    current = state.faults.current()

    def before_commit(batch: list[Any]) -> None:
        for record in batch:
            if isinstance(record, dict) and record.get("record_id") in current.crash_on:
                raise RuntimeError("TB_FAULT crash_on")

    try:
        results = ingest.ingest_batch(
            state.engine,
            device,
            records,
            before_commit=before_commit if current.crash_on else None,
            forced_reject=current.reject,
        )
    except ingest.UnknownSchemaError as exc:
        raise ApiError(426, "upgrade_required", f"envelope schema {exc} is not known here") from None
    if current.exit_after_commit:
        log.error("TB_FAULT exit_after_commit: exiting before the answer")
        os._exit(9)
    if current.sleep_after_commit:
        time.sleep(current.sleep_after_commit)
    # Built directly (not re-validated against the response model): 500 results per batch.
    return JSONResponse({"results": [r.as_json() for r in results], "server_time": int(time.time())})


@router.post("/api/v1/records:missing", response_model=wire.MissingAnswer, responses=_AUTH_RESPONSES)
async def records_missing(request: Request, device: SignedDevice, state: StateDep) -> Any:
    body = await request.body()
    if len(body) > MAX_MISSING_BYTES:
        raise ApiError(413, "too_large", f"request body exceeds {MAX_MISSING_BYTES} bytes")
    payload = _parse_json(body)
    ids = payload.get("record_ids") if isinstance(payload, dict) else None
    if not isinstance(ids, list):
        raise ApiError(400, "bad_request", "body must be an object with a 'record_ids' list")
    if len(ids) > MAX_MISSING_IDS:
        raise ApiError(413, "too_many_ids", f"at most {MAX_MISSING_IDS} ids per request")
    if not all(is_uuid(i) for i in ids):
        raise ApiError(400, "bad_record_id", "every id must be a lowercase canonical UUID")
    return {"missing": await run_in_threadpool(reconcile.missing, state.engine, ids)}


@router.get("/api/v1/devices/me/summary", response_model=wire.Summary, responses=_AUTH_RESPONSES)
def summary(device: SignedDevice, state: StateDep) -> Any:
    return reconcile.summary(state.engine, device)


@router.get(
    "/api/v1/catalogue",
    responses={
        **_AUTH_RESPONSES,
        200: {"description": "the catalogue snapshot", "content": {"application/json": {}}},
        304: {"description": "unchanged since If-None-Match"},
        404: {"model": wire.ErrorBody, "description": "no catalogue imported yet"},
    },
)
def get_catalogue(
    device: SignedDevice,
    state: StateDep,
    if_none_match: Annotated[str | None, Header(max_length=1024)] = None,
) -> Response:
    current = catalogue.current_catalogue(state.engine)
    if current is None:
        raise ApiError(404, "no_catalogue", "no catalogue has been imported")
    etag, data = current
    if catalogue.etag_matches(if_none_match, etag):
        return Response(status_code=304, headers={"ETag": etag})
    return Response(data, media_type="application/json", headers={"ETag": etag})


@router.get(
    "/api/v1/updates",
    response_model=wire.UpdatesPage,
    responses={**_AUTH_RESPONSES, 410: {"model": wire.ErrorBody, "description": "cursor too old: resync"}},
)
def get_updates(
    device: SignedDevice,
    state: StateDep,
    cursor: Annotated[str | None, Query(max_length=18, pattern=r"^[0-9]*$")] = None,
    limit: Annotated[int, Query(ge=1, le=cases.MAX_UPDATES_LIMIT)] = cases.MAX_UPDATES_LIMIT,
) -> Any:
    try:
        position = cases.parse_cursor(cursor)
    except ValueError as exc:
        raise ApiError(400, "bad_cursor", str(exc)) from None
    try:
        return cases.updates(state.engine, device.hall_key, position, limit, own=device.terminal_key)
    except cases.CursorGoneError:
        raise ApiError(410, "cursor_gone", "cursor is older than the change log: resync fully") from None


@router.get(
    "/api/v1/cases/{case_no}",
    response_model=wire.CaseStatus,
    responses={**_AUTH_RESPONSES, 404: {"model": wire.ErrorBody}},
)
def get_case(case_no: Annotated[str, Path(pattern=r"^[0-9]{26}$")], device: SignedDevice, state: StateDep) -> Any:
    if not is_case_no(case_no):
        raise ApiError(400, "bad_case_no", "a case number is 26 digits with a valid check")
    # A 一件事's own (parent) number answers with the bundle: every member's progress.
    status = cases.case_status(state.engine, case_no) or cases.bundle_status(state.engine, case_no)
    if status is None:
        raise ApiError(404, "unknown_case", "no such case")
    return status


@router.post(
    "/api/v1/cases/{case_no}:check",
    response_model=wire.CaseStatus,
    responses={**_AUTH_RESPONSES, 404: {"model": wire.ErrorBody}},
)
async def check_case(
    request: Request, case_no: Annotated[str, Path(pattern=r"^[0-9]{26}$")], device: SignedDevice, state: StateDep
) -> Any:
    """A kiosk's typed progress query: the case's status only when the applicant's ID number (or credit code) ends
    in `id_last4`; a wrong check gets the same 404 as an unknown case. A POST body, so the check is never in a URL
    or an access log."""
    if not is_case_no(case_no):
        raise ApiError(400, "bad_case_no", "a case number is 26 digits with a valid check")
    body = await request.body()
    if len(body) > 256:
        raise ApiError(413, "too_large", "request body exceeds 256 bytes")
    payload = _parse_json(body)
    tail = payload.get("id_last4") if isinstance(payload, dict) else None
    if not isinstance(tail, str) or len(tail) != 4 or not (tail.isascii() and tail.isalnum()):
        raise ApiError(400, "bad_request", "body must be an object with a 4-character 'id_last4'")
    # Wrong checks are counted per case number and per device, an unknown number like a wrong tail (so a refusal
    # says nothing about whether the case exists); past either limit every check is refused, right or wrong.
    wait = max(
        state.check_case_throttle.blocked(case_no) or 0, state.check_device_throttle.blocked(device.device_id) or 0
    )
    if wait:
        log.warning("progress check refused: too many wrong checks (device %s)", device.device_id)
        raise ApiError(429, "too_many_checks", "too many wrong checks; try later", {"Retry-After": str(wait)})
    status = await run_in_threadpool(_checked_status, state.engine, case_no, tail)
    if status is None:
        state.check_case_throttle.failed(case_no)
        state.check_device_throttle.failed(device.device_id)
        raise ApiError(404, "unknown_case", "no such case")
    return status


def _checked_status(engine: Any, case_no: str, tail: str) -> dict[str, Any] | None:
    """A case's or a 一件事 parent's status when its applicant's ID number ends in `tail`; None otherwise (one
    answer for an unknown number and a wrong check, whichever kind of number it is)."""
    return cases.case_status(engine, case_no, id_last4=tail) or cases.bundle_status(engine, case_no, id_last4=tail)


@router.head(
    "/api/v1/blobs/{sha256}",
    responses={**_AUTH_RESPONSES, 200: {"description": "held"}, 404: {"description": "not held"}},
)
def head_blob(sha256: Sha256Path, device: SignedDevice, state: StateDep) -> Response:
    if not is_sha256_hex(sha256):
        raise ApiError(400, "bad_sha256", "the path must end in 64 lowercase hex characters")
    size = blobs.blob_exists(state.engine, sha256)
    if size is None:
        return Response(status_code=404)
    return Response(status_code=200, headers={"X-TB-Blob-Size": str(size)})


@router.put(
    "/api/v1/blobs/{sha256}",
    response_model=wire.BlobStored,
    status_code=201,
    responses={**_AUTH_RESPONSES, 200: {"model": wire.BlobStored, "description": "already held"}},
)
async def put_blob(sha256: Sha256Path, request: Request, device: SignedDevice, state: StateDep) -> Any:
    if not is_sha256_hex(sha256):
        raise ApiError(400, "bad_sha256", "the path must end in 64 lowercase hex characters")
    data = await request.body()
    try:
        created = await run_in_threadpool(blobs.put_blob, state.engine, sha256, data, device.device_id)
    except blobs.BlobMismatchError:
        raise ApiError(400, "blob_hash_mismatch", "the body's SHA-256 differs from the path") from None
    payload = {"sha256": sha256, "size": len(data), "created": created}
    return JSONResponse(payload, status_code=201 if created else 200)


# --- electronic licences (电子证照): POST bodies only, so a holder's number is never in a URL or an access log ----

_LICENCE_STATUS = {"bad_field": 400, "consent_required": 403, "unknown_licence": 404}
MAX_LICENCE_REQUEST_BYTES = 16 * 1024


async def _licence_call(request: Request, device: Device, state: _State, work: Any, *args: Any) -> Any:
    body = await request.body()
    if len(body) > MAX_LICENCE_REQUEST_BYTES:
        raise ApiError(413, "too_large", f"request body exceeds {MAX_LICENCE_REQUEST_BYTES} bytes")
    payload = _parse_json(body)
    if not isinstance(payload, dict):
        raise ApiError(400, "bad_request", "body must be a JSON object")
    try:
        return await run_in_threadpool(work, state.engine, device, payload, *args)
    except licences.LicenceError as exc:
        return JSONResponse(
            {"error": exc.code, "field": exc.field, "message": exc.message},
            status_code=_LICENCE_STATUS.get(exc.code, 400),
        )


_LICENCE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **_AUTH_RESPONSES,
    403: {"model": wire.LicenceErrorBody, "description": "revoked device, or no valid consent token"},
    404: {"model": wire.LicenceErrorBody, "description": "the holder has no licence with this number"},
}


@router.post("/api/v1/licences/consent", response_model=wire.LicenceConsentAnswer, responses=_LICENCE_RESPONSES)
async def licence_consent(request: Request, device: SignedDevice, state: StateDep) -> Any:
    return await _licence_call(request, device, state, licences.grant_consent)


@router.post("/api/v1/licences:list", response_model=wire.LicenceListAnswer, responses=_LICENCE_RESPONSES)
async def licence_list(request: Request, device: SignedDevice, state: StateDep) -> Any:
    today = state.hall_time.today().isoformat()
    return await _licence_call(request, device, state, licences.list_for_holder, today)


@router.post("/api/v1/licences:fetch", response_model=wire.LicenceFetchAnswer, responses=_LICENCE_RESPONSES)
async def licence_fetch(request: Request, device: SignedDevice, state: StateDep) -> Any:
    today = state.hall_time.today().isoformat()
    return await _licence_call(request, device, state, licences.fetch, today)


@router.post("/api/v1/licences:verify", response_model=wire.LicenceSummary, responses=_LICENCE_RESPONSES)
async def licence_verify(request: Request, device: SignedDevice, state: StateDep) -> Any:
    today = state.hall_time.today().isoformat()
    return await _licence_call(request, device, state, licences.verify, today)


def create_app(
    engine: Engine,
    *,
    fault_source: FaultSource | None = None,
    hall_time: HallTime | None = None,
    hall_phones: dict[str, str] | None = None,
) -> FastAPI:
    """The ASGI app over `engine` (already migrated); `hall_time` defaults to $TB_CENTRAL_HALL_TZ or Asia/Shanghai."""
    faults = fault_source or FaultSource()
    app = FastAPI(
        title="Tongban central platform",
        version="1",
        description="Reference platform of SYNC_PROTOCOL.md: enrolment, signed sync API, catalogue, case status.",
    )
    clock = hall_time or HallTime(halltime.zone_from_env())
    halltime.configure(clock)
    app.state.tb = _State(engine, faults, RateLimiter.from_env(os.environ), clock, hall_phones)
    _install_error_handlers(app)
    app.include_router(router)
    app.include_router(web.router)
    app.include_router(citizen.router)
    # Answers (batch results, update pages) are gzip-compressed for clients that accept it (requests does).
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(GuardMiddleware, faults=faults)
    _document_request_bodies(app)
    return app


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_request: Request, exc: ApiError) -> JSONResponse:
        return _error(exc.status, exc.error, exc.message, exc.headers)

    @app.exception_handler(AuthError)
    async def _auth_error(_request: Request, exc: AuthError) -> JSONResponse:
        return JSONResponse({"error": exc.error, "server_time": int(time.time())}, status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        locations = [tuple(str(p) for p in err.get("loc", ())) for err in exc.errors()]
        fields = sorted({".".join(loc) for loc in locations})
        # A malformed path parameter keeps the code the handler itself would give.
        path_codes: dict[tuple[str, ...], str] = {("path", "case_no"): "bad_case_no", ("path", "sha256"): "bad_sha256"}
        code = next((path_codes[loc[:2]] for loc in locations if loc[:2] in path_codes), "bad_request")
        return _error(400, code, "invalid " + ", ".join(fields))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error(exc.status_code, "not_found" if exc.status_code == 404 else "http_error", str(exc.detail))


_REQUEST_BODIES: dict[tuple[str, str], tuple[Any, str]] = {
    ("/api/v1/records:batch", "post"): (wire.BatchRequest, "application/json"),
    ("/api/v1/records:missing", "post"): (wire.MissingRequest, "application/json"),
    ("/api/v1/cases/{case_no}:check", "post"): (wire.CaseCheckRequest, "application/json"),
    ("/api/v1/licences/consent", "post"): (wire.LicenceConsentRequest, "application/json"),
    ("/api/v1/licences:list", "post"): (wire.LicenceListRequest, "application/json"),
    ("/api/v1/licences:fetch", "post"): (wire.LicenceNumberRequest, "application/json"),
    ("/api/v1/licences:verify", "post"): (wire.LicenceNumberRequest, "application/json"),
}


def _document_request_bodies(app: FastAPI) -> None:
    """Bodies the handlers parse themselves still belong in the OpenAPI document."""
    lock = threading.Lock()

    def openapi() -> dict[str, Any]:
        with lock:
            if app.openapi_schema is not None:
                return app.openapi_schema
            doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            components = doc.setdefault("components", {}).setdefault("schemas", {})
            for (path, method), (model, media) in _REQUEST_BODIES.items():
                schema = TypeAdapter(model).json_schema(ref_template="#/components/schemas/{model}", by_alias=True)
                components.update(schema.pop("$defs", {}))
                components[model.__name__] = schema
                doc["paths"][path][method]["requestBody"] = {
                    "required": True,
                    "content": {media: {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}},
                }
            put = doc["paths"]["/api/v1/blobs/{sha256}"]["put"]
            put["requestBody"] = {
                "required": True,
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
            app.openapi_schema = doc
            return doc

    app.openapi = openapi  # type: ignore[method-assign]
