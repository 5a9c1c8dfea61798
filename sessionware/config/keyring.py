"""Key rings: dated keys that rotate without logging anyone out.

Each key has an ID, a random secret of at least 256 bits, the time it starts being
used (``activates_at``) and, optionally, the time it stops being accepted
(``retires_at``). At any moment the newest active key signs or encrypts new cookies,
while every key that is not retired, including keys whose activation lies ahead,
still reads them. Adding a key days before it activates lets every machine learn it
before any machine writes with it, which is what makes a rolling deploy safe.

This module uses the standard library only; the encrypted interface derives its
AEAD keys from these secrets when it is built. A little over ~300 lines: the key, the
ring, its views at a moment and the ring file's reader check one format together.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sessionware.errors import SessionwareError

__all__ = ["Key", "KeyRing", "KeyRingError"]

#: Secrets are hex text of at least this many digits (256 bits).
MIN_SECRET_HEX = 64
# Used with fullmatch: re.match with "$" lets a trailing newline through, which a key
# id would carry into every Set-Cookie.
_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
_HEX = re.compile(r"[0-9a-fA-F]+")
_FIX = "create a valid ring with `sessionware keys new FILE`"


class KeyRingError(SessionwareError, ValueError):
    """A key ring (or its file) that cannot be used; the message says how to fix it."""


def _timestamp(value: datetime | float | None, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise KeyRingError(f"{name}={value!r} has no time zone; give an aware UTC datetime.")
        return value.timestamp()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    raise TypeError(f"{name} must be a datetime or a Unix time, got {value!r}.")


def iso(timestamp: float) -> str:
    """``timestamp`` as ISO 8601 UTC text with whole seconds, as key ring files hold it."""
    return datetime.fromtimestamp(int(timestamp), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Key:
    """One key of a :class:`KeyRing`.

    :param id: a short name written into every cookie made with the key (letters,
        digits, ``-`` and ``_``, at most 32). Not secret.
    :param secret: at least 64 hex digits (256 bits) from a CSPRNG. Never shown in
        ``repr``. For signed cookies it is the Flask ``SECRET_KEY`` (the text itself).
    :param activates_at: from when the key signs or encrypts new cookies (a Unix time or
        an aware datetime).
    :param retires_at: from when cookies made with the key are refused; ``None`` keeps
        it until it is retired by hand.
    """

    id: str
    secret: str = field(repr=False)
    activates_at: float
    retires_at: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not _ID.fullmatch(self.id):
            raise KeyRingError(
                f"key id {self.id!r} is not allowed; use 1 to 32 letters, digits, '-' or '_'."
            )
        secret = self.secret
        if not isinstance(secret, str) or not _HEX.fullmatch(secret) or len(secret) % 2:
            raise KeyRingError(
                f"key {self.id!r}: the secret must be hex digits (an even number of them); "
                "generate one with python -c 'import secrets; print(secrets.token_hex(32))'."
            )
        if len(secret) < MIN_SECRET_HEX:
            raise KeyRingError(
                f"key {self.id!r}: the secret is {len(secret) * 4} bits, under the "
                f"{MIN_SECRET_HEX * 4} bits required; generate one with python -c "
                "'import secrets; print(secrets.token_hex(32))'."
            )
        activates = _timestamp(self.activates_at, "activates_at")
        retires = _timestamp(self.retires_at, "retires_at")
        if activates is None:
            raise TypeError("activates_at must be a datetime or a Unix time, got None.")
        if retires is not None and retires <= activates:
            raise KeyRingError(
                f"key {self.id!r} retires at {iso(retires)}, not after it activates at "
                f"{iso(activates)}; give retires_at a later time or null."
            )
        object.__setattr__(self, "activates_at", activates)
        object.__setattr__(self, "retires_at", retires)

    @classmethod
    def generate(cls, activates_at: float, key_id: str | None = None) -> Key:
        """A new key with a fresh 256-bit secret from :mod:`secrets`."""
        return cls(key_id or secrets.token_hex(4), secrets.token_hex(32), activates_at)

    def active(self, now: float) -> bool:
        """Whether the key may make new cookies at ``now``."""
        return self.activates_at <= now and not self.retired(now)

    def retired(self, now: float) -> bool:
        """Whether cookies made with the key are refused at ``now``."""
        return self.retires_at is not None and now >= self.retires_at


class RingView(NamedTuple):
    """The ring as seen between two key events: who writes and who may read."""

    #: The key new cookies are made with.
    current: Key
    #: Every unretired key by ID, the current one included.
    readers: Mapping[str, Key]
    #: Unretired keys, current first, then the others newest activation first (of
    #: equal activations, the later in the ring first).
    ordered: tuple[Key, ...]
    #: The view holds from ``start`` until just before ``until``.
    start: float
    until: float


class KeyRing:
    """Dated keys: the newest active key writes, every unretired key reads.

    Of keys that activate at the same moment, the one later in ``keys`` (later in
    the file: added last) is the newer.

    Cookies carry their key's ID (encrypted cookies) or are tried against each unretired
    key (Flask-compatible signed cookies, which have no room for an ID). A cookie made
    with a key that is not the current one is re-issued with the current key on the
    same response; a cookie of a retired or unknown key is refused and logged.

    :param keys: the ring's :class:`Key` objects; IDs must be unique.
    :param source: where the keys came from (a file name), for error messages.
    """

    def __init__(self, keys: Iterable[Key], *, source: str | None = None) -> None:
        self.keys: tuple[Key, ...] = tuple(keys)
        self.source = source
        where = f"key ring {source}: " if source else "key ring: "
        if not self.keys:
            raise KeyRingError(f"{where}it holds no keys; {_FIX}.")
        seen: set[str] = set()
        for key in self.keys:
            if not isinstance(key, Key):
                raise TypeError(f"{where}expected Key objects, got {type(key).__name__}.")
            if key.id in seen:
                raise KeyRingError(
                    f"{where}the key id {key.id!r} is used twice; every key needs its own "
                    "id (remove or rename one)."
                )
            seen.add(key.id)
        self._view: RingView | None = None

    def __repr__(self) -> str:
        # Secrets never show; IDs and dates are not secret and help operators.
        shown = ", ".join(key.id for key in self.keys)
        return f"<KeyRing {len(self.keys)} keys: {shown}>"

    def check(self, now: float | None = None) -> None:
        """Raise :class:`KeyRingError` unless some key is active at ``now``."""
        self.view(time.time() if now is None else now)

    def view(self, now: float) -> RingView:
        """The current key and the readable keys at ``now``.

        Computed once per span between key events (an activation or a retirement), so
        requests pay a comparison, not a scan.

        :raises KeyRingError: no key is active at ``now``.
        """
        view = self._view
        if view is not None and view.start <= now < view.until:
            return view
        view = self._build(now)
        self._view = view
        return view

    def _build(self, now: float) -> RingView:
        # A key's rank: its activation, then its place in the ring. Of keys activating
        # in the same second (`keys add --activate-in 0` right after `keys new`), the
        # one added later writes, on every machine alike: never a random ID's order.
        rank = {key.id: (key.activates_at, position) for position, key in enumerate(self.keys)}
        readers = [key for key in self.keys if not key.retired(now)]
        active = [key for key in readers if key.activates_at <= now]
        if not active:
            where = f"key ring {self.source}" if self.source else "the key ring"
            raise KeyRingError(
                f"{where} has no active key at {iso(now)} (every key is retired or not "
                "yet active); add one with `sessionware keys add FILE --activate-in 0`."
            )
        current = max(active, key=lambda key: rank[key.id])
        others = sorted(
            (key for key in readers if key is not current),
            key=lambda key: rank[key.id],
            reverse=True,
        )
        events = [key.activates_at for key in self.keys if key.activates_at > now]
        events += [key.retires_at for key in self.keys if key.retires_at and key.retires_at > now]
        start = max(
            [key.activates_at for key in self.keys if key.activates_at <= now]
            + [key.retires_at for key in self.keys if key.retires_at and key.retires_at <= now]
        )
        return RingView(
            current,
            {key.id: key for key in readers},
            (current, *others),
            start,
            min(events, default=float("inf")),
        )

    # Files ---------------------------------------------------------------------------

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], *, now: float | None = None) -> KeyRing:
        """Load a ring from a JSON file, checking it has a key active at ``now``.

        The file is ``{"keys": [{"id": ..., "secret": ..., "activates_at":
        "2026-12-01T00:00:00Z", "retires_at": null}, ...]}``, as ``sessionware keys``
        writes it. Every problem raises :class:`KeyRingError` naming the file.
        """
        name = os.fspath(path)
        try:
            with open(name, encoding="utf-8") as handle:
                text = handle.read()
        except OSError as exc:
            raise KeyRingError(
                f"key ring file {name!r} cannot be read ({exc.strerror}); create it with "
                f"`sessionware keys new {name}` or point SESSIONWARE_KEYRING_FILE at it."
            ) from None
        try:
            document = json.loads(text)
        except ValueError as exc:
            raise KeyRingError(
                f"key ring file {name!r} is not valid JSON (line {getattr(exc, 'lineno', '?')})"
                f"; {_FIX} or repair the file."
            ) from None
        try:
            ring = cls.from_dict(document, source=repr(name))
        except KeyRingError as exc:
            message = str(exc)
            if not message.startswith("key ring "):
                message = f"key ring {name!r}: {message}"
            raise KeyRingError(message) from None
        ring.check(now)
        return ring

    @classmethod
    def from_env(cls, variable: str = "SESSIONWARE_KEYRING_FILE") -> KeyRing | None:
        """Load the ring the environment variable names, or ``None`` if it is unset."""
        path = os.environ.get(variable)
        return cls.from_file(path) if path else None

    @classmethod
    def from_dict(cls, document: Any, *, source: str | None = None) -> KeyRing:
        """Build a ring from a decoded key ring document (see :meth:`from_file`)."""
        if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
            raise KeyRingError('the document must be an object with a "keys" list; ' + _FIX)
        keys = []
        for index, entry in enumerate(document["keys"]):
            if not isinstance(entry, dict) or not {"id", "secret", "activates_at"} <= set(entry):
                raise KeyRingError(
                    f"keys[{index}] must be an object with id, secret and activates_at; " + _FIX
                )
            try:
                activates = _parse_time(entry["activates_at"])
                if activates is None:
                    raise TypeError("activates_at must be a time, not null")
                keys.append(
                    Key(
                        entry["id"],
                        entry["secret"],
                        activates,
                        _parse_time(entry.get("retires_at")),
                    )
                )
            except TypeError as exc:
                raise KeyRingError(f"keys[{index}]: {exc}") from None
        return cls(keys, source=source)

    def to_dict(self) -> dict[str, Any]:
        """The ring as a JSON-ready document, secrets included (for writing its file)."""
        return {
            "keys": [
                {
                    "id": key.id,
                    "secret": key.secret,
                    "activates_at": iso(key.activates_at),
                    # Whole seconds, rounded so that a key never retires before it did
                    # in memory, nor on or before its activation.
                    "retires_at": None if key.retires_at is None else iso(-(-key.retires_at // 1)),
                }
                for key in self.keys
            ]
        }


def _parse_time(text: Any) -> float | None:
    if text is None:
        return None
    if not isinstance(text, str):
        raise TypeError(f"a time must be ISO 8601 text such as 2026-12-01T00:00:00Z, got {text!r}")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise TypeError(f"{text!r} is not an ISO 8601 time such as 2026-12-01T00:00:00Z") from None
    if moment.tzinfo is None:
        raise TypeError(f"{text!r} has no time zone; end it with Z (UTC)")
    return moment.timestamp()
