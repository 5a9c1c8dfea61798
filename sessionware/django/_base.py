"""What both Django engines share: Django's ``SessionBase`` on a sessionware interface.

Django hands an engine only the session cookie's value (``SessionStore(session_key)``);
sessionware's interfaces read the cookie from an environ. So the value is put back into
a one-cookie ``HTTP_COOKIE``, and the cookie an interface would set is read back out of
its header list: the interface stays the only code that speaks the cookie format.
"""

from __future__ import annotations

import logging
import time
from typing import Any, ClassVar

from django.contrib.sessions.backends.base import SessionBase

from sessionware.interfaces.base import Headers, WSGIEnviron

from . import _config

__all__ = ["EngineSession", "cookie_value", "environ_for"]

_security = logging.getLogger("django.security.SuspiciousSession")


def environ_for(state: _config.EngineState, session_key: str) -> WSGIEnviron:
    """The environ of a request that carries ``session_key`` as its session cookie."""
    return {"HTTP_COOKIE": f"{state.config.cookie_name}={session_key}"}


def cookie_value(headers: Headers) -> str | None:
    """The value of the session cookie an interface set in ``headers``, if it set one."""
    for name, header in headers:
        if name.lower() == "set-cookie":
            value = header.partition(";")[0].partition("=")[2]
            if value:
                return value
    return None


class EngineSession(SessionBase):  # type: ignore[misc]  # Django ships no type hints
    """Django's session API over one of sessionware's session interfaces.

    The ``session_key`` is the value of the session cookie sessionware issues (a signed
    cookie, or a signed ID for server-side stores): it changes whenever the cookie is
    re-signed, so treat it as opaque.
    """

    #: Which engine's settings (:mod:`sessionware.django._config`) this class uses.
    engine: ClassVar[_config.Engine]
    # Typed here for mypy only (Django's properties and attributes carry no hints).
    _session_key: str | None
    _session_cache: dict[str, Any]
    _modified: bool = False

    def _state(self) -> _config.EngineState:
        return _config.load(self.engine)

    def _loaded_text(self) -> str | None:
        """The session's data as it was loaded (serialized), if it was loaded."""
        return None

    @property
    def modified(self) -> bool:
        """Whether the session must be saved: written to, or changed in place.

        Django sees only writes (``session[key] = ...``); a list or dict in the session
        changed in place (``session["cart"].append(3)``) is found here too, by comparing
        the data with what was loaded, so the change is saved rather than lost.
        """
        if self._modified:
            return True
        loaded = self._loaded_text()
        cache = self.__dict__.get("_session_cache")
        if loaded is None or not cache:
            return False
        if not any(isinstance(value, list | dict) for value in cache.values()):
            return False
        return bool(self._state().interface.serializer.dumps(cache) != loaded)

    @modified.setter
    def modified(self, value: bool) -> None:
        self._modified = bool(value)

    def get_session_cookie_age(self) -> int:
        """The session's lifetime: ``SESSION_COOKIE_AGE`` or ``permanent_lifetime``.

        sessionware refuses cookies older than it on the server, so Django's
        ``Max-Age`` uses the same number.
        """
        return self._state().config.lifetime_seconds

    def _expired(self, data: dict[str, Any], issued_at: int | None) -> bool:
        """Whether a custom expiry set with ``set_expiry()`` has run out.

        Django keeps it in the session (``_session_expiry``): seconds of inactivity, or
        an ISO date. The cookie's signed timestamp is the last save.
        """
        expiry = data.get("_session_expiry")
        if not expiry:
            return False
        if isinstance(expiry, int | float) and not isinstance(expiry, bool):
            return issued_at is None or time.time() - issued_at >= expiry
        try:
            return bool(self.get_expiry_age(expiry=expiry) <= 0)
        except (TypeError, ValueError):
            # Not a date Django wrote: an expiry nobody can read has run out.
            return True

    def _refuse_expired(self) -> None:
        state = self._state()
        state.interface.log_refused(
            state.config, "its session is past the expiry set with set_expiry()", expired=True
        )

    def _corrupted(self) -> dict[str, Any]:
        # Django's SessionBase.decode() contract: corrupt data is an empty session and a
        # warning on the logger Django's security logging watches.
        _security.warning("Session data corrupted")
        return {}
