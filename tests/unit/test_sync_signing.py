"""TB1 signing: the terminal's signer agrees with the platform's verifier and with the protocol text."""

from __future__ import annotations

import hashlib
import hmac

from hypothesis import given
from hypothesis import strategies as st

from app.sync.signing import path_with_sorted_query, sign_headers, signing_string
from central.auth import signing_string as platform_signing_string


def test_signing_string_follows_the_protocol_text() -> None:
    message = signing_string(
        device="d", key_id="k", timestamp="1700000000", nonce="n" * 32, method="post", path_query="/p?a=1", body=b""
    )
    empty = hashlib.sha256(b"").hexdigest()
    assert message == f"TB1\nd\nk\n1700000000\n{'n' * 32}\nPOST\n/p?a=1\n{empty}".encode()


def test_query_pairs_are_sorted_raw_and_an_empty_query_has_no_question_mark() -> None:
    assert (
        path_with_sorted_query("http://h/api/v1/updates?limit=500&cursor=12") == "/api/v1/updates?cursor=12&limit=500"
    )
    assert path_with_sorted_query("http://h/api/v1/records:batch") == "/api/v1/records:batch"
    assert path_with_sorted_query("http://h/x?") == "/x"


@given(
    query=st.lists(st.from_regex(r"[a-z]{1,5}=[0-9a-z%]{0,6}", fullmatch=True), max_size=4),
    body=st.binary(max_size=64),
    method=st.sampled_from(["GET", "POST", "PUT", "HEAD"]),
)
def test_platform_verifies_what_the_terminal_signs(query: list[str], body: bytes, method: str) -> None:
    secret = "ab" * 32
    url = "http://127.0.0.1:1/api/v1/updates" + ("?" + "&".join(query) if query else "")
    headers = sign_headers(
        device="dev-1", key_id="key-1", secret_hex=secret, method=method, url=url, body=body, unix_time=1700000000
    )
    expected = platform_signing_string(
        device="dev-1",
        key_id="key-1",
        timestamp=headers["X-TB-Timestamp"],
        nonce=headers["X-TB-Nonce"],
        method=method,
        path="/api/v1/updates",
        query="&".join(query),
        body=body,
    )
    digest = hmac.new(bytes.fromhex(secret), expected, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(digest, headers["X-TB-Signature"])
    assert len(headers["X-TB-Nonce"]) == 32 and headers["X-TB-Timestamp"] == "1700000000"


def test_every_request_gets_a_fresh_nonce() -> None:
    args = {"device": "d", "key_id": "k", "secret_hex": "00" * 32, "method": "GET", "url": "http://h/", "body": b""}
    assert sign_headers(**args, unix_time=1)["X-TB-Nonce"] != sign_headers(**args, unix_time=1)["X-TB-Nonce"]
