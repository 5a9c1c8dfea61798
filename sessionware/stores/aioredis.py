"""An async store on Redis through ``redis.asyncio``: the sync RedisStore's records and scripts."""

from __future__ import annotations

from typing import Any

try:
    import redis
    import redis.asyncio as aioredis
    from redis.asyncio.retry import Retry
except ImportError as exc:  # pragma: no cover - exercised without the extra installed
    raise ImportError(
        "AsyncRedisStore needs the redis client: pip install sessionware[async-redis]"
    ) from exc

from .asyncbase import AsyncStore
from .base import CorruptRecord, StoreError, StoreRecord
from .redis import (
    _MOVE,
    _SET,
    _SETTLE,
    _SETTLE_TTL,
    _check_options,
    _connect,
    _failure,
    _record,
    _settled,
    _version,
)

__all__ = ["AsyncRedisStore"]


class AsyncRedisStore(AsyncStore):
    """Keeps each session in a Redis hash under ``prefix + session ID``, awaited.

    Records are those of :class:`~sessionware.stores.redis.RedisStore` (same keys,
    same compare-and-set and move scripts), so a WSGI app on ``RedisStore`` and an ASGI
    app on this store, with one prefix and one secret key, share their sessions.

    :param url: where the server is; may hold a password, which is never logged.
    :param client: a configured :class:`redis.asyncio.Redis` to use instead of ``url``.
    :param prefix: put before every session ID to make the key.
    :param timeout: seconds to wait for the server to connect or answer.
    :param retries: how many times a failed command is retried at once.
    :param max_connections: the size of the connection pool, per process.
    """

    def __init__(
        self,
        url: str = "redis://127.0.0.1:6379/0",
        *,
        client: aioredis.Redis | None = None,
        prefix: str = "session:",
        timeout: float = 1.0,
        retries: int = 1,
        max_connections: int = 50,
    ) -> None:
        _check_options(prefix, timeout, retries)
        if client is None:
            client = _connect(
                aioredis.Redis.from_url, Retry, url, timeout, retries, max_connections
            )
        self.client = client
        self.prefix = prefix
        self._set = client.register_script(_SET)
        self._move = client.register_script(_MOVE)
        self._settle = client.register_script(_SETTLE)

    def __repr__(self) -> str:
        kwargs = self.client.connection_pool.connection_kwargs
        where = kwargs.get("path") or f"{kwargs.get('host')}:{kwargs.get('port')}"
        return f"<AsyncRedisStore {where} db={kwargs.get('db', 0)} prefix={self.prefix!r}>"

    async def get(self, sid: str) -> StoreRecord | None:
        """Return the record of ``sid``, or ``None``."""
        try:
            reply = await self._call(self.client.hmget(self.prefix + sid, ["d", "v"]))
        except StoreError as exc:
            if not exc.reason.startswith("Redis: ResponseError: WRONGTYPE"):
                raise
            raise CorruptRecord("Redis: the key holds something other than a hash") from None
        return _record(reply)

    async def set(self, sid: str, data: str, ttl: int, version: int | None) -> int | None:
        """Compare-and-set the record of ``sid``."""
        expected = "" if version is None else str(version)
        pending = self._set(keys=[self.prefix + sid], args=[expected, data, ttl])
        result = await self._call(pending, write=True)
        return None if result is None else _version(result, "the compare-and-set script")

    async def move(self, sid: str, new_sid: str, data: str, ttl: int, version: int) -> int | None:
        """Move the record of ``sid`` to ``new_sid`` in one script."""
        keys = [self.prefix + sid, self.prefix + new_sid]
        result = await self._call(self._move(keys=keys, args=[str(version), data, ttl]), write=True)
        return None if result is None else _version(result, "the move script")

    async def settle(
        self, sid: str, version: int | None, data: str, new_sid: str | None = None
    ) -> int | None:
        """Whether an unanswered :meth:`set` or :meth:`move` landed, making sure it never
        lands later (see :meth:`RedisStore.settle`)."""
        keys = (
            [self.prefix + sid] if new_sid is None else [self.prefix + sid, self.prefix + new_sid]
        )
        args: list[str | int] = ["" if version is None else str(version), data, _SETTLE_TTL]
        return _settled(await self._call(self._settle(keys=keys, args=args)))

    async def touch(self, sid: str, ttl: int) -> bool:
        """Extend the expiry of ``sid``'s record (``EXPIRE``), keeping its data."""
        return bool(await self._call(self.client.expire(self.prefix + sid, ttl)))

    async def delete(self, sid: str) -> None:
        """Remove the record of ``sid``."""
        await self._call(self.client.delete(self.prefix + sid), write=True)

    async def close(self) -> None:
        """Close the connection pool."""
        await self.client.aclose()

    async def _call(self, pending: Any, *, write: bool = False) -> Any:
        try:
            return await pending
        except redis.RedisError as exc:
            raise _failure(exc, write) from exc
