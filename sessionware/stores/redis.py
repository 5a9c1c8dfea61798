"""A store on Redis (or Valkey) through redis-py: records expire natively.

A little over ~300 lines: the Lua scripts that make each write atomic (and settle an
unanswered one) sit beside the methods that run them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

try:
    import redis
    from redis.backoff import NoBackoff
    from redis.cluster import RedisCluster
    from redis.exceptions import RedisClusterException
    from redis.retry import Retry
except ImportError as exc:  # pragma: no cover - exercised without the extra installed
    raise ImportError("RedisStore needs the redis client: pip install sessionware[redis]") from exc

from .base import CorruptRecord, Store, StoreError, StoreRecord, UnconfirmedWrite

if TYPE_CHECKING:
    from ._users import UserIndex

__all__ = ["SLOT_CHARS", "RedisStore"]

#: How many leading characters of a session ID pick its Redis Cluster hash slot (18
#: bits, more than the 16384 slots need).
SLOT_CHARS = 3

# Compare-and-set in one atomic step. KEYS[1] is the record's key; ARGV holds the
# expected version ("" to create), the data and the TTL in seconds. The record is a
# hash: d = data, v = version.
_SET = """
local current = redis.call('HGET', KEYS[1], 'v')
if ARGV[1] == '' then
  if current then return false end
elseif current ~= ARGV[1] then
  return false
end
redis.call('HSET', KEYS[1], 'd', ARGV[2])
local version = redis.call('HINCRBY', KEYS[1], 'v', 1)
redis.call('EXPIRE', KEYS[1], ARGV[3])
return version
"""

# Regenerate in one atomic step: KEYS[1] is the old record, KEYS[2] the new one; ARGV
# holds the old record's expected version, the data and the TTL. The new record's
# version continues the old one's.
_MOVE = """
local current = redis.call('HGET', KEYS[1], 'v')
if current ~= ARGV[1] then return false end
if redis.call('EXISTS', KEYS[2]) == 1 then return false end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[2], 'd', ARGV[2], 'v', current)
local version = redis.call('HINCRBY', KEYS[2], 'v', 1)
redis.call('EXPIRE', KEYS[2], ARGV[3])
return version
"""

# After a write of _SET or _MOVE that was not answered (see Store.settle): KEYS[1] is
# the record's key, KEYS[2] (for a move) the new one; ARGV holds the write's expected
# version ("" for a create), its data and the TTL. Returns the record's version if
# the write landed, 0 if it did not (and makes sure it never will: the expected
# version is bumped, or a create's key is claimed by a record without data, which
# reads as absent), -1 if a later write hides the answer.
_SETTLE = """
local current = redis.call('HGET', KEYS[1], 'v')
if KEYS[2] then
  if current == ARGV[1] then
    redis.call('HINCRBY', KEYS[1], 'v', 1)
    return 0
  end
  local moved = redis.call('HGET', KEYS[2], 'v')
  if not moved then return 0 end
  if redis.call('HGET', KEYS[2], 'd') == ARGV[2] then return tonumber(moved) end
  return -1
end
if ARGV[1] == '' then
  if not current then
    redis.call('HSET', KEYS[1], 'v', 0)
    redis.call('EXPIRE', KEYS[1], ARGV[3])
    return 0
  end
elseif current == ARGV[1] then
  redis.call('HINCRBY', KEYS[1], 'v', 1)
  return 0
end
if not current then return 0 end
if redis.call('HGET', KEYS[1], 'd') == ARGV[2] then return tonumber(current) end
if ARGV[1] == '' or tonumber(current) == tonumber(ARGV[1]) + 1 then return 0 end
return -1
"""


def _check_options(prefix: object, timeout: object, retries: object) -> None:
    """Refuse the options both Redis stores take, naming the option and the value."""
    if not isinstance(prefix, str):
        raise TypeError(f"prefix must be a str, got {prefix!r}.")
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}.")
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise ValueError(f"retries must be an int >= 0, got {retries!r}.")


def _connect(
    from_url: Callable[..., Any],
    retry: Callable[..., Any],
    url: str,
    timeout: float,
    retries: int,
    max_connections: int,
) -> Any:
    """A client (sync or asyncio, by ``from_url``) for ``url``; the URL never in errors."""
    try:
        return from_url(
            url,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=retry(NoBackoff(), retries),
            max_connections=max_connections,
        )
    except ValueError:
        raise ValueError(
            "url is not a Redis URL; use redis://[:password@]host[:port][/db], "
            "rediss:// for TLS or unix:///path/to/socket."
        ) from None


class RedisStore(Store):
    """Keeps each session in a Redis hash under ``prefix + session ID``.

    Redis deletes expired sessions by itself, so :meth:`cleanup` has nothing to do.
    Writes are a server-side script that checks the record's version and writes in
    one step. Works with Valkey and any server that runs Lua scripts.

    :param url: where the server is, e.g. ``redis://:password@host:6379/0``; used when
        no ``client`` is given. It may hold a password and is never logged.
    :param client: a configured :class:`redis.Redis` to use instead of ``url`` (its
        own pool, timeouts and retries then apply), or a
        :class:`redis.cluster.RedisCluster`: then each record's key carries a hash tag
        made of the first characters of its ID, and :meth:`moved_id` keeps them at
        regenerate(), so that every script touches one slot.
    :param prefix: put before every session ID to make the key; lets several apps
        share a database.
    :param timeout: seconds to wait for the server to connect or answer before the
        request fails with :class:`~sessionware.stores.StoreError`.
    :param retries: how many times a failed command is retried at once (no backoff),
        so a request waits at most about ``timeout * (retries + 1)`` seconds.
    :param max_connections: the size of the connection pool, per process.
    """

    def _new_user_index(self) -> UserIndex:
        from .redis_users import RedisUserIndex

        return RedisUserIndex(self)

    def __init__(
        self,
        url: str = "redis://127.0.0.1:6379/0",
        *,
        client: redis.Redis | RedisCluster | None = None,
        prefix: str = "session:",
        timeout: float = 1.0,
        retries: int = 1,
        max_connections: int = 50,
    ) -> None:
        _check_options(prefix, timeout, retries)
        if client is None:
            client = _connect(redis.Redis.from_url, Retry, url, timeout, retries, max_connections)
        self.client = client
        self.prefix = prefix
        #: The client talks to a Redis Cluster: record keys carry a hash tag.
        self.cluster = isinstance(client, RedisCluster)
        self._set = client.register_script(_SET)
        self._move = client.register_script(_MOVE)
        self._settle = client.register_script(_SETTLE)

    def _key(self, sid: str) -> str:
        """The key of ``sid``'s record; on a cluster its first characters are the hash tag."""
        if self.cluster:
            return f"{self.prefix}{{{sid[:SLOT_CHARS]}}}{sid[SLOT_CHARS:]}"
        return self.prefix + sid

    def moved_id(self, sid: str, fresh: str) -> str:
        """On a cluster, ``fresh`` with the hash tag of ``sid``: :meth:`move`'s two keys
        must be in one slot. (The new ID still has over 230 random bits of its own.)
        """
        return sid[:SLOT_CHARS] + fresh[SLOT_CHARS:] if self.cluster else fresh

    def __repr__(self) -> str:
        if isinstance(self.client, RedisCluster):
            node = self.client.get_default_node()  # type: ignore[no-untyped-call]
            where = "cluster" if node is None else f"cluster {node.host}:{node.port}"
            return f"<RedisStore {where} prefix={self.prefix!r}>"
        kwargs = self.client.connection_pool.connection_kwargs
        where = kwargs.get("path") or f"{kwargs.get('host')}:{kwargs.get('port')}"
        return f"<RedisStore {where} db={kwargs.get('db', 0)} prefix={self.prefix!r}>"

    def get(self, sid: str) -> StoreRecord | None:
        """Return the record of ``sid``, or ``None``."""
        try:
            reply = self._call(self.client.hmget, self._key(sid), ["d", "v"])
        except StoreError as exc:
            if not exc.reason.startswith("Redis: ResponseError: WRONGTYPE"):
                raise
            raise CorruptRecord("Redis: the key holds something other than a hash") from None
        return _record(reply)

    def set(self, sid: str, data: str, ttl: int, version: int | None) -> int | None:
        """Compare-and-set the record of ``sid`` (see :meth:`Store.set`)."""
        expected = "" if version is None else str(version)
        result = self._write(self._set, keys=[self._key(sid)], args=[expected, data, ttl])
        return None if result is None else _version(result, "the compare-and-set script")

    def move(self, sid: str, new_sid: str, data: str, ttl: int, version: int) -> int | None:
        """Move the record of ``sid`` to ``new_sid`` in one script (see :meth:`Store.move`).

        Both keys are given to the script; on Redis Cluster they must hash to one slot.
        """
        keys = [self._key(sid), self._key(new_sid)]
        result = self._write(self._move, keys=keys, args=[str(version), data, ttl])
        return None if result is None else _version(result, "the move script")

    def settle(
        self, sid: str, version: int | None, data: str, new_sid: str | None = None
    ) -> int | None:
        """Find out whether an unanswered :meth:`set` or :meth:`move` landed (see
        :meth:`Store.settle`), in one script that also makes sure it never lands later.

        It is itself a write, so a server that still does not answer writes leaves the
        outcome unknown (:class:`StoreError`).
        """
        keys = [self._key(sid)] if new_sid is None else [self._key(sid), self._key(new_sid)]
        args: list[str | int] = ["" if version is None else str(version), data, _SETTLE_TTL]
        return _settled(self._call(self._settle, keys=keys, args=args))

    def touch(self, sid: str, ttl: int) -> bool:
        """Extend the expiry of ``sid``'s record (``EXPIRE``), keeping its data."""
        return bool(self._call(self.client.expire, self._key(sid), ttl))

    def delete(self, sid: str) -> None:
        """Remove the record of ``sid``."""
        self._write(self.client.delete, self._key(sid))

    def close(self) -> None:
        """Close the connection pool."""
        self.client.close()

    def _call(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with _store_errors():
            return method(*args, **kwargs)

    def _write(self, method: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with _store_errors(write=True):
            return method(*args, **kwargs)


def _record(reply: Any) -> StoreRecord | None:
    """The record in an ``HMGET d v`` reply; every bad reply becomes a StoreError."""
    if not isinstance(reply, list | tuple) or len(reply) != 2:
        raise StoreError("Redis: HMGET did not answer with two fields")
    data, version = reply
    if data is None or version is None:
        return None
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            data = None
    if not isinstance(data, str):
        raise CorruptRecord("Redis: the record's data is not UTF-8 text")
    return StoreRecord(data, _version(version, "the record's version", CorruptRecord))


def _version(value: Any, what: str, error: type[StoreError] = StoreError) -> int:
    if isinstance(value, bytes | str) and value.isascii() and value.isdigit() and len(value) < 20:
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise error(f"Redis: {what} is not an integer")


def _settled(result: Any) -> int | None:
    """The answer of the settle script: a version, ``None`` (not applied), or unknown."""
    if result == -1:
        raise StoreError("Redis: a later write hides whether the unanswered write was applied")
    return _version(result, "the settle script") or None


#: The TTL (seconds) of the empty record that keeps an unanswered create from landing
#: later: longer than any stall a client could still be waiting out.
_SETTLE_TTL = 3600


def _failure(exc: Exception, write: bool) -> StoreError:
    """The StoreError for redis-py's ``exc``; an unanswered write is an UnconfirmedWrite.

    A timeout or a lost connection may hit after the command was sent (with
    ``retries``, any of the attempts may have been), so a write may have landed.
    """
    # redis-py's messages name the host and port, never the password.
    reason = f"Redis: {type(exc).__name__}: {exc}"
    if write and isinstance(exc, redis.TimeoutError | redis.ConnectionError):
        return UnconfirmedWrite(reason)
    return StoreError(reason)


@contextmanager
def _store_errors(*, write: bool = False) -> Iterator[None]:
    try:
        yield
    except (redis.RedisError, RedisClusterException) as exc:
        # RedisClusterException (e.g. keys of one command in several slots) is not a
        # RedisError.
        raise _failure(exc, write) from exc
