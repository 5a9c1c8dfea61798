"""Exceptions and warnings raised by sessionware.

Every exception the package raises on purpose derives from :class:`SessionwareError`,
so an application can catch the whole family with one ``except`` clause.
"""

from __future__ import annotations

__all__ = [
    "CookieTooLarge",
    "InsecureSecretWarning",
    "PayloadTooLarge",
    "SessionUnavailable",
    "SessionwareError",
]


class SessionwareError(Exception):
    """Base class of every error sessionware raises on purpose."""


class SessionUnavailable(SessionwareError, RuntimeError):
    """A write to a :class:`~sessionware.NullSession`.

    The session is unavailable because no secret key was configured, so nothing written
    to it could be signed or kept.
    """

    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message
            or "The session is unavailable because no secret key was set. Pass "
            "secret_key=... to SessionMiddleware (or SessionConfig), or set the "
            "SESSIONWARE_SECRET_KEY environment variable, which SessionMiddleware reads "
            "only when given no settings (SessionConfig.from_env() always reads it)."
        )


class CookieTooLarge(SessionwareError):
    """The session cookie would exceed ``max_cookie_size``.

    Browsers silently drop cookies over about 4 KB, which would lose the session
    without a trace, so sessionware refuses to send it.

    :ivar cookie_name: the name of the cookie.
    :ivar size: the size of the ``Set-Cookie`` header value, in bytes.
    :ivar limit: the configured ``max_cookie_size``.
    """

    def __init__(self, cookie_name: str, size: int, limit: int) -> None:
        self.cookie_name = cookie_name
        self.size = size
        self.limit = limit
        super().__init__(
            f"The {cookie_name!r} session cookie would be {size} bytes, over the "
            f"max_cookie_size limit of {limit}; browsers drop such cookies silently. "
            "Store less in the session (keep large data server-side and store its id), "
            "or move to a server-side session store."
        )


class PayloadTooLarge(CookieTooLarge):
    """The session's data, serialized, would exceed ``max_payload_size``.

    Cookies are read back only up to that many bytes once decompressed (so that a small
    cookie cannot cost megabytes to inflate); a session larger than that would be
    refused on its next request, so sessionware refuses to write it.

    :ivar cookie_name: the name of the cookie.
    :ivar size: the size of the serialized data, in bytes.
    :ivar limit: the configured ``max_payload_size``.
    """

    def __init__(self, cookie_name: str, size: int, limit: int) -> None:
        self.cookie_name = cookie_name
        self.size = size
        self.limit = limit
        SessionwareError.__init__(
            self,
            f"The {cookie_name!r} session's data would be {size} bytes, over the "
            f"max_payload_size limit of {limit}; a cookie holding it would be refused "
            "when read back. Store less in the session (keep large data server-side "
            "and store its id), or raise max_payload_size.",
        )


class InsecureSecretWarning(UserWarning):
    """The configured secret key is too short to resist guessing."""
