"""The signed value format: itsdangerous' URL-safe timed serializer, as Flask uses it."""

from __future__ import annotations

import hashlib
import hmac
import json
from base64 import urlsafe_b64encode
from unittest import mock

import pytest
from itsdangerous import URLSafeTimedSerializer

from sessionware.cookies._signing import BadCookie, CookieSigner

VECTOR = "eyJfcGVybWFuZW50Ijp0cnVlLCJ1c2VyX2lkIjo0Mn0.ZVPxAA.dWURjZsRKa2AmdOJe6VYpvsKjEc"
T0 = 1_700_000_000


def flask_serializer(keys: list[str], digest: str = "sha1") -> URLSafeTimedSerializer:
    """What Flask builds: newest key last, hmac key derivation, the session salt."""
    return URLSafeTimedSerializer(
        keys,
        salt="cookie-session",
        signer_kwargs={"key_derivation": "hmac", "digest_method": getattr(hashlib, digest)},
    )


def test_the_documented_test_vector() -> None:
    payload = b'{"_permanent":true,"user_id":42}'
    assert CookieSigner("secret").dumps(payload, T0) == VECTOR
    assert CookieSigner("secret").loads(VECTOR, T0, 60) == (payload, 0, T0)


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param(b'{"a":1}', id="small"),
        pytest.param(b'{"k":"' + b"x" * 500 + b'"}', id="compressible"),
    ],
)
def test_itsdangerous_reads_what_we_write_and_back(payload: bytes) -> None:
    ours = CookieSigner("k1").dumps(payload, T0)
    with mock.patch("time.time", return_value=T0):
        theirs = flask_serializer(["k1"]).dumps(json.loads(payload))
        assert flask_serializer(["k1"]).loads(ours) == json.loads(payload)
    if payload == b'{"a":1}':
        assert ours == theirs
    else:
        # Compressed: only the zlib header (the first three characters) names another
        # window size; the deflated data after it is the same.
        assert ours[:1] == theirs[:1] == "."
        assert ours[4:].split(".")[0] == theirs[4:].split(".")[0]
    assert CookieSigner("k1").loads(theirs, T0 + 5, 60)[0] == payload


def test_compression_is_used_only_when_it_pays() -> None:
    assert CookieSigner("k").dumps(b'{"a":1}', T0).startswith("eyJ")
    assert CookieSigner("k").dumps(b'{"a":"' + b"a" * 300 + b'"}', T0).startswith(".")


def test_other_digest_matches_itsdangerous() -> None:
    ours = CookieSigner("k", digest_method="sha256").dumps(b'{"a":1}', T0)
    with mock.patch("time.time", return_value=T0):
        assert ours == flask_serializer(["k"], "sha256").dumps({"a": 1})


def test_fallback_keys_verify_but_never_sign() -> None:
    old = CookieSigner("old").dumps(b"{}", T0)
    rotated = CookieSigner("new", ("older", "old"))
    assert rotated.loads(old, T0, 60) == (b"{}", 1, T0)
    assert rotated.dumps(b"{}", T0) == CookieSigner("new").dumps(b"{}", T0)
    oldest = CookieSigner("older").dumps(b"{}", T0)
    assert rotated.loads(oldest, T0, 60) == (b"{}", 2, T0)


def corrupt(value: str, index: int) -> str:
    char = "A" if value[index] != "A" else "B"
    return value[:index] + char + value[index + 1 :]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        pytest.param(corrupt(VECTOR, 3), "signature does not match", id="payload-changed"),
        pytest.param(corrupt(VECTOR, -3), "signature does not match", id="signature-changed"),
        pytest.param(VECTOR[:-5], "signature does not match", id="truncated"),
        pytest.param("nodots", "no signature", id="no-dots"),
        pytest.param("abc.A", "not valid base64", id="signature-not-base64"),
        pytest.param("abc.%%%%", "signature does not match", id="signature-junk"),
        pytest.param("\u00e9.x.y", "not ASCII", id="non-ascii"),
        pytest.param("", "no signature", id="empty"),
    ],
)
def test_bad_values_are_refused_with_a_reason(value: str, reason: str) -> None:
    with pytest.raises(BadCookie, match=reason) as caught:
        CookieSigner("secret").loads(value, T0, 60)
    assert not caught.value.expired


def test_wrong_key_is_refused() -> None:
    with pytest.raises(BadCookie, match="does not match"):
        CookieSigner("other").loads(VECTOR, T0, 60)


@pytest.mark.parametrize(
    ("now", "max_age", "ok"),
    [
        pytest.param(T0, 0, True, id="just-signed"),
        pytest.param(T0 + 60, 60, True, id="exactly-max-age"),
        pytest.param(T0 + 61, 60, False, id="one-second-too-old"),
        pytest.param(T0 - 1, 60, False, id="from-the-future"),
    ],
)
def test_age_is_checked(now: int, max_age: int, ok: bool) -> None:
    signer = CookieSigner("secret")
    if ok:
        assert signer.loads(VECTOR, now, max_age)[0].startswith(b"{")
    else:
        with pytest.raises(BadCookie) as caught:
            signer.loads(VECTOR, now, max_age)
        assert caught.value.expired


def signed(message: bytes, key: str = "secret") -> str:
    """Sign an arbitrary message the way a key holder would (to reach later checks)."""
    signature = hmac.digest(CookieSigner(key)._keys[0], message, "sha1")
    return (message + b"." + urlsafe_b64encode(signature).rstrip(b"=")).decode()


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        pytest.param(b"payloadonly", "no timestamp", id="no-timestamp"),
        pytest.param(b"eyJ9.A", "timestamp is not valid base64", id="bad-timestamp"),
        pytest.param(b".bm90emxpYg.ZVPxAA", "not valid base64 or zlib", id="bad-zlib"),
        pytest.param(b"e.ZVPxAA", "not valid base64", id="bad-payload-base64"),
    ],
)
def test_signed_but_malformed_values_are_refused(message: bytes, reason: str) -> None:
    with pytest.raises(BadCookie, match=reason):
        CookieSigner("secret").loads(signed(message), T0, 60)
