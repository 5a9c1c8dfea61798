"""Cookies move between real Flask and sessionware, in both directions.

Both write the same cookie byte for byte, except that a compressed payload's zlib
header names a smaller window than Flask's (sessionware deflates with a 16 KiB window:
see sessionware/cookies/_compression.py), and that a payload under
``compress_from`` bytes (256) is not compressed where Flask would save a few bytes
(``compress_from = 0`` restores Flask's choice). What each side reads is the same.

Both sides sign at the same moment: Flask's through itsdangerous' timestamp (patched),
sessionware's through the interface's clock.
"""

from __future__ import annotations

import base64
import zlib
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import flask
import pytest
from itsdangerous import TimestampSigner
from markupsafe import Markup
from werkzeug.test import Client

from sessionware import SecureCookieSessionInterface, SessionMiddleware
from sessionware.cookies._signing import COMPRESS_FROM
from sessionware.wsgi.middleware import StartResponse

NOW = 1_700_000_000
SECRET = "flask-interop-secret-that-is-long-enough"
OLD = "flask-interop-old-secret-long-enough-too"
OLDER = "flask-interop-older-secret-long-enough-also"

CASES = [
    pytest.param({"user_id": 42}, id="plain"),
    pytest.param({"name": "Zoë ✓", "n": None, "ok": True, "pi": 3.5, "l": [1, [2]]}, id="json"),
    pytest.param({"t": (1, "a", (2, 3))}, id="tuple"),
    pytest.param({"b": b"\x00\xff binary \x10"}, id="bytes"),
    pytest.param({"m": Markup("<b>bold</b> &amp;")}, id="markup"),
    pytest.param({"u": UUID("12345678-1234-5678-1234-567812345678")}, id="uuid"),
    pytest.param({"d": datetime(2024, 2, 29, 13, 14, 15, tzinfo=UTC)}, id="datetime"),
    pytest.param({"x": {" t": [1, 2]}}, id="dict-key-escape"),
    pytest.param({" t": "top"}, id="dict-key-escape-top-level"),
    pytest.param({"x": {" di": {" b": "not bytes"}}}, id="dict-key-escape-nested"),
    pytest.param(
        {"mix": [(b"x", UUID(int=1)), {"when": datetime(2000, 1, 1, tzinfo=UTC)}]}, id="mixed"
    ),
    pytest.param({"blob": "abc" * 200, "t": ("z",) * 20}, id="compressed"),
    pytest.param({"_permanent": True, "user": "pat"}, id="permanent"),
    pytest.param({"_permanent": True, "blob": "p" * 400}, id="permanent-compressed"),
]


@pytest.fixture(autouse=True)
def flask_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Flask signs and checks ages with itsdangerous' timestamp: pin it to NOW."""
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: NOW)


def flask_app(secret: str, fallbacks: Iterable[str] = ()) -> tuple[flask.Flask, list[Any]]:
    """A Flask app whose /write stores ``app.config["DATA"]`` and /read records the session."""
    app = flask.Flask(__name__)
    app.config.update(
        SECRET_KEY=secret, SECRET_KEY_FALLBACKS=list(fallbacks), SESSION_COOKIE_SAMESITE="Lax"
    )
    seen: list[Any] = []

    @app.get("/write")
    def write() -> str:
        flask.session.update(app.config["DATA"])
        return ""

    @app.get("/read")
    def read() -> str:
        seen.append(dict(flask.session))
        return ""

    return app, seen


def sessionware_app(
    secret: str,
    fallbacks: Iterable[str] = (),
    data: dict[str, Any] | None = None,
    compress_from: int | None = None,
) -> tuple[SessionMiddleware, list[Any]]:
    """A WSGI app that writes ``data`` into its session, or records what it holds."""
    seen: list[Any] = []

    def app(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        session = environ["session"]
        if data is None:
            seen.append(dict(session))
        else:
            session.update(data)
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b""]

    interface = SecureCookieSessionInterface(clock=lambda: NOW, compress_from=compress_from)
    middleware = SessionMiddleware(
        app, secret_key=secret, secret_key_fallbacks=tuple(fallbacks), interface=interface
    )
    return middleware, seen


def typed(value: Any) -> Any:
    """``value`` with the type of every part beside it: Markup("x") is not "x" here."""
    if isinstance(value, dict):
        return {key: typed(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return (type(value), [typed(item) for item in value])
    return (type(value), value)


def set_cookie(headers: Any) -> str:
    [header] = headers.getlist("Set-Cookie")
    return str(header)


def cookie_value(header: str) -> str:
    return header.split(";", 1)[0].removeprefix("session=")


def from_flask(data: dict[str, Any], secret: str = SECRET) -> str:
    app, _ = flask_app(secret)
    app.config["DATA"] = data
    return set_cookie(app.test_client().get("/write").headers)


def from_sessionware(
    data: dict[str, Any], secret: str = SECRET, compress_from: int | None = None
) -> str:
    app, _ = sessionware_app(secret, data=data, compress_from=compress_from)
    return set_cookie(Client(app).get("/").headers)


def read_with(app: Callable[..., Any], seen: list[Any], value: str) -> tuple[Any, Any]:
    client = Client(app)
    client.set_cookie("session", value)
    response = client.get("/read")
    return seen[-1], response.headers


def comparable(value: str) -> tuple[bytes, str]:
    """A cookie value as its inflated payload and its timestamp, for comparison."""
    payload, timestamp, _signature = value.rsplit(".", 2)
    raw = base64.urlsafe_b64decode(payload.lstrip(".") + "==")
    return (zlib.decompress(raw) if payload.startswith(".") else raw), timestamp


@pytest.mark.parametrize("compress_from", [0, None], ids=["as-flask", "default"])
@pytest.mark.parametrize("data", CASES)
def test_both_write_the_same_cookie(data: dict[str, Any], compress_from: int | None) -> None:
    flask_header = from_flask(data)
    ours_header = from_sessionware(data, compress_from=compress_from)
    ours, theirs = cookie_value(ours_header), cookie_value(flask_header)
    assert comparable(ours) == comparable(theirs)
    size = len(comparable(theirs)[0])
    tried = compress_from == 0 or size >= COMPRESS_FROM
    assert ours.startswith(".") == (theirs.startswith(".") and tried)
    if theirs.startswith(".") and not tried:
        # Flask saved a few bytes; ours is the same JSON, signed uncompressed.
        assert base64.urlsafe_b64decode(ours.split(".")[0] + "==") == comparable(theirs)[0]
    elif not theirs.startswith("."):
        assert ours == theirs
    else:
        # Past the zlib header, the compressed bytes are Flask's too.
        assert ours.split(".")[1][3:] == theirs.split(".")[1][3:]
    flask_header = flask_header.replace(theirs, ours)
    if data.get("_permanent"):
        # Flask dates Expires by the real clock; both must send one.
        assert "Expires=" in flask_header
        assert "Expires=" in ours_header
    else:
        assert ours_header == flask_header


@pytest.mark.parametrize("data", CASES)
def test_sessionware_reads_what_flask_wrote(data: dict[str, Any]) -> None:
    app, seen = sessionware_app(SECRET)
    read, _ = read_with(app, seen, cookie_value(from_flask(data)))
    assert typed(read) == typed(data)


@pytest.mark.parametrize("data", CASES)
def test_flask_reads_what_sessionware_wrote(data: dict[str, Any]) -> None:
    app, seen = flask_app(SECRET)
    read, _ = read_with(app, seen, cookie_value(from_sessionware(data)))
    assert typed(read) == typed(data)


def test_a_small_session_is_not_compressed_where_flask_saves_a_few_bytes() -> None:
    data = {"u": UUID("12345678-1234-5678-1234-567812345678")}  # 47 bytes, zlib saves 16
    assert cookie_value(from_flask(data)).startswith(".")
    assert not cookie_value(from_sessionware(data)).startswith(".")
    assert cookie_value(from_sessionware(data, compress_from=0)).startswith(".")
    app, seen = flask_app(SECRET)
    read, _ = read_with(app, seen, cookie_value(from_sessionware(data)))
    assert read == data


def test_compression_is_chosen_alike() -> None:
    small, large = {"user_id": 42}, {"blob": "abc" * 200}
    assert not cookie_value(from_sessionware(small)).startswith(".")
    assert cookie_value(from_sessionware(large)).startswith(".")
    assert cookie_value(from_flask(large)).startswith(".")


def test_the_documented_test_vector() -> None:
    with pytest.warns(UserWarning, match="secret_key is only 6 bytes"):
        app, _ = sessionware_app("secret", data={"user_id": 42, "_permanent": True})
    expected = "eyJfcGVybWFuZW50Ijp0cnVlLCJ1c2VyX2lkIjo0Mn0.ZVPxAA.dWURjZsRKa2AmdOJe6VYpvsKjEc"
    assert cookie_value(set_cookie(Client(app).get("/").headers)) == expected


@pytest.mark.parametrize("signed_with", [OLD, OLDER], ids=["newest-fallback", "oldest-fallback"])
def test_rotated_keys_flask_cookie_is_reissued_with_the_current_key(signed_with: str) -> None:
    data = {"user_id": 7}
    app, seen = sessionware_app(SECRET, fallbacks=(OLDER, OLD))
    read, headers = read_with(app, seen, cookie_value(from_flask(data, secret=signed_with)))
    assert read == data
    # Re-signed on this very response with the current key: what Flask(SECRET) writes.
    assert cookie_value(set_cookie(headers)) == cookie_value(from_flask(data, secret=SECRET))


@pytest.mark.parametrize("signed_with", [OLD, OLDER], ids=["newest-fallback", "oldest-fallback"])
def test_rotated_keys_flask_accepts_sessionware_cookies_signed_with_a_fallback(
    signed_with: str,
) -> None:
    data = {"user_id": 7}
    app, seen = flask_app(SECRET, fallbacks=[OLDER, OLD])
    read, _ = read_with(app, seen, cookie_value(from_sessionware(data, secret=signed_with)))
    assert read == data


def test_rotated_keys_a_retired_key_is_refused_by_both() -> None:
    data = {"user_id": 7}
    ours, ours_seen = sessionware_app(SECRET, fallbacks=(OLD,))
    theirs, their_seen = flask_app(SECRET, fallbacks=[OLD])
    assert read_with(ours, ours_seen, cookie_value(from_flask(data, secret=OLDER)))[0] == {}
    assert read_with(theirs, their_seen, cookie_value(from_sessionware(data, OLDER)))[0] == {}


def test_both_refuse_a_cookie_older_than_the_lifetime(monkeypatch: pytest.MonkeyPatch) -> None:
    data = {"_permanent": True, "user_id": 7}
    ours_cookie, their_cookie = cookie_value(from_sessionware(data)), cookie_value(from_flask(data))
    late = NOW + 31 * 24 * 3600 + 1
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: late)
    theirs, their_seen = flask_app(SECRET)
    assert read_with(theirs, their_seen, ours_cookie)[0] == {}

    app, seen = sessionware_app(SECRET)
    app.interface.clock = lambda: late
    assert read_with(app, seen, their_cookie)[0] == {}
