"""The electronic licence library (电子证照库) over real HTTP, on SQLite and PostgreSQL: loading, consent tokens,
list / fetch / verify, refusals, the access audit and the supervisor page."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path

from tests import pii_samples

from .conftest import db_rows
from .helpers import REPO, Client, Server, cli
from .test_web import _login, _set_password

SAMPLE = REPO / "resources" / "licences" / "sample.json"


def _load(server: Server) -> None:
    proc = cli(server.db, "licences", "load", str(SAMPLE))
    assert "loaded 8 licences" in proc.stdout


def _consent(client: Client, holder: str, case_ref: str = "DRAFT-1", method: str = "tick_card") -> str:
    body = {"holder_id": holder, "case_ref": case_ref, "staff_no": "0042", "method": method}
    answer = client.request("POST", "/api/v1/licences/consent", json=body)
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["consent_token"]
    return token


def _access_count(server: Server) -> int:
    rows = db_rows(server.db, "SELECT count(*) FROM licence_access")
    count = rows[0][0]
    assert isinstance(count, int)
    return count


def test_load_refuses_a_bad_file_naming_entry_and_field(server: Server, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    entries = json.loads(SAMPLE.read_text(encoding="utf-8"))["licences"][:2]
    entries[1] = {**entries[1], "holder": "91350100M000100Y43"}  # a credit code holding a 户口簿
    bad.write_text(json.dumps({"licences": entries}, ensure_ascii=False), encoding="utf-8")
    proc = cli(server.db, "licences", "load", str(bad), check=False)
    assert proc.returncode == 1
    assert "licences[1] (210802-HKB-0000001): holder must be an 18-character ID number" in proc.stderr
    assert "91350100M000100Y43" not in proc.stderr
    # Loading twice replaces by number.
    _load(server)
    again = cli(server.db, "licences", "load", str(SAMPLE))
    assert "(0 added, 8 replaced)" in again.stdout


def test_list_fetch_verify_with_consent_and_audit(server: Server, make_client: Callable[..., Client]) -> None:
    _load(server)
    client = make_client(hall="51", window="4")
    before = _access_count(server)
    token = _consent(client, pii_samples.ID_NUMBER, case_ref="21080051001202612020000155")

    found = client.request("POST", "/api/v1/licences:list", json={"consent_token": token}).json()["licences"]
    assert [(f["licence_type"], f["licence_no"], f["valid"]) for f in found] == [
        ("居民户口簿", "210802-HKB-0000001", True),
        ("结婚证", "210802-JHZ-2016-000123", True),
        ("居民身份证", "210802-SFZ-0000001", True),
    ]
    assert found[0]["holder_masked"] == "1101**********002X"
    only = client.request("POST", "/api/v1/licences:list", json={"consent_token": token, "types": ["结婚证"]})
    assert [f["licence_no"] for f in only.json()["licences"]] == ["210802-JHZ-2016-000123"]

    fetched = client.request(
        "POST", "/api/v1/licences:fetch", json={"consent_token": token, "licence_no": "210802-JHZ-2016-000123"}
    ).json()
    assert fetched["media_type"] == "image/svg+xml" and fetched["issuer"] == "营口市站前区民政局"
    image = base64.b64decode(fetched["image_base64"]).decode("utf-8")
    assert "电子证照 · 结婚证" in image and "1101**********002X" in image
    assert pii_samples.ID_NUMBER not in image

    verified = client.request(
        "POST", "/api/v1/licences:verify", json={"consent_token": token, "licence_no": "210802-HKB-0000001"}
    )
    assert verified.status_code == 200 and "image_base64" not in verified.json()

    # Another holder's licence is "unknown" to this consent, and says which field.
    other = client.request(
        "POST", "/api/v1/licences:verify", json={"consent_token": token, "licence_no": "210802-BDC-2021-0045678"}
    )
    assert other.status_code == 404
    assert (other.json()["error"], other.json()["field"]) == ("unknown_licence", "licence_no")

    # consent + list + list + fetch + verify + verify(refused): one audit row each, with who, terminal, case, when.
    assert _access_count(server) == before + 6
    rows = db_rows(
        server.db,
        'SELECT action, outcome, terminal_key, "window", staff_no, case_ref, licence_no, holder_masked '
        "FROM licence_access ORDER BY id DESC LIMIT 6",
    )
    assert [r[0] for r in rows] == ["verify", "verify", "fetch", "list", "list", "consent"]
    assert rows[2][1:] == (
        "ok",
        f"210800{client.creds.hall}{client.creds.terminal}",
        "04",
        "0042",
        "21080051001202612020000155",
        "210802-JHZ-2016-000123",
        "1101**********002X",
    )
    assert rows[0][1] == "not_found"
    # The holder's number is stored nowhere in the audit or consent tables.
    dump = json.dumps(db_rows(server.db, "SELECT * FROM licence_access"), default=str)
    dump += json.dumps(db_rows(server.db, "SELECT * FROM licence_consents"), default=str)
    assert pii_samples.ID_NUMBER not in dump
    assert pii_samples.ID_NUMBER not in server.log() and "210802-JHZ" not in server.log()


def test_without_a_valid_consent_nothing_is_answered(server: Server, make_client: Callable[..., Client]) -> None:
    _load(server)
    client, stranger = make_client(hall="52"), make_client(hall="52")
    before = _access_count(server)
    for body in ({}, {"consent_token": "forged"}):
        answer = client.request("POST", "/api/v1/licences:list", json=body)
        assert answer.status_code == 403 and answer.json()["error"] == "consent_required"
    token = _consent(client, pii_samples.ID_NUMBER_2)
    # A token is bound to the terminal that asked for it.
    stolen = stranger.request(
        "POST", "/api/v1/licences:fetch", json={"consent_token": token, "licence_no": "210802-BDC-2021-0045678"}
    )
    assert stolen.status_code == 403
    # The refused attempts are audited too.
    outcomes = db_rows(server.db, "SELECT outcome FROM licence_access ORDER BY id")[before:]
    assert [o[0] for o in outcomes] == ["consent_invalid", "consent_invalid", "granted_tick_card", "consent_invalid"]
    # A malformed holder number is refused with the field named and no token.
    bad = client.request(
        "POST",
        "/api/v1/licences/consent",
        json={"holder_id": "12345", "case_ref": "D-2", "staff_no": "0042", "method": "tick"},
    )
    assert bad.status_code == 400 and bad.json()["field"] == "holder_id"
    # Unsigned requests never reach the library.
    import requests

    unsigned = requests.post(server.url + "/api/v1/licences:list", json={"consent_token": token}, timeout=10)
    assert unsigned.status_code == 401


def test_supervisor_page_shows_the_access_audit(server: Server, make_client: Callable[..., Client]) -> None:
    _load(server)
    _set_password(server)
    client = make_client(hall="53", window="7")
    token = _consent(client, pii_samples.CREDIT_CODE, case_ref="DRAFT-77")
    client.request(
        "POST", "/api/v1/licences:fetch", json={"consent_token": token, "licence_no": "210802-YYZZ-2020-0001"}
    )
    page = _login(server).get(server.url + "/admin", timeout=10).text
    assert "电子证照调取记录" in page
    section = page[page.index('id="licence-access"') :]
    assert "DRAFT-77" in section and "营业执照" in section and "调取" in section and "0042" in section
    assert "2108*************0001" in section  # the licence number masked
    assert "已授权（勾选并读卡）" in section and "成功" in section
    assert pii_samples.CREDIT_CODE not in page and "9135**********0Y43" not in page
