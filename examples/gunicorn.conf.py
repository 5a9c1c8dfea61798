"""gunicorn settings for the plain example: several worker processes, each with threads.

    SESSIONWARE_SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))') \
        gunicorn -c examples/gunicorn.conf.py

Command-line options win over these (``--bind 0.0.0.0:8080``, ``--workers 8``).
"""

from __future__ import annotations

import os

# Every worker must sign with the same key, or a cookie set by one worker is refused by
# the next. The plain example would make a random key per worker; refuse to start instead.
if not (os.environ.get("SESSIONWARE_SECRET_KEY") or os.environ.get("SESSIONWARE_SECRET_KEY_FILE")):
    raise SystemExit(
        "gunicorn.conf.py: set SESSIONWARE_SECRET_KEY (or SESSIONWARE_SECRET_KEY_FILE) so "
        "that all workers share one secret key; e.g. "
        "export SESSIONWARE_SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))')"
    )

# Load plain_app.py from this folder, whatever directory gunicorn is started from.
chdir = os.path.dirname(os.path.abspath(__file__))
wsgi_app = "plain_app:app"

bind = ["127.0.0.1:8000"]
# Processes for CPU work, threads for waiting on I/O; sessionware keeps no per-request
# state on the middleware, so both are safe. WEB_CONCURRENCY is the common override.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = 4
worker_class = "gthread"
# Log requests and errors to the terminal (or the container's log).
accesslog = "-"
errorlog = "-"
