"""The WSGI adapter: :class:`SessionMiddleware`, and a PasteDeploy filter in ``paste``.

``middleware`` is the only module of sessionware that knows ``start_response``.
"""

from .middleware import SessionMiddleware as SessionMiddleware

__all__ = ["SessionMiddleware"]
