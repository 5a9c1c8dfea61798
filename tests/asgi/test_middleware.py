"""sessionware.asgi.SessionMiddleware driven in-process, message by message."""

from __future__ import annotations

import gc
import json
import logging
import secrets
import weakref
from typing import Any

import pytest
from flask import Flask
from flask import session as flask_session

from sessionware import (
    CookieTooLarge,
    SecureCookieSession,
    SecureCookieSessionInterface,
    SessionConfig,
    SessionUnavailable,
)
from sessionware.asgi import ASGISession, SessionMiddleware
from sessionware.asgi.middleware import Message, Receive, Scope, Send
from tests.conftest import SECRET, FakeClock

from ._asgi import Reply, endpoint, http_scope, run

pytestmark = pytest.mark.anyio


def middleware(app: Any, **settings: Any) -> SessionMiddleware:
    settings.setdefault("secret_key", SECRET)
    return SessionMiddleware(app, config=SessionConfig(**settings))


async def login_cookie(**data: Any) -> str:
    reply = await run(middleware(endpoint(lambda s: s.update(data))), http_scope())
    value = reply.cookie()
    assert value
    return f"session={value}"


def flask_reads(cookie: str) -> dict[str, Any]:
    """What Flask, with the same secret, finds in the session cookie."""
    app = Flask("reader")
    app.secret_key = SECRET
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"

    @app.get("/")
    def show() -> dict[str, Any]:
        return dict(flask_session)

    client = app.test_client()
    client.set_cookie("session", cookie.removeprefix("session="))
    result: dict[str, Any] = client.get("/").get_json()
    return result


async def test_a_write_sets_a_cookie_that_flask_reads() -> None:
    reply = await run(middleware(endpoint(lambda s: s.__setitem__("user", "alice"))), http_scope())
    assert reply.status == 200
    assert reply.body == b"ok"
    [header] = reply.header_values("set-cookie")
    assert header.endswith("; HttpOnly; Path=/; SameSite=Lax")
    assert reply.header_values("vary") == ["Cookie"]
    assert flask_reads(f"session={reply.cookie()}") == {"user": "alice"}


async def test_untouched_sends_nothing_and_does_not_even_read_the_cookie(
    session_log: pytest.LogCaptureFixture,
) -> None:
    reply = await run(middleware(endpoint(lambda s: None)), http_scope("session=garbage"))
    assert reply.header_values("set-cookie") == []
    assert reply.header_values("vary") == []
    assert session_log.records == []


async def test_a_read_adds_vary_merged_with_the_apps_and_no_cookie() -> None:
    cookie = await login_cookie(user="bob")
    seen: list[Any] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["session"].get("user"))
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"vary", b"Accept-Encoding")],
            }
        )
        await send({"type": "http.response.body", "body": b"x"})

    reply = await run(middleware(app), http_scope(cookie))
    assert seen == ["bob"]
    assert reply.header_values("vary") == ["Accept-Encoding, Cookie"]
    assert reply.header_values("set-cookie") == []


async def test_changes_before_the_first_body_chunk_are_saved_and_later_ones_logged(
    session_log: pytest.LogCaptureFixture,
) -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        session = scope["session"]
        await send({"type": "http.response.start", "status": 200, "headers": []})
        session["before"] = 1
        await send({"type": "http.response.body", "body": b"", "more_body": True})
        session["still_before"] = 2
        await send({"type": "http.response.body", "body": b"a", "more_body": True})
        session["after"] = 3
        await send({"type": "http.response.body", "body": b"b"})

    reply = await run(middleware(app), http_scope())
    assert reply.body == b"ab"
    assert flask_reads(f"session={reply.cookie()}") == {"before": 1, "still_before": 2}
    assert [m["type"] for m in reply.messages] == [
        "http.response.start",
        "http.response.body",
        "http.response.body",
    ]
    [record] = session_log.records
    assert "after the response headers were sent" in record.getMessage()


async def test_an_app_that_ends_after_the_start_still_gets_its_start_sent() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        scope["session"]["x"] = 1
        await send({"type": "http.response.start", "status": 204, "headers": []})

    reply = await run(middleware(app), http_scope())
    assert reply.status == 204
    assert reply.cookie()


async def test_in_place_changes_to_nested_values_are_saved() -> None:
    cookie = await login_cookie(cart=[1, 2])
    reply = await run(middleware(endpoint(lambda s: s["cart"].append(3))), http_scope(cookie))
    assert flask_reads(f"session={reply.cookie()}") == {"cart": [1, 2, 3]}


async def test_an_oversized_session_raises_instead_of_being_dropped() -> None:
    app = middleware(endpoint(lambda s: s.__setitem__("big", secrets.token_hex(3000))))
    with pytest.raises(CookieTooLarge, match="max_cookie_size"):
        await run(app, http_scope())


async def test_a_cookie_signed_with_an_old_key_is_reissued_with_the_new_one() -> None:
    old = await login_cookie(user="carol")
    app = middleware(
        endpoint(lambda s: s.get("user")),
        secret_key="a-brand-new-secret-that-is-long-enough-too",
        secret_key_fallbacks=[SECRET],
    )
    reply = await run(app, http_scope(old))
    new = reply.cookie()
    assert new
    assert f"session={new}" != old
    seen: list[Any] = []
    new_only = middleware(
        endpoint(lambda s: seen.append(s.get("user"))),
        secret_key="a-brand-new-secret-that-is-long-enough-too",
    )
    await run(new_only, http_scope(f"session={new}"))
    assert seen == ["carol"]


@pytest.mark.parametrize(
    ("cookie", "reason"),
    [
        pytest.param("session=not-a-cookie", "no signature", id="garbled"),
        pytest.param(
            "session=eyJ1c2VyIjoiZXZlIn0.aw9AIg.AAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "does not match",
            id="tampered",
        ),
        pytest.param("session=a; session=b", "more than once", id="duplicate"),
    ],
)
async def test_bad_cookies_are_a_fresh_session_and_one_log_line(
    cookie: str, reason: str, session_log: pytest.LogCaptureFixture
) -> None:
    seen: list[Any] = []
    reply = await run(middleware(endpoint(lambda s: seen.append(dict(s)))), http_scope(cookie))
    assert reply.status == 200
    assert seen == [{}]
    [record] = session_log.records
    assert reason in record.getMessage()
    assert cookie.split("=", 1)[1] not in record.getMessage()


async def test_an_expired_cookie_is_a_fresh_session(
    clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    config = SessionConfig(secret_key=SECRET, permanent_lifetime=60)
    interface = SecureCookieSessionInterface(clock=clock)
    writer = SessionMiddleware(
        endpoint(lambda s: s.__setitem__("u", 1)), config, interface=interface
    )
    cookie = (await run(writer, http_scope())).cookie()
    clock.advance(61)
    seen: list[Any] = []
    reader = SessionMiddleware(
        endpoint(lambda s: seen.append(dict(s))), config, interface=interface
    )
    await run(reader, http_scope(f"session={cookie}"))
    assert seen == [{}]
    [record] = session_log.records
    assert record.levelno == logging.INFO
    assert "seconds old" in record.getMessage()


async def test_split_cookie_headers_of_http2_are_joined() -> None:
    cookie = await login_cookie(user="dan")
    seen: list[Any] = []
    scope = http_scope("theme=dark", extra=[(b"cookie", cookie.encode())])
    await run(middleware(endpoint(lambda s: seen.append(s.get("user")))), scope)
    assert seen == ["dan"]


async def test_invalidate_deletes_the_cookie() -> None:
    cookie = await login_cookie(user="erin")
    reply = await run(middleware(endpoint(lambda s: s.invalidate())), http_scope(cookie))
    [header] = reply.header_values("set-cookie")
    assert header.startswith("session=; Expires=Thu, 01 Jan 1970")


async def test_without_a_secret_the_session_is_read_only(caplog: pytest.LogCaptureFixture) -> None:
    seen: list[Any] = []

    def handler(session: Any) -> None:
        seen.append(dict(session))
        with pytest.raises(SessionUnavailable):
            session["x"] = 1

    with caplog.at_level(logging.WARNING, logger="sessionware"):
        app = SessionMiddleware(endpoint(handler))
    assert "no secret key" in caplog.text
    reply = await run(app, http_scope())
    assert seen == [{}]
    assert reply.header_values("set-cookie") == []


async def test_other_scopes_pass_through_without_a_session() -> None:
    scopes: list[Scope] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        scopes.append(scope)

    async def nothing() -> Message:
        return {"type": "lifespan.startup"}

    async def ignore(message: Message) -> None:
        return None

    await middleware(app)({"type": "lifespan"}, nothing, ignore)
    assert "session" not in scopes[0]


async def test_a_websocket_gets_its_cookie_with_the_accept() -> None:
    cookie = await login_cookie(user="fay")
    sent: list[Message] = []
    seen: list[Any] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        session = scope["session"]
        seen.append(session["user"])
        session["ws"] = True
        await send({"type": "websocket.accept", "headers": [(b"x-app", b"1")]})
        await send({"type": "websocket.send", "text": session["user"]})
        await send({"type": "websocket.close"})

    async def receive() -> Message:
        return {"type": "websocket.connect"}

    async def send(message: Message) -> None:
        sent.append(message)

    scope = dict(http_scope(cookie), type="websocket", scheme="ws")
    await middleware(app)(scope, receive, send)
    accept = Reply([{**sent[0], "type": "http.response.start", "status": 101}])
    assert seen == ["fay"]
    assert accept.header_values("x-app") == ["1"]
    assert flask_reads(f"session={accept.cookie()}") == {"user": "fay", "ws": True}
    assert sent[1] == {"type": "websocket.send", "text": "fay"}


# The session object itself ------------------------------------------------------


async def opened(cookie: str | None = None) -> ASGISession:
    found: list[ASGISession] = []
    await run(middleware(endpoint(found.append)), http_scope(cookie))
    return found[0]


async def test_the_session_is_a_dict_that_json_encodes_without_being_opened_first() -> None:
    session = await opened(await login_cookie(user="gus", n=1))
    assert isinstance(session, dict)
    assert session.loaded is None
    assert json.loads(json.dumps({"session": session})) == {"session": {"user": "gus", "n": 1}}
    assert session.accessed


async def test_an_empty_session_encodes_as_an_empty_object_and_counts_as_read() -> None:
    session = await opened()
    assert json.dumps(session) == "{}"
    assert session.accessed


async def test_dict_operations_read_and_write_through_the_session() -> None:
    session = await opened(await login_cookie(a=1, b=2))
    assert session.copy() == {"a": 1, "b": 2}
    assert session | {"c": 3} == {"a": 1, "b": 2, "c": 3}
    assert {"z": 0} | session == {"z": 0, "a": 1, "b": 2}
    assert list(reversed(session)) == ["b", "a"]
    assert session == {"a": 1, "b": 2}
    assert session != {"a": 1}
    assert not session.modified
    session |= {"c": 3}
    session.setdefault("d", 4)
    session.update(e=5)
    session["f"] = 6
    del session["a"]
    assert session.pop("b") == 2
    assert session.popitem() == ("f", 6)
    assert json.dumps(session) == '{"c": 3, "d": 4, "e": 5}'
    assert dict(session) == {"c": 3, "d": 4, "e": 5}
    assert session.modified
    session.permanent = True
    assert session.permanent
    assert json.loads(json.dumps(session))["_permanent"] is True
    session.clear()
    assert json.dumps(session) == "{}"
    assert repr(session) == "<LazySession <SecureCookieSession {}>>"


class ShopSession(SecureCookieSession):
    """A session class of an app's own, with an attribute of its own."""

    def __init__(self, initial: Any = None, *, new: bool = True) -> None:
        super().__init__(initial, new=new)
        self.shop = "north"


async def test_a_custom_session_classes_attributes_are_read_before_it_opens() -> None:
    class Interface(SecureCookieSessionInterface):
        session_class = ShopSession

    found: list[Any] = []
    app = SessionMiddleware(
        endpoint(lambda s: found.append(s.shop)),
        SessionConfig(secret_key=SECRET),
        interface=Interface(),
    )
    await run(app, http_scope())
    assert found == ["north"]


async def test_a_session_of_another_class_than_the_interface_says_still_works_as_a_dict() -> None:
    class Interface(SecureCookieSessionInterface):
        def _open(self, *args: Any) -> Any:
            return ShopSession({"n": 1}, new=False)  # session_class stays the default

    def handler(session: Any) -> None:
        session["m"] = 2  # opens it: the session becomes one that forwards
        found.extend([session.shop, json.loads(json.dumps(session)), isinstance(session, dict)])

    found: list[Any] = []
    app = SessionMiddleware(
        endpoint(handler), SessionConfig(secret_key=SECRET), interface=Interface()
    )
    reply = await run(app, http_scope(await login_cookie(n=1)))
    assert found == ["north", {"n": 1, "m": 2}, True]
    assert flask_reads(f"session={reply.cookie()}") == {"n": 1, "m": 2}


def test_the_connection_session_starts_like_an_asgi_session() -> None:
    """The per-connection session skips ASGISession.__init__ for speed; it must still set
    every attribute that the session's methods rely on, and the placeholder entry."""
    from sessionware.asgi.middleware import _Connection

    app = middleware(endpoint(lambda s: None))
    plain = ASGISession(app.interface, app.config, {})
    connection = _Connection(app, http_scope(), _ignore).session
    # The session's attributes live in slots (and any a subclass adds, in its dict).
    names = (set(vars(plain)) | set(ASGISession.__slots__)) - {"_environ"}
    assert "_session" in names
    assert {name: getattr(connection, name) for name in names} == {
        name: getattr(plain, name) for name in names
    }
    assert dict.items(connection) == dict.items(plain)


async def _ignore(message: Message) -> None:
    return None


@pytest.mark.parametrize(
    ("build", "match"),
    [
        pytest.param(
            lambda: SessionMiddleware(_app, SessionConfig(secret_key=SECRET), cookie_secure=True),
            "either config= or settings",
            id="both",
        ),
        pytest.param(
            lambda: SessionMiddleware(_app, {"secret_key": SECRET}),  # type: ignore[arg-type]
            "config must be a SessionConfig",
            id="config",
        ),
        pytest.param(
            lambda: SessionMiddleware(_app, interface=object()),  # type: ignore[arg-type]
            "interface must be a SessionInterface",
            id="interface",
        ),
    ],
)
def test_wrong_configuration_fails_when_built(build: Any, match: str) -> None:
    with pytest.raises(TypeError, match=match):
        build()


async def _app(scope: Scope, receive: Receive, send: Send) -> None:
    return None


async def test_a_message_other_than_a_body_releases_the_held_start() -> None:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        scope["session"]["x"] = 1
        await send({"type": "http.response.start", "status": 200, "headers": [], "trailers": True})
        await send({"type": "http.response.trailers", "headers": [], "more_trailers": False})

    reply = await run(middleware(app), http_scope())
    assert [m["type"] for m in reply.messages] == ["http.response.start", "http.response.trailers"]
    assert reply.cookie()
    assert "SessionMiddleware" in repr(middleware(app))


async def test_a_websocket_denial_response_carries_the_cookie() -> None:
    sent: list[Message] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        scope["session"]["denied"] = True
        await send({"type": "websocket.http.response.start", "status": 403, "headers": []})
        await send({"type": "websocket.http.response.body", "body": b"no"})

    async def receive() -> Message:
        return {"type": "websocket.connect"}

    async def send(message: Message) -> None:
        sent.append(message)

    await middleware(app)(dict(http_scope(), type="websocket"), receive, send)
    denial = Reply([{**sent[0], "type": "http.response.start"}])
    assert flask_reads(f"session={denial.cookie()}") == {"denied": True}
    assert sent[1]["body"] == b"no"


async def test_a_connection_is_freed_by_reference_counting() -> None:
    """scope -> session -> scope (and the server's send) is no cycle once the app returns,
    so a busy server does not leave every connection to the cyclic garbage collector."""
    refs: list[weakref.ref[Any]] = []

    class Server:
        def __init__(self) -> None:
            self.scope = http_scope(None)

        async def send(self, message: Message) -> None:
            return None

        async def receive(self) -> Message:
            return {"type": "http.request"}

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        scope["session"]["n"] = 1
        refs.append(weakref.ref(scope["session"]))
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    gc.disable()
    try:
        server = Server()
        await middleware(app)(server.scope, server.receive, server.send)
        del server
        assert refs[0]() is None
    finally:
        gc.enable()


class HookLog(SecureCookieSessionInterface):
    """Records the end-of-request hooks the middleware calls, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def close_session(self, config: SessionConfig, session: Any) -> None:
        self.calls.append("close")

    def release_session(self, config: SessionConfig, session: Any) -> None:
        self.calls.append("release")


async def test_release_session_is_called_once_the_app_returned() -> None:
    interface = HookLog()
    app = SessionMiddleware(
        endpoint(lambda s: s.__setitem__("n", 1)),
        SessionConfig(secret_key=SECRET),
        interface=interface,
    )
    await run(app, http_scope())
    assert interface.calls == ["close", "release"]


async def test_release_session_follows_an_app_that_failed() -> None:
    interface = HookLog()

    async def failing(scope: Scope, receive: Receive, send: Send) -> None:
        scope["session"]["n"] = 1
        raise RuntimeError("the app broke")

    app = SessionMiddleware(failing, SessionConfig(secret_key=SECRET), interface=interface)
    with pytest.raises(RuntimeError, match="the app broke"):
        await run(app, http_scope())
    assert interface.calls == ["release"]


async def test_an_untouched_session_is_not_released() -> None:
    interface = HookLog()
    app = SessionMiddleware(
        endpoint(lambda s: None), SessionConfig(secret_key=SECRET), interface=interface
    )
    await run(app, http_scope())
    assert interface.calls == []
