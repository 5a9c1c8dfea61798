"""Small WSGI apps and drivers shared by the middleware and interface tests."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.test import Client, TestResponse

from sessionware import SessionInterface, SessionMiddleware
from sessionware.wsgi.middleware import StartResponse

from .conftest import SECRET, FakeClock

Action = Callable[[Any], object]


def handler_app(action: Action, environ_key: str = "session") -> Any:
    """A plain WSGI app that runs ``action(session)`` and returns its repr."""

    def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        result = action(environ[environ_key])
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [repr(result).encode()]

    return app


class Browser:
    """A client that keeps cookies, talking to one middleware whose action can change."""

    def __init__(
        self,
        clock: FakeClock | None = None,
        interface: SessionInterface | None = None,
        **settings: Any,
    ) -> None:
        self.action: Action = lambda session: None
        settings.setdefault("secret_key", SECRET)
        if interface is None:
            from sessionware import SecureCookieSessionInterface

            interface = SecureCookieSessionInterface(clock=clock)
        self.middleware = SessionMiddleware(
            handler_app(lambda session: self.action(session)), interface=interface, **settings
        )
        self.client = Client(self.middleware)

    def request(
        self, action: Action | None = None, cookie_header: str | None = None, **kwargs: Any
    ) -> TestResponse:
        """Run ``action`` in a request; ``cookie_header`` replaces the cookie jar's."""
        self.action = action or (lambda session: None)
        if cookie_header is not None:
            raw = Client(self.middleware, use_cookies=False)
            return raw.get("/", headers={"Cookie": cookie_header}, **kwargs)
        return self.client.get("/", **kwargs)

    def cookie(self) -> str | None:
        name = self.middleware.config.cookie_name
        cookie = self.client.get_cookie(name)
        return None if cookie is None else cookie.value


def set_cookies(response: TestResponse) -> list[str]:
    return response.headers.getlist("Set-Cookie")


def login(user: str) -> Action:
    """An action that logs ``user`` in as an app should: ``user_id`` set, a new ID."""

    def action(session: Any) -> None:
        session["user_id"] = user
        session.regenerate()

    return action


def who(session: Any) -> Any:
    """An action answering who is logged in (``user_id``)."""
    return session.get("user_id")
