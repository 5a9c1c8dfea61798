"""Sessions for ASGI 3 apps (Starlette, FastAPI, any ASGI framework).

Pure ASGI: nothing here imports an ASGI library. ``pip install sessionware[asgi]``.
"""

from typing import TYPE_CHECKING, Any

from ._session import ASGISession as ASGISession
from .middleware import SessionMiddleware as SessionMiddleware
from .starlette import StarletteCompatInterface as StarletteCompatInterface

if TYPE_CHECKING:
    from sessionware.serverside.awaiting import (
        AsyncServerSideSessionInterface as AsyncServerSideSessionInterface,
    )

__all__ = [
    "ASGISession",
    "AsyncServerSideSessionInterface",
    "SessionMiddleware",
    "StarletteCompatInterface",
]


def __getattr__(name: str) -> Any:
    # Server-side sessions on async stores need greenlet: imported on first use.
    if name == "AsyncServerSideSessionInterface":
        from sessionware.serverside.awaiting import AsyncServerSideSessionInterface

        return AsyncServerSideSessionInterface
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
