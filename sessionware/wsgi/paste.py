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

from sessionware.config._ini import config_from_options

from .middleware import SessionMiddleware, WSGIApp

__all__ = ["filter_app_factory"]


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
    config = config_from_options(local_conf, lambda name: f"{name} (in the ini file)")
    return SessionMiddleware(app, config)
