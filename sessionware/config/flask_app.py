"""Flask's session settings, turned into a :class:`~sessionware.SessionConfig`.

Read where Flask's own ``SecureCookieSessionInterface`` reads each one: the secret key
and the permanent lifetime from the app's ``secret_key`` and
``permanent_session_lifetime`` attributes (an app class may set them directly, which
shadows ``app.config``), everything else from ``app.config``. It needs nothing of
Flask: it reads a mapping and two attributes, so it sits in this layer, below the
framework integrations that share it (:mod:`sessionware.flask` and
:mod:`sessionware.quart`, whose apps have the same attributes and keys), and it is
tested and cached without an app.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import fields
from datetime import timedelta
from typing import Any

from .settings import SessionConfig

__all__ = ["APP_ATTRIBUTES", "FLASK_KEYS", "FlaskConfigReader"]

#: Each sessionware setting and the Flask config key it is read from.
FLASK_KEYS: dict[str, str] = {
    "secret_key": "SECRET_KEY",
    "secret_key_fallbacks": "SECRET_KEY_FALLBACKS",
    "cookie_name": "SESSION_COOKIE_NAME",
    "cookie_domain": "SESSION_COOKIE_DOMAIN",
    "cookie_path": "SESSION_COOKIE_PATH",
    "cookie_httponly": "SESSION_COOKIE_HTTPONLY",
    "cookie_secure": "SESSION_COOKIE_SECURE",
    "cookie_samesite": "SESSION_COOKIE_SAMESITE",
    "cookie_partitioned": "SESSION_COOKIE_PARTITIONED",
    "permanent_lifetime": "PERMANENT_SESSION_LIFETIME",
    "refresh_each_request": "SESSION_REFRESH_EACH_REQUEST",
    "max_cookie_size": "MAX_COOKIE_SIZE",
}
#: The keys Flask's interface reads through an app attribute instead of ``app.config``
#: (Flask's ``ConfigAttribute``; a class attribute of the same name shadows the config).
APP_ATTRIBUTES: dict[str, str] = {
    "SECRET_KEY": "secret_key",
    "PERMANENT_SESSION_LIFETIME": "permanent_session_lifetime",
}
# Read too: SESSION_COOKIE_PATH falls back to it, as in Flask.
_APPLICATION_ROOT = "APPLICATION_ROOT"
# The attribute-read keys first: for_app() puts the attributes' values in their place.
_CONFIG_ONLY = tuple(key for key in FLASK_KEYS.values() if key not in APP_ATTRIBUTES)
_READ = (*APP_ATTRIBUTES, *_CONFIG_ONLY, _APPLICATION_ROOT)
_READ_FROM_CONFIG = (*_CONFIG_ONLY, _APPLICATION_ROOT)
#: Flask's defaults, for a config that lacks a key (a plain dict in a test).
_FLASK_DEFAULTS: dict[str, Any] = {
    "SECRET_KEY": None,
    "SECRET_KEY_FALLBACKS": None,
    "SESSION_COOKIE_NAME": "session",
    "SESSION_COOKIE_DOMAIN": None,
    "SESSION_COOKIE_PATH": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SECURE": False,
    "SESSION_COOKIE_SAMESITE": None,
    "SESSION_COOKIE_PARTITIONED": False,
    "PERMANENT_SESSION_LIFETIME": timedelta(days=31),
    "SESSION_REFRESH_EACH_REQUEST": True,
    "MAX_COOKIE_SIZE": 4093,
    "APPLICATION_ROOT": "/",
}
SETTINGS = frozenset(f.name for f in fields(SessionConfig))
# Distinct configurations kept at once; Flask's own tests switch between a handful.
_CACHE_SIZE = 8


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


class FlaskConfigReader:
    """Builds the :class:`~sessionware.SessionConfig` that a Flask config describes.

    Flask reads its session settings from ``app.config`` on every request, so a change
    between requests takes effect; so does this, but a config is only built (and
    validated) when one of the keys it reads has changed since: the values read are
    the cache key.

    :param overrides: sessionware settings that win over ``app.config``.
    :raises TypeError: an override names no :class:`~sessionware.SessionConfig` setting.
    """

    def __init__(self, overrides: Mapping[str, Any] | None = None) -> None:
        self.overrides = dict(overrides or {})
        unknown = sorted(set(self.overrides) - SETTINGS)
        if unknown:
            raise TypeError(
                f"unknown session setting(s) {', '.join(unknown)}; the settings are: "
                f"{', '.join(sorted(SETTINGS))}."
            )
        self._cache: dict[tuple[Any, ...], SessionConfig] = {}
        # Only a cache miss takes it: threads that change the cache take turns.
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"<FlaskConfigReader overrides={sorted(self.overrides)}>"

    def for_app(self, app: Any) -> SessionConfig:
        """The session config of a Flask (or Quart) app as it is now.

        ``app.secret_key`` and ``app.permanent_session_lifetime`` are read as
        attributes, the rest from ``app.config``: exactly where Flask's own
        ``SecureCookieSessionInterface`` reads each setting.

        :raises ValueError: a setting holds a value sessionware refuses; the message
            names the Flask key.
        :raises TypeError: likewise, for a value of the wrong type.
        """
        values = map(app.config.get, _READ_FROM_CONFIG)
        return self._lookup((app.secret_key, app.permanent_session_lifetime, *values))

    def config(self, flask_config: Mapping[str, Any]) -> SessionConfig:
        """The session config for ``flask_config`` (Flask's ``app.config``) as it is now.

        Reads every setting from the mapping; :meth:`for_app` reads an app as Flask does.

        :raises ValueError: a key holds a value sessionware refuses; the message names
            the Flask key.
        :raises TypeError: likewise, for a value of the wrong type.
        """
        # Flask's app.config holds every key; a plain mapping may lack some, and a
        # missing key (None) reads as Flask's default in _build().
        return self._lookup(tuple(map(flask_config.get, _READ)))

    def _lookup(self, key: tuple[Any, ...]) -> SessionConfig:
        """The config for the values read (in :data:`_READ` order), built on a miss."""
        try:
            config = self._cache.get(key)
        except TypeError:  # a list (SECRET_KEY_FALLBACKS) cannot be hashed: use a tuple
            key = tuple(map(_hashable, key))
            config = self._cache.get(key)
        if config is None:
            config = self._build(dict(zip(_READ, key, strict=True)))
            with self._lock:
                if len(self._cache) >= _CACHE_SIZE:
                    # Drop the oldest entry: dicts keep insertion order.
                    del self._cache[next(iter(self._cache))]
                self._cache[key] = config
        return config

    def _build(self, read: dict[str, Any]) -> SessionConfig:
        values = {
            name: _FLASK_DEFAULTS[name] if value is None else value for name, value in read.items()
        }
        settings: dict[str, Any] = {
            setting: values[flask_key] for setting, flask_key in FLASK_KEYS.items()
        }
        # Flask's get_cookie_path(): SESSION_COOKIE_PATH, else APPLICATION_ROOT.
        settings["cookie_path"] = values["SESSION_COOKIE_PATH"] or values[_APPLICATION_ROOT]
        # Flask treats any false value as "no Domain attribute" and no fallback keys.
        settings["cookie_domain"] = values["SESSION_COOKIE_DOMAIN"] or None
        settings["secret_key_fallbacks"] = tuple(values["SECRET_KEY_FALLBACKS"] or ())
        lifetime = values["PERMANENT_SESSION_LIFETIME"]
        if isinstance(lifetime, int) and not isinstance(lifetime, bool):
            # Flask's permanent_session_lifetime accepts seconds as an int.
            settings["permanent_lifetime"] = timedelta(seconds=lifetime)
        settings.update(self.overrides)
        try:
            return SessionConfig(**settings)
        except (TypeError, ValueError) as exc:
            matches = [
                name
                for name in FLASK_KEYS
                if name not in self.overrides and str(exc).startswith(name)
            ]
            if not matches:
                raise
            name = max(matches, key=len)
            flask_key = FLASK_KEYS[name]
            source = f"app.config[{flask_key!r}]"
            attribute = APP_ATTRIBUTES.get(flask_key)
            if attribute is not None:
                source = f"app.{attribute} ({source})"
            raise type(exc)(f"{exc} (sessionware read {name} from {source}.)") from None
