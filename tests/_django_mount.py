"""The Django example mounted beside the plain example under one SessionMiddleware."""

from __future__ import annotations

from werkzeug.middleware.dispatcher import DispatcherMiddleware

from examples.django_app import django_app
from examples.plain_app import demo_app, load_config
from sessionware import SessionMiddleware

app = SessionMiddleware(DispatcherMiddleware(demo_app, {"/django": django_app}), load_config())
