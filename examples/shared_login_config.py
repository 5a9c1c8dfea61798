"""The settings both halves of the shared-login example read: the same key, the same cookie."""

from __future__ import annotations

from sessionware import SessionConfig


def load_config() -> SessionConfig:
    """Read ``SESSIONWARE_*`` variables; both apps must see the same secret key.

    :raises SystemExit: no secret key is set. A random key per app would mean that
        neither reads the other's cookie, which is the whole point of the example.
    """
    config = SessionConfig.from_env()
    if config.secret_key is None:
        raise SystemExit(
            "shared-login example: set SESSIONWARE_SECRET_KEY to the same value for both "
            "apps, e.g. export SESSIONWARE_SECRET_KEY=$(python -c 'import secrets; "
            "print(secrets.token_hex(32))')"
        )
    return config
