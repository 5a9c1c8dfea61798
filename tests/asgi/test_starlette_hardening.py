"""Migrated Starlette cookies are held to sessionware's limits (issue 16, items 2, 3, 5, 7).

Every Starlette cookie here is written by Starlette's own ``SessionMiddleware`` (real
time); the server reading it runs on a :class:`~tests.conftest.FakeClock` set relative
to the cookie's signed timestamp, so no test sleeps.
"""

from __future__ import annotations

import base64
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface as FlaskCookieInterface
from itsdangerous import TimestampSigner
from starlette.applications import Starlette
from starlette.middleware.sessions import SessionMiddleware as StarletteSessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from sessionware import SessionConfig, events
from sessionware.asgi import SessionMiddleware, StarletteCompatInterface
from sessionware.interfaces.revocable import RevocationMixin
from sessionware.stores import MemoryStore
from tests.conftest import SECRET, FakeClock

from .test_starlette import ROUTES as STARLETTE_ROUTES

DAY = 24 * 3600


async def logout(request: Request) -> PlainTextResponse:
    request.scope["session"].invalidate()
    return PlainTextResponse("bye")


ROUTES = [*STARLETTE_ROUTES, Route("/logout", logout, methods=["POST"])]


def starlette_cookie(secret: Any, data: dict[str, Any]) -> tuple[str, int]:
    """A cookie written by Starlette's own SessionMiddleware, and its signed timestamp."""
    app = StarletteSessionMiddleware(Starlette(routes=ROUTES), secret_key=secret)
    with TestClient(app) as client:
        value: str = client.post("/write", json=data).cookies["session"]
    _, signed = TimestampSigner(str(secret)).unsign(value, return_timestamp=True)
    return value, int(signed.timestamp())


def sessionware_app(clock: FakeClock, **settings: Any) -> SessionMiddleware:
    """Starlette's routes wrapped by sessionware's middleware, on ``clock``."""
    middleware = SessionMiddleware(Starlette(routes=ROUTES), **settings)
    middleware.interface.clock = clock
    return middleware


def flask_loads(cookie: str) -> dict[str, Any]:
    """What Flask's serializer finds in the cookie, whatever its age (Flask runs on
    real time; the cookie was signed on the fake clock)."""
    app = Flask("reader")
    app.secret_key = SECRET
    serializer = FlaskCookieInterface().get_signing_serializer(app)
    assert serializer is not None
    data: dict[str, Any] = serializer.loads(cookie)
    return data


def session_seen(app: SessionMiddleware, cookie: str) -> dict[str, Any]:
    with TestClient(app) as client:
        client.cookies.set("session", cookie)
        seen: dict[str, Any] = client.get("/").json()["session"]
    return seen


def refusals(seen: list[events.SessionEvent]) -> list[str | None]:
    return [event.reason for event in seen if event.name == "refused"]


# Item 2: the age of a Starlette cookie is checked on the server's clock, always.


@pytest.mark.parametrize(
    ("max_age", "limit"),
    [
        pytest.param(None, 31 * DAY, id="max_age=None-permanent_lifetime"),
        pytest.param(3600, 3600, id="max_age=3600"),
    ],
)
def test_a_starlette_cookie_older_than_the_servers_limit_is_refused(
    max_age: int | None,
    limit: int,
    session_log: pytest.LogCaptureFixture,
    seen: list[events.SessionEvent],
) -> None:
    old, signed = starlette_cookie(SECRET, {"user": "kim"})
    clock = FakeClock(signed + limit)
    app = sessionware_app(clock, secret_key=SECRET, max_age=max_age)
    assert session_seen(app, old) == {"user": "kim"}
    clock.advance(1)
    assert session_seen(app, old) == {}
    assert f"seconds old, outside 0..{limit}" in session_log.text
    assert refusals(seen) == ["expired"]
    assert old not in session_log.text


def test_a_400_day_old_starlette_cookie_does_not_log_its_holder_in() -> None:
    old, signed = starlette_cookie(SECRET, {"user": "admin"})
    app = sessionware_app(FakeClock(signed + 400 * DAY), secret_key=SECRET, max_age=None)
    assert session_seen(app, old) == {}


def test_a_starlette_cookie_dated_in_the_future_is_refused_as_ours_are(
    session_log: pytest.LogCaptureFixture,
) -> None:
    old, signed = starlette_cookie(SECRET, {"user": "lee"})
    clock = FakeClock(signed - 5)
    app = sessionware_app(clock, secret_key=SECRET, max_age=None)
    assert session_seen(app, old) == {"user": "lee"}
    clock.advance(-1)
    assert session_seen(app, old) == {}
    assert "dated 6 seconds in the future, more than the clock_skew of 5" in session_log.text


# Item 3: idle and absolute timeouts apply from the Starlette cookie's timestamp.


def migrating_app(clock: FakeClock, **settings: Any) -> SessionMiddleware:
    config = SessionConfig(secret_key=SECRET, **settings)
    interface = StarletteCompatInterface(clock=clock)
    return SessionMiddleware(Starlette(routes=ROUTES), config, interface=interface)


def test_idle_timeout_applies_to_a_starlette_cookie(
    session_log: pytest.LogCaptureFixture, seen: list[events.SessionEvent]
) -> None:
    old, signed = starlette_cookie(SECRET, {"user": "max"})
    clock = FakeClock(signed + 600)
    app = migrating_app(clock, idle_timeout=600)
    assert session_seen(app, old) == {"user": "max"}
    clock.advance(1)
    assert session_seen(app, old) == {}
    assert "idle for 601 seconds, over idle_timeout (600)" in session_log.text
    assert refusals(seen) == ["idle_timeout"]


def test_absolute_timeout_runs_from_the_starlette_cookies_timestamp(
    session_log: pytest.LogCaptureFixture, seen: list[events.SessionEvent]
) -> None:
    old, signed = starlette_cookie(SECRET, {"user": "ned"})
    clock = FakeClock(signed + 3000)
    app = migrating_app(clock, absolute_timeout=3600)
    with TestClient(app) as client:
        client.cookies.set("session", old)
        response = client.get("/")
        assert response.json() == {"session": {"user": "ned"}}
        migrated = response.cookies["session"]
    # The creation time is the Starlette cookie's, not the migration's.
    assert flask_loads(migrated) == {"user": "ned", "_created": signed}
    clock.advance(601)
    # Neither the migrated cookie nor a replay of the Starlette one opens a new window.
    assert session_seen(app, migrated) == {}
    assert session_seen(app, old) == {}
    assert refusals(seen) == ["absolute_timeout", "absolute_timeout"]
    assert "created 3601 seconds ago, over absolute_timeout (3600)" in session_log.text


# Item 5: a date after which Starlette cookies are refused.


def test_starlette_cookies_are_refused_after_starlette_cookies_until(
    session_log: pytest.LogCaptureFixture, seen: list[events.SessionEvent]
) -> None:
    old, signed = starlette_cookie(SECRET, {"user": "oli"})
    until = datetime.fromtimestamp(signed + 100, UTC)
    clock = FakeClock(signed + 100)
    app = sessionware_app(clock, secret_key=SECRET, starlette_cookies_until=until)
    with TestClient(app) as client:
        client.cookies.set("session", old)
        assert client.get("/").json() == {"session": {"user": "oli"}}
        # Logout deletes the browser's cookie ...
        assert "Max-Age=0" in client.post("/logout").headers["set-cookie"]
    # ... but the copied Starlette cookie is good until its age limit or that date.
    assert session_seen(app, old) == {"user": "oli"}
    clock.advance(1)
    assert session_seen(app, old) == {}
    assert "starlette_cookies_until" in session_log.text
    assert refusals(seen) == ["expired"]


def test_starlette_cookies_until_on_the_interface() -> None:
    old, signed = starlette_cookie(SECRET, {"user": "pat"})
    clock = FakeClock(signed + 10)
    interface = StarletteCompatInterface(
        clock=clock, starlette_cookies_until=datetime.fromtimestamp(signed + 5, UTC)
    )
    app = SessionMiddleware(
        Starlette(routes=ROUTES), SessionConfig(secret_key=SECRET), interface=interface
    )
    assert session_seen(app, old) == {}


@pytest.mark.parametrize(
    ("value", "error"),
    [
        pytest.param(datetime(2027, 1, 1), ValueError, id="naive"),
        pytest.param("2027-01-01", TypeError, id="str"),
    ],
)
def test_starlette_cookies_until_is_checked_when_built(value: Any, error: type) -> None:
    with pytest.raises(error, match="starlette_cookies_until") as raised:
        StarletteCompatInterface(starlette_cookies_until=value)
    assert "tzinfo=UTC" in str(raised.value)
    with pytest.raises(error, match="starlette_cookies_until"):
        SessionMiddleware(Starlette(), secret_key=SECRET, starlette_cookies_until=value)


def test_starlette_cookies_until_with_an_interface_is_refused() -> None:
    with pytest.raises(TypeError, match="StarletteCompatInterface"):
        SessionMiddleware(
            Starlette(),
            secret_key=SECRET,
            starlette_cookies_until=datetime.now(UTC) + timedelta(days=30),
            interface=StarletteCompatInterface(),
        )


# Item 7: bytes keys verify Starlette cookies exactly as Starlette signs them.

BYTES_KEY = bytes(range(0x80, 0xA0))


def test_a_starlette_cookie_signed_with_a_bytes_key_migrates() -> None:
    old, signed = starlette_cookie(BYTES_KEY, {"user": "quinn"})
    app = sessionware_app(FakeClock(signed), secret_key=BYTES_KEY)
    assert session_seen(app, old) == {"user": "quinn"}


def test_a_cookie_signed_with_replacement_characters_is_not_a_bytes_keys(
    session_log: pytest.LogCaptureFixture,
) -> None:
    forged, signed = starlette_cookie("\ufffd" * 32, {"user": "admin"})
    app = sessionware_app(FakeClock(signed), secret_key=BYTES_KEY)
    assert session_seen(app, forged) == {}
    assert "does not match any configured key" in session_log.text


def test_the_migration_log_never_shows_the_cookie(session_log: pytest.LogCaptureFixture) -> None:
    old, signed = starlette_cookie(SECRET, {"user": "ray"})
    app = sessionware_app(FakeClock(signed + 400 * DAY), secret_key=SECRET)
    assert session_seen(app, old) == {}
    assert session_log.records
    assert old not in session_log.text
    assert not [r for r in session_log.records if r.levelno > logging.WARNING]


class RevocableStarletteInterface(RevocationMixin, StarletteCompatInterface):
    """Revocation over the migration, as docs/asgi.md shows it."""


def test_revocation_refuses_a_migrated_starlette_cookie(seen: list[events.SessionEvent]) -> None:
    old, signed = starlette_cookie(SECRET, {"user_id": "sam"})
    clock = FakeClock(signed + 10)
    interface = RevocableStarletteInterface(MemoryStore(clock=clock), clock=clock)
    app = SessionMiddleware(
        Starlette(routes=ROUTES), SessionConfig(secret_key=SECRET), interface=interface
    )
    assert session_seen(app, old) == {"user_id": "sam"}
    interface.revoke("sam")
    assert session_seen(app, old) == {}
    assert refusals(seen) == ["revoked"]


def test_the_docs_example_ending_the_migration_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    text = (Path(__file__).parents[2] / "docs" / "asgi.md").read_text()
    section = text.split("**Ending the migration.**", 1)[1]
    snippet = section.split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.setenv("SESSIONWARE_SECRET_KEY", SECRET)
    namespace: dict[str, Any] = {}
    exec(compile(snippet, "docs/asgi.md", "exec"), namespace)  # noqa: S102
    interface = namespace["app"].interface
    assert isinstance(interface, StarletteCompatInterface)
    assert interface.starlette_cookies_until == datetime(2027, 1, 1, tzinfo=UTC)


class FarFutureSigner(TimestampSigner):
    """Signs with a timestamp no datetime can hold (only a key holder can)."""

    def get_timestamp(self) -> int:
        return 10**15


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        pytest.param(
            TimestampSigner(SECRET).sign(base64.b64encode(b"[1]")).decode(),
            "payload is not base64 JSON of an object",
            id="not-an-object",
        ),
        pytest.param(
            TimestampSigner(SECRET).sign(b"not base64!").decode(),
            "payload is not base64 JSON of an object",
            id="not-base64",
        ),
        pytest.param(
            FarFutureSigner(SECRET).sign(base64.b64encode(b"{}")).decode(),
            "timestamp is out of range",
            id="timestamp",
        ),
    ],
)
def test_a_signed_but_unreadable_starlette_cookie_is_a_fresh_session(
    value: str, reason: str, session_log: pytest.LogCaptureFixture
) -> None:
    app = sessionware_app(FakeClock(), secret_key=SECRET)
    assert session_seen(app, value) == {}
    assert reason in session_log.text
    assert value not in session_log.text


def test_the_interfaces_repr_shows_the_date_and_no_secret() -> None:
    until = datetime(2027, 1, 1, tzinfo=UTC)
    interface = StarletteCompatInterface(3600, starlette_cookies_until=until)
    assert repr(interface) == (
        "<StarletteCompatInterface max_age=3600 starlette_cookies_until=2027-01-01T00:00:00+00:00>"
    )
    assert repr(StarletteCompatInterface(None)) == "<StarletteCompatInterface max_age=None>"
