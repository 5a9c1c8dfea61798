"""Idle and absolute timeouts of cookie sessions, with a fake clock.

The rules signed and encrypted cookies share run on both (a test taking the
``cookie_kind`` fixture, tests/_cookie_kinds.py); what only encrypted cookies do is
in tests/test_lifetime_encrypted.py.
"""

from __future__ import annotations

import base64
import logging
from datetime import timedelta
from typing import Any

import flask
import pytest
from itsdangerous import TimestampSigner
from werkzeug.test import Client

from sessionware import SecureCookieSessionInterface, SessionConfig, SessionMiddleware, events
from sessionware.wsgi.middleware import StartResponse

from ._apps import Browser, set_cookies
from ._cookie_kinds import CookieKind
from .conftest import SECRET, FakeClock

IDLE = 900
ABSOLUTE = 8 * 3600


def refusals(caught: list[events.SessionEvent]) -> list[str | None]:
    return [event.reason for event in caught if event.name == "refused"]


def login(session: Any) -> None:
    session["user"] = "ada"


def who(session: Any) -> Any:
    return session.get("user")


# Settings


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        pytest.param(900, 900, id="int"),
        pytest.param(90.5, 90, id="float"),
        pytest.param(timedelta(minutes=15), 900, id="timedelta"),
        pytest.param(None, None, id="off"),
    ],
)
@pytest.mark.parametrize("name", ["idle_timeout", "absolute_timeout"])
def test_timeouts_take_seconds_timedeltas_or_none(name: str, value: Any, seconds: Any) -> None:
    config = SessionConfig(secret_key=SECRET, **{name: value})
    assert getattr(config, name.replace("timeout", "seconds")) == seconds
    stored = getattr(config, name)
    assert stored is None if value is None else isinstance(stored, timedelta)


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        pytest.param(0, ValueError, "at least one second; pass None", id="zero"),
        pytest.param(-5, ValueError, "at least one second", id="negative"),
        pytest.param(timedelta(0), ValueError, "at least one second", id="timedelta-zero"),
        pytest.param(float("nan"), ValueError, "finite number of seconds", id="nan"),
        pytest.param(float("inf"), ValueError, "finite number of seconds", id="inf"),
        pytest.param("900", TypeError, "timedelta, a number of seconds or None", id="str"),
        pytest.param(True, TypeError, "timedelta, a number of seconds or None", id="bool"),
    ],
)
@pytest.mark.parametrize("name", ["idle_timeout", "absolute_timeout"])
def test_bad_timeouts_fail_when_built(
    name: str, value: Any, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=f"{name}.*{message}|{message}") as caught:
        SessionConfig(secret_key=SECRET, **{name: value})
    assert name in str(caught.value)


def test_timeouts_from_the_environment() -> None:
    config = SessionConfig.from_env(
        environ={
            "SESSIONWARE_SECRET_KEY": SECRET,
            "SESSIONWARE_IDLE_TIMEOUT": "900",
            "SESSIONWARE_ABSOLUTE_TIMEOUT": "none",
        }
    )
    assert (config.idle_seconds, config.absolute_seconds) == (900, None)
    with pytest.raises(ValueError, match="SESSIONWARE_IDLE_TIMEOUT='soon' is not a number"):
        SessionConfig.from_env(environ={"SESSIONWARE_IDLE_TIMEOUT": "soon"})
    assert SessionConfig.from_strings({"idle_timeout": ""}).idle_timeout is None


def test_off_by_default() -> None:
    config = SessionConfig(secret_key=SECRET)
    assert (config.idle_timeout, config.absolute_timeout) == (None, None)


# Idle timeout


def test_idle_timeout_fires_exactly_after_idle_seconds(
    cookie_kind: CookieKind,
    clock: FakeClock,
    seen: list[events.SessionEvent],
    session_log: pytest.LogCaptureFixture,
) -> None:
    browser = cookie_kind.browser(clock, idle_timeout=IDLE)
    browser.request(login)
    clock.advance(IDLE)
    assert browser.request(who).text == "'ada'"  # exactly IDLE seconds idle: still valid
    # That read renewed the idle clock; a copy of the old cookie does not benefit.
    clock.advance(IDLE + 1)
    assert browser.request(who).text == "None"
    assert refusals(seen) == ["idle_timeout"]
    assert "idle for 901 seconds, over idle_timeout (900)" in session_log.text


def test_an_old_copy_of_the_cookie_times_out_though_the_user_is_active(
    cookie_kind: CookieKind, clock: FakeClock
) -> None:
    browser = cookie_kind.browser(clock, idle_timeout=IDLE)
    browser.request(login)
    stolen = f"session={browser.cookie()}"
    for _ in range(4):
        clock.advance(IDLE - 1)
        assert browser.request(who).text == "'ada'"
    assert browser.request(who, cookie_header=stolen).text == "None"


def test_read_only_requests_renew_the_idle_clock_throttled(
    cookie_kind: CookieKind, clock: FakeClock
) -> None:
    browser = cookie_kind.browser(clock, idle_timeout=IDLE)
    browser.request(login)
    clock.advance(IDLE * 0.1 - 1)
    assert set_cookies(browser.request(who)) == []  # too soon: no write
    clock.advance(1)
    assert len(set_cookies(browser.request(who))) == 1  # a tenth of the timeout: re-issued
    assert set_cookies(browser.request(who)) == []


def test_a_request_that_never_opens_the_session_is_not_activity(
    cookie_kind: CookieKind, clock: FakeClock
) -> None:
    browser = cookie_kind.browser(clock, idle_timeout=IDLE)
    browser.request(login)
    clock.advance(IDLE - 1)
    browser.request()  # the handler does not touch the session
    clock.advance(2)
    assert browser.request(who).text == "None"


def test_permanent_sessions_time_out_idle_too(cookie_kind: CookieKind, clock: FakeClock) -> None:
    browser = cookie_kind.browser(clock, idle_timeout=IDLE)
    browser.request(lambda s: s.update(user="ada", _permanent=True))
    clock.advance(IDLE + 1)
    assert browser.request(who).text == "None"


# Absolute timeout


def test_absolute_timeout_fires_whatever_the_activity(
    cookie_kind: CookieKind, clock: FakeClock, seen: list[events.SessionEvent]
) -> None:
    browser = cookie_kind.browser(clock, idle_timeout=IDLE, absolute_timeout=ABSOLUTE)
    browser.request(login)
    for _ in range(ABSOLUTE // (IDLE - 60)):
        clock.advance(IDLE - 60)
        assert browser.request(who).text == "'ada'"
    assert (clock.now - 1_700_000_000) <= ABSOLUTE
    clock.now = 1_700_000_000 + ABSOLUTE
    assert browser.request(who).text == "'ada'"
    clock.advance(1)
    assert browser.request(who).text == "None"
    assert refusals(seen) == ["absolute_timeout"]


def test_regenerate_restarts_the_absolute_clock(
    cookie_kind: CookieKind, clock: FakeClock, seen: list[events.SessionEvent]
) -> None:
    browser = cookie_kind.browser(clock, absolute_timeout=ABSOLUTE)
    browser.request(login)
    clock.advance(3600)
    browser.request(lambda s: s.regenerate())
    assert [event.name for event in seen] == ["created", "regenerated"]
    clock.now = 1_700_000_000 + ABSOLUTE + 1
    assert browser.request(who).text == "'ada'"
    clock.now = 1_700_000_000 + 3600 + ABSOLUTE + 1
    assert browser.request(who).text == "None"


def test_the_creation_time_is_signed_inside_the_session(clock: FakeClock) -> None:
    browser = Browser(clock, absolute_timeout=ABSOLUTE)
    browser.request(login)
    assert browser.request(lambda s: sorted(s.items())).text == repr(
        [("_created", 1_700_000_000), ("user", "ada")]
    )
    # A client that moves _created forward breaks the signature: the session is refused.
    cookie = browser.cookie()
    assert cookie is not None
    payload, rest = cookie.split(".", 1)
    text = base64.urlsafe_b64decode(payload + "==").decode()
    assert text == '{"_created":1700000000,"user":"ada"}'
    forged = base64.urlsafe_b64encode(text.replace("17", "18").encode()).decode().rstrip("=")
    assert browser.request(who, cookie_header=f"session={forged}.{rest}").text == "None"


def test_a_session_from_before_the_setting_starts_its_clock_at_its_cookie(
    cookie_kind: CookieKind, clock: FakeClock
) -> None:
    before = cookie_kind.browser(clock)
    before.request(login)
    cookie = before.cookie()
    assert cookie is not None
    clock.advance(100)
    after = cookie_kind.browser(clock, absolute_timeout=ABSOLUTE)
    after.client.set_cookie("session", cookie)
    assert after.request(who).text == "'ada'"  # written back with _created
    assert after.request(lambda s: s.get("_created")).text == "1700000000"
    clock.now = 1_700_000_000 + ABSOLUTE + 1
    assert after.request(who).text == "None"


def test_no_created_key_while_the_setting_is_off(cookie_kind: CookieKind, clock: FakeClock) -> None:
    browser = cookie_kind.browser(clock, idle_timeout=IDLE)
    browser.request(login)
    assert browser.request(lambda s: sorted(s)).text == "['user']"


def test_an_emptied_session_is_deleted_not_kept_for_its_creation_time(
    cookie_kind: CookieKind, clock: FakeClock
) -> None:
    browser = cookie_kind.browser(clock, absolute_timeout=ABSOLUTE)
    browser.request(login)
    (header,) = set_cookies(browser.request(lambda s: s.clear()))
    assert "Expires=Thu, 01 Jan 1970" in header


# Events


def test_events_for_rotation_refusal_and_creation(
    clock: FakeClock, seen: list[events.SessionEvent]
) -> None:
    old_key = "the-old-secret-key-of-this-application"
    old = Browser(clock, secret_key=old_key)
    old.request(login)
    cookie = f"session={old.cookie()}"
    browser = Browser(clock, secret_key_fallbacks=[old_key])
    browser.request(who, cookie_header=cookie)
    browser.request(who, cookie_header="session=forged.AAAA.AAAA")
    browser.request(who, cookie_header="session=a; session=b")
    assert [(e.name, e.reason) for e in seen] == [
        ("created", None),
        ("rotated", None),
        ("refused", "bad_signature"),
        ("refused", "duplicate"),
    ]
    assert {e.interface for e in seen} == {"SecureCookieSessionInterface"}
    assert {e.cookie_name for e in seen} == {"session"}


def test_events_are_logged_with_fields_and_no_cookie_value(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    browser = Browser(clock)
    with caplog.at_level(logging.DEBUG, logger="sessionware.events"):
        browser.request(login)
        browser.request(who, cookie_header="session=forged-without-dots")
    records = [r for r in caplog.records if r.name == "sessionware.events"]
    assert [(r.__dict__["event"], r.__dict__["reason"]) for r in records] == [
        ("created", None),
        ("refused", "malformed"),
    ]
    cookie = browser.cookie()
    assert cookie is not None
    assert all(cookie not in r.getMessage() and "forged" not in r.getMessage() for r in records)


def test_a_failing_listener_does_not_break_the_request(
    clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    def broken(event: events.SessionEvent) -> None:
        raise RuntimeError("listener bug")

    unsubscribe = events.subscribe(broken)
    try:
        response = Browser(clock).request(login)
    finally:
        unsubscribe()
    assert response.status_code == 200
    assert "A session event listener" in session_log.text
    unsubscribe()  # a second call is harmless
    with pytest.raises(TypeError, match="listener must be callable"):
        events.subscribe("not callable")  # type: ignore[arg-type]


# Flask reads and writes the same cookie, _created included

NOW = 1_700_000_000


def test_flask_keeps_the_creation_time_through_a_round_trip(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: NOW + 60)
    clock = FakeClock(NOW)

    def ours(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        session = environ["session"]
        if environ["PATH_INFO"] == "/login":
            session["user"] = "ada"
        body = repr(dict(session)).encode()
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [body]

    middleware = SessionMiddleware(
        ours,
        secret_key=SECRET,
        absolute_timeout=ABSOLUTE,
        interface=SecureCookieSessionInterface(clock=clock),
    )
    theirs = flask.Flask(__name__)
    theirs.config["SECRET_KEY"] = SECRET
    flask_seen: list[dict[str, Any]] = []

    @theirs.get("/")
    def visit() -> str:
        flask_seen.append(dict(flask.session))
        flask.session["visits"] = flask.session.get("visits", 0) + 1
        return ""

    client = Client(middleware)
    client.get("/login")
    value = client.get_cookie("session")
    assert value is not None
    flask_client = theirs.test_client()
    flask_client.set_cookie("session", value.value)
    flask_client.get("/")
    assert flask_seen == [{"user": "ada", "_created": NOW}]
    from_flask = flask_client.get_cookie("session")
    assert from_flask is not None

    client.set_cookie("session", from_flask.value)
    clock.now = NOW + ABSOLUTE
    assert client.get("/").text == repr({"_created": NOW, "user": "ada", "visits": 1})
    clock.advance(1)
    assert client.get("/").text == "{}"
