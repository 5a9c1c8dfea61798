"""Checking the settings that become the session cookie's name and attributes.

What a browser would refuse (a ``SameSite=None`` cookie that is not Secure, a
``__Host-`` cookie with a Domain) fails when the config is built, not silently on the
first response; what could break a ``Set-Cookie`` header is refused outright.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["check_cookie_attributes"]

# RFC 9110 token characters: what a cookie name may be made of. Used with fullmatch:
# re.match with "$" would let a trailing newline into every Set-Cookie.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# Characters that would end an attribute or start another one if let into Set-Cookie.
_UNSAFE = re.compile(r"[;,\s\x00-\x1f\x7f]")
_SAMESITE = {"strict": "Strict", "lax": "Lax", "none": "None"}


def _check_domain(domain: Any) -> str | None:
    """``cookie_domain`` as a bare ASCII host name (IDNA-encoded), or ``None``."""
    if domain is None:
        return None
    if not isinstance(domain, str):
        raise TypeError(f"cookie_domain must be a str or None, got {domain!r}.")
    if _UNSAFE.search(domain) or ":" in domain:
        raise ValueError(
            f"cookie_domain={domain!r} contains a character that is not allowed "
            "(';', ',', ':', whitespace or control); give a bare host name such "
            "as 'example.com'."
        )
    return domain.lstrip(".").encode("idna").decode("ascii") or None


def _check_samesite(samesite: Any) -> str | None:
    """``cookie_samesite`` spelt as browsers expect it (``"Lax"``), or ``None``."""
    if samesite is None:
        return None
    if not isinstance(samesite, str) or samesite.lower() not in _SAMESITE:
        raise ValueError(
            f"cookie_samesite={samesite!r} is not allowed; use 'Strict', 'Lax', "
            "'None' or None (to leave the attribute out)."
        )
    return _SAMESITE[samesite.lower()]


def check_cookie_attributes(
    *, name: str, domain: Any, path: str, samesite: Any, secure: bool, partitioned: bool
) -> tuple[str | None, str | None]:
    """Check the cookie settings together; return ``cookie_domain`` and ``cookie_samesite``.

    Both come back normalised, as the config keeps them; the other settings are kept
    as given.
    """
    if not _TOKEN.fullmatch(name):
        raise ValueError(
            f"cookie_name={name!r} is not a valid cookie name; use letters, digits "
            "and !#$%&'*+-.^_`|~ only (no spaces, ';', ',', '=' or quotes)."
        )
    domain = _check_domain(domain)
    if _UNSAFE.search(path) or not path.startswith("/"):
        raise ValueError(
            f"cookie_path={path!r} must start with '/' and contain no ';', ',', "
            "whitespace or control characters."
        )
    samesite = _check_samesite(samesite)
    insecure = not secure
    if insecure and samesite == "None":
        raise ValueError(
            "cookie_samesite='None' requires cookie_secure=True; browsers reject "
            "SameSite=None cookies that are not Secure."
        )
    if insecure and partitioned:
        raise ValueError(
            "cookie_partitioned=True requires cookie_secure=True; browsers reject "
            "Partitioned cookies that are not Secure."
        )
    if name.startswith("__Host-") and (insecure or path != "/" or domain):
        raise ValueError(
            f"cookie_name={name!r} uses the __Host- prefix, which browsers accept only "
            "with cookie_secure=True, cookie_path='/' and cookie_domain=None."
        )
    if name.startswith("__Secure-") and insecure:
        raise ValueError(
            f"cookie_name={name!r} uses the __Secure- prefix, which browsers accept "
            "only with cookie_secure=True."
        )
    return domain, samesite
