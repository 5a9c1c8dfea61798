"""Splitting a cookie too big for one ``Set-Cookie`` across numbered cookies.

With ``max_chunks`` above 1, a signed or encrypted value that does not fit is cut
into parts sent as ``name``, ``name.1``, ``name.2``, ... The first part starts with
``~N~``, N being the number of parts. Reading joins the N parts and verifies the
signature (or AEAD tag) over the whole value, so a missing part, a part left over
from an older cookie, or parts mixed from two cookies never verify: the request gets
a fresh session, never a corrupt one. A save that needs fewer parts than the request
carried deletes the rest.
"""

from __future__ import annotations

import re

from sessionware.config.settings import SessionConfig
from sessionware.errors import CookieTooLarge

from ._header import DuplicateCookie, deletion_header, find_cookie

__all__ = ["BadChunks", "chunk_name", "delete_chunks", "join_chunks", "present", "split"]

#: The first part of a chunked value starts with ``~N~``; at most 4 characters.
_MARK = "~"
_MARK_SPACE = 4
#: The part count: ASCII digits only (``str.isdigit`` also takes ``"²"``, and ``int()``
#: refuses more than 4,300 digits), two at most, since ``max_chunks`` is at most 10.
_COUNT = re.compile(r"[0-9]{1,2}")


class BadChunks(Exception):
    """The request's chunk cookies cannot be put together; ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def chunk_name(name: str, index: int) -> str:
    """The name of part ``index`` (0 is the session cookie's own name)."""
    return f"{name}.{index}" if index else name


def is_chunked(value: str) -> bool:
    """Whether a session cookie value is the first part of a chunked value."""
    return value.startswith(_MARK)


def join_chunks(config: SessionConfig, header: str, first: str) -> str:
    """Put a chunked value back together from the request's ``Cookie`` header.

    :raises BadChunks: the part count is malformed or over ``max_chunks``, or a part
        is missing or sent twice.
    """
    count_text, mark, part = first[1:].partition(_MARK)
    count = int(count_text) if mark and _COUNT.fullmatch(count_text) else 0
    if not 2 <= count <= config.max_chunks:
        raise BadChunks(f"the chunk count is not a number from 2 to {config.max_chunks}")
    parts = [part]
    for index in range(1, count):
        try:
            found = find_cookie(header, chunk_name(config.cookie_name, index))
        except DuplicateCookie:
            raise BadChunks(f"chunk {index} is sent more than once") from None
        if found is None:
            raise BadChunks(f"chunk {index} of {count} is missing")
        parts.append(found)
    return "".join(parts)


def present(config: SessionConfig, header: str | None) -> int:
    """One more than the highest chunk index among the request's cookies (0: none).

    Counts the session cookie itself as index 0, so an unchunked cookie gives 1.
    """
    if not header:
        return 0
    highest = 0
    for index in range(config.max_chunks, 0, -1):
        try:
            if find_cookie(header, chunk_name(config.cookie_name, index)) is not None:
                highest = index + 1
                break
        except DuplicateCookie:
            highest = index + 1
            break
    if highest:
        return highest
    try:
        return int(find_cookie(header, config.cookie_name) is not None)
    except DuplicateCookie:
        return 1


def split(config: SessionConfig, value: str, attributes: str) -> list[tuple[str, str]]:
    """The ``Set-Cookie`` values carrying ``value`` in as few parts as fit.

    ``attributes`` is everything after the value in the session cookie's header.

    :raises CookieTooLarge: even ``max_chunks`` parts cannot hold it.
    """
    name = config.cookie_name
    limit = config.max_cookie_size
    parts: list[str] = []
    position = 0
    while position < len(value):
        index = len(parts)
        room = limit - len(chunk_name(name, index)) - 1 - len(attributes)
        if index == 0:
            room -= _MARK_SPACE
        if room <= 0 or index == config.max_chunks:
            size = len(name) + 1 + len(value) + len(attributes)
            raise CookieTooLarge(name, size, limit * config.max_chunks)
        parts.append(value[position : position + room])
        position += room
    parts[0] = f"{_MARK}{len(parts)}{_MARK}{parts[0]}"
    return [
        ("Set-Cookie", f"{chunk_name(name, index)}={part}{attributes}")
        for index, part in enumerate(parts)
    ]


def delete_chunks(
    config: SessionConfig, headers: list[tuple[str, str]], start: int, stop: int
) -> None:
    """Append the headers that delete parts ``start`` to ``stop - 1``."""
    if start >= stop:
        return
    # The deletion header of the session cookie, with each part's name in front.
    tail = deletion_header(config)[len(config.cookie_name) :]
    for index in range(max(start, 1), stop):
        headers.append(("Set-Cookie", chunk_name(config.cookie_name, index) + tail))
