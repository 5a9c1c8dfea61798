"""The ``config=`` or settings, ``interface=`` arguments every entry point takes.

``SessionMiddleware``, the Flask interface and the Pyramid factory accept the same three
things; checking them here keeps their mistakes failing with one set of messages.

Both ``SessionMiddleware`` classes (WSGI and ASGI) built with no settings at all (no
``config=`` and no setting keyword; ``interface=`` is no setting) take them from the
``SESSIONWARE_*`` environment variables (:func:`middleware_config`). Any setting passed
means the environment is not read at all, so an explicit argument always wins and a
variable never half-applies.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sessionware.config.settings import SessionConfig

from .base import SessionInterface

__all__ = ["awaits_store", "check_arguments", "middleware_config", "no_key_message"]


def check_arguments(config: object, interface: object, settings: Mapping[str, Any]) -> None:
    """Fail now, naming the argument, if ``config``, ``interface`` or ``settings`` are off.

    :raises TypeError: both a config and settings, a config that is no
        :class:`~sessionware.SessionConfig`, or an interface that is no sessionware
        :class:`~sessionware.SessionInterface` (a framework's own interface of that name
        is not one).
    """
    if config is not None and settings:
        raise TypeError(
            f"pass either config= or settings ({', '.join(sorted(settings))}), not both."
        )
    if config is not None and not isinstance(config, SessionConfig):
        raise TypeError(f"config must be a SessionConfig, got {type(config).__name__}.")
    if interface is not None and not isinstance(interface, SessionInterface):
        raise TypeError(
            f"interface must be a SessionInterface, got {type(interface).__name__}: pass a "
            "sessionware SessionInterface, such as SecureCookieSessionInterface()."
        )


def middleware_config(config: SessionConfig | None, settings: Mapping[str, Any]) -> SessionConfig:
    """The middleware's config: ``config``, else ``settings``, else the environment.

    Read once, when the middleware is built; requests never look at the environment.

    :raises ValueError: with neither ``config`` nor ``settings``, a ``SESSIONWARE_*``
        variable naming no setting, or holding a bad value.
    """
    if config is not None:
        return config
    if settings:
        return SessionConfig(**settings)
    return SessionConfig.from_env()


def no_key_message(read_env: bool) -> str:
    """The start-up warning of a middleware with no key, saying where a key can come from."""
    head = (
        "SessionMiddleware has no secret key: handlers get a read-only empty session. "
        "Pass secret_key=... "
    )
    if read_env:
        return head + (
            "or set SESSIONWARE_SECRET_KEY (or SESSIONWARE_KEYRING_FILE) in the environment, "
            "which is read when SessionMiddleware is given no settings."
        )
    return head + (
        "(SESSIONWARE_* environment variables are not read when settings or config= are "
        "passed; to combine both, pass config=SessionConfig.from_env(**settings))."
    )


def awaits_store(interface: SessionInterface) -> bool:
    """Whether an asyncio adapter must run ``interface`` under ``run_awaiting``.

    That is, whether its store calls are coroutines
    (:class:`~sessionware.serverside.awaiting.AsyncServerSideSessionInterface`).

    :raises TypeError: the interface calls a sync store that is not in this process
        (``RedisStore``, ``SQLStore``): every call would block the event loop.
    """
    if getattr(interface, "awaits_store", False):
        return True
    store = getattr(interface, "store", None)
    if store is not None and not store.process_local:
        raise TypeError(
            f"{type(interface).__name__} on {type(store).__name__} would block the "
            "event loop on every store call; use AsyncServerSideSessionInterface with "
            "AsyncRedisStore or AsyncSQLStore (sessionware.stores.aioredis, .aiosql)."
        )
    return False
