"""What every contestant shares: the session data, the secret, the request driver."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import pyperf
from werkzeug.test import EnvironBuilder

__all__ = [
    "DATA",
    "OTHER_COOKIES",
    "SECRET",
    "Environ",
    "WSGIApp",
    "cookie_environ",
    "run_once",
    "start_response",
    "time_app",
]

Environ = dict[str, Any]
WSGIApp = Callable[[Environ, Callable[..., Any]], Iterable[bytes]]

SECRET = "bench-secret-key-0123456789abcdef-0123456789abcdef"

#: The session every scenario works on: five keys, about 200 bytes of JSON.
DATA: dict[str, Any] = {
    "user_id": 4242,
    "username": "alice.liddell@example.org",
    "csrf_token": "Yq3bQ8xZ0rT7mK2vN9wL4pS6dF1hJ5gC8eA0uI3oW7k",
    "cart": [1017, 2024, 33],
    "flash": "Welcome back, Alice! You have 3 items waiting in your cart.",
}

#: Cookies a real browser sends alongside the session's, so that finding it is not free.
OTHER_COOKIES = (
    "_ga=GA1.2.1234567890.1700000000; csrftoken=Zx81kQpV3mN7bR2tY6wE9uI0oP4aS5dF",
    "theme=dark; consent=analytics%3Dno%26ads%3Dno",
)


def cookie_environ(cookie: str | None) -> Environ:
    """A GET / environ carrying ``cookie`` (``name=value``) among other cookies."""
    headers = [("User-Agent", "bench/1.0"), ("Accept", "text/html")]
    if cookie is not None:
        headers.append(("Cookie", f"{OTHER_COOKIES[0]}; {cookie}; {OTHER_COOKIES[1]}"))
    environ: Environ = EnvironBuilder(path="/", headers=headers).get_environ()
    return environ


def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
    """The server side of PEP 3333, doing nothing: the same for every contestant."""
    return None


def run_once(app: WSGIApp, environ: Environ) -> tuple[str, list[tuple[str, str]], bytes]:
    """Serve one request and return its status, headers and body (for checks)."""
    seen: list[Any] = []

    def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        seen[:] = [status, list(headers)]
        return None

    result = app(dict(environ), capture)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return seen[0], seen[1], body


def time_app(loops: int, app: WSGIApp, environ: Environ) -> float:
    """pyperf time function: serve ``loops`` requests as a WSGI server would."""
    respond = start_response
    copy = environ.copy
    timer: Callable[[], float] = pyperf.perf_counter
    started = timer()
    for _ in range(loops):
        result = app(copy(), respond)
        for _chunk in result:
            pass
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return timer() - started
