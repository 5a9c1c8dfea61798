"""Litestar integration: ``request.session`` through sessionware's ASGI middleware.

``middleware`` is the Litestar middleware; ``_handback`` turns Litestar's
``request.set_session()`` and ``request.clear_session()`` into changes of the session.
Importing this package imports Litestar (``pip install sessionware[litestar]``).
"""

from .middleware import SessionMiddleware as SessionMiddleware

__all__ = ["SessionMiddleware"]
