"""The Pyramid names the adapter needs, with an install hint when Pyramid is missing."""

from __future__ import annotations

try:
    from pyramid.interfaces import ISession, ISessionFactory
    from zope.interface import implementer
except ImportError as exc:  # pragma: no cover - exercised in a subprocess
    raise ImportError(
        "sessionware.pyramid needs Pyramid: pip install sessionware[pyramid]"
    ) from exc

__all__ = ["ISession", "ISessionFactory", "implementer"]
