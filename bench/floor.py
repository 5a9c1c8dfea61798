"""The least work a signed session cookie needs, in the standard library alone.

Each scenario is a plain WSGI app that does its session work inline: split the
``Cookie`` header to find the cookie, one HMAC to verify, ``json.loads``; to write,
``json.dumps``, base64 and one HMAC. No laziness, no tags, no compression, no
options: the floor the other contestants are measured against.
"""

from __future__ import annotations

import hmac
import json
import time
from binascii import a2b_base64, b2a_base64
from collections.abc import Iterable
from email.utils import formatdate
from typing import Any

from .common import DATA, SECRET, Environ, WSGIApp

__all__ = ["ATTRIBUTES", "dump", "floor_apps", "load_header", "login_cookie"]

_KEY = hmac.digest(SECRET.encode(), b"cookie-session", "sha1")
_MAX_AGE = 31 * 24 * 3600
ATTRIBUTES = "; HttpOnly; Path=/; SameSite=Lax"
_TO_URLSAFE = bytes.maketrans(b"+/", b"-_")
_FROM_URLSAFE = bytes.maketrans(b"-_", b"+/")
_PADDING = (b"", b"===", b"==", b"=")


def _b64(data: bytes) -> bytes:
    return b2a_base64(data, newline=False).translate(_TO_URLSAFE).rstrip(b"=")


def _unb64(data: bytes) -> bytes:
    return a2b_base64(data.translate(_FROM_URLSAFE) + _PADDING[len(data) & 3])


def _load(environ: Environ) -> dict[str, Any]:
    return load_header(environ.get("HTTP_COOKIE", ""))


def load_header(header: str) -> dict[str, Any]:
    """The floor's session from a ``Cookie`` header: ``{}`` unless its cookie verifies."""
    parts = header.split("session=", 1)
    if len(parts) < 2:
        return {}
    value = parts[1].split(";", 1)[0].encode("ascii")
    message, _, signature = value.rpartition(b".")
    if not hmac.compare_digest(hmac.digest(_KEY, message, "sha1"), _unb64(signature)):
        return {}
    payload, _, stamp = message.rpartition(b".")
    if not 0 <= int(time.time()) - int.from_bytes(_unb64(stamp), "big") <= _MAX_AGE:
        return {}
    data: dict[str, Any] = json.loads(_unb64(payload).decode("utf-8"))
    return data


def dump(data: dict[str, Any]) -> str:
    """The floor's cookie value for ``data``: base64 JSON, a timestamp, one HMAC."""
    payload = json.dumps(data, separators=(",", ":")).encode("utf-8")
    message = _b64(payload) + b"." + _b64(int(time.time()).to_bytes(4, "big"))
    return (message + b"." + _b64(hmac.digest(_KEY, message, "sha1"))).decode("ascii")


def _respond(start_response: Any, headers: list[tuple[str, str]], body: bytes) -> list[bytes]:
    start_response("200 OK", headers)
    return [body]


def _read(environ: Environ, start_response: Any) -> Iterable[bytes]:
    user = _load(environ).get("user_id")
    headers = [("Content-Type", "text/plain"), ("Vary", "Cookie")]
    return _respond(start_response, headers, b"hello %d" % (user or 0))


def _write(environ: Environ, start_response: Any) -> Iterable[bytes]:
    data = _load(environ)
    data["flash"] = "Saved."
    headers = [
        ("Content-Type", "text/plain"),
        ("Vary", "Cookie"),
        ("Set-Cookie", f"session={dump(data)}{ATTRIBUTES}"),
    ]
    return _respond(start_response, headers, b"hello")


def _new(environ: Environ, start_response: Any) -> Iterable[bytes]:
    data = dict(DATA)
    headers = [
        ("Content-Type", "text/plain"),
        ("Vary", "Cookie"),
        ("Set-Cookie", f"session={dump(data)}{ATTRIBUTES}"),
    ]
    return _respond(start_response, headers, b"hello")


def _permanent(environ: Environ, start_response: Any) -> Iterable[bytes]:
    data = _load(environ)
    user = data.get("user_id")
    now = int(time.time())
    expires = formatdate(now + _MAX_AGE, usegmt=True)
    cookie = f"session={dump(data)}; Expires={expires}; Max-Age={_MAX_AGE}{ATTRIBUTES}"
    headers = [("Content-Type", "text/plain"), ("Vary", "Cookie"), ("Set-Cookie", cookie)]
    return _respond(start_response, headers, b"hello %d" % (user or 0))


def login_cookie(permanent: bool) -> str:
    """The floor's own cookie for :data:`DATA` (``name=value``)."""
    data = dict(DATA, _permanent=True) if permanent else DATA
    return f"session={dump(data)}"


def floor_apps(bare: WSGIApp) -> dict[str, WSGIApp]:
    """The floor app of each scenario; untouched is the bare app itself."""
    return {
        "untouched": bare,
        "read": _read,
        "write": _write,
        "new": _new,
        "permanent": _permanent,
    }
