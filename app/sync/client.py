"""The platform client: one pooled `requests.Session`, timeouts on every call, TB1 signing, error classification.

Retries live in the engine (each one re-signed); urllib3 only retries failed connects. No personal data is ever
put in a URL or a log line here.
"""

from __future__ import annotations

import gzip
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from app.sync.credentials import Credentials
from app.sync.errors import (
    AuthFailedError,
    BadResponseError,
    BatchRefusedError,
    BusyError,
    ClockSkewError,
    CursorGoneError,
    EnrolmentAddressError,
    EnrolmentError,
    EnrolmentUnreachableError,
    LicenceRefusedError,
    NetworkError,
    NotFoundError,
    PlatformError,
    RevokedError,
    ServerError,
    TooManyChecksError,
    TransientError,
    UpgradeRequiredError,
)
from app.sync.signing import sign_headers

log = logging.getLogger("tongban.sync.client")

#: The licence library's own refusals (docs/central.md): not a revoked device, not a missing endpoint.
LICENCE_REFUSALS = ("consent_required", "unknown_licence", "bad_field")

DEFAULT_TIMEOUT: tuple[float, float] = (5.0, 30.0)
RETRY_AFTER_CAP_S = 3600.0


@dataclass(frozen=True, slots=True)
class Catalogue304:
    etag: str


@dataclass(frozen=True, slots=True)
class CatalogueSnapshot:
    etag: str
    data: bytes


def _retry_after(resp: requests.Response) -> float | None:
    raw = resp.headers.get("Retry-After")
    if raw is None:
        return None
    try:
        return min(max(float(raw), 0.0), RETRY_AFTER_CAP_S)
    except ValueError:
        return None


def _json(resp: requests.Response) -> Any:
    try:
        return resp.json()
    except ValueError:
        return None


class PlatformClient:
    """Talks to one platform as one device. `clock_offset` (seconds) is added to the local clock when signing."""

    def __init__(
        self,
        base_url: str,
        credentials: Credentials | None,
        *,
        ca_bundle: str = "",
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        time_source: Callable[[], float] = time.time,
        clock_offset: float = 0.0,
        session: requests.Session | None = None,
        compress: bool = True,
    ) -> None:
        """`compress`: gzip batch bodies when the platform lists the `gzip` feature in `/healthz`."""
        self.base_url = base_url.rstrip("/")
        self.compress = compress
        self._features: frozenset[str] | None = None  # from /healthz; None until asked
        self.credentials = credentials
        self.timeout = timeout
        self.clock_offset = clock_offset
        self._time = time_source
        self.session = session or requests.Session()
        adapter = HTTPAdapter(
            pool_connections=2,
            pool_maxsize=4,
            # No urllib3 retries (the protocol allows connect=2): the engine retries, re-signed, with backoff.
            max_retries=Retry(total=0, connect=0, read=0, status=0, other=0, redirect=0, raise_on_status=False),
        )
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        # TLS is verified always: against the configured bundle or the system store; never disabled.
        self.session.verify = ca_bundle or True
        # Passed on every call as well: a session-level `verify` loses to REQUESTS_CA_BUNDLE in the environment
        # (WORKAROUND for https://github.com/psf/requests/issues/3829).
        self._verify: str | bool = ca_bundle or True
        self.session.headers["User-Agent"] = "tongban-terminal"

    def close(self) -> None:
        self.session.close()

    # --- plumbing ---------------------------------------------------------------------------------------------

    def now(self) -> float:
        """The platform's time as best known (local clock + corrected offset)."""
        return self._time() + self.clock_offset

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes = b"",
        headers: dict[str, str] | None = None,
        signed: bool = True,
        use_pending_key: bool = False,
    ) -> requests.Response:
        url = self.base_url + path
        all_headers = dict(headers or {})
        if signed:
            creds = self.credentials
            if creds is None:
                raise AuthFailedError("unknown_device")
            key_id, secret = creds.key_id, creds.secret
            if use_pending_key:
                if creds.pending_key_id is None or creds.pending_secret is None:
                    raise AuthFailedError("unknown_device")
                key_id, secret = creds.pending_key_id, creds.pending_secret
            all_headers.update(
                sign_headers(
                    device=creds.device_id,
                    key_id=key_id,
                    secret_hex=secret,
                    method=method,
                    url=url,
                    body=body,
                    unix_time=int(self.now()),
                )
            )
        if body:
            all_headers.setdefault("Content-Type", "application/json")
        try:
            resp = self.session.request(
                method, url, data=body or None, headers=all_headers, timeout=self.timeout, verify=self._verify
            )
        except requests.exceptions.SSLError as exc:
            raise NetworkError(f"TLS verification failed: {type(exc).__name__}") from exc
        except requests.exceptions.Timeout as exc:
            raise NetworkError(f"timeout: {type(exc).__name__}") from exc
        except requests.exceptions.RequestException as exc:
            raise NetworkError(f"network: {type(exc).__name__}") from exc
        self._check(resp)
        return resp

    def _check(self, resp: requests.Response) -> None:
        status = resp.status_code
        if status < 400 or (status == 404 and resp.request.method == "HEAD"):
            return
        payload = _json(resp)
        error = payload.get("error") if isinstance(payload, dict) else None
        if status == 401:
            if error == "clock_skew" and isinstance(payload, dict) and isinstance(payload.get("server_time"), int):
                raise ClockSkewError(float(payload["server_time"]))
            raise AuthFailedError(str(error or "unauthorized"))
        if status == 403:
            raise RevokedError(str(error or "forbidden"), status=403)
        if status == 426:
            raise UpgradeRequiredError(str(error or "upgrade_required"), status=426)
        if status == 429 and error == "too_many_checks":
            raise TooManyChecksError(error, status=429)
        if status in (429, 503):
            raise BusyError(str(error or status), status=status, retry_after=_retry_after(resp))
        if status in (400, 413):
            raise BatchRefusedError(str(error or status), status=status)
        if status == 404:
            raise NotFoundError(str(error or "not_found"), status=404)
        if status == 410:
            raise CursorGoneError(str(error or "gone"), status=410)
        if status >= 500:
            raise ServerError(str(error or status), status=status, retry_after=_retry_after(resp))
        raise PlatformError(str(error or status), status=status)

    def _json_body(self, resp: requests.Response) -> Any:
        try:
            return json.loads(resp.content)
        except ValueError as exc:
            raise BadResponseError("answer is not JSON", status=resp.status_code) from exc

    @staticmethod
    def _dumps(payload: Any) -> bytes:
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    # --- endpoints --------------------------------------------------------------------------------------------

    def enrol(self, code: str) -> Credentials:
        """One-time code → credentials (not yet stored). Unsigned."""
        try:
            resp = self.request("POST", "/api/v1/devices/enrol", body=self._dumps({"code": code}), signed=False)
        except BatchRefusedError as exc:
            raise EnrolmentError(str(exc)) from exc
        except NetworkError as exc:
            raise EnrolmentUnreachableError("unreachable") from exc
        except (NotFoundError, BadResponseError) as exc:  # 404, a web page: something else lives at this address
            raise EnrolmentAddressError("not_a_platform") from exc
        except PlatformError as exc:
            if exc.status in (405, 406, 415, 501):  # a server without this endpoint or method: not the platform
                raise EnrolmentAddressError("not_a_platform") from exc
            raise
        try:
            data = self._json_body(resp)
        except BadResponseError as exc:
            raise EnrolmentAddressError("not_a_platform") from exc
        if not isinstance(data, dict):
            raise EnrolmentAddressError("not_a_platform")
        try:
            return Credentials.from_json({**data, "platform_url": self.base_url})
        except Exception as exc:
            raise EnrolmentAddressError("not_a_platform") from exc

    def post_batch(self, records: list[dict[str, Any]]) -> dict[str, Any]:
        body = self._dumps({"records": records})
        if self._gzip_allowed():
            # Signed over the bytes sent (SYNC_PROTOCOL.md "Revisions"); the platform inflates up to 4 MiB.
            try:
                resp = self.request(
                    "POST",
                    "/api/v1/records:batch",
                    body=gzip.compress(body, compresslevel=6, mtime=0),
                    headers={"Content-Encoding": "gzip"},
                )
            except PlatformError as exc:
                if exc.status != 415:
                    raise
                self._features = frozenset()  # the platform stopped taking gzip: send plain from now on
                resp = self.request("POST", "/api/v1/records:batch", body=body)
        else:
            resp = self.request("POST", "/api/v1/records:batch", body=body)
        data = self._json_body(resp)
        results = data.get("results") if isinstance(data, dict) else None
        if not isinstance(results, list) or len(results) != len(records):
            raise BadResponseError("batch answer has the wrong shape")
        return dict(data)

    def head_blob(self, sha256: str) -> bool:
        resp = self.request("HEAD", f"/api/v1/blobs/{sha256}")
        if resp.status_code == 200:
            return True
        if resp.status_code == 404:
            return False
        raise ServerError(f"HEAD blob answered {resp.status_code}", status=resp.status_code)

    def put_blob(self, sha256: str, data: bytes) -> None:
        self.request("PUT", f"/api/v1/blobs/{sha256}", body=data, headers={"Content-Type": "application/octet-stream"})

    def get_catalogue(self, etag: str | None) -> Catalogue304 | CatalogueSnapshot:
        headers = {"If-None-Match": etag} if etag else {}
        resp = self.request("GET", "/api/v1/catalogue", headers=headers)
        if resp.status_code == 304:
            return Catalogue304(etag or "")
        return CatalogueSnapshot(resp.headers.get("ETag", ""), resp.content)

    def get_updates(self, cursor: str, limit: int = 500) -> dict[str, Any]:
        query = f"?cursor={cursor}&limit={limit}" if cursor else f"?limit={limit}"
        data = self._json_body(self.request("GET", "/api/v1/updates" + query))
        if not isinstance(data, dict) or not isinstance(data.get("changes"), list) or "next_cursor" not in data:
            raise BadResponseError("updates answer has the wrong shape")
        return dict(data)

    def get_case(self, case_no: str, *, id_last4: str = "") -> dict[str, Any]:
        """With `id_last4` the platform answers only if the applicant's ID number ends so (else NotFoundError); it
        goes in a POST body, never in the URL."""
        if id_last4:
            resp = self.request("POST", f"/api/v1/cases/{case_no}:check", body=self._dumps({"id_last4": id_last4}))
        else:
            resp = self.request("GET", f"/api/v1/cases/{case_no}")
        data = self._json_body(resp)
        if not isinstance(data, dict):
            raise BadResponseError("case answer has the wrong shape")
        return dict(data)

    def health(self) -> dict[str, Any]:
        """`GET /healthz` (no signature needed): status, schema version, platform instance id, features."""
        data = self._json_body(self.request("GET", "/healthz", signed=False))
        if not isinstance(data, dict):
            raise BadResponseError("health answer has the wrong shape")
        features = data.get("features")
        listed = features if isinstance(features, list) else []
        self._features = frozenset(f for f in listed if isinstance(f, str))
        return dict(data)

    def lists_feature(self, name: str, *, refresh: bool = False) -> bool:
        """Whether the platform's `/healthz` lists `name` (asked once, or again with `refresh`); False when the
        platform cannot be asked now."""
        if self._features is None or refresh:
            try:
                self.health()
            except PlatformError:
                return False
        return self._features is not None and name in self._features

    @property
    def asks_features_first(self) -> bool:
        """Whether the next batch would ask `/healthz` before it is sent (gzip on, the platform's features unknown)."""
        return self.compress and self._features is None

    def _gzip_allowed(self) -> bool:
        if not self.compress:
            return False
        if self._features is None:
            try:
                self.health()
            except PlatformError:
                return False  # ask again next time; this batch goes plain
        return self._features is not None and "gzip" in self._features

    def summary(self) -> dict[str, Any]:
        data = self._json_body(self.request("GET", "/api/v1/devices/me/summary"))
        if not isinstance(data, dict) or not isinstance(data.get("records"), int):
            raise BadResponseError("summary answer has the wrong shape")
        return dict(data)

    def missing(self, record_ids: list[str]) -> list[str]:
        resp = self.request("POST", "/api/v1/records:missing", body=self._dumps({"record_ids": record_ids}))
        data = self._json_body(resp)
        missing = data.get("missing") if isinstance(data, dict) else None
        if not isinstance(missing, list):
            raise BadResponseError("missing answer has the wrong shape")
        return [str(m) for m in missing]

    def rotate(self) -> tuple[str, str]:
        data = self._json_body(self.request("POST", "/api/v1/devices/rotate"))
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("key_id"), str)
            or not isinstance(data.get("secret"), str)
        ):
            raise BadResponseError("rotate answer has the wrong shape")
        return data["key_id"], data["secret"]

    def rotate_confirm(self) -> None:
        self.request("POST", "/api/v1/devices/rotate/confirm", use_pending_key=True)

    # --- electronic licences (电子证照, issue 18): POST bodies only, the holder's number never in a URL ----------

    def _licence_post(self, path: str, payload: dict[str, Any]) -> dict[str, Any]:
        try:
            resp = self.request("POST", path, body=self._dumps(payload))
        except (RevokedError, NotFoundError, BatchRefusedError) as exc:
            if str(exc) in LICENCE_REFUSALS:
                raise LicenceRefusedError(str(exc), status=exc.status) from exc
            raise
        data = self._json_body(resp)
        if not isinstance(data, dict):
            raise BadResponseError("licence answer has the wrong shape")
        return dict(data)

    def licence_consent(self, *, holder_id: str, case_ref: str, staff_no: str, method: str) -> str:
        """The holder's consent for this terminal and case → a consent token (valid 30 minutes)."""
        payload = {"holder_id": holder_id, "case_ref": case_ref, "staff_no": staff_no, "method": method}
        token = self._licence_post("/api/v1/licences/consent", payload).get("consent_token")
        if not isinstance(token, str) or not token:
            raise BadResponseError("consent answer has no token")
        return token

    def licence_list(self, token: str, types: list[str] | None = None) -> list[dict[str, Any]]:
        payload: dict[str, Any] = {"consent_token": token}
        if types:
            payload["types"] = types
        found = self._licence_post("/api/v1/licences:list", payload).get("licences")
        if not isinstance(found, list) or not all(isinstance(f, dict) for f in found):
            raise BadResponseError("licence list has the wrong shape")
        return found

    def licence_fetch(self, token: str, licence_no: str) -> dict[str, Any]:
        return self._licence_post("/api/v1/licences:fetch", {"consent_token": token, "licence_no": licence_no})

    def licence_verify(self, token: str, licence_no: str) -> dict[str, Any]:
        return self._licence_post("/api/v1/licences:verify", {"consent_token": token, "licence_no": licence_no})


__all__ = ["DEFAULT_TIMEOUT", "Catalogue304", "CatalogueSnapshot", "PlatformClient", "TransientError"]
