"""What Django's sessions that do no I/O share: async methods that need no thread."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.base import SessionBase

__all__ = ["NoIOSession"]


class NoIOSession(SessionBase):  # type: ignore[misc]  # Django ships no type hints
    """A Django session kept in no store it could look up by key.

    Its methods read and write memory only, so each ``a...`` method calls its
    synchronous twin directly, where Django's defaults hop to a thread, and
    :meth:`exists` is ``False``.
    """

    async def aload(self) -> dict[str, Any]:
        """:meth:`load`: no I/O, so no thread."""
        return self.load()  # type: ignore[no-any-return]

    def exists(self, session_key: str | None = None) -> bool:
        """``False``: the session is in no store to look it up in."""
        return False

    async def aexists(self, session_key: str | None = None) -> bool:
        """:meth:`exists`."""
        return False

    async def acreate(self) -> None:
        """:meth:`create`."""
        self.create()

    async def asave(self, must_create: bool = False) -> None:
        """:meth:`save`."""
        self.save(must_create)

    async def adelete(self, session_key: str | None = None) -> None:
        """:meth:`delete`."""
        self.delete(session_key)

    async def acycle_key(self) -> None:
        """:meth:`cycle_key`."""
        self.cycle_key()
