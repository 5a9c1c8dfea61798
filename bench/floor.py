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
from base64 import urlsafe_b64decode, urlsafe_b64encode
from collections.abc import Iterable
from email.utils import formatdate
from typing import Any

from .common import DATA, SECRET, Environ, WSGIApp

__all__ = ["floor_apps", "login_cookie"]

_KEY = hmac.digest(SECRET.encode(), b"cookie-session", "sha1")
_MAX_AGE = 31 * 24 * 3600
_ATTRIBUTES = "; HttpOnly; Path=/; SameSite=Lax"


def _b64(data: bytes) -> bytes:
    return urlsafe_b64encode(data).rstrip(b"=")


def _unb64(text: str) -> bytes:
    return urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _load(environ: Environ) -> dict[str, Any]:
    header = environ.get("HTTP_COOKIE", "")
    for part in header.split("; "):
        if part.startswith("session="):
            value = part[8:]
            break
    else:
        return {}
    message, _, signature = value.rpartition(".")
    expected = hmac.digest(_KEY, message.encode("ascii"), "sha1")
    if not hmac.compare_digest(expected, _unb64(signature)):
        return {}
    payload, _, stamp = message.rpartition(".")
    if not 0 <= int(time.time()) - int.from_bytes(_unb64(stamp), "big") <= _MAX_AGE:
        return {}
    data: dict[str, Any] = json.loads(_unb64(payload))
    return data


def _dump(data: dict[str, Any]) -> str:
    payload = json.dumps(data, separators=(",", ":"), sort_keys=True).encode("ascii")
    stamp = int(time.time()).to_bytes(4, "big")
    message = _b64(payload) + b"." + _b64(stamp)
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
        ("Set-Cookie", f"session={_dump(data)}{_ATTRIBUTES}"),
    ]
    return _respond(start_response, headers, b"hello")


def _new(environ: Environ, start_response: Any) -> Iterable[bytes]:
    data = dict(DATA)
    headers = [
        ("Content-Type", "text/plain"),
        ("Vary", "Cookie"),
        ("Set-Cookie", f"session={_dump(data)}{_ATTRIBUTES}"),
    ]
    return _respond(start_response, headers, b"hello")


def _permanent(environ: Environ, start_response: Any) -> Iterable[bytes]:
    data = _load(environ)
    user = data.get("user_id")
    now = int(time.time())
    expires = formatdate(now + _MAX_AGE, usegmt=True)
    cookie = f"session={_dump(data)}; Expires={expires}; Max-Age={_MAX_AGE}{_ATTRIBUTES}"
    headers = [("Content-Type", "text/plain"), ("Vary", "Cookie"), ("Set-Cookie", cookie)]
    return _respond(start_response, headers, b"hello %d" % (user or 0))


def login_cookie(permanent: bool) -> str:
    """The floor's own cookie for :data:`DATA` (``name=value``)."""
    data = dict(DATA, _permanent=True) if permanent else DATA
    return f"session={_dump(data)}"


def floor_apps(bare: WSGIApp) -> dict[str, WSGIApp]:
    """The floor app of each scenario; untouched is the bare app itself."""
    return {
        "untouched": bare,
        "read": _read,
        "write": _write,
        "new": _new,
        "permanent": _permanent,
    }
