"""The signed and the encrypted cookie interface, for the tests of what they share.

A test of a rule both hold to takes the ``cookie_kind`` fixture (tests/conftest.py),
which is :data:`SIGNED` and then :data:`ENCRYPTED`, and builds its interface, browsers
and hand-made cookies through it: the rule is written once and checked on both.
"""

from __future__ import annotations

import zlib
from base64 import urlsafe_b64encode
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sessionware import EncryptedCookieSessionInterface, SecureCookieSessionInterface
from sessionware.cookies._signing import CookieSigner
from sessionware.interfaces.cookie import CookieSessionInterface

from ._apps import Browser
from .conftest import SECRET, FakeClock


@dataclass(frozen=True)
class CookieKind:
    """How the tests build one cookie interface, and the words its log lines use."""

    name: str
    #: The interface on ``clock``; ``compress`` asks an encrypted one to compress.
    build: Callable[[FakeClock, bool], CookieSessionInterface]
    #: A cookie named ``session`` around a raw payload, at a time, compressed or not.
    wrap: Callable[[bytes, float, bool], str]
    #: What a copy of a duplicated cookie does to be used ("none verifies").
    accepts: str
    #: How the log names re-issuing an unchanged session under the current key.
    reissue: str

    def interface(self, clock: FakeClock, *, compress: bool = False) -> CookieSessionInterface:
        """The interface, dated by ``clock``."""
        return self.build(clock, compress)

    def browser(self, clock: FakeClock, *, compress: bool = False, **settings: Any) -> Browser:
        """A browser talking to a middleware with this interface and ``settings``."""
        return Browser(clock, self.interface(clock, compress=compress), **settings)

    def cookie(self, clock: FakeClock, data: dict[str, Any], **settings: Any) -> str:
        """The cookie a middleware with ``settings`` writes for ``data`` at ``clock()``."""
        writer = self.browser(clock, **settings)
        writer.request(lambda s: s.update(data))
        value = writer.cookie()
        assert value is not None
        return value

    def payload_cookie(self, payload: bytes, at: float, *, compress: bool) -> str:
        """A cookie holding ``payload`` (JSON bytes) as is, however large it is or inflates."""
        return self.wrap(payload, at, compress)


def _signed(payload: bytes, at: float, compress: bool) -> str:
    if compress:
        body = b"." + urlsafe_b64encode(zlib.compress(payload, 9))
    else:
        body = urlsafe_b64encode(payload)
    return CookieSigner(SECRET).sign(body.rstrip(b"="), int(at))


def _sealed(payload: bytes, at: float, compress: bool) -> str:
    # Imported here: only encrypted cookies need the cryptography package.
    from sessionware.cookies._sealing import CookieSealer

    return CookieSealer(None, SECRET, compress=compress).seal(payload, at, "session")


# A signed cookie is compressed whenever that makes it smaller, whatever ``compress`` says.
SIGNED = CookieKind(
    "signed",
    lambda clock, compress: SecureCookieSessionInterface(clock=clock),
    _signed,
    accepts="verifies",
    reissue="re-signing",
)
ENCRYPTED = CookieKind(
    "encrypted",
    lambda clock, compress: EncryptedCookieSessionInterface(clock=clock, compress=compress),
    _sealed,
    accepts="decrypts",
    reissue="re-encrypting",
)
