"""The test project's WSGI application, for gunicorn and waitress."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests._django_project.settings")
application = get_wsgi_application()
if os.environ.get("DJANGO_TEST_BEHIND"):
    from sessionware import SessionMiddleware

    application = SessionMiddleware(
        application, secret_key=os.environ["DJANGO_TEST_SECRET_KEY"], cookie_name="sessionid"
    )
