"""Helpers for testing apps that use sessionware, with any test client.

- :func:`session_cookie` signs a session for a request: hand its value to werkzeug's
  ``Client.set_cookie``, WebTest's ``TestApp.set_cookie``, ``requests``' ``cookies=`` or
  Django's ``client.cookies``.
- :func:`read_session` verifies the cookie a response set and returns its data.
- :func:`session_transaction` changes the session a werkzeug ``Client`` or WebTest
  ``TestApp`` carries, as Flask's ``client.session_transaction()`` does, for any WSGI
  app wrapped in :class:`~sessionware.SessionMiddleware`.

Everything goes through the app's own :class:`~sessionware.SessionInterface`, so the
cookies are the ones the app writes, signed-cookie and server-side alike (a server-side
session is created in the interface's store). Imports no framework.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from http.cookies import Morsel
from typing import Any

from .config.settings import SessionConfig
from .interfaces.base import SessionInterface
from .interfaces.signed import SecureCookieSessionInterface
from .sessions import SessionMixin
from .wsgi.middleware import SessionMiddleware

__all__ = ["read_session", "session_cookie", "session_transaction"]


def _interface(interface: SessionInterface | None) -> SessionInterface:
    return interface if interface is not None else SecureCookieSessionInterface()


def _saved_cookie(
    config: SessionConfig, interface: SessionInterface, session: SessionMixin
) -> str | None:
    """Save ``session``; the cookie value it set, ``""`` if it deleted it, else ``None``."""
    headers: list[tuple[str, str]] = []
    if not interface.is_null_session(session):
        interface.save_session(config, session, headers)
    prefix = config.cookie_name + "="
    for name, value in headers:
        if name.lower() == "set-cookie" and value.startswith(prefix):
            return value[len(prefix) :].split(";", 1)[0]
    return None


def session_cookie(
    data: Mapping[str, Any],
    config: SessionConfig,
    *,
    interface: SessionInterface | None = None,
) -> str:
    """The cookie value that carries a session holding ``data``.

    ::

        client.set_cookie(config.cookie_name, session_cookie({"user_id": 1}, config))

    :param interface: the app's session interface (a server-side one stores the session
        in its store); by default a :class:`~sessionware.SecureCookieSessionInterface`.
    :raises ValueError: ``data`` is empty (an empty session has no cookie) or no
        secret key is configured.
    """
    interface = _interface(interface)
    session = interface.open_session(config, {})
    if session is None:
        raise ValueError("config has no secret_key, so no session cookie can be signed.")
    if not data:
        raise ValueError("data is empty; an empty session has no cookie (send none).")
    session.update(data)
    value = _saved_cookie(config, interface, session)
    if not value:  # pragma: no cover - a non-empty new session always sets the cookie
        raise ValueError(f"{type(interface).__name__} set no cookie for the session.")
    return value


def _set_cookie_headers(response: Any) -> list[str]:
    if isinstance(response, str):
        return [response]
    # werkzeug (getlist), WebOb/WebTest (getall), http.client/email (get_all), and
    # requests, whose folded headers hide the Set-Cookie list in raw.headers (urllib3).
    for headers in (
        getattr(response, "headers", None),
        getattr(getattr(response, "raw", None), "headers", None),
    ):
        for getter in ("getlist", "getall", "get_all"):
            method = getattr(headers, getter, None)
            if method is not None:
                return list(method("Set-Cookie") or ())
    cookies = getattr(response, "cookies", None)
    if isinstance(cookies, Mapping) and all(isinstance(m, Morsel) for m in cookies.values()):
        # Django's response.cookies is an http.cookies.SimpleCookie.
        return [morsel.OutputString() for morsel in cookies.values()]
    if isinstance(response, Iterable) and not isinstance(response, bytes | Mapping):
        headers_given = list(response)
        if all(isinstance(header, str) for header in headers_given):
            return headers_given
    raise TypeError(
        f"cannot find Set-Cookie headers on a {type(response).__name__}; pass a response of "
        "werkzeug's Client, WebTest, requests or Django's test client, or a list of "
        "Set-Cookie values."
    )


def read_session(
    response: Any,
    config: SessionConfig,
    *,
    interface: SessionInterface | None = None,
) -> dict[str, Any] | None:
    """The session data the response's ``Set-Cookie`` carries, verified.

    :param response: a response of werkzeug's ``Client``, WebTest, ``requests`` or
        Django's test client, a ``Set-Cookie`` value, or a list of them.
    :returns: the data; ``{}`` when the response deleted the cookie; ``None`` when it
        set no session cookie.
    :raises ValueError: the cookie does not verify (wrong key, tampered, expired).
    """
    interface = _interface(interface)
    prefix = config.cookie_name + "="
    value = None
    for header in _set_cookie_headers(response):
        if header.startswith(prefix):
            value = header[len(prefix) :].split(";", 1)[0]
    if value is None:
        return None
    if not value:
        return {}
    session = interface.open_session(config, {"HTTP_COOKIE": prefix + value})
    if session is None or session.new:
        raise ValueError(
            f"the response's {config.cookie_name!r} cookie does not verify with this config "
            "(another secret key, tampered or expired); the sessionware log says which."
        )
    return dict(session)


def _app_settings(app: Any) -> tuple[SessionConfig, SessionInterface] | None:
    """The config and interface of the first SessionMiddleware in ``app``'s chain of
    ``wsgi_app``/``app`` attributes, else of a Flask app's ``init_app`` bridge."""
    bridged = None
    for _ in range(32):
        if app is None:
            break
        if isinstance(app, SessionMiddleware):
            return app.config, app.interface
        # sessionware.flask.bridge.FlaskSessionInterface, recognised without importing
        # Flask; a middleware further in would govern the requests, so keep looking.
        bridge: Any = getattr(app, "session_interface", None)
        if bridged is None and callable(getattr(bridge, "config_for", None)):
            bridged = bridge.config_for(app), bridge.interface
        app = getattr(app, "wsgi_app", None) or getattr(app, "app", None)
    return bridged


class _Jar:
    """The cookie jar of a werkzeug ``Client`` or a WebTest ``TestApp``."""

    def __init__(self, client: Any, domain: str, path: str) -> None:
        self.client, self.domain, self.path = client, domain, path
        self.webtest = hasattr(client, "cookiejar")

    def get(self, name: str) -> str | None:
        if self.webtest:
            value = self.client.cookies.get(name)
            return None if value is None else str(value)
        cookie = self.client.get_cookie(name, domain=self.domain, path=self.path)
        return None if cookie is None else str(cookie.value)

    def set(self, name: str, value: str) -> None:
        if not value:
            if self.webtest:
                for cookie in list(self.client.cookiejar):
                    if cookie.name == name:
                        self.client.cookiejar.clear(cookie.domain, cookie.path, cookie.name)
            else:
                self.client.delete_cookie(name, domain=self.domain, path=self.path)
        elif self.webtest:
            self.client.set_cookie(name, value)
        else:
            self.client.set_cookie(name, value, domain=self.domain, path=self.path)


@contextmanager
def session_transaction(
    client: Any,
    config: SessionConfig | None = None,
    *,
    interface: SessionInterface | None = None,
    domain: str = "localhost",
) -> Iterator[SessionMixin]:
    """Open the session ``client`` carries; save it back into the client on exit.

    ::

        with session_transaction(client) as session:
            session["user_id"] = 42
        client.get("/account")  # logged in

    ``client`` is a werkzeug ``Client`` or a WebTest ``TestApp`` whose app is (or wraps)
    a :class:`~sessionware.SessionMiddleware`, or a Flask app on
    :func:`sessionware.flask.bridge.init_app`, whose config and interface are then used;
    pass ``config`` and ``interface`` for any other app. The session is opened from
    the client's cookie as a request would open it, so a bad cookie gives an empty
    session; leaving the block with an exception saves nothing.

    :param domain: the werkzeug ``Client``'s cookie domain (``localhost`` unless the
        tests use another host).
    :raises TypeError: no config was given and the client's app has no
        ``SessionMiddleware``.
    """
    found = _app_settings(getattr(client, "application", None) or getattr(client, "app", None))
    if config is None:
        if found is None:
            raise TypeError(
                "the client's app is not wrapped in SessionMiddleware (nor a Flask app on "
                "init_app); pass config= (and interface=) as the app uses them."
            )
        config = found[0]
    if interface is None:
        interface = found[1] if found is not None else _interface(None)
    jar = _Jar(client, domain, config.cookie_path)
    value = jar.get(config.cookie_name)
    environ = {"HTTP_COOKIE": f"{config.cookie_name}={value}"} if value else {}
    session = interface.open_session(config, environ)
    if session is None:
        session = interface.make_null_session(config)
    yield session
    saved = _saved_cookie(config, interface, session)
    if saved is not None:
        jar.set(config.cookie_name, saved)
