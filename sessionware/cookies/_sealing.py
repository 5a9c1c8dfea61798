"""Encrypting cookie values with AES-256-GCM under dated keys (``cryptography``).

A sealed value is ``"e1." key_id "." base64url(nonce || ciphertext || tag)``: the
format version, the ID of the key that sealed it, and the AEAD output. The plaintext
is one flags byte (bit 0: zlib-compressed), the seal time as 8 big-endian bytes, then
the serialized session. The associated data binds the token to its format version,
its key ID, the purpose and the cookie name, so a token moved into another cookie, or
made for another purpose, does not decrypt. See docs/encryption.md for the choices.

This module imports ``cryptography``; sessionware imports it only when an encrypted
interface is built.
"""

from __future__ import annotations

import hashlib
import os
from binascii import Error as Base64Error
from collections.abc import Sequence
from typing import NamedTuple

try:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF
except ImportError as exc:  # pragma: no cover - the test extra installs it
    raise ImportError(
        "encrypted cookies need the cryptography package: pip install sessionware[crypto]"
    ) from exc

from sessionware.config.keyring import KeyRing, RingView

from ._compression import InflateError, deflate, inflate
from ._signing import BadCookie, _b64encode, canonical_b64decode, check_age

__all__ = ["CookieSealer", "Opened"]

VERSION = b"e1"
_PREFIX = VERSION + b"."
_NONCE = 12
_TAG = 16
_HEADER = 9  # flags byte + 8-byte timestamp
_COMPRESSED = 1
_KEY_INFO = b"sessionware/aes-256-gcm/cookie-key/v1"
_ID_INFO = b"sessionware/cookie-key-id/v1\x00"


def derive_key(secret: bytes) -> AESGCM:
    """The AES-256-GCM key for a ring or config secret.

    HKDF separates it from the HMAC key the same secret gives signed cookies.
    """
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_KEY_INFO)
    return AESGCM(hkdf.derive(secret))


def secret_key_id(secret: bytes) -> str:
    """A stable, non-secret ID for a plain ``secret_key`` (which has no ID of its own)."""
    return "s" + hashlib.sha256(_ID_INFO + secret).hexdigest()[:10]


class Opened(NamedTuple):
    """What an opened token holds besides its key: its payload and when it was sealed."""

    payload: bytes
    #: The current key sealed it (otherwise it is due for re-encryption).
    current: bool
    #: The authenticated seal time, whole Unix seconds: the cookie's last issue.
    sealed_at: int


def _bytes(secret: str | bytes) -> bytes:
    return secret.encode("utf-8") if isinstance(secret, str) else secret


class CookieSealer:
    """Seals and opens cookie values under a key ring or a plain secret key.

    :param ring: the key ring; when ``None``, ``secret_key`` (current) and
        ``fallbacks`` (older, oldest first) are the keys.
    :param purpose: what the cookie is for, bound into the associated data.
    :param compress: zlib-compress the plaintext when that makes it shorter. Off by
        default: see docs/encryption.md (CRIME/BREACH).
    """

    def __init__(
        self,
        ring: KeyRing | None,
        secret_key: str | bytes | None = None,
        fallbacks: Sequence[str | bytes] = (),
        *,
        purpose: str = "session",
        compress: bool = False,
    ) -> None:
        self._ring = ring
        self._purpose = purpose.encode("utf-8")
        self._compress = compress
        self._aeads: dict[str, AESGCM] = {}
        self._static: tuple[str, dict[str, AESGCM]] | None = None
        if ring is None:
            if not secret_key:
                raise ValueError("a CookieSealer needs a key ring or a secret key")
            keys = {secret_key_id(_bytes(k)): derive_key(_bytes(k)) for k in fallbacks}
            current = secret_key_id(_bytes(secret_key))
            keys[current] = derive_key(_bytes(secret_key))
            self._static = (current, keys)
        self._ads: dict[tuple[str, str], bytes] = {}

    def _keys(self, now: float) -> tuple[str, RingView | None]:
        if self._static is not None:
            return self._static[0], None
        assert self._ring is not None
        view = self._ring.view(now)
        return view.current.id, view

    def _aead(self, key_id: str, view: RingView | None) -> AESGCM | None:
        if view is None:
            assert self._static is not None
            return self._static[1].get(key_id)
        key = view.readers.get(key_id)
        if key is None:
            return None
        aead = self._aeads.get(key_id)
        if aead is None:
            aead = self._aeads[key_id] = derive_key(bytes.fromhex(key.secret))
        return aead

    def _ad(self, key_id: str, cookie_name: str) -> bytes:
        ad = self._ads.get((key_id, cookie_name))
        if ad is None:
            ad = b"\x00".join(
                (b"sessionware", VERSION, key_id.encode(), self._purpose, cookie_name.encode())
            )
            self._ads[key_id, cookie_name] = ad
        return ad

    def seal(self, payload: bytes, now: float, cookie_name: str) -> str:
        """Encrypt ``payload`` for cookie ``cookie_name`` with the current key."""
        key_id, view = self._keys(now)
        aead = self._aead(key_id, view)
        assert aead is not None
        flags = 0
        if self._compress:
            compressed = deflate(payload)
            if len(compressed) < len(payload):
                payload, flags = compressed, _COMPRESSED
        plaintext = bytes((flags,)) + int(now).to_bytes(8, "big") + payload
        nonce = os.urandom(_NONCE)
        ad = self._ads.get((key_id, cookie_name)) or self._ad(key_id, cookie_name)
        sealed = nonce + aead.encrypt(nonce, plaintext, ad)
        return f"e1.{key_id}.{_b64encode(sealed).decode('ascii')}"

    def open(
        self,
        value: str,
        now: float,
        max_age: int,
        cookie_name: str,
        skew: int,
        max_payload: int,
    ) -> Opened:
        """Decrypt ``value``; return its payload, whether the current key sealed it and
        its seal time.

        ``skew`` is how many seconds in the future the seal time may lie (the config's
        ``clock_skew``). ``max_payload`` is the most bytes the payload may have once
        decompressed (``max_payload_size``): inflating stops one byte past it, so a
        compressed cookie of zeros costs no more than that.

        :raises BadCookie: the value is not a sealed cookie of this format, its key is
            retired or unknown, it fails authentication, or it is older than
            ``max_age`` seconds (or from the future), or its payload is over
            ``max_payload`` bytes.
        """
        try:
            raw = value.encode("ascii")
        except UnicodeEncodeError:
            raise BadCookie("the cookie value is not ASCII") from None
        if not raw.startswith(_PREFIX):
            raise BadCookie("the cookie is not an encrypted sessionware cookie (format e1)")
        key_part, dot, body = raw[len(_PREFIX) :].partition(b".")
        if not dot:
            raise BadCookie("the encrypted cookie has no key id")
        key_id = key_part.decode("ascii")
        static = self._static
        if static is not None:  # _keys and _aead for a secret key, in this frame
            current, aead = static[0], static[1].get(key_id)
        else:
            current, view = self._keys(now)
            aead = self._aead(key_id, view)
        if aead is None:
            raise BadCookie(
                "the cookie was encrypted with a retired or unknown key", code="bad_signature"
            )
        # Base64 text whose unused low bits differ decodes to the same bytes: only the
        # one canonical spelling is decoded, so that no altered cookie is ever accepted.
        try:
            sealed = canonical_b64decode(body)
        except (Base64Error, ValueError):
            raise BadCookie("the encrypted cookie is not canonical base64") from None
        if len(sealed) < _NONCE + _TAG + _HEADER:
            raise BadCookie("the encrypted cookie is truncated")
        try:
            plaintext = aead.decrypt(
                sealed[:_NONCE],
                sealed[_NONCE:],
                self._ads.get((key_id, cookie_name)) or self._ad(key_id, cookie_name),
            )
        except InvalidTag:
            raise BadCookie(
                "the encrypted cookie failed authentication (altered, or made for another "
                "cookie name or purpose)",
                code="bad_signature",
            ) from None
        timestamp = int.from_bytes(plaintext[1:_HEADER], "big")
        check_age(timestamp, now, max_age, skew)
        payload = plaintext[_HEADER:]
        if plaintext[0] & _COMPRESSED:
            try:
                payload = inflate(payload, max_payload)
            except InflateError:  # authenticated: only a bug of a key holder's
                raise BadCookie("the encrypted payload is not valid zlib data") from None
        if len(payload) > max_payload:
            raise BadCookie(
                f"the payload is over {max_payload} bytes once decompressed (max_payload_size)"
            )
        # tuple.__new__ skips the named tuple's Python-level __new__ (once per request).
        return tuple.__new__(Opened, (payload, key_id == current, timestamp))
