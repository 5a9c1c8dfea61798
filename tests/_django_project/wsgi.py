"""The test project's WSGI application, for gunicorn and waitress."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests._django_project.settings")
application = get_wsgi_application()
