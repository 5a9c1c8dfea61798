"""An atheris (libFuzzer) target: any payload, signed with the right key, through the
middleware. A crash is an exception escaping into the server.

Run it (optional; atheris is not a test dependency) in the project's environment::

    .venv/bin/pip install atheris && .venv/bin/python fuzz/fuzz_cookie.py -max_total_time=300
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import atheris

with atheris.instrument_imports():
    from sessionware import SecureCookieSessionInterface, SessionMiddleware
    from sessionware.cookies._signing import CookieSigner

# A refused cookie is logged; millions of log lines would only slow the fuzzer.
logging.getLogger("sessionware").setLevel(logging.CRITICAL)

SECRET = "fuzzing-secret-that-is-long-enough-for-hmac"  # noqa: S105 - a test key
NOW = 1_700_000_000


def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    session = environ["session"]
    dict(session)
    session["seen"] = 1
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b""]


MIDDLEWARE = SessionMiddleware(
    app,
    secret_key=SECRET,
    idle_timeout=900,
    absolute_timeout=3600,
    max_cookie_size=64 * 1024,
    interface=SecureCookieSessionInterface(clock=lambda: NOW),
)
SIGNER = CookieSigner(SECRET)


def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
    return lambda data: None


def one_input(data: bytes) -> None:
    provider = atheris.FuzzedDataProvider(data)
    timestamp = provider.ConsumeIntInRange(NOW - 10_000, NOW + 10)
    signed = provider.ConsumeBool()
    payload = provider.ConsumeBytes(provider.remaining_bytes())
    value = SIGNER.dumps(payload, timestamp) if signed else payload.decode("latin-1")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/",
        "HTTP_COOKIE": f"session={value}",
        "wsgi.multiprocess": False,
    }
    body = MIDDLEWARE(environ, start_response)
    list(body)
    close = getattr(body, "close", None)
    if close is not None:
        close()


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
