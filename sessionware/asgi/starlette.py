"""Starlette's ``SessionMiddleware`` keywords, and reading the cookies it wrote.

Nothing here imports Starlette: its cookie is ``base64(JSON)`` signed by an
itsdangerous ``TimestampSigner`` keyed with ``str(secret_key)``, which itsdangerous
alone can verify.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from itsdangerous import BadSignature, TimestampSigner

from sessionware.config.settings import SessionConfig
from sessionware.cookies._header import DuplicateCookie, find_cookie
from sessionware.cookies._signing import CookieSigner
from sessionware.cookies.tagged import TaggedJSONSerializer
from sessionware.interfaces.base import WSGIEnviron
from sessionware.interfaces.signed import SecureCookieSessionInterface
from sessionware.sessions import SecureCookieSession, SessionMixin

__all__ = ["STARLETTE_KEYWORDS", "StarletteCompatInterface", "starlette_settings"]

logger = logging.getLogger("sessionware")

#: Starlette's keyword -> the SessionConfig setting it maps onto.
STARLETTE_KEYWORDS = {
    "session_cookie": "cookie_name",
    "path": "cookie_path",
    "same_site": "cookie_samesite",
    "https_only": "cookie_secure",
    "domain": "cookie_domain",
    "partitioned": "cookie_partitioned",
}
#: Starlette's default ``max_age``: 14 days.
STARLETTE_MAX_AGE = 14 * 24 * 3600


class StarletteCompatInterface(SecureCookieSessionInterface):
    """Sessionware's signed cookie with Starlette's lifetime, reading Starlette's cookies.

    * Every session is permanent: its cookie carries ``Max-Age=max_age`` (as
      Starlette's does), unless ``max_age`` is ``None`` (a browser-session cookie).
    * A request whose cookie was written by Starlette's ``SessionMiddleware`` with the
      same secret key (or a fallback) gets that session, and the response re-issues it
      in sessionware's format: users switching over are not logged out, and each
      Starlette cookie is read once. Its age is checked against ``max_age``.
    * ``max_age`` of 0 or less (Starlette sends the cookie already expired) refuses
      every cookie that comes back.

    :param max_age: seconds a cookie lives, or ``None`` for browser-session cookies.
    """

    def __init__(
        self,
        max_age: int | None = STARLETTE_MAX_AGE,
        *,
        salt: str | None = None,
        digest_method: str | None = None,
        serializer: TaggedJSONSerializer | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__(clock=clock, salt=salt, digest_method=digest_method, serializer=serializer)
        if max_age is not None and (isinstance(max_age, bool) or not isinstance(max_age, int)):
            raise TypeError(f"max_age must be an int number of seconds or None, got {max_age!r}.")
        self.max_age = max_age
        self._starlette_signers: dict[int, tuple[SessionConfig, list[TimestampSigner]]] = {}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} max_age={self.max_age!r}>"

    def get_expiration_time(self, config: SessionConfig, session: SessionMixin) -> datetime | None:
        """Every session expires ``max_age`` from now, unless ``max_age`` is ``None``."""
        if self.max_age is None:
            return super().get_expiration_time(config, session)
        return datetime.fromtimestamp(int(self.clock()) + self.max_age, UTC)

    def _open_session(
        self, config: SessionConfig, environ: WSGIEnviron
    ) -> SecureCookieSession | None:
        """Open sessionware's cookie, or else Starlette's (which the response re-issues)."""
        if self.max_age is not None and self.max_age <= 0 and self.read_cookie(config, environ):
            self.log_refused(config, f"max_age={self.max_age} expires every cookie", expired=True)
            environ = {}
        session = super()._open_session(config, environ)
        data = environ.pop(_STARLETTE_DATA, None)
        if data is None:
            return session
        logger.info(
            "Read a %r cookie written by Starlette's SessionMiddleware; re-issuing it in "
            "sessionware's format.",
            config.cookie_name,
        )
        migrated = self.session_class(data, new=False)
        migrated.modified = True
        return migrated

    def _verified_cookie(
        self, config: SessionConfig, signer: CookieSigner, environ: WSGIEnviron
    ) -> tuple[str, bytes, int, int] | None:
        # The parent's, with its refusal held back: a cookie sessionware refuses may be
        # Starlette's, and then there is nothing to log.
        held: list[tuple[str, bool, str | None]] = []
        token = _held_refusals.set(held)
        try:
            verified = super()._verified_cookie(config, signer, environ)
        finally:
            _held_refusals.reset(token)
        if verified is None and held:
            value = _raw_cookie(config, environ)
            expired = any(was_expired for _, was_expired, _ in held)
            data = None if value is None or expired else self._starlette_data(config, value)
            if data is not None:
                environ[_STARLETTE_DATA] = data
            else:
                for reason, was_expired, code in held:
                    super().log_refused(config, reason, expired=was_expired, code=code)
        return verified

    def log_refused(
        self, config: SessionConfig, reason: str, *, expired: bool = False, code: str | None = None
    ) -> None:
        """Log why a cookie was refused (held back while it may still be Starlette's)."""
        held = _held_refusals.get()
        if held is not None:
            held.append((reason, expired, code))
            return
        super().log_refused(config, reason, expired=expired, code=code)

    def _starlette_data(self, config: SessionConfig, value: str) -> dict[str, Any] | None:
        for signer in self._starlette_signers_for(config):
            try:
                payload = signer.unsign(value, max_age=self.max_age)
            except BadSignature:
                continue
            try:
                data = json.loads(base64.b64decode(payload))
            except (ValueError, binascii.Error, RecursionError):
                return None
            return data if isinstance(data, dict) else None
        return None

    def _starlette_signers_for(self, config: SessionConfig) -> list[TimestampSigner]:
        entry = self._starlette_signers.get(id(config))
        if entry is not None and entry[0] is config:
            return entry[1]
        keys = (config.secret_key, *reversed(config.secret_key_fallbacks))
        signers = [
            TimestampSigner(k.decode("utf-8", "replace") if isinstance(k, bytes) else k)
            for k in keys
            if k
        ]
        self._starlette_signers[id(config)] = (config, signers)
        return signers


#: Where _verified_cookie leaves a Starlette cookie's data for open_session.
_STARLETTE_DATA = "sessionware.starlette_session"
#: Refusals logged while a cookie is being verified, held until it is known not to be
#: Starlette's (a context variable: one list per request, whatever the concurrency).
_held_refusals: ContextVar[list[tuple[str, bool, str | None]] | None] = ContextVar(
    "sessionware_held_refusals", default=None
)


def _raw_cookie(config: SessionConfig, environ: WSGIEnviron) -> str | None:
    header = environ.get("HTTP_COOKIE")
    if not header:
        return None
    try:
        return find_cookie(header, config.cookie_name)
    except DuplicateCookie:
        return None


def starlette_settings(settings: dict[str, Any]) -> tuple[dict[str, Any], int | None] | None:
    """Map Starlette's keywords onto SessionConfig settings, with the ``max_age`` to use.

    :returns: ``None`` when ``settings`` are not (only) Starlette's keywords.
    """
    allowed = {"secret_key", "max_age", *STARLETTE_KEYWORDS}
    if not settings.keys() <= allowed:
        starlette_only = sorted(settings.keys() & (allowed - {"secret_key"}))
        if starlette_only:
            others = sorted(settings.keys() - allowed)
            raise TypeError(
                f"Starlette's keywords ({', '.join(starlette_only)}) and sessionware's "
                f"settings ({', '.join(others)}) were mixed; use one set. Starlette's "
                f"map onto sessionware's as {STARLETTE_KEYWORDS} and max_age -> "
                "permanent_lifetime."
            )
        return None
    mapped = {
        STARLETTE_KEYWORDS[name]: value
        for name, value in settings.items()
        if name in STARLETTE_KEYWORDS
    }
    secret = settings.get("secret_key")
    if secret is not None and not isinstance(secret, str | bytes):
        # Starlette takes a starlette.datastructures.Secret, whose str() is the key.
        secret = str(secret)
    mapped["secret_key"] = secret
    max_age = settings.get("max_age", STARLETTE_MAX_AGE)
    if max_age is not None:
        if isinstance(max_age, bool) or not isinstance(max_age, int):
            raise TypeError(f"max_age must be an int number of seconds or None, got {max_age!r}.")
        if max_age <= 0:
            logger.warning(
                "max_age=%d: every session cookie expires as it is set, so no session "
                "survives a request.",
                max_age,
            )
        mapped["permanent_lifetime"] = max(max_age, 1)
    # Starlette sends the cookie only when the session changed.
    mapped["refresh_each_request"] = False
    return mapped, max_age
