"""A Starlette app for the uvicorn tests: JSON, a streamed response and a websocket."""

from __future__ import annotations

from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from sessionware import SessionConfig
from sessionware.asgi import SessionMiddleware


async def count(request: Request) -> JSONResponse:
    request.session["visits"] = request.session.get("visits", 0) + 1
    return JSONResponse({"session": request.session})


async def stream(request: Request) -> StreamingResponse:
    async def body() -> AsyncIterator[bytes]:
        # Starlette has sent http.response.start when this runs; the middleware holds
        # it until this first chunk, so the change still reaches the cookie.
        request.session["streamed"] = True
        yield b"one,"
        yield b"two"

    return StreamingResponse(body(), media_type="text/plain")


async def socket(websocket: WebSocket) -> None:
    websocket.session["ws_visits"] = websocket.session.get("ws_visits", 0) + 1
    await websocket.accept()
    await websocket.send_json({"session": websocket.session})
    await websocket.close()


app = Starlette(
    routes=[
        Route("/count", count),
        Route("/stream", stream),
        WebSocketRoute("/ws", socket),
    ],
    middleware=[Middleware(SessionMiddleware, SessionConfig.from_env())],
)
