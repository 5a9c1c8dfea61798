"""What a store hands back and raises: its records and its errors.

Apart from :mod:`sessionware.stores.base` so that the user indexes, which the stores
build, can raise and read them without importing the store contract at run time.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

from sessionware.errors import SessionwareError

__all__ = ["CorruptRecord", "OnStoreError", "StoreError", "StoreRecord", "UnconfirmedWrite"]

#: What an interface does when its store raises :class:`StoreError`: fail the request
#: (``"raise"``) or serve a read-only empty session (``"null"``).
OnStoreError = Literal["raise", "null"]


class StoreRecord(NamedTuple):
    """One stored session, as :meth:`Store.get` returns it.

    :ivar data: the serialized session, exactly as it was given to :meth:`Store.set`.
    :ivar version: the record's version; pass it back to :meth:`Store.set` to replace
        this record only if nobody else replaced it meanwhile.
    """

    data: str
    version: int


class StoreError(SessionwareError):
    """The session store could not be reached or answered with an error.

    Stores raise it for every failure of the back end, so that the interface's
    ``on_store_error`` policy can handle them all. The message never contains session
    IDs, data or credentials, and neither does anything it chains: ``RedisStore``
    chains redis-py's exception (whose messages name only the server), ``SQLStore``
    chains nothing, since SQLAlchemy's exceptions may hold the statement's parameters.

    :ivar reason: what went wrong, for logs.
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(
            f"The session store failed: {reason}. Check that the store is running and "
            "reachable, or pass on_store_error='null' to serve requests without sessions "
            "while it is down."
        )


class CorruptRecord(StoreError):
    """A session's record exists but cannot be read as one.

    Its data is not UTF-8 text, its version is not an integer, or the back end holds
    something else under the key. :meth:`Store.get` raises it; the interface treats
    it as no session (a fresh session and a log line), not as an outage.
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason
        SessionwareError.__init__(
            self,
            f"The session store holds a corrupt record: {reason}. It is ignored and "
            "expires with its TTL.",
        )


class UnconfirmedWrite(StoreError):
    """A write was sent to the store but not answered: a timeout, a connection lost.

    The back end may have applied it, or may still apply it when it recovers (a
    stalled Redis runs the commands waiting in its sockets when it resumes), so it is
    neither "saved" nor "not saved". :meth:`Store.settle` finds out which, where the
    back end answers again.
    """

    def __init__(self, reason: str) -> None:
        self.reason = reason
        SessionwareError.__init__(
            self,
            f"The session store did not answer a write: {reason}. The write may have been "
            "applied, or may be applied when the store recovers. Check that the store is "
            "running and reachable.",
        )
