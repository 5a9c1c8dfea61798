"""``request.session`` in a real Pyramid app: Pyramid's ISession over sessionware."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from pyramid.interfaces import ISession, ISessionFactory
from pyramid.request import Request
from werkzeug.test import Client, TestResponse
from zope.interface.verify import verifyObject

from sessionware import (
    MemoryStore,
    SecureCookieSessionInterface,
    ServerSideSessionInterface,
    SessionConfig,
)
from sessionware.pyramid import (
    CREATED_KEY,
    CSRF_KEY,
    FLASH_KEY,
    PyramidSession,
    session_factory,
)
from tests._pyramid_apps import make_app
from tests.conftest import SECRET, FakeClock, tampered


def client(clock: FakeClock | None = None, **settings: Any) -> Client:
    interface = SecureCookieSessionInterface(clock=clock)
    factory = session_factory(secret_key=SECRET, interface=interface, **settings)
    return Client(make_app(factory))


def body(response: TestResponse) -> Any:
    assert response.status_code == 200, response.text
    return json.loads(response.text)


def cookie_data(client: Client, clock: FakeClock | None = None) -> dict[str, Any]:
    """What a plain sessionware app with the same secret reads from the client's cookie."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    environ = {"HTTP_COOKIE": f"session={cookie.value}"}
    interface = SecureCookieSessionInterface(clock=clock)
    session = interface.open_session(SessionConfig(secret_key=SECRET), environ)
    assert session is not None
    assert not session.new
    return dict(session)


def set_cookies(response: TestResponse) -> list[str]:
    return response.headers.getlist("Set-Cookie")


def test_request_session_provides_pyramid_isession() -> None:
    factory = session_factory(secret_key=SECRET)
    assert verifyObject(ISessionFactory, factory)
    request = Request.blank("/")
    session = factory(request)
    assert isinstance(session, PyramidSession)
    assert verifyObject(ISession, session)


def test_the_session_lasts_across_requests_in_the_shared_cookie(clock: FakeClock) -> None:
    browser = client(clock)
    first = body(browser.get("/count"))
    assert first == {"visits": 1, "new": True, "created": int(clock.now)}
    clock.advance(60)
    second = body(browser.get("/count"))
    # created is the first request's time, kept in the cookie, not this request's.
    assert second == {"visits": 2, "new": False, "created": int(clock.now) - 60}
    assert cookie_data(browser, clock) == {"visits": 2, CREATED_KEY: int(clock.now) - 60}


def test_reading_sends_no_cookie_but_varies_on_it(clock: FakeClock) -> None:
    browser = client(clock)
    browser.get("/count")
    response = browser.get("/read")
    assert body(response)["data"]["visits"] == 1
    assert set_cookies(response) == []
    assert response.headers["Vary"] == "Cookie"


def test_changed_resends_the_cookie() -> None:
    browser = client()
    browser.get("/set?k=v")
    assert set_cookies(browser.get("/read")) == []
    response = browser.get("/changed")
    assert len(set_cookies(response)) == 1


def test_in_place_changes_are_saved() -> None:
    browser = client()
    browser.get("/cart")
    assert body(browser.get("/cart"))["cart"] == [0, 1]
    assert cookie_data(browser)["cart"] == [0, 1]


def test_invalidate_deletes_the_cookie() -> None:
    browser = client()
    browser.get("/set?user=alice")
    response = browser.get("/invalidate")
    assert body(response) == {"data": {}, "new": True}
    assert "Max-Age=0" in set_cookies(response)[0]
    assert browser.get_cookie("session") is None
    assert body(browser.get("/read"))["data"] == {}


def test_the_session_is_usable_after_invalidate(clock: FakeClock) -> None:
    browser = client(clock)
    browser.get("/set?user=alice")
    clock.advance(10)
    response = browser.get("/invalidate?after=fresh")
    assert body(response) == {"data": {"after": "fresh"}, "new": True}
    # The old data is gone from the cookie; the new session has its own created time.
    assert cookie_data(browser, clock) == {"after": "fresh", CREATED_KEY: int(clock.now)}


def test_regenerate_reissues_the_cookie_keeping_the_data(clock: FakeClock) -> None:
    browser = client(clock)
    browser.get("/set?user=alice")
    before = browser.get_cookie("session")
    clock.advance(5)
    assert body(browser.get("/regenerate"))["user"] == "alice"
    after = browser.get_cookie("session")
    assert before is not None
    assert after is not None
    assert after.value != before.value


def test_flash_queues_peek_and_pop() -> None:
    browser = client()
    assert body(browser.get("/flash?msg=one")) == ["one"]
    assert body(browser.get("/flash?msg=one")) == ["one", "one"]
    assert body(browser.get("/flash?msg=one&dup=0")) == ["one", "one"]
    assert body(browser.get("/flash?msg=alert&queue=error")) == ["alert"]
    assert body(browser.get("/peek")) == ["one", "one"]
    assert body(browser.get("/peek?queue=error")) == ["alert"]
    assert body(browser.get("/pop")) == ["one", "one"]
    assert body(browser.get("/pop")) == []
    assert body(browser.get("/peek?queue=error")) == ["alert"]
    # Flask's layout: [category, message] pairs, the default queue being "message".
    assert cookie_data(browser)[FLASH_KEY] == [["error", "alert"]]
    assert body(browser.get("/pop?queue=error")) == ["alert"]
    assert FLASH_KEY not in cookie_data(browser)


def test_popping_an_empty_queue_changes_nothing() -> None:
    browser = client()
    browser.get("/set?k=v")
    response = browser.get("/pop?queue=nothing")
    assert body(response) == []
    assert set_cookies(response) == []


@pytest.mark.parametrize(
    "stored", [pytest.param("text", id="not-a-list"), pytest.param(["x", [1]], id="bad-entries")]
)
def test_flash_storage_written_oddly_by_another_app_reads_as_empty(stored: Any) -> None:
    session = PyramidSession(
        SecureCookieSessionInterface().session_class({FLASH_KEY: stored}), float
    )
    assert session.peek_flash() == []
    session.flash("hi")
    assert session.pop_flash() == ["hi"]


@pytest.mark.parametrize(
    "policy",
    [pytest.param(True, id="SessionCSRFStoragePolicy"), pytest.param(False, id="legacy-default")],
)
def test_check_csrf_token_accepts_the_session_token_only(policy: bool) -> None:
    factory = session_factory(secret_key=SECRET)
    browser = Client(make_app(factory, csrf_policy=policy))
    token = body(browser.get("/csrf"))
    assert body(browser.get("/csrf")) == token
    assert cookie_data(browser)[CSRF_KEY] == token
    assert browser.post("/protected", data={"csrf_token": token}).text == "accepted"
    assert browser.post("/protected", headers={"X-CSRF-Token": token}).text == "accepted"
    assert browser.post("/protected", data={"csrf_token": "forged"}).status_code == 400
    assert browser.post("/protected").status_code == 400


def test_legacy_csrf_methods_make_and_keep_a_token() -> None:
    session = PyramidSession(SecureCookieSessionInterface().session_class(), float)
    token = session.get_csrf_token()
    assert len(token) == 64
    assert session.get_csrf_token() == token
    assert session.new_csrf_token() != token


def other_key_cookie() -> str:
    """A well-formed cookie signed with another key."""
    other = Client(make_app(session_factory(secret_key="x" * 40)))
    other.get("/set?user=mallory")
    cookie = other.get_cookie("session")
    assert cookie is not None
    return cookie.value


@pytest.mark.parametrize(
    ("make_cookie", "reason"),
    [
        pytest.param(tampered, "does not match", id="tampered"),
        pytest.param(lambda good: "not-a-cookie", "no signature", id="garbled"),
        pytest.param(lambda good: "a.b.c", "not valid base64", id="three-dots"),
        pytest.param(lambda good: other_key_cookie(), "does not match", id="other-key"),
    ],
)
def test_a_bad_cookie_is_a_fresh_session_and_a_log_line(
    session_log: pytest.LogCaptureFixture, make_cookie: Any, reason: str
) -> None:
    browser = client()
    browser.get("/set?user=alice")
    good = browser.get_cookie("session")
    assert good is not None
    bad = make_cookie(good.value)
    browser.set_cookie("session", bad)
    fresh = body(browser.get("/read"))
    assert (fresh["data"], fresh["new"]) == ({}, True)
    [record] = [r for r in session_log.records if "Refused the 'session'" in r.getMessage()]
    assert reason in record.getMessage()
    assert bad not in session_log.text
    # The next write starts a new, valid session.
    browser.get("/set?user=bob")
    assert cookie_data(browser)["user"] == "bob"


def test_an_expired_cookie_is_a_fresh_session(
    clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    browser = client(clock, permanent_lifetime=60)
    browser.get("/set?user=alice")
    clock.advance(61)
    assert body(browser.get("/read"))["data"] == {}
    assert any(
        r.levelno == logging.INFO and "61 seconds old" in r.getMessage()
        for r in session_log.records
    )


def test_vary_merges_with_the_apps_own() -> None:
    factory = session_factory(secret_key=SECRET)

    def view(request: Request) -> Any:
        request.session["k"] = "v"
        request.response.vary = ("Accept-Language",)
        return request.response

    from pyramid.config import Configurator

    with Configurator() as config:
        config.set_session_factory(factory)
        config.add_route("v", "/")
        config.add_view(view, route_name="v")
    response = Client(config.make_wsgi_app()).get("/")
    assert response.headers.getlist("Vary") == ["Accept-Language, Cookie"]


def test_the_mapping_is_the_sessionware_session_with_its_tracking() -> None:
    real = SecureCookieSessionInterface().session_class({"a": 1, "b": [2]}, new=False)
    session = PyramidSession(real, float)
    assert (session.accessed, session.modified) == (False, False)
    assert "a" in session
    assert session.accessed
    assert (len(session), sorted(session), sorted(session.keys())) == (2, ["a", "b"], ["a", "b"])
    assert sorted(session.items(), key=str) == [("a", 1), ("b", [2])]
    assert list(session.values()) == [1, [2]]
    assert session == {"a": 1, "b": [2]}
    assert session.pop("missing", None) is None
    assert not session.modified
    assert session.setdefault("a", 5) == 1
    assert not session.modified
    assert session.pop("a") == 1
    assert session.modified
    with pytest.raises(KeyError):
        session.pop("a")
    assert session.popitem() == ("b", [2])
    session["c"] = 3
    del session["c"]
    session.permanent = True
    assert session.permanent
    assert real["_permanent"] is True
    session.clear()
    assert dict(real) == {}
    assert repr(session) == "<PyramidSession <SecureCookieSession {}>>"
    with pytest.raises(TypeError):
        hash(session)


def late_writer_app() -> Client:
    """A view that writes the session again in a response callback of its own, after
    the factory's (registered at the first touch) has saved it."""
    from pyramid.config import Configurator

    def view(request: Request) -> Any:
        request.session["early"] = 1
        request.add_response_callback(lambda r, response: r.session.__setitem__("late", 2))
        return request.response

    def untouched(request: Request) -> Any:
        assert isinstance(request.session, PyramidSession)
        return request.response

    with Configurator() as config:
        config.set_session_factory(session_factory(secret_key=SECRET))
        config.add_route("late", "/late")
        config.add_view(view, route_name="late")
        config.add_route("untouched", "/untouched")
        config.add_view(untouched, route_name="untouched")
    return Client(config.make_wsgi_app())


def test_a_write_after_the_save_is_logged_not_lost_silently(
    session_log: pytest.LogCaptureFixture,
) -> None:
    browser = late_writer_app()
    browser.get("/late")
    data = cookie_data(browser)
    assert data["early"] == 1
    assert "late" not in data
    assert "changed (key 'late') after the response headers were sent" in session_log.text


def test_a_session_only_passed_around_is_never_opened() -> None:
    response = late_writer_app().get("/untouched")
    assert set_cookies(response) == []
    assert "Vary" not in response.headers


def test_the_session_is_saved_on_an_exception_views_response() -> None:
    from pyramid.config import Configurator
    from pyramid.httpexceptions import HTTPForbidden

    def view(request: Request) -> Any:
        request.session.flash("not allowed")
        raise HTTPForbidden()

    with Configurator() as config:
        config.set_session_factory(session_factory(secret_key=SECRET))
        config.add_route("forbidden", "/")
        config.add_view(view, route_name="forbidden")
    browser = Client(config.make_wsgi_app())
    assert browser.get("/").status_code == 403
    assert cookie_data(browser)[FLASH_KEY] == [["message", "not allowed"]]


@pytest.mark.parametrize(
    "policy",
    [pytest.param(True, id="SessionCSRFStoragePolicy"), pytest.param(False, id="legacy-default")],
)
@pytest.mark.parametrize("kind", ["signed", "server-side"])
def test_regenerate_at_login_rotates_the_csrf_token(policy: bool, kind: str) -> None:
    """A token learned before login (a planted session) no longer passes after it."""
    if kind == "signed":
        factory = session_factory(secret_key=SECRET)
    else:
        factory = session_factory(
            secret_key=SECRET, interface=ServerSideSessionInterface(MemoryStore())
        )
    browser = Client(make_app(factory, csrf_policy=policy))
    planted = body(browser.get("/csrf"))
    assert browser.post("/protected", data={"csrf_token": planted}).text == "accepted"
    browser.get("/regenerate")  # the app's login
    assert browser.post("/protected", data={"csrf_token": planted}).status_code == 400
    fresh = body(browser.get("/csrf"))
    assert fresh != planted
    assert browser.post("/protected", data={"csrf_token": fresh}).text == "accepted"


def test_regenerate_without_a_csrf_token_makes_none() -> None:
    session = PyramidSession(SecureCookieSessionInterface().session_class({"a": 1}), float)
    session.regenerate()
    assert CSRF_KEY not in session
