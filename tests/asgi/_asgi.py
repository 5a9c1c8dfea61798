"""Driving an ASGI app in-process: one request in, every message it sends out."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any

from sessionware.asgi.middleware import ASGIApp, Message, Scope

Handler = Callable[[Any], Awaitable[None] | None]


@dataclass
class Reply:
    """What the app sent: the start message's status and headers, and the body."""

    messages: list[Message]

    @property
    def start(self) -> Message:
        return next(m for m in self.messages if m["type"] == "http.response.start")

    @property
    def status(self) -> int:
        return int(self.start["status"])

    def header_values(self, name: str) -> list[str]:
        wanted = name.lower().encode("latin-1")
        return [v.decode("latin-1") for k, v in self.start.get("headers", ()) if k == wanted]

    @property
    def body(self) -> bytes:
        return b"".join(
            m.get("body", b"") for m in self.messages if m["type"] == "http.response.body"
        )

    def cookie(self, name: str = "session") -> str | None:
        """The value this reply sets for cookie ``name`` ("" when it deletes it)."""
        for header in self.header_values("set-cookie"):
            pair = header.split(";", 1)[0]
            key, _, value = pair.partition("=")
            if key == name:
                return value
        return None


def http_scope(
    cookie: str | None = None, *, path: str = "/", extra: Sequence[tuple[bytes, bytes]] = ()
) -> Scope:
    headers = [(b"host", b"testserver"), *extra]
    if cookie is not None:
        headers.append((b"cookie", cookie.encode("latin-1")))
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 1234),
        "server": ("testserver", 80),
    }


async def run(app: ASGIApp, scope: Scope) -> Reply:
    """Call ``app`` with one request and collect what it sends."""
    sent: list[Message] = []
    received = False

    async def receive() -> Message:
        nonlocal received
        if not received:
            received = True
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.disconnect"}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return Reply(sent)


def endpoint(handler: Callable[[Any], Any], *, body: bytes = b"ok") -> ASGIApp:
    """A raw ASGI app that calls ``handler(session)`` and then answers ``body``."""

    async def app(scope: Scope, receive: Any, send: Any) -> None:
        result = handler(scope["session"])
        if hasattr(result, "__await__"):
            await result
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/plain")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    return app
