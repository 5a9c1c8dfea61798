"""The user index of :class:`~sessionware.stores.redis.RedisStore`, Redis Cluster ready.

A user's index is one hash, ``prefix + "user:{" + tag + "}"``, field = handle, value =
``sid + " " + expires_at + " " + info``; their "not before" time is ``prefix + "nb:{" + tag + "}"``.
``tag`` is the user in URL-safe base64, inside braces: Redis Cluster hashes only the
braced part, so both keys of one user live in one slot, and every script here
touches that one slot. Session records are deleted one key at a time, since each
lives in a slot of its own.
"""

from __future__ import annotations

import time
from base64 import urlsafe_b64encode
from typing import TYPE_CHECKING, Any

from ._users import IndexEntry, UserIndex

if TYPE_CHECKING:
    from .redis import RedisStore

__all__ = ["RedisUserIndex"]

# KEYS[1] the user's hash; ARGV: handle, value, ttl, now. Drops the entries past their
# own expiry (the second word of a value), writes this one, keeps the longer TTL.
_PUT = """
local all = redis.call('HGETALL', KEYS[1])
local now = tonumber(ARGV[4])
for i = 1, #all, 2 do
  local expires = tonumber(string.match(all[i + 1], '^%S+ (%S+)'))
  if expires == nil or expires <= now then redis.call('HDEL', KEYS[1], all[i]) end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if redis.call('TTL', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('EXPIRE', KEYS[1], ARGV[3])
end
"""

# KEYS[1] the user's hash; ARGV[1] the handle to keep ("" for none). Removes and
# returns every other entry as a flat list of handle, value.
_TAKE = """
local all = redis.call('HGETALL', KEYS[1])
local taken = {}
for i = 1, #all, 2 do
  if all[i] ~= ARGV[1] then
    redis.call('HDEL', KEYS[1], all[i])
    taken[#taken + 1] = all[i]
    taken[#taken + 1] = all[i + 1]
  end
end
return taken
"""

# KEYS[1] the "not before" key; ARGV: time, ttl. Never lowers the time.
_NOT_BEFORE = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local wanted = tonumber(ARGV[1])
if current > wanted then wanted = current end
redis.call('SET', KEYS[1], wanted, 'EX', ARGV[2])
"""


class RedisUserIndex(UserIndex):
    """Keeps each user's entries in one hash, in one cluster slot per user."""

    def __init__(self, store: RedisStore) -> None:
        self.store = store
        client = store.client
        self._put = client.register_script(_PUT)
        self._take = client.register_script(_TAKE)
        self._not_before = client.register_script(_NOT_BEFORE)

    def _key(self, kind: str, user: str) -> str:
        tag = urlsafe_b64encode(user.encode("utf-8")).decode("ascii")
        return f"{self.store.prefix}{kind}:{{{tag}}}"

    def _call(self, method: Any, *args: Any, **kwargs: Any) -> Any:
        return self.store._call(method, *args, **kwargs)

    def put(self, user: str, entry: IndexEntry, ttl: int) -> None:
        """Add or replace ``entry`` in ``user``'s hash, dropping entries past their expiry."""
        now = int(time.time())
        value = f"{entry.sid} {now + ttl} {entry.info}"
        self._call(self._put, keys=[self._key("user", user)], args=[entry.handle, value, ttl, now])

    def _entries(self, flat: list[Any]) -> list[IndexEntry]:
        entries = []
        for handle, value in zip(flat[::2], flat[1::2], strict=True):
            sid, _, rest = _text(value).partition(" ")
            info = rest.partition(" ")[2]
            entries.append(IndexEntry(_text(handle), sid, info))
        return entries

    def entries(self, user: str) -> list[IndexEntry]:
        """The entries of ``user`` whose records exist (the others expire from the hash)."""
        stored = self._call(self.store.client.hgetall, self._key("user", user))
        flat = [part for pair in stored.items() for part in pair]
        exists = self.store.client.exists
        return [
            entry for entry in self._entries(flat) if self._call(exists, self.store._key(entry.sid))
        ]

    def remove(self, user: str, handle: str) -> None:
        """Remove the entry ``handle`` of ``user``."""
        self._call(self.store.client.hdel, self._key("user", user), handle)

    def revoke(self, user: str, keep: str | None = None) -> list[IndexEntry]:
        """Take ``user``'s entries but ``keep`` in one script, then delete their records."""
        flat = self._call(self._take, keys=[self._key("user", user)], args=[keep or ""])
        ended = self._entries(flat)
        # Twice: a regenerate() that moved one of these records to its already listed new
        # ID while the first pass ran (before its old ID was deleted) is caught by the second.
        for _ in range(2):
            for entry in ended:
                self.store.delete(entry.sid)
        return ended

    def revoke_one(self, user: str, handle: str) -> IndexEntry | None:
        """End the session ``handle`` of ``user``."""
        key = self._key("user", user)
        value = self._call(self.store.client.hget, key, handle)
        if value is None or not self._call(self.store.client.hdel, key, handle):
            return None  # unknown, or a concurrent revocation took it first
        (entry,) = self._entries([handle, value])
        for _ in range(2):
            self.store.delete(entry.sid)
        return entry

    def not_before(self, user: str) -> int | None:
        """``user``'s "not before" time, if set."""
        value = self._call(self.store.client.get, self._key("nb", user))
        return None if value is None else int(_text(value))

    def set_not_before(self, user: str, when: int, ttl: int) -> None:
        """Raise ``user``'s "not before" time to ``when``, kept ``ttl`` seconds."""
        self._call(self._not_before, keys=[self._key("nb", user)], args=[when, ttl])


def _text(value: bytes | str) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value
