"""Create the test project's database and its one user (run once, before the server)."""

from __future__ import annotations

import os

import django
from django.core.management import call_command

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests._django_project.settings")
django.setup()
call_command("migrate", verbosity=0)

from django.contrib.auth.models import User  # noqa: E402  (needs django.setup())

User.objects.create_user("alice", password="wonderland")
