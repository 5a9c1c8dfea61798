"""Signing and verifying cookie values in itsdangerous' URL-safe timed format.

The value is ``payload "." timestamp "." signature``, each part URL-safe base64
without padding, where the payload is (possibly zlib-compressed) UTF-8 JSON. The
signature is an HMAC of ``payload "." timestamp`` under a key that itsdangerous
derives from the secret and a salt. Keys are derived once, when the signer is built;
each request then costs one HMAC.
"""

from __future__ import annotations

import hashlib
import hmac
from binascii import Error as Base64Error
from binascii import a2b_base64, b2a_base64
from collections.abc import Sequence
from typing import Protocol

from itsdangerous import Signer

from sessionware.config._limits import DEFAULT_MAX_PAYLOAD_SIZE

from ._compression import InflateError, deflate, inflate

__all__ = ["COMPRESS_FROM", "BadCookie", "CookieSigner", "check_age", "check_digest_method"]

#: Payloads shorter than this many bytes are signed without trying zlib. Measured on
#: 20,000 generated sessions (``python -m bench.compression``): below 128 bytes zlib
#: saves 1% on average, from 128 to 255 bytes 8-16%, a few dozen bytes of a cookie far
#: from the 4 KB limit, while trying it costs about 90,000 instructions on every write
#: and inflating it about 26,000 on every read of the cookie. From 256 bytes on, the
#: choice is Flask's: compressed when that is at least two bytes shorter.
COMPRESS_FROM = 256


class BadCookie(Exception):
    """A cookie value that cannot be accepted; ``reason`` says why, for the log.

    ``code``, when given, is the :data:`sessionware.events.REFUSAL_REASONS` entry the
    refusal is counted under (``"bad_signature"`` for a value that fails
    authentication); without it, ``"expired"`` or ``"malformed"``.
    """

    def __init__(self, reason: str, *, expired: bool = False, code: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.expired = expired
        self.code = code


# binascii with a translation table is what base64.urlsafe_b64* do, minus three layers
# of Python wrappers that cost more than the conversion itself on cookie-sized data.
_TO_URLSAFE = bytes.maketrans(b"+/", b"-_")
_FROM_URLSAFE = bytes.maketrans(b"-_", b"+/")
_PADDING = (b"", b"===", b"==", b"=")


def _b64encode(data: bytes) -> bytes:
    return b2a_base64(data, newline=False).translate(_TO_URLSAFE).rstrip(b"=")


def _b64decode(data: bytes) -> bytes:
    return a2b_base64(data.translate(_FROM_URLSAFE) + _PADDING[len(data) & 3])


_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
#: The characters that may end canonical unpadded base64, by its length modulo 4: those
#: whose bits beyond the data are zero (none for length 1, which holds no whole byte).
_LAST = (_ALPHABET, b"", _ALPHABET[::16], _ALPHABET[::4])
#: _FROM_URLSAFE, with the standard alphabet's own "+" and "/" made bytes a2b_base64 skips.
_FROM_CANONICAL = bytes.maketrans(b"-_+/", b"+/!!")


def canonical_b64decode(data: bytes) -> bytes:
    """Decode unpadded URL-safe base64 written as :func:`_b64encode` writes it, and
    nothing else: exactly one spelling of each byte string is accepted.

    Any other character (``+``, ``/``, ``=``, blanks), a length that holds no whole
    byte, or unused low bits that are not zero raise :class:`ValueError` (or
    :class:`binascii.Error`). Checked without encoding the result again.
    """
    size = len(data)
    if size and data[-1] not in _LAST[size & 3]:
        raise ValueError("not canonical base64: its last character carries extra bits")
    decoded = a2b_base64(data.translate(_FROM_CANONICAL) + _PADDING[size & 3])
    # a2b_base64 skips bytes outside its alphabet (and "+", "/", translated out) and
    # stops at "=": each such character is 6 bits fewer, so a whole byte fewer at these
    # lengths. A cheaper test than strict_mode=True, which costs more than decoding.
    if len(decoded) != size * 3 // 4:
        raise ValueError("not URL-safe unpadded base64")
    return decoded


class _MAC(Protocol):
    """What :func:`_hmac` needs of a prepared HMAC: the stdlib's, or OpenSSL's inside it."""

    def copy(self) -> _MAC: ...
    def update(self, message: bytes, /) -> None: ...
    def digest(self) -> bytes: ...


def _prepared(key: bytes, digest_method: str) -> _MAC:
    """An HMAC under ``key``, to copy per message.

    CPython's :class:`hmac.HMAC` wraps an OpenSSL HMAC object (``_hmac``) whose
    ``copy``, ``update`` and ``digest`` are C calls; going through the wrapper adds a
    Python call to each (about 3,500 instructions per cookie). The wrapper is used where
    there is no such object (another Python, or a digest OpenSSL lacks).
    """
    mac = hmac.new(key, digestmod=digest_method)
    inner: _MAC | None = getattr(mac, "_hmac", None)
    return mac if inner is None else inner


def _hmac(prepared: _MAC, message: bytes) -> bytes:
    # Copying an HMAC prepared once with the key skips re-hashing the padded key and
    # looking the digest up by name, which hmac.digest does on every call.
    mac = prepared.copy()
    mac.update(message)
    return mac.digest()


class CookieSigner:
    """Signs payloads with the current key; verifies with it and then the fallbacks.

    :param secret_key: the key new cookies are signed with.
    :param fallbacks: older keys, oldest first, as :class:`~sessionware.SessionConfig`
        holds them; they are tried newest first.
    :param salt: itsdangerous' salt, which separates this use of the key from others.
    :param digest_method: a :mod:`hashlib` algorithm name for both key derivation and
        signature.
    """

    def __init__(
        self,
        secret_key: str | bytes,
        fallbacks: Sequence[str | bytes] = (),
        *,
        salt: str | bytes = b"cookie-session",
        digest_method: str = "sha1",
    ) -> None:
        digestmod = getattr(hashlib, digest_method)
        self._keys = [
            Signer(key, salt=salt, key_derivation="hmac", digest_method=digestmod).derive_key()
            for key in (secret_key, *reversed(fallbacks))
        ]
        self._macs = [_prepared(key, digest_method) for key in self._keys]
        #: The last timestamp signed and its encoding (with the dot before it).
        self._last_stamp: tuple[int, bytes] = (-1, b"")

    def dumps(self, payload: bytes, timestamp: int, *, compress_from: int = COMPRESS_FROM) -> str:
        """Sign ``payload`` (JSON bytes) at ``timestamp``.

        A payload of at least ``compress_from`` bytes is compressed when that makes it
        at least two bytes shorter, as Flask decides; a shorter one is not tried
        (0 tries every payload, as Flask does). Flask reads both forms.
        """
        if len(payload) >= compress_from:
            compressed = deflate(payload)
            if len(compressed) < len(payload) - 1:
                return self.sign(b"." + _b64encode(compressed), timestamp)
        return self.sign(_b64encode(payload), timestamp)

    def sign(self, body: bytes, timestamp: int) -> str:
        """Sign an already encoded payload ``body`` at ``timestamp``.

        Re-issuing an unchanged session re-signs the body its cookie came with, which
        skips serializing and compressing the data again.
        """
        last = self._last_stamp
        if last[0] != timestamp:
            # One encoding per second at most: most cookies of a busy second share it.
            last = self._last_stamp = (
                timestamp,
                b"." + _b64encode(timestamp.to_bytes(8, "big").lstrip(b"\x00")),
            )
        message = body + last[1]
        signature = _hmac(self._macs[0], message)
        return (message + b"." + _b64encode(signature)).decode("ascii")

    def loads(
        self,
        value: str,
        now: float,
        max_age: int,
        skew: int = 0,
        max_payload: int = DEFAULT_MAX_PAYLOAD_SIZE,
    ) -> tuple[bytes, int, int]:
        """Verify ``value``; return its payload, the index of the key that signed it,
        and its signed timestamp (Unix seconds).

        Index 0 is the current key; a higher index means a fallback signed it.

        :param skew: how many seconds ahead of ``now`` the timestamp may be.
        :param max_payload: the most bytes the payload may have once decompressed;
            inflating stops one byte past it, so a cookie of zeros costs no more.
        :raises BadCookie: the signature, the timestamp, or the encoding is wrong, or
            the cookie is older than ``max_age`` seconds (or more than ``skew`` seconds
            in the future).
        """
        try:
            raw = value.encode("ascii")
        except UnicodeEncodeError:
            raise BadCookie("the cookie value is not ASCII") from None
        message, dot, encoded_signature = raw.rpartition(b".")
        if not dot:
            raise BadCookie("the cookie value has no signature")
        try:
            signature = _b64decode(encoded_signature)
        except (Base64Error, ValueError):
            raise BadCookie("the signature is not valid base64") from None
        macs = self._macs
        index = 0
        while not hmac.compare_digest(_hmac(macs[index], message), signature):
            index += 1
            if index == len(macs):
                raise BadCookie("the signature does not match any configured key")
        body, dot, encoded_timestamp = message.rpartition(b".")
        if not dot:
            raise BadCookie("the cookie value has no timestamp")
        try:
            timestamp = int.from_bytes(_b64decode(encoded_timestamp), "big")
        except (Base64Error, ValueError):
            raise BadCookie("the timestamp is not valid base64") from None
        check_age(timestamp, now, max_age, skew)
        compressed = body.startswith(b".")
        try:
            payload = _b64decode(body[1:] if compressed else body)
            if compressed:
                payload = inflate(payload, max_payload)
        except (Base64Error, ValueError, InflateError):
            raise BadCookie("the payload is not valid base64 or zlib data") from None
        if len(payload) > max_payload:
            raise BadCookie(
                f"the payload is over {max_payload} bytes once decompressed (max_payload_size)"
            )
        return payload, index, timestamp


def check_age(timestamp: int, now: float, max_age: int, skew: int) -> None:
    """Refuse a value authenticated at ``timestamp`` that is now too old or too new.

    A little ahead (up to ``skew`` seconds) is allowed: another machine's clock may run
    ahead of this one's; that is not an attack.

    :raises BadCookie: older than ``max_age`` seconds, or dated further ahead than
        ``skew`` (both counted as expired).
    """
    age = int(now) - timestamp
    if age > max_age:
        raise BadCookie(f"the cookie is {age} seconds old, outside 0..{max_age}", expired=True)
    if age < -skew:
        raise BadCookie(
            f"the cookie is dated {-age} seconds in the future, more than the clock_skew of {skew}",
            expired=True,
        )


def check_digest_method(name: object) -> None:
    """Raise :class:`ValueError` unless ``name`` can sign and verify a cookie.

    It is checked by signing and verifying a value, the way requests use it:
    :func:`hashlib.new` accepts spellings (``"SHA256"``, ``"sha3-256"``) and
    OpenSSL-only names that the signing path cannot use, and a variable-length digest
    (``"shake_128"``) builds but cannot sign.
    """
    try:
        if not isinstance(name, str):
            raise TypeError(name)
        signer = CookieSigner(b"\x00" * 32, digest_method=name)
        signer.loads(signer.sign(b"e30", 0), 0, 0)
    except (AttributeError, TypeError, ValueError, BadCookie):
        raise ValueError(
            f"digest_method={name!r} cannot sign cookies; give the name of a hashlib "
            "function as hashlib spells it, such as 'sha1' (Flask-compatible), 'sha256', "
            "'sha512' or 'sha3_256'."
        ) from None
