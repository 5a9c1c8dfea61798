"""Sessions for ASGI 3 apps (Starlette, FastAPI, any ASGI framework).

Pure ASGI: nothing here imports an ASGI library. ``pip install sessionware[asgi]``.
"""

from ._session import ASGISession as ASGISession
from .middleware import SessionMiddleware as SessionMiddleware
from .starlette import StarletteCompatInterface as StarletteCompatInterface

__all__ = ["ASGISession", "SessionMiddleware", "StarletteCompatInterface"]
