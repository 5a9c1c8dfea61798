"""A PasteDeploy filter, for apps deployed from an ini file.

::

    [filter:session]
    use = egg:sessionware
    cookie_secure = true

    [pipeline:main]
    pipeline = session myapp

Options of the filter section are :class:`~sessionware.SessionConfig` settings, written
as text (``permanent_lifetime = 86400``). A setting the section leaves out is read from
its ``SESSIONWARE_*`` environment variable, so the secret key can stay out of the ini
file: set ``SESSIONWARE_SECRET_KEY`` (or ``SESSIONWARE_SECRET_KEY_FILE``) where the app
runs. PasteDeploy itself is not imported here.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from ._settings import parse_settings
from .config import SessionConfig
from .middleware import SessionMiddleware, WSGIApp

__all__ = ["filter_app_factory"]

_ENV_PREFIX = "SESSIONWARE_"
# Either one names the secret key: the ini giving one must hide the other's variable,
# or the two would clash.
_KEY_SOURCES = ("secret_key", "secret_key_file")
# The same for the fallback keys.
_FALLBACK_SOURCES = ("secret_key_fallbacks", "secret_key_fallbacks_file")


def filter_app_factory(
    app: WSGIApp, global_conf: dict[str, str], **local_conf: str
) -> SessionMiddleware:
    """Wrap ``app`` in :class:`~sessionware.SessionMiddleware` configured by the ini.

    The ``paste.filter_app_factory`` entry point ``main`` of the package.

    :param app: the next app of the pipeline.
    :param global_conf: the ini file's ``[DEFAULT]`` values; not read, so shared
        defaults cannot configure sessions by accident.
    :param local_conf: the filter section's options: session settings as text. Unknown
        names are an error.
    :raises ValueError: an unknown setting or a bad value, in the ini or the environment.
    """
    # Parsed as SessionConfig.from_strings parses, but not validated on its own: a
    # combination may be completed by the environment (SameSite=None with
    # SESSIONWARE_COOKIE_SECURE=true).
    given = parse_settings(local_conf, describe=lambda name: f"{name} (in the ini file)")
    environ: Mapping[str, str] = os.environ
    hidden = {
        f"{_ENV_PREFIX}{name.upper()}"
        for sources in (_KEY_SOURCES, _FALLBACK_SOURCES)
        if any(name in local_conf for name in sources)
        for name in sources
    }
    if hidden:
        environ = {name: value for name, value in os.environ.items() if name not in hidden}
    return SessionMiddleware(app, SessionConfig.from_env(_ENV_PREFIX, environ=environ, **given))
