"""Django session engines on sessionware: ``request.session`` shared with Flask and WSGI apps.

Set one of them as Django's ``SESSION_ENGINE`` (``pip install sessionware[django]``):

- ``"sessionware.django.cookie"``: the whole session in the Flask-compatible signed
  cookie (:mod:`sessionware.django.cookie`);
- ``"sessionware.django.store"``: the session in a sessionware store named by the
  ``SESSIONWARE_STORE_URL`` setting (:mod:`sessionware.django.store`).

Secrets and cookie settings come from Django's settings (``SECRET_KEY``,
``SECRET_KEY_FALLBACKS``, ``SESSION_COOKIE_*``); a ``SESSIONWARE`` dict overrides them.
``import sessionware`` alone never imports Django.
"""

try:
    import django as _django
except ImportError as exc:  # pragma: no cover - exercised without the extra installed
    raise ImportError("sessionware.django needs Django: pip install sessionware[django]") from exc

__all__: list[str] = []

del _django
