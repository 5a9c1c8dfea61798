"""Flask integration: ``init_app(app)`` makes Flask's ``session`` a sessionware session.

``bridge`` holds the interfaces Flask calls; :mod:`sessionware.config.flask_app`
reads Flask's settings (Quart's integration shares it).
Importing this package imports Flask (``pip install sessionware[flask]``).
"""

from .bridge import FlaskNullSession as FlaskNullSession
from .bridge import FlaskSessionInterface as FlaskSessionInterface
from .bridge import MiddlewareMissing as MiddlewareMissing
from .bridge import MiddlewareSessionInterface as MiddlewareSessionInterface
from .bridge import init_app as init_app

__all__ = [
    "FlaskNullSession",
    "FlaskSessionInterface",
    "MiddlewareMissing",
    "MiddlewareSessionInterface",
    "init_app",
]
