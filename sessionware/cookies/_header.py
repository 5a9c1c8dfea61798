"""The cookie wire format: finding the session cookie, writing Set-Cookie, Vary.

Plain functions over strings and header lists, so every session interface (signed
cookie or server-side) shares them and none of them knows about WSGI.
"""

from __future__ import annotations

from email.utils import formatdate

from sessionware.config.settings import SessionConfig

__all__ = [
    "DuplicateCookie",
    "add_vary_cookie",
    "deletion_header",
    "find_cookie",
    "find_cookies",
    "set_cookie_header",
]

_EPOCH = "Thu, 01 Jan 1970 00:00:00 GMT"


class DuplicateCookie(Exception):
    """The Cookie header names the session cookie more than once."""


def find_cookie(header: str, name: str) -> str | None:
    """Return the value of cookie ``name`` in a ``Cookie`` header, or ``None``.

    Only the wanted cookie is looked at, so a header full of other cookies costs a
    substring search, not a parse.

    :raises DuplicateCookie: the cookie appears more than once; which copy the browser
        meant cannot be known.
    """
    prefix = name + "="
    size = len(prefix)
    found: str | None = None
    start = header.find(prefix)
    while start >= 0:
        # A match counts only at the start of a cookie pair: after ";" and blanks.
        before = start - 1
        while before >= 0 and header[before] in " \t":
            before -= 1
        if before < 0 or header[before] == ";":
            if found is not None:
                raise DuplicateCookie(name)
            end = header.find(";", start + size)
            if end < 0:
                return _unquote(header[start + size :].strip(" \t"))
            found = header[start + size : end].strip(" \t")
            if found[:1] == '"':  # _unquote's test first: one call fewer without quotes
                found = _unquote(found)
            start = end
        start = header.find(prefix, start + 1)
    return found


def _unquote(value: str) -> str:
    # RFC 6265 lets a cookie value be wrapped in double quotes (WebTest and
    # http.cookies send them so); werkzeug, hence Flask, strips them too.
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def find_cookies(header: str, name: str) -> list[str]:
    """Return every value of cookie ``name`` in a ``Cookie`` header, in header order.

    Browsers send the copy with the longest matching path first and, among equal
    paths, the oldest first. Several copies come from cookies set with different
    ``Domain`` or ``Path`` attributes, whether by this app or planted by a sibling
    subdomain (cookie tossing).
    """
    # Off the per-request path (only a header find_cookie refused gets here), so a
    # split rather than a second copy of find_cookie's scanner. A pair counts as
    # find_cookie's match does: the name right after ";" and blanks.
    prefix = name + "="
    size = len(prefix)
    pairs = (pair.lstrip(" \t") for pair in header.split(";"))
    return [_unquote(pair[size:].strip(" \t")) for pair in pairs if pair.startswith(prefix)]


class _ExpiresCache:
    """Formats ``Expires`` dates, remembering the last one (one per second at most)."""

    def __init__(self) -> None:
        self._last: tuple[int, str] = (0, _EPOCH)

    def __call__(self, timestamp: int) -> str:
        last = self._last
        if last[0] == timestamp:
            return last[1]
        text = formatdate(timestamp, usegmt=True)
        self._last = (timestamp, text)
        return text


_expires = _ExpiresCache()


def set_cookie_header(
    config: SessionConfig, value: str, expires: int | None = None, max_age: int = 0
) -> str:
    """Return the ``Set-Cookie`` value for the session cookie.

    ``expires`` (a Unix time) and ``max_age`` (seconds) are given for permanent
    sessions; ``None`` makes a cookie that ends with the browser session. The
    attribute order is werkzeug's ``dump_cookie``.
    """
    head, tail = config.cookie_attributes
    if expires is None:
        return f"{config.cookie_name}={value}{head}{tail}"
    return (
        f"{config.cookie_name}={value}{head}; Expires={_expires(expires)}; Max-Age={max_age}{tail}"
    )


def deletion_header(config: SessionConfig) -> str:
    """Return the ``Set-Cookie`` value that deletes the session cookie.

    It carries the same Domain, Path, Secure, SameSite and Partitioned attributes the
    cookie was set with: browsers only delete a cookie matched on all of them, and
    ``__Host-`` or partitioned cookies are refused outright without them.
    """
    head, tail = config.cookie_attributes
    return f"{config.cookie_name}={head}; Expires={_EPOCH}; Max-Age=0{tail}"


def add_vary_cookie(headers: list[tuple[str, str]]) -> None:
    """Add ``Cookie`` to the response's ``Vary`` header, merging and never duplicating.

    A response that depends on the session must not be served by a shared cache to
    another user.
    """
    first = -1
    for index, (name, value) in enumerate(headers):
        if name.lower() == "vary":
            tokens = {token.strip().lower() for token in value.split(",")}
            if "cookie" in tokens or "*" in tokens:
                return
            if first < 0:
                first = index
    if first < 0:
        headers.append(("Vary", "Cookie"))
        return
    name, value = headers[first]
    headers[first] = (name, f"{value}, Cookie" if value.strip() else "Cookie")
