"""Pyramid integration: ``request.session`` is a sessionware session.

::

    from sessionware.pyramid import session_factory

    config.set_session_factory(session_factory(secret_key=SECRET))

or, from the ini settings (``sessionware.cookie_secure = true``, secrets from
``SESSIONWARE_*`` variables), ``config.include("sessionware.pyramid")``. The session
provides Pyramid's ``ISession`` and is the one signed cookie (or store record) that
Flask and plain WSGI apps with the same secret read. Needs the ``pyramid`` extra
(``pip install sessionware[pyramid]``); ``import sessionware`` alone never imports
Pyramid.
"""

from ._factory import MiddlewareMissing as MiddlewareMissing
from ._factory import SessionFactory as SessionFactory
from ._factory import session_factory as session_factory
from ._include import PREFIX as PREFIX
from ._include import factory_from_settings as factory_from_settings
from ._include import includeme as includeme
from ._session import CREATED_KEY as CREATED_KEY
from ._session import CSRF_KEY as CSRF_KEY
from ._session import DEFAULT_FLASH_QUEUE as DEFAULT_FLASH_QUEUE
from ._session import FLASH_KEY as FLASH_KEY
from ._session import PyramidSession as PyramidSession

__all__ = [
    "CREATED_KEY",
    "CSRF_KEY",
    "DEFAULT_FLASH_QUEUE",
    "FLASH_KEY",
    "PREFIX",
    "MiddlewareMissing",
    "PyramidSession",
    "SessionFactory",
    "factory_from_settings",
    "includeme",
    "session_factory",
]
