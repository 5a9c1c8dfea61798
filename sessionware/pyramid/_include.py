"""``config.include("sessionware.pyramid")``: the session factory from ini settings."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pyramid.path import DottedNameResolver

from sessionware.config._ini import ENV_PREFIX, config_from_options
from sessionware.config._text import _FALSE, _TRUE
from sessionware.interfaces.base import SessionInterface

from ._factory import SessionFactory, session_factory

if TYPE_CHECKING:
    from pyramid.config import Configurator

__all__ = ["PREFIX", "factory_from_settings", "includeme"]

#: The prefix of sessionware's keys in the Pyramid settings (the ini's app section).
PREFIX = "sessionware."


def includeme(config: Configurator) -> None:
    """Set the session factory from the ``sessionware.*`` settings.

    Called by ``config.include("sessionware.pyramid")`` (or ``pyramid.includes =
    sessionware.pyramid`` in the ini). See :func:`factory_from_settings`.
    """
    config.set_session_factory(factory_from_settings(config.get_settings() or {}, config))


def factory_from_settings(
    settings: Mapping[str, Any], config: Configurator | None = None
) -> SessionFactory:
    """Build the session factory from Pyramid settings named ``sessionware.*``.

    ``sessionware.<setting>`` is any :class:`~sessionware.SessionConfig` setting, as
    text (``sessionware.cookie_secure = true``). A setting left out is read from its
    ``SESSIONWARE_*`` environment variable, so the secret key can stay out of the ini.
    Two more keys: ``sessionware.interface``, a dotted name (``myapp.sessions:interface``)
    of a :class:`~sessionware.SessionInterface` or of a callable returning one; and
    ``sessionware.from_middleware = true`` to use the session of a
    :class:`~sessionware.SessionMiddleware` around the app.

    :param config: the app's configurator: ``sessionware.interface`` may be relative to
        its package.
    :raises ValueError: an unknown setting, a bad value or no secret key, naming it.
    """
    options = {
        key[len(PREFIX) :]: value if isinstance(value, str) else str(value)
        for key, value in settings.items()
        if key.startswith(PREFIX)
    }
    from_middleware = _flag(options.pop("from_middleware", "false"))
    name = options.pop("interface", None)
    interface = _resolve(name, config) if name is not None else None
    try:
        if from_middleware:
            environ_key = options.pop("environ_key", None) or os.environ.get(
                f"{ENV_PREFIX}ENVIRON_KEY", "session"
            )
            # Any other option is refused by session_factory, naming it.
            rest: dict[str, Any] = dict(options)
            return session_factory(
                interface=interface, from_middleware=True, environ_key=environ_key, **rest
            )
        session_config = config_from_options(options, lambda key: f"{PREFIX}{key}")
        return session_factory(session_config, interface=interface)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"In the Pyramid settings ({PREFIX}*, {ENV_PREFIX}*): {exc}") from None


def _flag(text: str) -> bool:
    value = text.strip().lower()
    if value not in _TRUE | _FALSE:
        raise ValueError(f"{PREFIX}from_middleware={text!r} is not a boolean; use true or false.")
    return value in _TRUE


def _resolve(name: str, config: Configurator | None) -> SessionInterface:
    shown = f"{PREFIX}interface={name!r}"
    try:
        # Relative names (".sessions:interface") are relative to the app's package,
        # not to this one, which config.include made the configurator's package.
        package = config.root_package if config is not None else None
        found: Any = DottedNameResolver(package).maybe_resolve(name.strip())
    except (ImportError, ValueError, AttributeError) as exc:
        raise ValueError(
            f"{shown} cannot be imported ({exc}); give the dotted name of a "
            "SessionInterface, such as 'myapp.sessions:interface'."
        ) from None
    if not isinstance(found, SessionInterface) and callable(found):
        found = found()
    if not isinstance(found, SessionInterface):
        raise TypeError(
            f"{shown} is a {type(found).__name__}, not a SessionInterface; point it at a "
            "SessionInterface instance or a callable that returns one."
        )
    return found
