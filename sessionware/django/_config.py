"""sessionware's settings for the Django engines, read once from Django's settings.

Django's ``SECRET_KEY``, ``SECRET_KEY_FALLBACKS`` and ``SESSION_COOKIE_*`` become one
:class:`~sessionware.SessionConfig`; a ``SESSIONWARE`` dict in the settings overrides
them (a deployment that shares its login with Flask sets the shared key there). The
result is built once and rebuilt when a test changes a setting it depends on.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any, Literal

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed

from sessionware.config.settings import SessionConfig
from sessionware.interfaces.base import SessionInterface

__all__ = ["Engine", "EngineState", "check_at_import", "load", "register", "reset"]

Engine = Literal["cookie", "store"]

#: SessionConfig field -> the Django setting it comes from.
FROM_DJANGO = {
    "secret_key": "SECRET_KEY",
    "secret_key_fallbacks": "SECRET_KEY_FALLBACKS",
    "cookie_name": "SESSION_COOKIE_NAME",
    "cookie_domain": "SESSION_COOKIE_DOMAIN",
    "cookie_path": "SESSION_COOKIE_PATH",
    "cookie_secure": "SESSION_COOKIE_SECURE",
    "cookie_httponly": "SESSION_COOKIE_HTTPONLY",
    "cookie_samesite": "SESSION_COOKIE_SAMESITE",
    "permanent_lifetime": "SESSION_COOKIE_AGE",
}
# Django's SessionMiddleware writes the cookie from these Django settings, so a
# different value in SESSIONWARE could never take effect: it is refused instead.
_WRITTEN_BY_DJANGO = (
    "cookie_name",
    "cookie_domain",
    "cookie_path",
    "cookie_secure",
    "cookie_httponly",
    "cookie_samesite",
)
_SECRETS = ("secret_key", "secret_key_fallbacks", "secret_key_file")
_CONFIG_KEYS = frozenset(f.name for f in fields(SessionConfig)) - {"environ_key"}
_OPTIONS: dict[str, frozenset[str]] = {
    "cookie": frozenset({"salt", "digest_method"}),
    "store": frozenset({"salt", "store_url", "store_options", "touch_interval", "max_retries"}),
}
_DEFAULT_SERIALIZER = "django.contrib.sessions.serializers.JSONSerializer"
_RELEVANT = frozenset(
    {"SECRET_KEY", "SECRET_KEY_FALLBACKS", "SESSIONWARE", "SESSIONWARE_STORE_URL"}
    | set(FROM_DJANGO.values())
    | {"SESSION_SERIALIZER", "USE_TZ"}
)


@dataclass(frozen=True)
class EngineState:
    """What an engine's session stores share: the config and the interface built on it."""

    config: SessionConfig
    interface: SessionInterface


Builder = Callable[[SessionConfig, Mapping[str, Any]], SessionInterface]
#: Called with an engine's interface when a setting change drops it.
Releaser = Callable[[SessionInterface], None]

_states: dict[str, EngineState] = {}
_builders: dict[str, Builder] = {}
_releasers: dict[str, Releaser] = {}
_lock = threading.Lock()


def register(engine: Engine, builder: Builder, release: Releaser | None = None) -> None:
    """Tell :func:`load` how ``engine`` builds its interface from the config and options.

    ``release`` is called with the interface :func:`reset` drops; it decides what of
    it to close (a store that the new settings still name is kept, not closed).
    """
    _builders[engine] = builder
    if release is not None:
        _releasers[engine] = release


def load(engine: Engine) -> EngineState:
    """Return ``engine``'s config and interface, building them on first use.

    :raises ImproperlyConfigured: a setting is wrong; the message names the setting,
        its value (never a secret's) and the fix.
    """
    state = _states.get(engine)
    if state is None:
        with _lock:
            state = _states.get(engine)
            if state is None:
                state = _build(engine)
                _states[engine] = state
    return state


def check_at_import(engine: Engine, module: str) -> None:
    """Build ``engine``'s config now if Django is configured to use ``module``.

    Django imports the engine when it loads its middleware, at start-up: a wrong
    setting then stops the server with the setting's name and the fix, rather than
    failing the first request. Imported otherwise (for another engine, or before the
    settings are set up), nothing is checked until first use.
    """
    if settings.configured and getattr(settings, "SESSION_ENGINE", None) == module:
        load(engine)


def reset(**kwargs: Any) -> None:
    """Forget the built configs when a setting they depend on changes (tests do that).

    Each engine's releaser then decides what of the old interface to close: the store
    engine keeps its store while its URL and options are unchanged, so a test that
    changes only ``SECRET_KEY`` keeps the sessions of a ``memory://`` store.
    """
    if kwargs.get("setting", "SESSIONWARE") not in _RELEVANT:
        return
    with _lock:
        old = list(_states.items())
        _states.clear()
    for engine, state in old:
        release = _releasers.get(engine)
        if release is not None:
            release(state.interface)


setting_changed.connect(reset, dispatch_uid="sessionware.django.reset")


def _build(engine: Engine) -> EngineState:
    overrides = getattr(settings, "SESSIONWARE", {})
    if not isinstance(overrides, Mapping):
        raise ImproperlyConfigured(
            f"SESSIONWARE must be a dict of sessionware settings, got a "
            f"{type(overrides).__name__}; for example SESSIONWARE = {{'secret_key': ...}}."
        )
    allowed = _CONFIG_KEYS | _OPTIONS[engine]
    unknown = sorted(str(key) for key in overrides if key not in allowed)
    if unknown:
        raise ImproperlyConfigured(
            f"SESSIONWARE has unknown key(s) {', '.join(map(repr, unknown))} for "
            f"SESSION_ENGINE='sessionware.django.{engine}'; the keys are: "
            f"{', '.join(sorted(allowed))}."
        )
    serializer = getattr(settings, "SESSION_SERIALIZER", _DEFAULT_SERIALIZER)
    if serializer != _DEFAULT_SERIALIZER:
        raise ImproperlyConfigured(
            f"SESSION_SERIALIZER={serializer!r} is not used by sessionware's engines, which "
            "store tagged JSON (Flask's format); remove the setting."
        )
    values = _from_django(overrides)
    for key, value in overrides.items():
        if key in _WRITTEN_BY_DJANGO and _norm(key, value) != _norm(key, values[key]):
            setting = FROM_DJANGO[key]
            raise ImproperlyConfigured(
                f"SESSIONWARE[{key!r}]={value!r} differs from {setting}={values[key]!r}. "
                f"Django's SessionMiddleware writes the session cookie from {setting}, so "
                f"set {setting} = {value!r} instead and remove {key!r} from SESSIONWARE."
            )
    if overrides.get("cookie_partitioned"):
        raise ImproperlyConfigured(
            "SESSIONWARE['cookie_partitioned']=True cannot take effect: Django's "
            "SessionMiddleware writes the session cookie and has no Partitioned setting; "
            "remove it from SESSIONWARE."
        )
    values.update((k, v) for k, v in overrides.items() if k in _CONFIG_KEYS)
    try:
        config = SessionConfig(**values)
    except (TypeError, ValueError) as exc:
        raise ImproperlyConfigured(_explain(str(exc), overrides)) from None
    if not config.secret_key:
        raise ImproperlyConfigured(
            "sessionware's Django engines need a secret key, and the one configured is "
            "empty; set SECRET_KEY (or SESSIONWARE['secret_key'] for a key shared with "
            "other apps)."
        )
    options = {k: v for k, v in overrides.items() if k in _OPTIONS[engine]}
    if engine not in _builders:
        # The engine module registers its builder when imported.
        importlib.import_module(f"sessionware.django.{engine}")
    try:
        interface = _builders[engine](config, options)
    except (TypeError, ValueError) as exc:
        raise ImproperlyConfigured(
            f"SESSION_ENGINE='sessionware.django.{engine}' cannot be built: {exc}"
        ) from None
    return EngineState(config, interface)


def _from_django(overrides: Mapping[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    own_key = "secret_key" in overrides or "secret_key_file" in overrides
    for key, setting in FROM_DJANGO.items():
        if key in _SECRETS and own_key:
            # A key of its own (shared with Flask, say) does not inherit Django's
            # fallbacks: those are old values of Django's key, not of this one.
            continue
        values[key] = getattr(settings, setting)
    if values["cookie_samesite"] is False:
        values["cookie_samesite"] = None
    if isinstance(values.get("secret_key_fallbacks"), list):
        values["secret_key_fallbacks"] = tuple(values["secret_key_fallbacks"])
    return values


def _norm(key: str, value: Any) -> Any:
    if key == "cookie_samesite":
        return str(value).lower() if value else None
    if key == "cookie_domain" and isinstance(value, str):
        return value.lstrip(".").lower() or None
    return value


def _explain(message: str, overrides: Mapping[str, Any]) -> str:
    sources = [
        f"{key} is SESSIONWARE[{key!r}]" if key in overrides else f"{key} is {setting}"
        for key, setting in FROM_DJANGO.items()
        if key in message
    ]
    where = f" (here {', '.join(sources)})" if sources else ""
    return f"The session settings cannot be used{where}: {message}"
