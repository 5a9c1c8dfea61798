"""The app the browser test serves: a session that grows past 4 KB and shrinks back.

``SESSIONWARE_TEST_INTERFACE`` picks ``signed`` or ``encrypted`` cookies; chunking is
on (``max_chunks=4``). ``/grow?seed=N`` stores about 9 KB of text derived from N,
``/shrink`` stores a few bytes, and every page shows the stored text's length and hash,
the visit count, and the names of the cookies its request carried.

Any other path (a browser's automatic ``/favicon.ico``) is a 404 that never touches the
session. Such a request runs beside the page's and carries the cookies of the moment it
was sent; if it wrote the session, its response could land after the next page's and
put back the cookies that page had just replaced or deleted (cookie sessions are last
writer wins), which is not what the test is about. The pages also declare an empty
icon, so Chromium does not ask for one.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qs

from sessionware import (
    EncryptedCookieSessionInterface,
    SecureCookieSessionInterface,
    SessionInterface,
    SessionMiddleware,
)
from sessionware.wsgi.middleware import StartResponse

SECRET = "a-test-secret-that-is-long-enough-for-hmac"


def big_text(seed: str) -> str:
    """About 9 KB that does not compress: chained SHA-256 hex digests."""
    digest, parts = seed.encode(), []
    for _ in range(140):
        digest = hashlib.sha256(digest).hexdigest().encode()
        parts.append(digest.decode())
    return "".join(parts)


def state(text: str) -> str:
    return f"len={len(text)} sha={hashlib.sha256(text.encode()).hexdigest()[:16]}"


def cookie_names(environ: dict[str, Any]) -> str:
    """The names of the cookies the request carried, sorted, comma-separated."""
    pairs = environ.get("HTTP_COOKIE", "").split(";")
    return ",".join(sorted(p.split("=", 1)[0].strip() for p in pairs if p.strip()))


PAGES = ("/", "/grow", "/shrink")


def app(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
    path = environ.get("PATH_INFO", "/")
    if path not in PAGES:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    session = environ["session"]
    if path == "/grow":
        seed = parse_qs(environ.get("QUERY_STRING", "")).get("seed", ["0"])[0]
        session["text"] = big_text(seed)
    elif path == "/shrink":
        session["text"] = "small"
    session["visits"] = session.get("visits", 0) + 1
    body = (
        "<html><head><link rel='icon' href='data:,'></head><body>"
        f"<p id='state'>{state(session.get('text', ''))}</p>"
        f"<p id='visits'>{session['visits']}</p>"
        f"<p id='sent'>{cookie_names(environ)}</p></body></html>"
    )
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
    return [body.encode()]


interface: SessionInterface = (
    EncryptedCookieSessionInterface()
    if os.environ.get("SESSIONWARE_TEST_INTERFACE") == "encrypted"
    else SecureCookieSessionInterface()
)
application = SessionMiddleware(app, secret_key=SECRET, max_chunks=4, interface=interface)
