"""A 一件事's own status on the platform, for a client that reads only `status` (docs/central.md)."""

from __future__ import annotations

import pytest

from central.cases import _bundle_state


@pytest.mark.parametrize(
    ("members", "expected"),
    [
        (["accepted", "accepted"], "accepted"),
        (["received", "accepted", "completed"], "received"),
        (["forwarded", "accepted"], "forwarded"),
        (["accepted", "supplement", "completed"], "supplement"),
        (["completed", "delivered"], "completed"),
        (["delivered", "delivered"], "delivered"),
        (["completed", "rejected"], "completed"),
        ([], "received"),
    ],
)
def test_the_bundle_status_follows_its_members(members: list[str], expected: str) -> None:
    assert _bundle_state(members) == expected
