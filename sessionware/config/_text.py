"""Turning settings given as text (environment variables, ini files) into values."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ._fallbacks import parse_fallbacks

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}

_TEXT = (
    "environ_key",
    "cookie_name",
    "cookie_path",
    "secret_key_file",
    "secret_key_fallbacks_file",
    "keyring_file",
)
_OPTIONAL_TEXT = ("secret_key", "cookie_domain", "cookie_samesite")
_FLAGS = ("cookie_secure", "cookie_httponly", "cookie_partitioned", "refresh_each_request")
_NUMBERS = ("permanent_lifetime", "max_cookie_size", "clock_skew", "max_payload_size", "max_chunks")
# Numbers of seconds, which may have a fraction; the other numbers are counts.
_SECONDS = ("permanent_lifetime", "clock_skew")
_UNITS = {"max_chunks": "cookies"}
_SECRET = (
    "secret_key",
    "secret_key_fallbacks",
    "secret_key_file",
    "secret_key_fallbacks_file",
    "keyring_file",
)
# Seconds, or empty / "none" / "off" for None.
_OPTIONAL_SECONDS = ("idle_timeout", "absolute_timeout")
KNOWN = frozenset(
    (*_TEXT, *_OPTIONAL_TEXT, *_FLAGS, *_NUMBERS, *_OPTIONAL_SECONDS, "secret_key_fallbacks")
)


def parse_env(prefix: str, environ: Mapping[str, str]) -> dict[str, Any]:
    """Parse the ``{prefix}{SETTING}`` variables of ``environ`` as :func:`parse_settings` does.

    A variable with the prefix that names no setting is an error, named as written.
    """
    found = {
        name[len(prefix) :].lower(): value
        for name, value in environ.items()
        if name.startswith(prefix)
    }
    return parse_settings(found, describe=lambda key: f"{prefix}{key.upper()}")


def parse_settings(values: Mapping[str, str], describe: Callable[[str], str]) -> dict[str, Any]:
    """Parse text settings into :class:`~sessionware.SessionConfig` keyword arguments.

    ``describe`` names a setting as the user wrote it (an environment variable, an ini
    option), for error messages. Secret values never appear in a message.
    """
    unknown = sorted(key for key in values if key not in KNOWN)
    if unknown:
        raise ValueError(
            f"unknown session setting(s) {', '.join(describe(k) for k in unknown)}; "
            f"the settings are: {', '.join(describe(k) for k in sorted(KNOWN))}."
        )
    settings: dict[str, Any] = {}
    for key, raw in values.items():
        text = raw.strip()
        shown = "<hidden>" if key in _SECRET else repr(raw)
        if key in _TEXT:
            settings[key] = text
        elif key in _OPTIONAL_TEXT:
            settings[key] = text or None
        elif key == "secret_key_fallbacks":
            settings[key] = parse_fallbacks(raw, describe(key))
        elif key in _FLAGS:
            if text.lower() not in _TRUE | _FALSE:
                raise ValueError(f"{describe(key)}={shown} is not a boolean; use true or false.")
            settings[key] = text.lower() in _TRUE
        elif key in _OPTIONAL_SECONDS:
            if text.lower() in ("", "none", "off"):
                settings[key] = None
                continue
            try:
                settings[key] = float(text)
            except ValueError:
                raise ValueError(
                    f"{describe(key)}={shown} is not a number; give a number of seconds, "
                    "or none to turn it off."
                ) from None
        else:
            try:
                number = float(text) if key in _SECONDS else int(text)
            except ValueError:
                unit = "seconds" if key in _SECONDS else _UNITS.get(key, "bytes")
                raise ValueError(
                    f"{describe(key)}={shown} is not a number; give a number of {unit}."
                ) from None
            settings[key] = number
    return settings
