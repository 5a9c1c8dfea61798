"""The user index follows changes made while a response body streams (the late save).

With a streamed body the headers go out at the first chunk; a server-side session
changed after that is still saved when the body closes. That save must keep the user
index in step exactly as the save with the headers does: a login there is listed and
reached by ``revoke``, a logout there leaves nothing of the user's behind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any
from wsgiref.validate import validator

import pytest
from werkzeug.test import Client

from sessionware import MemoryStore, ServerSideSessionInterface, SessionMiddleware
from sessionware.stores import Store
from sessionware.wsgi.middleware import StartResponse, WSGIApp

from .conftest import SECRET

Action = Callable[[Any], object]
AGENT = "late-browser/1.0"
#: A dotted key, which wsgiref's validator lets hold a non-string (the session).
KEY = "sessionware.session"


def late_app(action: Action) -> WSGIApp:
    """A WSGI app whose generator body runs ``action(session)`` after its first chunk."""

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        session = environ[KEY]

        def body() -> Iterator[bytes]:
            yield b"first chunk, headers out; "
            action(session)
            yield repr(session.get("user_id")).encode()

        return body()

    return app


class Site:
    """One browser talking to apps that share a server-side interface with a user index."""

    def __init__(self, store: Store) -> None:
        self.interface = ServerSideSessionInterface(
            store,
            user_key="user_id",
            session_metadata=lambda environ: {"agent": environ.get("HTTP_USER_AGENT")},
        )
        self.action: Action = lambda session: None
        self.late = True
        middleware = SessionMiddleware(
            validator(self._app), secret_key=SECRET, interface=self.interface, environ_key=KEY
        )
        self.client = Client(validator(middleware))

    def _app(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if self.late:
            return late_app(self.action)(environ, start_response)
        self.action(environ[KEY])
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [repr(environ[KEY].get("user_id")).encode()]

    def now(self, action: Action) -> str:
        """Run ``action`` before the headers go out (a list body)."""
        self.action, self.late = action, False
        return self._get()

    def streamed(self, action: Action) -> str:
        """Run ``action`` after the first chunk of a streamed body."""
        self.action, self.late = action, True
        return self._get()

    def _get(self) -> str:
        # buffered: the body is read to its end and closed, as a server does.
        response = self.client.get("/", headers={"User-Agent": AGENT}, buffered=True)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    def who(self) -> str:
        return self.now(lambda session: None)


@pytest.fixture(params=["memory", "redis"])
def store(request: pytest.FixtureRequest) -> Store:
    if request.param == "redis":
        redis_store: Store = request.getfixturevalue("redis_store")
        return redis_store
    return MemoryStore()


def set_user(user: object) -> Action:
    return lambda session: session.__setitem__("user_id", user)


def test_a_login_while_the_body_streams_is_listed_and_revoked(store: Store) -> None:
    site = Site(store)
    site.now(lambda session: session.__setitem__("cart", 1))  # stored before the login
    assert site.streamed(set_user("ann")).endswith("'ann'")
    assert site.who() == "'ann'"  # the late save kept the login
    (listed,) = site.interface.sessions_of("ann")
    assert listed.metadata == {"agent": AGENT}  # from the request's own environ
    assert site.interface.revoke("ann") == 1
    assert site.who() == "None"  # "log out everywhere" reached it
    assert site.interface.sessions_of("ann") == []


def test_a_login_while_the_body_streams_is_the_session_the_index_names(store: Store) -> None:
    site = Site(store)
    site.now(lambda session: session.__setitem__("cart", 1))
    handles: list[str | None] = []

    def login_and_look(session: Any) -> None:
        session["user_id"] = "ann"
        # regenerate() after the headers cannot reach the cookie: the ID stays, and so
        # must the index entry, rather than one for an ID never stored.
        session.regenerate()
        handles.append(site.interface.handle_of(session))

    site.streamed(login_and_look)
    assert [info.handle for info in site.interface.sessions_of("ann")] == handles
    assert site.who() == "'ann'"


def test_a_user_change_while_the_body_streams_moves_the_entry(store: Store) -> None:
    site = Site(store)
    site.now(set_user("ann"))
    assert len(site.interface.sessions_of("ann")) == 1
    site.streamed(set_user("bob"))
    assert site.interface.sessions_of("ann") == []
    assert site.interface.revoke("ann") == 0  # nothing of bob's is reached through ann
    assert site.who() == "'bob'"
    assert [info.metadata for info in site.interface.sessions_of("bob")] == [{"agent": AGENT}]
    assert site.interface.revoke("bob") == 1
    assert site.who() == "None"


@pytest.mark.parametrize(
    "logout",
    [
        pytest.param(lambda session: session.invalidate(), id="invalidate"),
        pytest.param(lambda session: session.pop("user_id"), id="remove-the-user-key"),
    ],
)
def test_a_logout_while_the_body_streams_removes_the_entry(store: Store, logout: Action) -> None:
    site = Site(store)
    site.now(set_user("ann"))
    site.now(lambda session: session.__setitem__("cart", 1))
    assert site.streamed(logout).endswith("None")
    assert site.who() == "None"
    assert site.interface.sessions_of("ann") == []
    # revoke() counts the entries it removed: none may be left over from the logout.
    assert site.interface.revoke("ann") == 0
