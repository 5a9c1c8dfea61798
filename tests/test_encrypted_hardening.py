"""The encrypted-cookie interface holds to what issue 12 hardened on the signed path.

Clock skew from the config, the copy of a duplicated cookie that decrypts, a bounded
decompression, and a re-issue of unchanged data that never fails the request: those
are tested on both cookie interfaces in tests/test_hardening_cookies.py. Here is what
only a sealed cookie can carry.
"""

from __future__ import annotations

import os
import zlib
from base64 import urlsafe_b64encode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ._cookie_kinds import ENCRYPTED
from .conftest import SECRET, FakeClock

# max_payload_size: with compression on, a sealed stream that is not whole zlib data
# is a fresh session, whatever it claims to inflate to.


@pytest.mark.parametrize(
    "stream",
    [
        pytest.param(zlib.compress(b'{"a":"' + b"x" * 500 + b'"}')[:-6], id="truncated"),
        pytest.param(b"not zlib at all", id="garbled"),
    ],
)
def test_a_sealed_stream_that_is_not_whole_zlib_is_refused(
    clock: FakeClock, session_log: pytest.LogCaptureFixture, stream: bytes
) -> None:
    # Only a holder of the key can seal one (docs/encryption.md gives the format): the
    # flags byte says compressed, then the seal time, then the stream.
    from sessionware.cookies._sealing import derive_key, secret_key_id

    key_id = secret_key_id(SECRET.encode())
    plaintext = b"\x01" + int(clock()).to_bytes(8, "big") + stream
    associated = b"\x00".join((b"sessionware", b"e1", key_id.encode(), b"session", b"session"))
    nonce = os.urandom(12)
    sealed = nonce + derive_key(SECRET.encode()).encrypt(nonce, plaintext, associated)
    cookie = f"e1.{key_id}.{urlsafe_b64encode(sealed).rstrip(b'=').decode()}"
    response = ENCRYPTED.browser(clock, compress=True).request(
        lambda s: dict(s), cookie_header=f"session={cookie}"
    )
    assert response.text == "{}"
    (record,) = session_log.records
    assert "not valid zlib data" in record.getMessage()


# The canonical-base64 check decodes without encoding again: it must accept exactly the
# strings that encoding gives back unchanged, whatever the bytes.

_B64_BYTES = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= \n.!\x00\xff"


@given(st.binary(max_size=40).map(lambda raw: bytes(_B64_BYTES[b % len(_B64_BYTES)] for b in raw)))
@settings(max_examples=3000, deadline=None)
def test_only_the_canonical_base64_spelling_decodes(text: bytes) -> None:
    from binascii import Error as Base64Error

    from sessionware.cookies._signing import _b64decode, _b64encode, canonical_b64decode

    try:
        expected: bytes | None = _b64decode(text)
    except (Base64Error, ValueError):
        expected = None
    if expected is not None and _b64encode(expected) != text:
        expected = None  # decodes, but is not the one spelling of its bytes
    try:
        got: bytes | None = canonical_b64decode(text)
    except (Base64Error, ValueError):
        got = None
    assert got == expected


@given(st.binary(max_size=64))
def test_canonical_base64_round_trips(data: bytes) -> None:
    from sessionware.cookies._signing import _b64encode, canonical_b64decode

    assert canonical_b64decode(_b64encode(data)) == data
