"""A Django app behind sessionware's WSGI middleware: ``request.session`` is its session.

When one :class:`~sessionware.SessionMiddleware` wraps several apps (a dispatcher
mounting Flask, Pyramid and Django, say), every app must use the one session it
opened, saved once by it. Put :class:`WSGISessionMiddleware` in ``MIDDLEWARE`` in
place of Django's ``SessionMiddleware`` (and set no ``SESSION_ENGINE``)::

    MIDDLEWARE = [
        "sessionware.django.middleware.WSGISessionMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        ...
    ]

and wrap the WSGI application: ``application = SessionMiddleware(get_wsgi_application(),
secret_key=...)``. The outer middleware's settings (secret, cookie, store) apply;
Django's ``SESSION_*`` settings play no part.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from sessionware.errors import SessionwareError
from sessionware.sessions import SessionMixin

from ._noio import NoIOSession

__all__ = ["MiddlewareMissing", "MiddlewareSession", "WSGISessionMiddleware"]


class MiddlewareMissing(SessionwareError, RuntimeError):
    """A request reached :class:`WSGISessionMiddleware` without sessionware's middleware."""


class MiddlewareSession(NoIOSession):
    """Django's session API over the session sessionware's WSGI middleware opened.

    Reads and writes go to that session (lazily: nothing is opened until used);
    ``cycle_key()`` (``login()``) is its ``regenerate()`` and ``flush()``
    (``logout()``) its ``invalidate()``. Nothing is saved here: the middleware saves
    the session once, when the response starts. ``session_key`` is ``None`` (the
    cookie is the middleware's), and ``set_expiry()`` is kept in the data but the
    middleware's ``permanent_lifetime`` is what expires the session; use
    ``session.permanent`` (Flask's flag) to choose a browser-session cookie or not.
    """

    def __init__(self, session: SessionMixin) -> None:
        # Not SessionBase.__init__: it would reset the flags, which opens a lazy session.
        self._wsgi = session
        self._session_key = None

    @property
    def _session(self) -> SessionMixin:
        self._wsgi.accessed = True
        return self._wsgi

    async def _aget_session(self, no_load: bool = False) -> SessionMixin:
        return self._session

    @property
    def accessed(self) -> bool:
        """Whether the session was read or written."""
        return bool(self._wsgi.accessed)

    @accessed.setter
    def accessed(self, value: bool) -> None:
        self._wsgi.accessed = value

    @property
    def modified(self) -> bool:
        """Whether the session was written to; set it after changing a value in place."""
        return bool(self._wsgi.modified)

    @modified.setter
    def modified(self, value: bool) -> None:
        if value or self._wsgi.modified:
            self._wsgi.modified = value

    @property
    def permanent(self) -> bool:
        """Whether the cookie outlives the browser session (Flask's ``permanent``)."""
        return bool(self._wsgi.permanent)

    @permanent.setter
    def permanent(self, value: bool) -> None:
        self._wsgi.permanent = value

    def clear(self) -> None:
        """Remove every key."""
        self._wsgi.clear()

    def is_empty(self) -> bool:
        """Whether the session holds nothing."""
        return len(self._wsgi) == 0

    def flush(self) -> None:
        """End the session: its data and cookie go (and a store's record); call at logout."""
        self._wsgi.invalidate()

    async def aflush(self) -> None:
        """:meth:`flush`."""
        self.flush()

    def cycle_key(self) -> None:
        """Give the session a new identity, keeping its data (``login()`` calls it)."""
        self._wsgi.regenerate()

    def delete(self, session_key: str | None = None) -> None:
        """End the session (:meth:`flush` without forgetting this object)."""
        self._wsgi.invalidate()

    def load(self) -> dict[str, Any]:
        """A copy of the session's data."""
        return dict(self._wsgi)

    def create(self) -> None:
        """Nothing to create: the middleware issues the cookie when the session is saved."""

    def save(self, must_create: bool = False) -> None:
        """Nothing to save: the middleware saves the session when the response starts."""

    @classmethod
    def clear_expired(cls) -> None:
        """Nothing to clear here; see the middleware's store (``sessionware cleanup``)."""


class WSGISessionMiddleware:
    """Django middleware: ``request.session`` is the WSGI middleware's session.

    The environ key is ``SESSIONWARE_ENVIRON_KEY`` (default ``"session"``, the
    middleware's ``environ_key``).

    :raises MiddlewareMissing: a request came without the session in its environ:
        the WSGI application is not wrapped in :class:`~sessionware.SessionMiddleware`.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.environ_key: str = getattr(settings, "SESSIONWARE_ENVIRON_KEY", "session")

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.META.get(self.environ_key)
        if not isinstance(session, SessionMixin):
            raise MiddlewareMissing(
                f"Django asked for the session, but the request has no "
                f"environ[{self.environ_key!r}]: wrap the WSGI application, "
                "application = SessionMiddleware(get_wsgi_application(), ...), or use "
                "SESSION_ENGINE = 'sessionware.django.cookie' with Django's own "
                "SessionMiddleware instead."
            )
        request.session = MiddlewareSession(session)
        return self.get_response(request)
