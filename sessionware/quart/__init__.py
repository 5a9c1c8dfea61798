"""Quart integration: ``init_app(app)`` makes Quart's ``session`` a sessionware session.

``bridge`` holds the interface Quart calls (its methods are coroutines); the settings
are read by :mod:`sessionware.config.flask_app`, as for Flask, so the two frameworks
write the same cookie. Importing this package imports Quart
(``pip install sessionware[quart]``).
"""

from .bridge import QuartSessionInterface as QuartSessionInterface
from .bridge import init_app as init_app

__all__ = ["QuartSessionInterface", "init_app"]
