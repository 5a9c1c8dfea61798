"""Issue 16, items 1 and 4: no cookie breaks a request, and no planted copy hides chunks.

Every request here goes through a real middleware, WSGI (werkzeug's test client) or
ASGI (the ASGI middleware driven message by message, the Cookie header as the latin-1
bytes a server hands over), for each cookie interface: whatever the Cookie header
holds, the handler gets a fresh session and one line is logged, never the cookie.
"""

from __future__ import annotations

import binascii
import secrets
import zlib
from collections.abc import Callable
from typing import Any

import anyio
import pytest
from werkzeug.test import Client

from sessionware import (
    EncryptedCookieSessionInterface,
    RevocableCookieSessionInterface,
    RevocableEncryptedCookieSessionInterface,
    SecureCookieSessionInterface,
    ServerSideSessionInterface,
    SessionConfig,
    SessionInterface,
    SessionMiddleware,
)
from sessionware.asgi import SessionMiddleware as ASGISessionMiddleware
from sessionware.stores import MemoryStore

from ._apps import handler_app
from .asgi._asgi import endpoint, http_scope, run
from .conftest import SECRET, FakeClock

KINDS = ["signed", "encrypted", "revocable", "revocable-encrypted", "server-side"]
TRANSPORTS = [pytest.param("wsgi", id="wsgi"), pytest.param("asgi", id="asgi")]
#: The headers of issue 16, item 1: 5,000 ASCII digits (over int()'s 4,300-digit
#: limit) and the latin-1 bytes 0xB2/0xB9 ("²", "¹"), which str.isdigit() accepts.
BAD_HEADERS = [
    pytest.param("session=~" + "1" * 5000 + "~x", id="5000-digits"),
    pytest.param("session=~\u00b2~x", id="superscript-two"),
    pytest.param("session=~\u00b9~x", id="superscript-one"),
    pytest.param("session=~\u00b2~x; session=~" + "1" * 5000 + "~y", id="both-twice"),
    pytest.param("session=~10~x", id="ten-over-max-chunks"),
]
BIG = 6000  # random text: about 8 KB of cookie, signed or encrypted, so 2-3 chunks


def build(kind: str, clock: FakeClock) -> SessionInterface:
    if kind == "signed":
        return SecureCookieSessionInterface(clock=clock)
    if kind == "encrypted":
        return EncryptedCookieSessionInterface(clock=clock)
    if kind == "revocable":
        return RevocableCookieSessionInterface(MemoryStore(clock=clock), clock=clock)
    if kind == "revocable-encrypted":
        return RevocableEncryptedCookieSessionInterface(MemoryStore(clock=clock), clock=clock)
    return ServerSideSessionInterface(MemoryStore(clock=clock), clock=clock)


def config(**settings: Any) -> SessionConfig:
    settings.setdefault("max_chunks", 4)
    return SessionConfig(secret_key=SECRET, **settings)


def ask(
    transport: str,
    interface: SessionInterface,
    handler: Callable[[Any], object],
    cookie: str | None = None,
) -> tuple[int, object, list[str]]:
    """One request carrying ``cookie``: the status, what ``handler(session)`` returned
    and the response's Set-Cookie headers."""
    results: list[object] = []

    def action(session: Any) -> None:
        results.append(handler(session))

    if transport == "wsgi":
        middleware = SessionMiddleware(handler_app(action), config=config(), interface=interface)
        client = Client(middleware, use_cookies=False)
        headers = {} if cookie is None else {"Cookie": cookie}
        response = client.get("/", headers=headers)
        status, set_cookies = response.status_code, response.headers.getlist("Set-Cookie")
    else:
        app = ASGISessionMiddleware(endpoint(action), config=config(), interface=interface)
        reply = anyio.run(run, app, http_scope(cookie))
        status, set_cookies = reply.status, reply.header_values("set-cookie")
    (result,) = results
    return status, result, set_cookies


def jar(set_cookies: list[str]) -> dict[str, str]:
    """The cookies a browser keeps from these Set-Cookie headers."""
    pairs = (header.split(";", 1)[0].partition("=") for header in set_cookies)
    return {name: value for name, _, value in pairs if value}


def header_of(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def refusals(log: pytest.LogCaptureFixture) -> list[str]:
    return [
        record.getMessage()
        for record in log.records
        if record.name == "sessionware" and "Refused the 'session'" in record.getMessage()
    ]


def fresh(session: Any) -> tuple[bool, dict[str, Any]]:
    return session.new, dict(session)


# Item 1: a malformed chunk count is a fresh session, under WSGI and ASGI, everywhere.


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("header", BAD_HEADERS)
def test_a_malformed_chunk_count_is_a_fresh_session(
    transport: str, kind: str, header: str, clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    status, result, _ = ask(transport, build(kind, clock), fresh, header)
    assert status == 200
    assert result == (True, {})
    (line,) = refusals(session_log)
    assert "the chunk count is not a number from 2 to 4" in line
    assert "1111" not in line
    assert "\u00b2" not in line
    assert "\u00b9" not in line


def big_cookie(transport: str, interface: SessionInterface) -> tuple[str, str]:
    """A header carrying a session of ``BIG`` random characters, and that text."""
    big = secrets.token_urlsafe(BIG)
    _, _, set_cookies = ask(transport, interface, lambda s: s.__setitem__("big", big))
    return header_of(jar(set_cookies)), big


#: A helper of the reading path made to raise what no code path expects, each with
#: the interfaces whose reading reaches it.
FAULTS: list[tuple[str, type[Exception], list[str], str]] = [
    (
        "sessionware.cookies._signing.CookieSigner.loads",
        TypeError,
        ["signed", "revocable", "server-side"],
        "signer-TypeError",
    ),
    (
        "sessionware.cookies._sealing.CookieSealer.open",
        UnicodeError,
        ["encrypted", "revocable-encrypted"],
        "sealer-UnicodeError",
    ),
    (
        "sessionware.cookies._chunks.join_chunks",
        OverflowError,
        ["signed", "encrypted", "revocable"],
        "join-OverflowError",
    ),
    (
        "sessionware.cookies.tagged.TaggedJSONSerializer.loads",
        KeyError,
        ["signed", "encrypted", "revocable-encrypted"],
        "serializer-KeyError",
    ),
    (
        "sessionware.policies._lifetime.created_at",
        zlib.error,
        ["revocable", "revocable-encrypted"],
        "lifetime-zlib.error",
    ),
    (
        "sessionware.cookies._signing.check_age",
        OverflowError,
        ["signed", "server-side"],
        "check_age-OverflowError",
    ),
    ("sessionware.cookies._chunks.join_chunks", binascii.Error, ["signed"], "join-binascii.Error"),
    (
        "sessionware.cookies._chunks.join_chunks",
        RecursionError,
        ["encrypted"],
        "join-RecursionError",
    ),
]


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize(
    ("target", "error", "kind"),
    [
        pytest.param(target, error, kind, id=f"{name}-{kind}")
        for target, error, kinds, name in FAULTS
        for kind in kinds
    ],
)
def test_whatever_a_parsing_helper_raises_the_request_gets_a_fresh_session(
    transport: str,
    target: str,
    error: type[Exception],
    kind: str,
    clock: FakeClock,
    session_log: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    interface = build(kind, clock)
    header, big = big_cookie(transport, interface)
    assert ask(transport, interface, lambda s: s.get("big") == big, header)[1] is True

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise error(f"the cookie was {header}")

    monkeypatch.setattr(target, fail)
    session_log.clear()
    status, result, _ = ask(transport, interface, fresh, header)
    assert status == 200
    assert result == (True, {})
    (line,) = refusals(session_log)
    assert f"reading it raised {error.__name__} at " in line
    assert header not in line
    assert big not in line


# Item 4: a planted copy of the session cookie no longer hides a chunked session.


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("kind", ["signed", "encrypted", "revocable"])
@pytest.mark.parametrize(
    ("planted", "first"),
    [
        pytest.param("session=anything", True, id="planted-first"),
        pytest.param("session=anything", False, id="planted-last"),
        pytest.param("session=~2~forged", True, id="planted-chunked-head-first"),
        pytest.param("session=~2~forged", False, id="planted-chunked-head-last"),
    ],
)
def test_a_planted_copy_does_not_log_out_a_chunked_session(
    transport: str,
    kind: str,
    planted: str,
    first: bool,
    clock: FakeClock,
    session_log: pytest.LogCaptureFixture,
) -> None:
    interface = build(kind, clock)
    header, big = big_cookie(transport, interface)
    assert header.startswith("session=~")
    assert "; session.1=" in header
    header = f"{planted}; {header}" if first else f"{header}; {planted}"
    status, result, _ = ask(transport, interface, lambda s: (s.new, s.get("big") == big), header)
    assert status == 200
    assert result == (False, True)
    assert refusals(session_log) == []


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_copies_whose_chunks_cannot_be_joined_are_one_refusal(
    transport: str, clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    header = "session=~2~a; session=~\u00b2~b"
    status, result, _ = ask(transport, build("signed", clock), fresh, header)
    assert status == 200
    assert result == (True, {})
    (line,) = refusals(session_log)
    assert "more than once (2 copies) and no copy's chunks can be put together" in line
    assert "chunk 1 of 2 is missing" in line
