"""Signing keys from a :class:`~sessionware.KeyRing`, for Flask-compatible cookies.

A signed cookie has no room for a key ID (its format is Flask's), so verification
tries the ring's unretired keys in turn: the current key first, then the others by
newest activation, then the config's ``secret_key`` and ``secret_key_fallbacks``.
Signing always uses the ring's current key, so a Flask app whose ``SECRET_KEY`` is
that key reads every new cookie.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sessionware.config.settings import SessionConfig

from ._signing import CookieSigner

if TYPE_CHECKING:
    from sessionware.config.keyring import RingView
    from sessionware.interfaces.base import SessionInterface

__all__ = ["RingSigners", "ring_signer"]

#: Per config id: the config, the ring view the signer was built for, the signer.
RingSigners = dict[int, tuple[SessionConfig, "RingView", CookieSigner]]


def ring_signer(
    interface: SessionInterface, config: SessionConfig, cache: RingSigners
) -> CookieSigner:
    """The signer for ``config``'s ring at the interface's current time.

    Rebuilt only when the ring's view changes (a key activates or retires).
    """
    assert config.keyring is not None
    view = config.keyring.view(interface.clock())
    entry = cache.get(id(config))
    if entry is not None and entry[0] is config and entry[1] is view:
        return entry[2]
    # CookieSigner takes fallbacks oldest first and tries them newest first.
    older: list[str | bytes] = list(config.secret_key_fallbacks)
    if config.secret_key:
        older.append(config.secret_key)
    older.extend(key.secret for key in reversed(view.ordered[1:]))
    signer = CookieSigner(
        view.current.secret,
        older,
        salt=interface.salt,
        digest_method=interface.digest_method,
    )
    cache[id(config)] = (config, view, signer)
    return signer
