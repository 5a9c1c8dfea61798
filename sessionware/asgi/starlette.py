"""Starlette's ``SessionMiddleware`` keywords, and reading the cookies it wrote.

Nothing here imports Starlette: its cookie is ``base64(JSON)`` signed by an
itsdangerous ``TimestampSigner`` keyed with ``str(secret_key)``, which itsdangerous
alone can verify.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from itsdangerous import TimestampSigner

from sessionware.config.settings import SessionConfig
from sessionware.cookies._header import DuplicateCookie, find_cookie
from sessionware.cookies._signing import BadCookie, CookieSigner, check_age
from sessionware.cookies.tagged import TaggedJSONSerializer
from sessionware.interfaces.base import WSGIEnviron
from sessionware.interfaces.signed import SecureCookieSessionInterface
from sessionware.policies.revocation import Revocation
from sessionware.sessions import SecureCookieSession, SessionMixin

from ._starlette_cookie import (
    StarletteCookie,
    check_until,
    open_starlette_cookie,
    starlette_signers,
)

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
#: The keyword that ends the migration of Starlette cookies (not Starlette's own).
UNTIL = "starlette_cookies_until"
#: Starlette's default ``max_age``: 14 days.
STARLETTE_MAX_AGE = 14 * 24 * 3600


class StarletteCompatInterface(SecureCookieSessionInterface):
    """Sessionware's signed cookie with Starlette's lifetime, reading Starlette's cookies.

    * Every session is permanent: its cookie carries ``Max-Age=max_age`` (as
      Starlette's does), unless ``max_age`` is ``None`` (a browser-session cookie).
    * A request whose cookie was written by Starlette's ``SessionMiddleware`` with the
      same secret key (or a fallback) gets that session, and the response re-issues it
      in sessionware's format: users switching over are not logged out.
    * A Starlette cookie is held to the limits of sessionware's own, from its signed
      timestamp and on :attr:`clock`: its age to ``max_age`` (``permanent_lifetime``
      when ``max_age`` is ``None``, and never more), ``clock_skew``, ``idle_timeout``
      and ``absolute_timeout`` (the migrated session's creation time is the Starlette
      cookie's timestamp).
    * Nothing marks a Starlette cookie as used: a copy of it is accepted again, even
      after logout, until one of those limits or ``starlette_cookies_until`` refuses
      it. Set that date to end the migration.
    * ``max_age`` of 0 or less (Starlette sends the cookie already expired) refuses
      every cookie that comes back.

    :param max_age: seconds a cookie lives, or ``None`` for browser-session cookies.
    :param starlette_cookies_until: an aware :class:`~datetime.datetime` after which
        cookies written by Starlette's middleware are refused (reason ``expired``);
        ``None`` (the default) reads them as long as their age allows.
    """

    def __init__(
        self,
        max_age: int | None = STARLETTE_MAX_AGE,
        *,
        starlette_cookies_until: datetime | None = None,
        salt: str | None = None,
        digest_method: str | None = None,
        serializer: TaggedJSONSerializer | None = None,
        clock: Callable[[], float] | None = None,
        revocation: Revocation | None = None,
    ) -> None:
        super().__init__(
            clock=clock,
            salt=salt,
            digest_method=digest_method,
            serializer=serializer,
            revocation=revocation,
        )
        if max_age is not None and (isinstance(max_age, bool) or not isinstance(max_age, int)):
            raise TypeError(f"max_age must be an int number of seconds or None, got {max_age!r}.")
        self.max_age = max_age
        self._until = check_until(starlette_cookies_until)
        self.starlette_cookies_until = starlette_cookies_until
        self._starlette_signers: dict[int, tuple[SessionConfig, list[TimestampSigner]]] = {}

    def __repr__(self) -> str:
        until = ""
        if self.starlette_cookies_until is not None:
            until = f" starlette_cookies_until={self.starlette_cookies_until.isoformat()}"
        return f"<{type(self).__name__} max_age={self.max_age!r}{until}>"

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
        found: StarletteCookie | None = environ.pop(_STARLETTE_DATA, None)
        if found is None:
            return session
        data, signed_at = found
        migrated = self.session_class(data, new=False)
        # The timeouts of sessionware's own cookies, from the Starlette timestamp (which
        # also becomes the creation time kept under _created).
        if self._timed_out(config, migrated, signed_at):
            return session
        logger.info(
            "Read a %r cookie written by Starlette's SessionMiddleware; re-issuing it in "
            "sessionware's format.",
            config.cookie_name,
        )
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
            found = None if value is None or expired else self._starlette_cookie(config, value)
            if isinstance(found, BadCookie):
                super().log_refused(config, found.reason, expired=found.expired, code=found.code)
            elif found is not None:
                environ[_STARLETTE_DATA] = found
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

    def starlette_max_age(self, config: SessionConfig) -> int:
        """The oldest Starlette cookie accepted, in seconds: ``max_age``, within
        ``permanent_lifetime`` (the limit of sessionware's own cookies)."""
        if self.max_age is None:
            return config.lifetime_seconds
        return min(self.max_age, config.lifetime_seconds)

    def _starlette_cookie(
        self, config: SessionConfig, value: str
    ) -> StarletteCookie | BadCookie | None:
        """``value`` as a Starlette cookie within the server's limits; a refusal if it
        is one but refused; ``None`` if no configured key signed it."""
        found = open_starlette_cookie(self._starlette_signers_for(config), value)
        if found is None or isinstance(found, BadCookie):
            return found
        now = self.clock()
        try:
            check_age(found[1], now, self.starlette_max_age(config), config.clock_skew_seconds)
        except BadCookie as refused:
            return BadCookie(
                f"written by Starlette's SessionMiddleware, {refused.reason}", expired=True
            )
        if self._until is not None and now > self._until:
            return BadCookie(
                "it was written by Starlette's SessionMiddleware, whose cookies are refused "
                f"since starlette_cookies_until={self.starlette_cookies_until}",
                expired=True,
            )
        return found

    def _starlette_signers_for(self, config: SessionConfig) -> list[TimestampSigner]:
        entry = self._starlette_signers.get(id(config))
        if entry is not None and entry[0] is config:
            return entry[1]
        signers = starlette_signers((config.secret_key, *reversed(config.secret_key_fallbacks)))
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


def starlette_settings(
    settings: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """Map Starlette's keywords onto SessionConfig settings, with the keyword arguments
    of the :class:`StarletteCompatInterface` to use (``max_age``, and
    ``starlette_cookies_until`` when given).

    :returns: ``None`` when ``settings`` are not (only) Starlette's keywords.
    """
    allowed = {"secret_key", "max_age", UNTIL, *STARLETTE_KEYWORDS}
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
    compat: dict[str, Any] = {"max_age": max_age}
    if UNTIL in settings:
        compat[UNTIL] = settings[UNTIL]
    return mapped, compat
