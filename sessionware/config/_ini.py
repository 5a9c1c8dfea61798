"""Settings from a deployment file, completed by ``SESSIONWARE_*`` variables.

Shared by the PasteDeploy filter and the Pyramid ``includeme``: options written in the
file win, and every setting the file leaves out, secrets included, comes from the
environment, so the secret key can stay out of the file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping

from ._text import parse_settings
from .settings import SessionConfig

__all__ = ["config_from_options"]

ENV_PREFIX = "SESSIONWARE_"
# Either one names the secret key: a file giving one must hide the other's variable,
# or the two would clash.
_KEY_SOURCES = ("secret_key", "secret_key_file")
# The same for the fallback keys.
_FALLBACK_SOURCES = ("secret_key_fallbacks", "secret_key_fallbacks_file")


def config_from_options(
    options: Mapping[str, str],
    describe: Callable[[str], str],
    environ: Mapping[str, str] | None = None,
) -> SessionConfig:
    """Build a config from text ``options``, the rest from ``SESSIONWARE_*`` variables.

    :param options: setting names (``cookie_secure``) to their text values.
    :param describe: how the file spells a setting, for error messages.
    :param environ: the environment; :data:`os.environ` by default.
    :raises ValueError: an unknown setting or a bad value, in the file or the environment.
    """
    # Parsed as SessionConfig.from_strings parses, but not validated on its own: a
    # combination may be completed by the environment (SameSite=None with
    # SESSIONWARE_COOKIE_SECURE=true).
    given = parse_settings(options, describe=describe)
    source: Mapping[str, str] = os.environ if environ is None else environ
    hidden = {
        f"{ENV_PREFIX}{name.upper()}"
        for sources in (_KEY_SOURCES, _FALLBACK_SOURCES)
        if any(name in options for name in sources)
        for name in sources
    }
    if hidden:
        source = {name: value for name, value in source.items() if name not in hidden}
    return SessionConfig.from_env(ENV_PREFIX, environ=source, **given)
