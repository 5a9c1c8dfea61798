"""The settings of a session middleware, validated once when built."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from ._cookie import check_cookie_attributes
from ._durations import MAX_LIFETIME as MAX_LIFETIME  # re-exported: it was defined here
from ._durations import check_lifetime, optional_duration, whole_seconds
from ._limits import (
    DEFAULT_CLOCK_SKEW,
    DEFAULT_MAX_PAYLOAD_SIZE,
    check_clock_skew,
    check_max_chunks,
    check_max_cookie_size,
    check_max_payload_size,
)
from ._secrets import MIN_SECRET_BYTES as MIN_SECRET_BYTES  # re-exported: it was defined here
from ._secrets import check_fallbacks, check_keyring, check_secret_key
from ._text import parse_env, parse_settings

if TYPE_CHECKING:
    from .keyring import KeyRing

__all__ = ["SameSite", "SessionConfig"]

SameSite = Literal["Strict", "Lax", "None"]

#: RFC 6265bis: user agents cap Max-Age (and Expires) at 400 days.
MAX_COOKIE_AGE = 400 * 24 * 3600


def _seconds(value: timedelta | float) -> int:
    return int(value.total_seconds() if isinstance(value, timedelta) else value)


class _Derived:
    """The values :class:`SessionConfig` works out from its settings when it is built.

    Declared here, outside the dataclass, so that they are attributes and not settings.
    Set once in ``__post_init__`` rather than computed on first use by
    ``functools.cached_property``: that writes into the instance ``__dict__``, and from
    then on CPython 3.11 reads every attribute of the config about four times slower,
    where a request reads a dozen of them.
    """

    idle_seconds: int | None
    absolute_seconds: int | None
    lifetime_seconds: int
    clock_skew_seconds: int
    cookie_max_age: int
    cookie_attributes: tuple[str, str]


@dataclass(frozen=True, kw_only=True)
class SessionConfig(_Derived):
    """Every setting of :class:`~sessionware.SessionMiddleware`, checked when built.

    Wrong values raise :class:`ValueError` or :class:`TypeError` naming the parameter,
    the value and what is allowed, so a misconfigured app fails at start-up rather than
    on its first request.

    :param secret_key: signs every cookie. Anyone who knows it can forge sessions, so
        keep it out of source control (see :meth:`from_env` and ``secret_key_file``).
        ``None`` or an empty value means no secret: handlers get a
        :class:`~sessionware.NullSession`.
    :param secret_key_fallbacks: older keys, oldest first and newest last, still
        accepted when verifying; cookies signed with one are re-signed with
        ``secret_key`` on the same response. Like ``secret_key``, a fallback under 32
        bytes draws an :class:`~sessionware.InsecureSecretWarning`.
    :param secret_key_file: read the secret key from this file (for container
        secrets); surrounding whitespace is stripped. Exclusive with ``secret_key``.
    :param environ_key: the WSGI environ key that holds the session.
    :param cookie_name: the session cookie's name. ``__Host-`` and ``__Secure-``
        prefixes are checked against the other cookie settings.
    :param cookie_domain: the ``Domain`` attribute; ``None`` limits the cookie to the
        host that set it, which is safer.
    :param cookie_path: the ``Path`` attribute.
    :param cookie_secure: send the cookie over HTTPS only. Turn it on in production.
    :param cookie_httponly: hide the cookie from JavaScript.
    :param cookie_samesite: ``"Strict"``, ``"Lax"``, ``"None"`` (needs Secure), or
        ``None`` to leave the attribute out.
    :param cookie_partitioned: the CHIPS ``Partitioned`` attribute (needs Secure).
    :param permanent_lifetime: how long a cookie stays valid, as a
        :class:`~datetime.timedelta` or seconds. The server checks every cookie's
        signed timestamp against it; permanent sessions also tell the browser
        (``Expires``/``Max-Age``, capped at 400 days).
    :param refresh_each_request: re-issue a permanent session's cookie on every request
        that loads it, so its expiry slides forward.
    :param max_cookie_size: the largest ``Set-Cookie`` value sessionware will send;
        larger raises :class:`~sessionware.errors.CookieTooLarge` (per cookie, when
        chunked) when the handler changed the session (an unchanged session's
        re-issue is skipped and logged).
    :param clock_skew: how far ahead of this server's clock a cookie's signed
        timestamp may be (another server's clock running fast), as a
        :class:`~datetime.timedelta` or seconds, at most an hour. It does not lengthen
        ``permanent_lifetime``.
    :param max_payload_size: the most bytes a cookie's payload may have once
        decompressed (default 64 KiB). A cookie over it is refused and logged, without
        inflating more than that, so a small cookie cannot cost megabytes; writing a
        session whose data is larger raises :class:`~sessionware.errors.PayloadTooLarge`.
    :param secret_key_fallbacks_file: read the fallback keys from this file, one per
        line, oldest first (blank lines skipped, surrounding whitespace stripped; a
        comma is part of a key). Exclusive with ``secret_key_fallbacks``.
    :param keyring: a :class:`~sessionware.KeyRing` of dated keys. Its current key
        signs (or encrypts) new cookies and every unretired key reads them, on top of
        ``secret_key`` and ``secret_key_fallbacks``, which still read.
    :param keyring_file: load ``keyring`` from this JSON file (as ``sessionware keys``
        writes it); it must have a key active now. Exclusive with ``keyring``.
    :param max_chunks: split a cookie too big for one ``Set-Cookie`` across up to this
        many cookies (``name``, ``name.1``, ...), read back all or nothing. ``1`` (the
        default) never splits.
    :param idle_timeout: end a session unused for this long (a
        :class:`~datetime.timedelta` or seconds; ``None``, the default, turns it off).
        Every request that opens the session counts as use, reads included. Checked on
        the server from the cookie's signed timestamp (or the store's record); see
        ``docs/lifetime.md``.
    :param absolute_timeout: end a session this long after it was created or last
        regenerated (at login), however active it is; ``None`` (the default) turns it
        off. The creation time travels signed inside the session (``_created``).

    Worked out once, when the config is built:

    :ivar lifetime_seconds: ``permanent_lifetime`` in whole seconds: the oldest cookie
        accepted.
    :ivar clock_skew_seconds: ``clock_skew`` in whole seconds: how far ahead a cookie
        may be dated.
    :ivar idle_seconds: ``idle_timeout`` in whole seconds, or ``None`` when it is off.
    :ivar absolute_seconds: ``absolute_timeout`` in whole seconds, or ``None`` when it
        is off.
    :ivar cookie_max_age: the ``Max-Age`` sent with permanent cookies: the lifetime,
        capped at 400 days.
    :ivar cookie_attributes: the fixed parts of ``Set-Cookie``, what goes before
        ``Expires`` and after it, so that no request pays for formatting them (in
        werkzeug's ``dump_cookie`` order).
    """

    secret_key: str | bytes | None = field(default=None, repr=False)
    secret_key_fallbacks: tuple[str | bytes, ...] | list[str | bytes] = field(
        default=(), repr=False
    )
    secret_key_file: str | os.PathLike[str] | None = field(default=None, repr=False)
    environ_key: str = "session"
    cookie_name: str = "session"
    cookie_domain: str | None = None
    cookie_path: str = "/"
    cookie_secure: bool = False
    cookie_httponly: bool = True
    cookie_samesite: SameSite | None = "Lax"
    cookie_partitioned: bool = False
    permanent_lifetime: timedelta | float = timedelta(days=31)
    refresh_each_request: bool = True
    max_cookie_size: int = 4093
    clock_skew: timedelta | float = DEFAULT_CLOCK_SKEW
    max_payload_size: int = DEFAULT_MAX_PAYLOAD_SIZE
    secret_key_fallbacks_file: str | os.PathLike[str] | None = field(default=None, repr=False)
    keyring: KeyRing | None = field(default=None, repr=False)
    keyring_file: str | os.PathLike[str] | None = field(default=None, repr=False)
    max_chunks: int = 1
    idle_timeout: timedelta | float | None = None
    absolute_timeout: timedelta | float | None = None

    def __post_init__(self) -> None:
        self._set("secret_key", check_secret_key(self.secret_key, self.secret_key_file))
        self._set(
            "secret_key_fallbacks",
            check_fallbacks(self.secret_key_fallbacks, self.secret_key_fallbacks_file),
        )
        for name in ("environ_key", "cookie_name", "cookie_path"):
            if not isinstance(getattr(self, name), str) or not getattr(self, name):
                raise TypeError(f"{name} must be a non-empty str, got {getattr(self, name)!r}.")
        for name in (
            "cookie_secure",
            "cookie_httponly",
            "cookie_partitioned",
            "refresh_each_request",
        ):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"{name} must be True or False, got {getattr(self, name)!r}.")
        domain, samesite = check_cookie_attributes(
            name=self.cookie_name,
            domain=self.cookie_domain,
            path=self.cookie_path,
            samesite=self.cookie_samesite,
            secure=self.cookie_secure,
            partitioned=self.cookie_partitioned,
        )
        self._set("cookie_domain", domain)
        self._set("cookie_samesite", samesite)
        self._set("permanent_lifetime", check_lifetime(self.permanent_lifetime))
        for name in ("idle_timeout", "absolute_timeout"):
            self._set(name, optional_duration(name, getattr(self, name)))
        check_max_cookie_size(self.max_cookie_size)
        self._set("clock_skew", check_clock_skew(self.clock_skew))
        check_max_payload_size(self.max_payload_size)
        self._set("keyring", check_keyring(self.keyring, self.keyring_file))
        check_max_chunks(self.max_chunks)
        self._set("idle_seconds", whole_seconds(self.idle_timeout))
        self._set("absolute_seconds", whole_seconds(self.absolute_timeout))
        self._set("lifetime_seconds", _seconds(self.permanent_lifetime))
        self._set("clock_skew_seconds", _seconds(self.clock_skew))
        self._set("cookie_max_age", min(self.lifetime_seconds, MAX_COOKIE_AGE))
        self._set("cookie_attributes", self._cookie_attributes())

    def _cookie_attributes(self) -> tuple[str, str]:
        """``Domain`` (before ``Expires``) and the attributes after it."""
        head = f"; Domain={self.cookie_domain}" if self.cookie_domain else ""
        tail = ""
        if self.cookie_secure:
            tail += "; Secure"
        if self.cookie_httponly:
            tail += "; HttpOnly"
        tail += "; Path=" + quote(self.cookie_path, safe="%!$&'()*+,/:=@")
        if self.cookie_samesite:
            tail += f"; SameSite={self.cookie_samesite}"
        if self.cookie_partitioned:
            tail += "; Partitioned"
        return head, tail

    def _set(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)

    def __repr__(self) -> str:
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if f.repr)
        secret = "set" if self.secret_key else "unset"
        ring = "" if self.keyring is None else f"keyring=<{len(self.keyring.keys)} keys>, "
        return (
            f"SessionConfig(secret_key=<{secret}>, "
            f"secret_key_fallbacks=<{len(self.secret_key_fallbacks)} keys>, {ring}{shown})"
        )

    @classmethod
    def from_env(
        cls,
        prefix: str = "SESSIONWARE_",
        *,
        environ: Mapping[str, str] | None = None,
        **overrides: Any,
    ) -> SessionConfig:
        """Build a config from ``{prefix}{SETTING}`` environment variables.

        Every setting has a variable named after it in capitals
        (``SESSIONWARE_SECRET_KEY``, ``SESSIONWARE_COOKIE_SECURE=true``,
        ``SESSIONWARE_PERMANENT_LIFETIME=86400`` seconds, ...);
        ``SESSIONWARE_SECRET_KEY_FALLBACKS`` is a JSON list (``["old-1", "old-2"]``,
        oldest first) or one key per line, and refuses a comma outside JSON (it could
        split a key); ``SESSIONWARE_SECRET_KEY_FALLBACKS_FILE`` names a file with one
        key per line and ``SESSIONWARE_SECRET_KEY_FILE`` a file holding the key. A
        variable with the prefix that names no setting is an error, so a typo cannot
        pass unnoticed.
        Keyword ``overrides`` win over the environment.
        """
        settings = parse_env(prefix, os.environ if environ is None else environ)
        settings.update(overrides)
        return cls(**settings)

    @classmethod
    def from_strings(cls, values: Mapping[str, str], **overrides: Any) -> SessionConfig:
        """Build a config from settings given as text, as in an ini file.

        Keys are the setting names (``cookie_secure = true``); values are parsed as
        :meth:`from_env` parses them.
        """
        settings = parse_settings(values, describe=lambda key: key)
        settings.update(overrides)
        return cls(**settings)
