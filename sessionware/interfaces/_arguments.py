"""The ``config=`` or settings, ``interface=`` arguments every entry point takes.

``SessionMiddleware``, the Flask interface and the Pyramid factory accept the same three
things; checking them here keeps their mistakes failing with one set of messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sessionware.config.settings import SessionConfig

from .base import SessionInterface

__all__ = ["check_arguments"]


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
