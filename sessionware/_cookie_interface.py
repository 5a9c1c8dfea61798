"""What the signed- and the encrypted-cookie interfaces share around their codecs.

Both keep the whole session in the cookie and carry an authenticated issue time (the
signed timestamp, the seal time): the idle and absolute timeouts, the creation time
kept under ``_created`` and the operator events are the same for both, so they live
here once, and each interface only reads and writes its own token format.
"""

from __future__ import annotations

from . import _lifetime, events
from .config import SessionConfig
from .interface import SessionInterface
from .sessions import SecureCookieSession, SessionMixin

__all__ = ["CookieSessionInterface"]


class CookieSessionInterface(SessionInterface):
    """A session interface whose whole session travels in the cookie."""

    #: A read-only request re-issues the cookie once its authenticated issue time is
    #: this fraction of ``idle_timeout`` old: fewer Set-Cookie headers, and an idle
    #: timeout that may fire up to this fraction early after the last request.
    idle_reissue_fraction: float = 0.1
    #: Keep the creation time (``_created``) in the session even without
    #: ``absolute_timeout``; subclasses that need it (revocation) turn it on.
    records_creation: bool = False

    def _timed_out(self, config: SessionConfig, session: SecureCookieSession, issued: int) -> bool:
        """Whether ``session``, whose cookie was issued at ``issued``, timed out (logged).

        Otherwise note its creation time and whether a read must re-issue the cookie
        to renew the idle clock.
        """
        if config.idle_seconds is None and config.absolute_seconds is None:
            if self.records_creation:
                session.created_at = _lifetime.created_at(session.data, issued)
            return False
        now = self.clock()
        created = session.created_at = _lifetime.created_at(session.data, issued)
        refused = _lifetime.refusal(config, now, issued, created)
        if refused is not None:
            self.log_refused(config, refused.reason, expired=True, code=refused.code)
            return True
        if _lifetime.reissue_due(config, now, issued, self.idle_reissue_fraction):
            session.reissue = True
        return False

    def _record_creation(self, config: SessionConfig, session: SecureCookieSession) -> bool:
        """Write the creation time into a non-empty session that needs it; return
        whether that changed the data (the session is then marked modified)."""
        data = session.data
        if not data or (config.absolute_seconds is None and not self.records_creation):
            return False
        created = session.created_at
        if session.regenerated or created is None:
            created = int(self.clock())
        if data.get(_lifetime.CREATED_KEY) == created:
            return False
        data[_lifetime.CREATED_KEY] = created
        session.modified = True
        return True

    def _emit_saved(self, config: SessionConfig, session: SessionMixin) -> None:
        """The events of a cookie that was sent: created, regenerated, rotated."""
        name = config.cookie_name
        if session.new:
            events.emit("created", cookie_name=name, interface=self)
        elif getattr(session, "regenerated", False):
            events.emit("regenerated", cookie_name=name, interface=self)
        if getattr(session, "rotated", False):
            events.emit("rotated", cookie_name=name, interface=self)
