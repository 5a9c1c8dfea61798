"""Server-side sessions: the cookie carries a signed session ID, the data lives in a store.

Data flows one way, each part knowing only the next:

1. :mod:`.interface` (:class:`ServerSideSessionInterface`) is the wiring: it verifies
   the signed ID in the cookie, hands the handler a session, and after the handler
   passes it on and sets or deletes the cookie as told.
2. :mod:`.session` (:class:`ServerSideSession`) only records what the request changed:
   the keys it set or deleted, a requested :meth:`~ServerSideSession.regenerate` or
   :meth:`~ServerSideSession.invalidate`. It never talks to a store.
3. :mod:`.saving` (:class:`~.saving.SavePolicy`) turns those records into store writes:
   compare-and-set on the record's version, merging the request's own changes
   (:mod:`.merge`) onto a newer copy when it lost a race, throttled expiry touches,
   and the ``on_store_error`` policy.
4. The store (:mod:`sessionware.stores`) keeps records; it knows nothing of sessions.

A per-user index of sessions belongs beside these as one more part (``users.py``).
"""

from .interface import STORE_ERROR_KEY as STORE_ERROR_KEY
from .interface import ServerSideSessionInterface as ServerSideSessionInterface
from .session import ServerSideSession as ServerSideSession
from .session import StoreUnavailableSession as StoreUnavailableSession

__all__ = [
    "STORE_ERROR_KEY",
    "ServerSideSession",
    "ServerSideSessionInterface",
    "StoreUnavailableSession",
]
