"""Checking the keys a :class:`~sessionware.SessionConfig` signs with.

The secret key, its fallbacks and the key ring, each given directly or read from a
file. Every function returns the setting as the config keeps it, or raises
:class:`ValueError` or :class:`TypeError` naming the parameter; no message shows a key.
"""

from __future__ import annotations

import os
import sys
import warnings
from typing import TYPE_CHECKING, Any

from sessionware.errors import InsecureSecretWarning

from ._fallbacks import check_fallback_lengths, read_fallbacks_file

if TYPE_CHECKING:
    from .keyring import KeyRing

__all__ = [
    "MIN_SECRET_BYTES",
    "check_fallbacks",
    "check_keyring",
    "check_secret_key",
]

#: A secret shorter than this many bytes draws an :class:`InsecureSecretWarning`.
MIN_SECRET_BYTES = 32

# The sessionware package folder (this module is in its config/ subpackage).
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _caller_stacklevel() -> int:
    """The ``stacklevel`` that points a warning at the first frame outside sessionware."""
    frame = sys._getframe(1)
    level = 1
    while frame.f_back is not None and (
        frame.f_code.co_filename.startswith(_PACKAGE) or frame.f_code.co_filename == "<string>"
    ):
        frame = frame.f_back
        level += 1
    return level


def _key_bytes(key: str | bytes) -> bytes:
    return key.encode("utf-8") if isinstance(key, str) else key


def check_secret_key(key: Any, key_file: str | os.PathLike[str] | None) -> str | bytes | None:
    """Return ``secret_key`` (read from ``secret_key_file`` if given), ``None`` if empty.

    A key under :data:`MIN_SECRET_BYTES` is kept but warned of, pointing at the code
    that built the config.
    """
    if key_file is not None:
        if key:
            raise ValueError("secret_key and secret_key_file were both given; pass only one.")
        try:
            with open(key_file, encoding="utf-8") as handle:
                key = handle.read().strip()
        except OSError as exc:
            raise ValueError(
                f"secret_key_file={os.fspath(key_file)!r} cannot be read "
                f"({exc.strerror}); point it at a readable file holding the key."
            ) from None
    if key is not None and not isinstance(key, str | bytes):
        raise TypeError(f"secret_key must be str or bytes, got {type(key).__name__}.")
    if not key:
        return None
    if len(_key_bytes(key)) < MIN_SECRET_BYTES:
        warnings.warn(
            f"secret_key is only {len(_key_bytes(key))} bytes long; use at least "
            f"{MIN_SECRET_BYTES} random bytes, e.g. from "
            "python -c 'import secrets; print(secrets.token_hex(32))'.",
            InsecureSecretWarning,
            stacklevel=_caller_stacklevel(),
        )
    return key


def check_fallbacks(
    fallbacks: Any, fallbacks_file: str | os.PathLike[str] | None
) -> tuple[str | bytes, ...]:
    """Return ``secret_key_fallbacks`` (or those of ``secret_key_fallbacks_file``) as a tuple.

    Each fallback under :data:`MIN_SECRET_BYTES` is warned of, as a short key is.
    """
    if fallbacks_file is not None:
        if fallbacks:
            raise ValueError(
                "secret_key_fallbacks and secret_key_fallbacks_file were both given; pass only one."
            )
        fallbacks = read_fallbacks_file(fallbacks_file)
    if isinstance(fallbacks, str | bytes) or not isinstance(fallbacks, list | tuple):
        raise TypeError(
            "secret_key_fallbacks must be a list or tuple of keys (oldest first), got "
            f"a {type(fallbacks).__name__}; wrap a single old key as [old_key]."
        )
    for index, old in enumerate(fallbacks):
        if not isinstance(old, str | bytes) or not old:
            raise TypeError(
                f"secret_key_fallbacks[{index}] must be a non-empty str or bytes, "
                f"got a {type(old).__name__}."
            )
    check_fallback_lengths(fallbacks, MIN_SECRET_BYTES, _caller_stacklevel())
    return tuple(fallbacks)


def check_keyring(keyring: Any, keyring_file: str | os.PathLike[str] | None) -> KeyRing | None:
    """Return ``keyring``, or the one loaded from ``keyring_file``."""
    from .keyring import KeyRing

    if keyring_file is not None:
        if keyring is not None:
            raise ValueError("keyring and keyring_file were both given; pass only one.")
        keyring = KeyRing.from_file(keyring_file)
    if keyring is not None and not isinstance(keyring, KeyRing):
        raise TypeError(
            f"keyring must be a sessionware.KeyRing, got {type(keyring).__name__}; "
            "load one with KeyRing.from_file(path)."
        )
    return keyring
