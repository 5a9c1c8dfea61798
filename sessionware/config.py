"""The settings of a session middleware, validated once when built."""

from __future__ import annotations

import os
import re
import sys
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote

from ._fallbacks import check_fallback_lengths, read_fallbacks_file
from ._limits import (
    DEFAULT_CLOCK_SKEW,
    DEFAULT_MAX_PAYLOAD_SIZE,
    check_clock_skew,
    check_max_payload_size,
)
from ._settings import parse_settings
from .errors import InsecureSecretWarning

if TYPE_CHECKING:
    from .keyring import KeyRing

__all__ = ["SameSite", "SessionConfig"]

SameSite = Literal["Strict", "Lax", "None"]

#: RFC 6265bis: user agents cap Max-Age (and Expires) at 400 days.
MAX_COOKIE_AGE = 400 * 24 * 3600
#: A secret shorter than this many bytes draws an :class:`InsecureSecretWarning`.
MIN_SECRET_BYTES = 32
#: The longest ``permanent_lifetime``: expiry dates must stay within ``datetime``.
MAX_LIFETIME = timedelta(days=36500)

# RFC 9110 token characters: what a cookie name may be made of.
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")
# Characters that would end an attribute or start another one if let into Set-Cookie.
_UNSAFE = re.compile(r"[;,\s\x00-\x1f\x7f]")
_SAMESITE = {"strict": "Strict", "lax": "Lax", "none": "None"}


_PACKAGE = os.path.dirname(os.path.abspath(__file__))


def _caller_stacklevel() -> int:
    """The ``stacklevel`` that points a warning at the first frame outside sessionware."""
    frame = sys._getframe(1)
    level = 1
    while frame.f_back is not None and (
        frame.f_code.co_filename.startswith(_PACKAGE) or frame.f_code.co_filename == "<string>"
    ):
        frame = frame.f_back
        level += 1
    return level


def _key_bytes(key: str | bytes) -> bytes:
    return key.encode("utf-8") if isinstance(key, str) else key


def _optional_duration(name: str, value: Any) -> timedelta | None:
    """A timeout setting as a :class:`timedelta` (or ``None``), checked."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"{name}={value!r} must be a finite number of seconds, or None.")
        value = timedelta(seconds=value)
    if not isinstance(value, timedelta):
        raise TypeError(
            f"{name} must be a datetime.timedelta, a number of seconds or None (off), "
            f"got {value!r}."
        )
    if value.total_seconds() < 1:
        raise ValueError(f"{name}={value!r} must be at least one second; pass None to turn it off.")
    return value


def _whole_seconds(value: timedelta | float | None) -> int | None:
    if value is None:
        return None
    return int(value.total_seconds() if isinstance(value, timedelta) else value)


@dataclass(frozen=True, kw_only=True)
class SessionConfig:
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
        self._check_secrets()
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
        self._check_cookie_attributes()
        self._check_lifetime()
        for name in ("idle_timeout", "absolute_timeout"):
            self._set(name, _optional_duration(name, getattr(self, name)))
        size = self.max_cookie_size
        if isinstance(size, bool) or not isinstance(size, int) or size < 64:
            raise ValueError(
                f"max_cookie_size must be an int of at least 64 bytes, got {size!r}; "
                "browsers accept 4096 bytes per cookie, hence the default 4093."
            )
        self._set("clock_skew", check_clock_skew(self.clock_skew))
        check_max_payload_size(self.max_payload_size)
        self._check_keyring()
        chunks = self.max_chunks
        if isinstance(chunks, bool) or not isinstance(chunks, int) or not 1 <= chunks <= 10:
            raise ValueError(
                f"max_chunks must be an int from 1 (no chunking) to 10, got {chunks!r}; "
                "servers refuse Cookie headers much over 8 KB, so a few chunks is the most "
                "that works in practice."
            )

    def _set(self, name: str, value: Any) -> None:
        object.__setattr__(self, name, value)

    def _check_secrets(self) -> None:
        if self.secret_key_file is not None:
            if self.secret_key:
                raise ValueError("secret_key and secret_key_file were both given; pass only one.")
            try:
                with open(self.secret_key_file, encoding="utf-8") as handle:
                    self._set("secret_key", handle.read().strip())
            except OSError as exc:
                raise ValueError(
                    f"secret_key_file={os.fspath(self.secret_key_file)!r} cannot be read "
                    f"({exc.strerror}); point it at a readable file holding the key."
                ) from None
        key = self.secret_key
        if key is not None and not isinstance(key, str | bytes):
            raise TypeError(f"secret_key must be str or bytes, got {type(key).__name__}.")
        if not key:
            self._set("secret_key", None)
        elif len(_key_bytes(key)) < MIN_SECRET_BYTES:
            warnings.warn(
                f"secret_key is only {len(_key_bytes(key))} bytes long; use at least "
                f"{MIN_SECRET_BYTES} random bytes, e.g. from "
                "python -c 'import secrets; print(secrets.token_hex(32))'.",
                InsecureSecretWarning,
                stacklevel=_caller_stacklevel(),
            )
        if self.secret_key_fallbacks_file is not None:
            if self.secret_key_fallbacks:
                raise ValueError(
                    "secret_key_fallbacks and secret_key_fallbacks_file were both given; "
                    "pass only one."
                )
            self._set("secret_key_fallbacks", read_fallbacks_file(self.secret_key_fallbacks_file))
        fallbacks = self.secret_key_fallbacks
        if isinstance(fallbacks, str | bytes) or not isinstance(fallbacks, list | tuple):
            raise TypeError(
                "secret_key_fallbacks must be a list or tuple of keys (oldest first), got "
                f"a {type(fallbacks).__name__}; wrap a single old key as [old_key]."
            )
        for index, old in enumerate(fallbacks):
            if not isinstance(old, str | bytes) or not old:
                raise TypeError(
                    f"secret_key_fallbacks[{index}] must be a non-empty str or bytes, "
                    f"got a {type(old).__name__}."
                )
        self._set("secret_key_fallbacks", tuple(fallbacks))
        check_fallback_lengths(fallbacks, MIN_SECRET_BYTES, _caller_stacklevel())

    def _check_keyring(self) -> None:
        from .keyring import KeyRing

        if self.keyring_file is not None:
            if self.keyring is not None:
                raise ValueError("keyring and keyring_file were both given; pass only one.")
            self._set("keyring", KeyRing.from_file(self.keyring_file))
        if self.keyring is not None and not isinstance(self.keyring, KeyRing):
            raise TypeError(
                f"keyring must be a sessionware.KeyRing, got {type(self.keyring).__name__}; "
                "load one with KeyRing.from_file(path)."
            )

    def _check_cookie_attributes(self) -> None:
        name = self.cookie_name
        if not _TOKEN.match(name):
            raise ValueError(
                f"cookie_name={name!r} is not a valid cookie name; use letters, digits "
                "and !#$%&'*+-.^_`|~ only (no spaces, ';', ',', '=' or quotes)."
            )
        domain = self.cookie_domain
        if domain is not None:
            if not isinstance(domain, str):
                raise TypeError(f"cookie_domain must be a str or None, got {domain!r}.")
            if _UNSAFE.search(domain) or ":" in domain:
                raise ValueError(
                    f"cookie_domain={domain!r} contains a character that is not allowed "
                    "(';', ',', ':', whitespace or control); give a bare host name such "
                    "as 'example.com'."
                )
            domain = domain.lstrip(".").encode("idna").decode("ascii") or None
            self._set("cookie_domain", domain)
        path = self.cookie_path
        if _UNSAFE.search(path) or not path.startswith("/"):
            raise ValueError(
                f"cookie_path={path!r} must start with '/' and contain no ';', ',', "
                "whitespace or control characters."
            )
        samesite = self.cookie_samesite
        if samesite is not None:
            if not isinstance(samesite, str) or samesite.lower() not in _SAMESITE:
                raise ValueError(
                    f"cookie_samesite={samesite!r} is not allowed; use 'Strict', 'Lax', "
                    "'None' or None (to leave the attribute out)."
                )
            self._set("cookie_samesite", _SAMESITE[samesite.lower()])
        insecure = not self.cookie_secure
        if insecure and self.cookie_samesite == "None":
            raise ValueError(
                "cookie_samesite='None' requires cookie_secure=True; browsers reject "
                "SameSite=None cookies that are not Secure."
            )
        if insecure and self.cookie_partitioned:
            raise ValueError(
                "cookie_partitioned=True requires cookie_secure=True; browsers reject "
                "Partitioned cookies that are not Secure."
            )
        if name.startswith("__Host-") and (
            insecure or self.cookie_path != "/" or self.cookie_domain
        ):
            raise ValueError(
                f"cookie_name={name!r} uses the __Host- prefix, which browsers accept only "
                "with cookie_secure=True, cookie_path='/' and cookie_domain=None."
            )
        if name.startswith("__Secure-") and insecure:
            raise ValueError(
                f"cookie_name={name!r} uses the __Secure- prefix, which browsers accept "
                "only with cookie_secure=True."
            )

    def _check_lifetime(self) -> None:
        lifetime: Any = self.permanent_lifetime
        if isinstance(lifetime, int | float) and not isinstance(lifetime, bool):
            # inf, nan and huge numbers do not fit a timedelta: the checks below say why.
            if abs(lifetime) < 1e15:
                lifetime = timedelta(seconds=lifetime)
            else:
                lifetime = timedelta(0) if lifetime < 0 else None
        if lifetime is None or (isinstance(lifetime, timedelta) and lifetime > MAX_LIFETIME):
            # Expiry dates are datetimes, which end in the year 9999: a longer lifetime
            # would pass here and then fail every permanent save.
            raise ValueError(
                f"permanent_lifetime={self.permanent_lifetime!r} is over 100 years (or not "
                "a finite number), past what expiry dates can hold; give at most "
                "timedelta(days=36500) (browsers keep a cookie at most 400 days anyway)."
            )
        if not isinstance(lifetime, timedelta):
            raise TypeError(
                "permanent_lifetime must be a datetime.timedelta or a number of seconds, "
                f"got {self.permanent_lifetime!r}."
            )
        if lifetime.total_seconds() < 1:
            raise ValueError(
                f"permanent_lifetime={self.permanent_lifetime!r} must be at least one "
                "second; cookies older than it are refused."
            )
        self._set("permanent_lifetime", lifetime)

    @cached_property
    def idle_seconds(self) -> int | None:
        """``idle_timeout`` in whole seconds, or ``None`` when it is off."""
        return _whole_seconds(self.idle_timeout)

    @cached_property
    def absolute_seconds(self) -> int | None:
        """``absolute_timeout`` in whole seconds, or ``None`` when it is off."""
        return _whole_seconds(self.absolute_timeout)

    def __repr__(self) -> str:
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if f.repr)
        secret = "set" if self.secret_key else "unset"
        ring = "" if self.keyring is None else f"keyring=<{len(self.keyring.keys)} keys>, "
        return (
            f"SessionConfig(secret_key=<{secret}>, "
            f"secret_key_fallbacks=<{len(self.secret_key_fallbacks)} keys>, {ring}{shown})"
        )

    @cached_property
    def lifetime_seconds(self) -> int:
        """``permanent_lifetime`` in whole seconds: the oldest cookie accepted."""
        lifetime = self.permanent_lifetime
        return int(lifetime.total_seconds() if isinstance(lifetime, timedelta) else lifetime)

    @cached_property
    def clock_skew_seconds(self) -> int:
        """``clock_skew`` in whole seconds: how far ahead a cookie may be dated."""
        skew = self.clock_skew
        return int(skew.total_seconds() if isinstance(skew, timedelta) else skew)

    @cached_property
    def cookie_max_age(self) -> int:
        """The ``Max-Age`` sent with permanent cookies: the lifetime, capped at 400 days."""
        return min(self.lifetime_seconds, MAX_COOKIE_AGE)

    @cached_property
    def cookie_attributes(self) -> tuple[str, str]:
        """The fixed parts of ``Set-Cookie``: what goes before ``Expires`` and after it.

        Built once so that no request pays for formatting them; the order matches
        werkzeug's ``dump_cookie``.
        """
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
        source = os.environ if environ is None else environ
        found = {
            name[len(prefix) :].lower(): value
            for name, value in source.items()
            if name.startswith(prefix)
        }
        settings = parse_settings(found, describe=lambda key: f"{prefix}{key.upper()}")
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
