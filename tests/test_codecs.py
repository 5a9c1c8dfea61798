"""One cookie interface, its codec and its policies given as values.

``CookieSessionInterface(codec=..., revocation=...)`` is what the shortcut classes
build; these tests show the composed form behaves as the shortcuts do, cookie for
cookie, and that a wrong value is refused when the interface is built.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from werkzeug.test import Client

from sessionware import (
    CookieSessionInterface,
    EncryptedCodec,
    EncryptedCookieSessionInterface,
    MemoryStore,
    Revocation,
    SecureCookieSessionInterface,
    SessionConfig,
    SessionMiddleware,
    SignedCodec,
)
from sessionware.testing import read_session, session_cookie

from .conftest import FakeClock

SECRET = "codec-tests-secret-key-long-enough-for-hmac"
CONFIG = SessionConfig(secret_key=SECRET)


def test_the_default_codec_writes_flasks_signed_cookie() -> None:
    composed = CookieSessionInterface()
    assert isinstance(composed.codec, SignedCodec)
    value = session_cookie({"user_id": 7}, CONFIG, interface=composed)
    # payload.timestamp.signature, readable by the signed shortcut and back.
    assert re.fullmatch(r"[\w-]+\.[\w-]+\.[\w-]+", value)
    shortcut = SecureCookieSessionInterface()
    assert read_session(f"session={value}", CONFIG, interface=shortcut) == {"user_id": 7}
    again = session_cookie({"user_id": 8}, CONFIG, interface=shortcut)
    assert read_session(f"session={again}", CONFIG, interface=composed) == {"user_id": 8}


def test_an_encrypted_codec_reads_what_the_encrypted_shortcut_wrote() -> None:
    pytest.importorskip("cryptography")
    composed = CookieSessionInterface(codec=EncryptedCodec(purpose="admin"))
    shortcut = EncryptedCookieSessionInterface(purpose="admin")
    value = session_cookie({"user_id": 7}, CONFIG, interface=shortcut)
    assert value.startswith("e1.")
    assert read_session(f"session={value}", CONFIG, interface=composed) == {"user_id": 7}
    # Another purpose is another codec value: the token is refused.
    other = CookieSessionInterface(codec=EncryptedCodec())
    with pytest.raises(ValueError, match="does not verify"):
        read_session(f"session={value}", CONFIG, interface=other)


def test_encryption_and_revocation_compose(clock: FakeClock) -> None:
    pytest.importorskip("cryptography")
    store = MemoryStore(clock=clock)
    interface = CookieSessionInterface(
        codec=EncryptedCodec(), revocation=Revocation(store, check_interval=0), clock=clock
    )

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        session = environ["session"]
        if environ["PATH_INFO"] == "/login":
            session["user_id"] = "ana"
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [str(session.get("user_id")).encode()]

    client = Client(SessionMiddleware(app, CONFIG, interface=interface))
    login = client.get("/login")
    assert read_session(login, CONFIG, interface=interface) == {
        "user_id": "ana",
        "_created": int(clock.now),
    }
    assert client.get("/").text == "ana"
    clock.advance(5)
    assert interface.revocation is not None
    interface.revocation.revoke("ana")
    clock.advance(1)
    assert client.get("/").text == "None"


def test_compress_from_zero_compresses_a_small_session_as_flask_does() -> None:
    data = {"u": "12345678" * 6}  # 56 bytes of JSON that zlib shortens
    default = session_cookie(data, CONFIG, interface=SecureCookieSessionInterface())
    as_flask = session_cookie(
        data, CONFIG, interface=CookieSessionInterface(codec=SignedCodec(compress_from=0))
    )
    assert not default.startswith(".")
    assert as_flask.startswith(".")
    assert len(as_flask) < len(default)
    shortcut = SecureCookieSessionInterface(compress_from=0)
    assert session_cookie(data, CONFIG, interface=shortcut).startswith(".")


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (-1, ValueError, "compress_from must be 0 or more bytes, got -1"),
        ("256", TypeError, "compress_from must be an int number of bytes, got '256'"),
        (True, TypeError, "compress_from must be an int number of bytes, got True"),
    ],
)
def test_a_bad_compress_from_is_refused_naming_it(
    value: Any, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=re.escape(message)):
        SignedCodec(compress_from=value)


def test_a_codec_that_is_not_one_is_refused_when_the_interface_is_built() -> None:
    with pytest.raises(
        TypeError, match=re.escape("codec must be a sessionware.interfaces.codecs.CookieCodec")
    ):
        CookieSessionInterface(codec="signed")  # type: ignore[arg-type]


def test_codecs_say_what_they_are() -> None:
    assert repr(SignedCodec()) == "SignedCodec(compress_from=256)"
    pytest.importorskip("cryptography")
    assert repr(EncryptedCodec(purpose="api")) == "EncryptedCodec(compress=False, purpose='api')"
