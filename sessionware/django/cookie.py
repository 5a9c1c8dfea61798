"""``SESSION_ENGINE = "sessionware.django.cookie"``: the session in a Flask-compatible cookie.

Like Django's ``signed_cookies`` engine the whole session travels in the cookie, and
the ``session_key`` is the cookie's value; unlike it, the cookie is the one Flask and a
plain sessionware app read and write with the same secret, so they share a login.
Signed is not encrypted: the user can read the session. A copied cookie stays valid
until it expires, even after logout (no signed cookie can be revoked).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from itsdangerous.encoding import base64_decode, bytes_to_int

from sessionware.config.settings import SessionConfig
from sessionware.interfaces.base import Headers
from sessionware.interfaces.signed import SecureCookieSessionInterface

from . import _config
from ._base import EngineSession, cookie_value, environ_for
from ._noio import NoIOSession

__all__ = ["DjangoCookieInterface", "SessionStore"]


class DjangoCookieInterface(SecureCookieSessionInterface):
    """The signed-cookie interface, plus the cookie value Django's middleware sets."""

    def cookie_value(self, config: SessionConfig, data: Mapping[str, Any]) -> str:
        """The signed cookie value that carries ``data``.

        :raises CookieTooLarge: the cookie would be over ``max_cookie_size``.
        """
        session = self.session_class(data, new=False)
        session.modified = True
        headers: Headers = []
        self.save_session(config, session, headers)
        value = cookie_value(headers)
        if value is not None:
            return value
        # An empty session: sessionware and Flask delete the cookie, but Django keeps
        # one while the session has a key. An empty signed object reads as empty in all.
        signer = self._signer(config)
        if signer is None:  # pragma: no cover - the engine refuses to start without a key
            raise ValueError("no secret key")
        return signer.dumps(self.serializer.dumps({}).encode("ascii"), int(self.clock()))


def _build(config: SessionConfig, options: Mapping[str, Any]) -> DjangoCookieInterface:
    return DjangoCookieInterface(**options)


_config.register("cookie", _build)


def _issued_at(value: str) -> int:
    # A verified itsdangerous value: payload.timestamp.signature.
    return bytes_to_int(base64_decode(value.rsplit(".", 2)[1]))


class SessionStore(NoIOSession, EngineSession):
    """Django's session API over :class:`~sessionware.SecureCookieSessionInterface`.

    A tampered, expired or garbled cookie is an empty session without a key (logged
    on the ``sessionware`` logger with the reason), so Django's middleware deletes it.
    Unlike Django's ``signed_cookies``, an expiry set with ``set_expiry()`` is
    enforced by the server too.
    """

    engine = "cookie"
    _loaded: str | None = None

    def _loaded_text(self) -> str | None:
        return self._loaded

    def _interface(self) -> tuple[SessionConfig, DjangoCookieInterface]:
        state = self._state()
        return state.config, cast(DjangoCookieInterface, state.interface)

    def load(self) -> dict[str, Any]:
        """Verify the cookie value and return its data; ``{}`` (and no key) if refused."""
        key = self.session_key
        if key is None:
            return {}
        state = self._state()
        session = state.interface.open_session(state.config, environ_for(state, key))
        if session is None or session.new:
            self._session_key = None
            return {}
        data: dict[str, Any] = dict(session)
        if self._expired(data, _issued_at(key)):
            self._refuse_expired()
            self._session_key = None
            return {}
        self._loaded = getattr(session, "loaded_text", None)
        if getattr(session, "reissue", False):
            # Signed with a fallback key: re-sign it with SECRET_KEY on this response.
            self.modified = True
        return data

    def create(self) -> None:
        """Mark the session modified, so that the response sets its cookie."""
        self.modified = True

    def save(self, must_create: bool = False) -> None:
        """Sign the session into a new cookie value, which becomes its key.

        :raises CookieTooLarge: the session does not fit in a cookie; browsers would
            drop it without a word.
        """
        config, interface = self._interface()
        self._session_key = interface.cookie_value(config, self._get_session(no_load=must_create))
        self.modified = True

    def delete(self, session_key: str | None = None) -> None:
        """Empty the session and drop its key; the response deletes the cookie.

        A copy of the old cookie stays valid until it expires.
        """
        self._session_key = ""
        self._session_cache = {}
        self.modified = True

    def cycle_key(self) -> None:
        """Re-sign the data into a new cookie (the old one stays valid until it expires)."""
        self.save()

    def encode(self, session_dict: dict[str, Any]) -> str:
        """The signed cookie value for ``session_dict`` (sessionware's format)."""
        config, interface = self._interface()
        return interface.cookie_value(config, session_dict)

    def decode(self, session_data: str) -> dict[str, Any]:
        """The data of a signed cookie value; ``{}`` and a security warning if refused."""
        state = self._state()
        session = state.interface.open_session(state.config, environ_for(state, session_data))
        if session is None or session.new:
            return self._corrupted()
        return dict(session)

    @classmethod
    def clear_expired(cls) -> None:
        """Nothing to clear: expired cookies are refused when they come back."""

    @classmethod
    async def aclear_expired(cls) -> None:
        """:meth:`clear_expired`."""


# Fail at start-up (Django imports the engine when it loads the middleware), not on the
# first request, when a setting is wrong.
_config.check_at_import("cookie", __name__)
