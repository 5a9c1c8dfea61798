"""The base class of session back ends, modelled on Flask's ``SessionInterface``.

Flask's ``app`` becomes the :class:`~sessionware.SessionConfig`, the request becomes
the WSGI ``environ`` and the response becomes the list of response headers; the
methods are otherwise Flask's, so a Flask session interface ports with little change.

Longer than the ~300 lines a module should be, on purpose: every method here is an
override point of one class (finding, joining, verifying and writing the cookie), and
a subclass author reads the contract in one place. The work itself lives in
:mod:`sessionware.cookies`; what stays here is each hook's documented behaviour.
"""

from __future__ import annotations

import logging
import os
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from sessionware import events
from sessionware.config.settings import MAX_COOKIE_AGE, SessionConfig
from sessionware.cookies import _chunks
from sessionware.cookies._header import (
    DuplicateCookie,
    add_vary_cookie,
    deletion_header,
    find_cookie,
    find_cookies,
    set_cookie_header,
)
from sessionware.cookies._ringsign import RingSigners, ring_signer
from sessionware.cookies._signing import BadCookie, CookieSigner, check_digest_method
from sessionware.cookies.tagged import TaggedJSONSerializer
from sessionware.errors import CookieTooLarge, SessionwareError
from sessionware.sessions import NullSession, SecureCookieSession, SessionMixin, is_permanent

__all__ = ["SessionInterface"]

logger = logging.getLogger("sessionware")

WSGIEnviron = dict[str, Any]
_Opened = TypeVar("_Opened")
_Parsed = TypeVar("_Parsed")
Headers = list[tuple[str, str]]


class SessionInterface:
    """Opens a session for each request and saves it into the response headers.

    Subclass it and implement :meth:`open_session` and :meth:`save_session` to keep
    sessions somewhere else; override :attr:`session_class` or
    :attr:`null_session_class` to change the session objects. Nothing per-request is
    kept on the instance, so one instance serves every thread.

    :param clock: returns the current Unix time; tests pass a fake clock to control
        expiry without sleeping.
    """

    #: The class of the sessions :meth:`open_session` returns.
    session_class: type[SecureCookieSession] = SecureCookieSession
    #: The class of the session handlers get when :meth:`open_session` returns ``None``.
    null_session_class: type[NullSession] = NullSession
    #: Whether :meth:`close_session` saves changes made after the headers were sent.
    #: Cookie-based interfaces cannot (the cookie is already out), so the middleware
    #: logs a warning on such late writes instead.
    saves_after_response: bool = False
    #: Whether the interface reads more of the environ than ``HTTP_COOKIE`` (a
    #: ``session_metadata`` callable, say). Adapters that make an environ for it,
    #: such as the ASGI middleware, then build the whole request's (PEP 3333 keys);
    #: otherwise only the cookies, which is cheaper.
    reads_request: bool = False

    #: itsdangerous salt of what the interface signs (the cookie's value).
    salt: str = "cookie-session"
    #: :mod:`hashlib` name of the HMAC digest of what the interface signs.
    digest_method: str = "sha1"
    #: Turns session data into text and back.
    serializer: TaggedJSONSerializer = TaggedJSONSerializer()

    def __init__(
        self,
        *,
        clock: Callable[[], float] | None = None,
        salt: str | None = None,
        digest_method: str | None = None,
        serializer: TaggedJSONSerializer | None = None,
    ) -> None:
        self.clock: Callable[[], float] = clock or time.time
        if salt is not None:
            if not isinstance(salt, str) or not salt:
                raise ValueError(f"salt must be a non-empty str, got {salt!r}.")
            self.salt = salt
        if digest_method is not None:
            self.digest_method = digest_method
        check_digest_method(self.digest_method)
        if serializer is not None:
            self.serializer = serializer
        # Signers keyed by id(config); the config is kept in the entry so that the id
        # cannot be reused by another object while the entry lives.
        self._signers: dict[int, tuple[SessionConfig, CookieSigner | None]] = {}
        self._ring_signers: RingSigners = {}

    def _signer(self, config: SessionConfig) -> CookieSigner | None:
        """The signer for ``config``'s keys, built once; ``None`` without a secret key."""
        if config.keyring is not None:
            return ring_signer(
                config, self.clock(), self.salt, self.digest_method, self._ring_signers
            )
        entry = self._signers.get(id(config))
        if entry is not None and entry[0] is config:
            return entry[1]
        signer = None
        if config.secret_key:
            signer = CookieSigner(
                config.secret_key,
                config.secret_key_fallbacks,
                salt=self.salt,
                digest_method=self.digest_method,
            )
        self._signers[id(config)] = (config, signer)
        return signer

    def make_null_session(self, config: SessionConfig) -> NullSession:
        """Return the read-only empty session used when no session can be had."""
        return self.null_session_class()

    def is_null_session(self, obj: object) -> bool:
        """Whether ``obj`` is a null session (an instance of :attr:`null_session_class`
        or a subclass), which is never saved."""
        kind = type(obj)
        if kind is SecureCookieSession:  # the usual answer, first: never a null session
            return False
        # The class's MRO, not isinstance(): session classes are abstract-base-class
        # subclasses, and isinstance() answering "no" goes through ABCMeta's Python-level
        # hook (about 2,500 instructions on every request that opens its session).
        return self.null_session_class in kind.__mro__

    def get_expiration_time(self, config: SessionConfig, session: SessionMixin) -> datetime | None:
        """When a permanent session expires; ``None`` for a browser-session cookie."""
        if not is_permanent(session):
            return None
        return datetime.fromtimestamp(int(self.clock()) + config.lifetime_seconds, UTC)

    def should_set_cookie(self, config: SessionConfig, session: SessionMixin) -> bool:
        """Whether this response must carry the cookie.

        It must when the session was modified or needs re-issuing (signed with an old
        key), or is permanent and ``refresh_each_request`` slides its expiry forward.
        A read-only request on a browser-session cookie sends nothing.
        """
        return bool(
            session.modified
            or getattr(session, "reissue", False)
            or (config.refresh_each_request and is_permanent(session))
        )

    def open_session(self, config: SessionConfig, environ: WSGIEnviron) -> SessionMixin | None:
        """Return the request's session, or ``None`` when sessions are unavailable.

        Called lazily, the first time a handler touches the session. It must not raise
        for bad client input: a bad cookie is a fresh session.
        """
        raise NotImplementedError(
            f"{type(self).__name__}.open_session must return the request's session "
            "(or None when no session can be had)"
        )

    def save_session(self, config: SessionConfig, session: SessionMixin, headers: Headers) -> None:
        """Persist ``session`` and append any ``Set-Cookie``/``Vary`` to ``headers``.

        Called once per request that opened a session, before the response headers are
        sent; never called for a null session.
        """
        raise NotImplementedError(
            f"{type(self).__name__}.save_session must store the session and add its "
            "cookie to the response headers"
        )

    def close_session(self, config: SessionConfig, session: SessionMixin) -> None:
        """Called when the response is closed, for sessions that were opened.

        Interfaces with :attr:`saves_after_response` save changes made while the body
        streamed here; the default does nothing.
        """

    def discard_session(self, config: SessionConfig, session: SessionMixin) -> None:
        """Called instead of :meth:`close_session` when the response body failed.

        That is, it raised, or was closed before its end (the client went away), after
        the headers were sent: changes made to the session since then must not be
        committed. The default does nothing.
        """

    def release_session(self, config: SessionConfig, session: SessionMixin) -> None:
        """Called once the request is over, for sessions that were opened, saved or not.

        :class:`~sessionware.SessionMiddleware` and the Flask bridge put the session in
        the environ, so anything of the request's that the session still keeps (such as
        the environ) makes a reference cycle that only the cyclic GC frees: let go of
        it here. The ASGI middleware calls it too, once the app returned. It comes
        after :meth:`close_session` or :meth:`discard_session`, if either is called.
        The default does nothing.
        """

    # Helpers for subclasses: the cookie wire format, shared by every back end.

    def read_cookie(self, config: SessionConfig, environ: WSGIEnviron) -> str | None:
        """Return the session cookie's raw value from the request, or ``None``.

        A cookie sent twice under the session's name is refused and logged, and so is
        one whose chunks cannot be put together, whatever the reason.
        """
        header = environ.get("HTTP_COOKIE")
        if not header:
            return None
        try:
            value = find_cookie(header, config.cookie_name)
        except DuplicateCookie:
            self.log_refused(
                config, "the request carries the cookie more than once", code="duplicate"
            )
            return None
        if value is not None and config.max_chunks > 1 and _chunks.is_chunked(value):
            return self._joined(config, header, value)
        return value

    def _joined(self, config: SessionConfig, header: str, first: str) -> str | None:
        """The chunked value whose first part is ``first``; ``None`` (logged) if it
        cannot be put together."""
        try:
            return _chunks.join_chunks(config, header, first)
        except _chunks.BadChunks as exc:
            self.log_refused(config, exc.reason)
        except SessionwareError:
            raise
        except Exception as exc:  # bad input must never fail the request
            self.log_refused(config, parse_failure(exc))
        return None

    def parse_safely(
        self, config: SessionConfig, parse: Callable[..., _Parsed], *args: Any
    ) -> _Parsed | None:
        """``parse(*args)``, or ``None`` when it raises anything unexpected.

        Wrap each step that reads the request's cookie in it: whatever a helper raises
        for bad input (``ValueError``, ``TypeError``, ``UnicodeError``,
        ``binascii.Error``, ``zlib.error``, ``OverflowError``, ``RecursionError``...),
        the request gets a fresh session and one log line naming the exception's type
        and where it was raised, never its message (which may quote the cookie).
        :class:`~sessionware.errors.SessionwareError` (a store outage, a key ring with
        no active key) is the server's problem, not the cookie's: it propagates.
        """
        try:
            return parse(*args)
        except SessionwareError:
            raise
        except Exception as exc:  # bad input must never fail the request
            self.log_refused(config, parse_failure(exc))
            return None

    def note_chunks(
        self, config: SessionConfig, environ: WSGIEnviron, session: SessionMixin
    ) -> None:
        """Remember how many chunk cookies the request carried, to delete the stale ones."""
        if config.max_chunks > 1:
            session.cookie_chunks = _chunks.present(config, environ.get("HTTP_COOKIE"))  # type: ignore[attr-defined]

    def delete_stale_chunks(
        self, config: SessionConfig, session: SessionMixin, headers: Headers, keep: int
    ) -> None:
        """Delete the request's chunk cookies from index ``keep`` on."""
        _chunks.delete_chunks(config, headers, keep, getattr(session, "cookie_chunks", 0))

    def read_cookies(self, config: SessionConfig, environ: WSGIEnviron) -> list[str]:
        """Return every value of the session cookie in the request, in header order.

        Usually one or none. Several come from cookies of the same name set with other
        ``Domain`` or ``Path`` attributes, possibly planted by a sibling subdomain. A
        chunked value is returned put together; of several copies, each chunked one is
        joined with the chunk cookies, so a planted copy cannot hide a chunked session
        (one that cannot be joined is left out).
        """
        header = environ.get("HTTP_COOKIE")
        if not header:
            return []
        name = config.cookie_name
        try:
            value = find_cookie(header, name)
        except DuplicateCookie:
            return self._copies(config, header, find_cookies(header, name))
        if value is None:
            return []
        if config.max_chunks > 1 and _chunks.is_chunked(value):
            joined = self._joined(config, header, value)
            return [] if joined is None else [joined]
        return [value]

    def _copies(self, config: SessionConfig, header: str, values: list[str]) -> list[str]:
        """The copies of a cookie sent more than once, chunked ones joined.

        A chunked copy that cannot be joined is dropped; when none is left, one line
        says why.
        """
        if config.max_chunks == 1:
            return values
        copies: list[str] = []
        failures: list[str] = []
        for value in values:
            if not _chunks.is_chunked(value):
                copies.append(value)
                continue
            try:
                copies.append(_chunks.join_chunks(config, header, value))
            except _chunks.BadChunks as exc:
                failures.append(exc.reason)
            except SessionwareError:
                raise
            except Exception as exc:  # bad input must never fail the request
                failures.append(parse_failure(exc))
        if not copies:
            self.log_refused(
                config,
                f"the request carries the cookie more than once ({len(values)} copies) and "
                f"no copy's chunks can be put together ({failures[0]})",
                code="duplicate",
            )
        return copies

    def _verified_cookie(
        self, config: SessionConfig, signer: CookieSigner, environ: WSGIEnviron
    ) -> tuple[str, bytes, int, int] | None:
        """The request's cookie value, its verified payload, the index of the key that
        signed it and its signed timestamp; ``None`` when there is no valid cookie (a
        refused one is logged).

        When the request carries several copies of the cookie, the first that verifies
        is used and the others are ignored, never merged: one planted copy cannot lock
        the user out. Which copy wins when several verify follows the browser's order.
        """
        found = self.first_valid_cookie(
            config,
            environ,
            signer.loads,
            "verifies",
            self.clock(),
            config.lifetime_seconds,
            config.clock_skew_seconds,
            config.max_payload_size,
        )
        if found is None:
            return None
        value, (payload, key_index, signed_at) = found
        return value, payload, key_index, signed_at

    def first_valid_cookie(
        self,
        config: SessionConfig,
        environ: WSGIEnviron,
        open_value: Callable[..., _Opened],
        verb: str,
        *args: Any,
    ) -> tuple[str, _Opened] | None:
        """The first copy of the request's session cookie that ``open_value`` accepts.

        ``open_value(value, *args)`` verifies (or decrypts) one cookie value and raises
        :class:`~sessionware.cookies._signing.BadCookie` to refuse it; ``verb`` says what it does,
        for the log (``"verifies"``). Of several copies (another ``Domain`` or ``Path``,
        or planted by a sibling subdomain: cookie tossing) the first accepted wins and
        the others are ignored, never merged, so one planted copy cannot lock the user
        out. With none accepted, one line says why; ``None`` is returned.
        """
        values = self.read_cookies(config, environ)
        refusal: BadCookie | None = None
        for value in values:
            try:
                opened = open_value(value, *args)
            except BadCookie as exc:
                refusal = exc
                continue
            except SessionwareError:
                raise
            except Exception as exc:  # bad input must never fail the request
                refusal = BadCookie(parse_failure(exc))
                continue
            if len(values) > 1:
                logger.info(
                    "The request carries %d copies of the %r session cookie (set with "
                    "another Domain or Path, or planted); using the first that %s.",
                    len(values),
                    config.cookie_name,
                    verb,
                )
            return value, opened
        if refusal is None:
            return None
        if len(values) > 1:
            self.log_refused(
                config,
                f"the request carries the cookie more than once ({len(values)} copies) "
                f"and none {verb}",
                code="duplicate",
            )
        else:
            code = refusal.code
            if code is None:
                code = "expired" if refusal.expired else "malformed"
                if "does not match" in refusal.reason:
                    code = "bad_signature"
            self.log_refused(config, refusal.reason, expired=refusal.expired, code=code)
        return None

    def set_cookie(
        self,
        config: SessionConfig,
        session: SessionMixin,
        headers: Headers,
        value: str,
        *,
        reissue: str | None = None,
    ) -> bool:
        """Append the ``Set-Cookie`` header carrying ``value`` for ``session``.

        With ``config.max_chunks`` above 1, a value too big for one header is split
        across numbered cookies, and chunk cookies the request carried beyond those
        sent are deleted.

        :param reissue: for a cookie sent again with unchanged data, why it is sent
            (``"refreshing its expiry"``). Such a cookie that no longer fits (after
            ``cookie_domain`` or ``cookie_secure`` changed, say) is not sent: the
            browser keeps the cookie it has, which still holds the same data, and a
            warning says why. Only a write by the handler raises.
        :returns: whether the header was added.
        :raises CookieTooLarge: the header would exceed ``config.max_cookie_size``
            (with chunking: ``max_chunks`` cookies of that size cannot hold it) and
            ``reissue`` is not given.
        """
        expires_at = self.get_expiration_time(config, session)
        if expires_at is None:
            header = set_cookie_header(config, value)
        else:
            now = int(self.clock())
            max_age = max(0, min(int(expires_at.timestamp()) - now, MAX_COOKIE_AGE))
            header = set_cookie_header(config, value, now + max_age, max_age)
        if len(header) > config.max_cookie_size:
            if config.max_chunks > 1:
                try:
                    parts = _chunks.split(
                        config, value, header[len(config.cookie_name) + 1 + len(value) :]
                    )
                except CookieTooLarge:
                    if reissue is None:
                        raise
                else:
                    headers.extend(parts)
                    self.delete_stale_chunks(config, session, headers, len(parts))
                    return True
            if reissue is None:
                raise CookieTooLarge(config.cookie_name, len(header), config.max_cookie_size)
            logger.warning(
                "Kept the browser's %r session cookie as it is: %s would need a %d-byte "
                "Set-Cookie, over max_cookie_size=%d. Its data is unchanged, so it keeps "
                "working until its signed timestamp expires.",
                config.cookie_name,
                reissue,
                len(header),
                config.max_cookie_size,
            )
            return False
        headers.append(("Set-Cookie", header))
        if config.max_chunks > 1:
            self.delete_stale_chunks(config, session, headers, 1)
        return True

    def delete_cookie(self, config: SessionConfig, headers: Headers) -> None:
        """Append the ``Set-Cookie`` header that removes the session cookie."""
        headers.append(("Set-Cookie", deletion_header(config)))

    def add_vary_cookie(self, headers: Headers) -> None:
        """Add ``Cookie`` to the response's ``Vary`` header, merged, never duplicated.

        Call it when the session was accessed: a response that depends on the session
        must not be served by a shared cache to another user.
        """
        add_vary_cookie(headers)

    def log_refused(
        self, config: SessionConfig, reason: str, *, expired: bool = False, code: str | None = None
    ) -> None:
        """Log why a request's session cookie was refused, never with its value.

        Also emits a ``refused`` :mod:`~sessionware.events` event whose reason is
        ``code`` (one of :data:`sessionware.events.REFUSAL_REASONS`); without one,
        ``"expired"`` or ``"malformed"``.
        """
        if code is None:
            code = "expired" if expired else "malformed"
        events.emit("refused", reason=code, cookie_name=config.cookie_name, interface=self)
        logger.log(
            logging.INFO if expired else logging.WARNING,
            "Refused the %r session cookie: %s; starting a new session.",
            config.cookie_name,
            reason,
        )


def parse_failure(exc: BaseException) -> str:
    """Why a cookie was refused when reading it raised ``exc``, for the log.

    The exception's type and the line that raised it, never its message: messages of
    ``int()``, ``json`` or ``base64`` quote their input, which is the cookie.
    """
    where = ""
    frames = traceback.extract_tb(exc.__traceback__)
    if frames:
        last = frames[-1]
        where = f" at {os.path.basename(last.filename)}:{last.lineno} in {last.name}"
    return f"reading it raised {type(exc).__name__}{where}"
