"""django.contrib.auth login and logout over real HTTP, on both sessionware engines.

A small Django project (``tests/_django_project``) runs under gunicorn or waitress on
loopback; a cookie-keeping client logs in (``login()`` calls ``cycle_key()``), visits
and logs out (``logout()`` calls ``flush()``).
"""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests._redis_server import private_redis
from tests._servers import BIN, ROOT, Browser, Server, clean_env, gunicorn_server
from tests.conftest import SECRET

pytestmark = pytest.mark.server

COOKIE = "sessionid"


def project_env(db: Path, engine: str, store_url: str = "") -> dict[str, str]:
    env = clean_env(
        DJANGO_SETTINGS_MODULE="tests._django_project.settings",
        DJANGO_TEST_SECRET_KEY=SECRET,
        DJANGO_TEST_DB=str(db),
        DJANGO_TEST_ENGINE=f"sessionware.django.{engine}",
        DJANGO_TEST_STORE_URL=store_url,
    )
    if engine == "behind":
        env.update(DJANGO_TEST_BEHIND="1", DJANGO_TEST_ENGINE="sessionware.django.cookie")
    return env


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's SQLite database with the user alice (migrated once per module)."""
    db = tmp_path_factory.mktemp("django") / "db.sqlite3"
    subprocess.run(
        [sys.executable, "-m", "tests._django_project.setup_db"],
        cwd=ROOT,
        env=project_env(db, "cookie"),
        check=True,
    )
    return db


def gunicorn(env: dict[str, str], workers: int) -> Server:
    return gunicorn_server("tests._django_project.wsgi:application", env=env, workers=workers)


def waitress(env: dict[str, str]) -> Server:
    return Server(
        [
            str(BIN / "waitress-serve"),
            "--listen=127.0.0.1:0",
            "--threads=4",
            "tests._django_project.wsgi:application",
        ],
        r"Serving on http://127\.0\.0\.1:(?P<port>\d+)",
        env=env,
    )


def whoami(browser: Browser) -> tuple[str, int]:
    reply = browser.get("/whoami")
    assert reply.status == 200, reply.body
    match = re.fullmatch(r"user=(?P<user>\S+) visits=(?P<visits>\d+)", reply.body)
    assert match, reply.body
    return match["user"], int(match["visits"])


def log_in(browser: Browser, password: str = "wonderland") -> int:  # noqa: S107
    return browser.post("/login", {"username": "alice", "password": password}).status


@pytest.fixture(
    params=[
        pytest.param(("cookie", "", "gunicorn"), id="cookie-gunicorn"),
        pytest.param(("cookie", "", "waitress"), id="cookie-waitress"),
        pytest.param(("store", "memory://", "waitress"), id="store-memory-waitress"),
        pytest.param(("store", "sqlite", "gunicorn"), id="store-sqlite-gunicorn"),
        pytest.param(("store", "redis", "gunicorn"), id="store-redis-gunicorn"),
        pytest.param(("behind", "", "gunicorn"), id="behind-wsgi-middleware-gunicorn"),
    ]
)
def site(
    request: pytest.FixtureRequest, database: Path, tmp_path: Path
) -> Iterator[tuple[str, Server]]:
    """The project under a real server, with one engine (and store)."""
    engine, store, server_name = request.param
    with contextlib.ExitStack() as stack:
        url = store
        if store == "sqlite":
            url = f"sqlite:///{tmp_path / 'sessions.sqlite3'}"
        elif store == "redis":
            url = stack.enter_context(private_redis(tmp_path)).url
        env = project_env(database, engine, url)
        # memory:// lives in one process: serve it from waitress's single process.
        server = waitress(env) if server_name == "waitress" else gunicorn(env, workers=2)
        yield engine, stack.enter_context(server)


def test_login_cycles_the_key_and_logout_ends_the_session(site: tuple[str, Server]) -> None:
    engine, server = site
    browser = Browser(server.url)
    assert whoami(browser) == ("anonymous", 1)
    before_login = browser.cookies[COOKIE]

    assert log_in(browser, "wrong") == 403
    assert log_in(browser) == 200
    logged_in = browser.cookies[COOKIE]
    assert logged_in != before_login
    # cycle_key() keeps the data: the visit counter goes on.
    assert whoami(browser) == ("alice", 2)

    if engine == "store":
        # The pre-login ID was deleted: a planted or stolen one is worthless now.
        assert whoami(Browser(server.url, {COOKIE: before_login})) == ("anonymous", 1)

    reply = browser.post("/logout")
    assert reply.status == 200
    assert COOKIE not in browser.cookies
    assert whoami(browser) == ("anonymous", 1)

    replayed = Browser(server.url, {COOKIE: logged_in})
    if engine == "store":
        # logout() deleted the record: a copy of the cookie no longer logs anyone in.
        assert whoami(replayed)[0] == "anonymous"
    else:
        # A signed cookie cannot be revoked: a copy stays valid until it expires
        # (documented in docs/django.md; use the store engine where that matters).
        assert whoami(replayed)[0] == "alice"


def test_a_tampered_cookie_is_a_fresh_session_and_a_log_line(database: Path) -> None:
    with waitress(project_env(database, "cookie")) as server:
        browser = Browser(server.url)
        whoami(browser)
        value = browser.cookies[COOKIE]
        forged = Browser(server.url, {COOKIE: value[:-2] + ("AA" if value[-2:] != "AA" else "BB")})
        reply = forged.get("/whoami")
        assert reply.status == 200
        assert reply.body == "user=anonymous visits=1"
        refusal = "Refused the 'sessionid' session cookie: the signature does not match"
        output = server.wait_for_output(refusal)
        assert refusal in output
        assert value not in output


def test_flask_with_its_own_session_shares_the_login(database: Path) -> None:
    shared = "a-key-shared-by-flask-and-django-long-enough"
    django_env = project_env(database, "cookie")
    django_env["DJANGO_TEST_SHARED_KEY"] = shared
    flask_env = clean_env(FLASK_TEST_SECRET_KEY=shared)
    flask = Server(
        [str(BIN / "waitress-serve"), "--listen=127.0.0.1:0", "tests._flask_native:app"],
        r"Serving on http://127\.0\.0\.1:(?P<port>\d+)",
        env=flask_env,
    )
    with waitress(django_env) as django, flask:
        # One browser, one cookie jar: as if both were served under one host name.
        on_django, on_flask = Browser(django.url), Browser(flask.url)
        on_flask.cookies = on_django.cookies
        assert whoami(on_django) == ("anonymous", 1)
        assert json.loads(on_flask.get("/").body) == {"visits": 2, "django_user_id": None}
        assert log_in(on_django) == 200
        assert whoami(on_django) == ("alice", 3)
        assert json.loads(on_flask.get("/").body)["django_user_id"] is not None
        assert on_flask.post("/clear").status == 200
        assert whoami(on_django) == ("anonymous", 1)
