"""Flask's ``session`` on sessionware: configured from ``app.config``, with or without the
middleware, and the same cookies either way."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import flask
import pytest
from werkzeug.test import Client

from sessionware import (
    MemoryStore,
    SecureCookieSessionInterface,
    ServerSideSessionInterface,
    SessionConfig,
    SessionMiddleware,
    SessionUnavailable,
)
from sessionware.flask.bridge import (
    FlaskNullSession,
    FlaskSessionInterface,
    MiddlewareMissing,
    MiddlewareSessionInterface,
    init_app,
)
from sessionware.testing import read_session

from .conftest import FakeClock

SECRET = "flask-bridge-secret-that-is-long-enough!"
OTHER = "flask-bridge-other-secret-long-enough-too"


def make_app(**config: Any) -> flask.Flask:
    """A Flask app with a few session views, configured through app.config only."""
    app = flask.Flask(__name__)
    app.config.update({"TESTING": True, "SECRET_KEY": SECRET, **config})

    @app.get("/read")
    def read() -> dict[str, Any]:
        return dict(flask.session)

    @app.get("/write")
    def write() -> str:
        flask.session["n"] = flask.session.get("n", 0) + 1
        return str(flask.session["n"])

    @app.get("/nothing")
    def nothing() -> str:
        return "nothing"

    @app.get("/permanent")
    def permanent() -> str:
        flask.session.permanent = True
        flask.session["user"] = "pat"
        return ""

    @app.get("/clear")
    def clear() -> str:
        flask.session.clear()
        return ""

    @app.get("/flash")
    def flash() -> str:
        flask.flash("saved")
        return ""

    @app.get("/flashes")
    def flashes() -> str:
        return ",".join(str(message) for message in flask.get_flashed_messages())

    return app


def cookie_value(client: Any, name: str = "session") -> str | None:
    cookie = client.get_cookie(name)
    return None if cookie is None else str(cookie.value)


def test_app_config_alone_configures_the_cookie() -> None:
    app = make_app(
        SESSION_COOKIE_NAME="app_session",
        SESSION_COOKIE_DOMAIN="example.com",
        SESSION_COOKIE_SECURE=True,
        SESSION_COOKIE_HTTPONLY=False,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_PARTITIONED=True,
        PERMANENT_SESSION_LIFETIME=600,
        APPLICATION_ROOT="/app",
    )
    init_app(app)
    header = app.test_client().get("/permanent", "https://www.example.com/").headers["Set-Cookie"]
    assert header.startswith("app_session=")
    attributes = [part.strip() for part in header.split(";")[1:]]
    assert "Domain=example.com" in attributes
    assert "Secure" in attributes
    assert "HttpOnly" not in attributes
    assert "Path=/app" in attributes
    assert "SameSite=Strict" in attributes
    assert "Partitioned" in attributes
    assert "Max-Age=600" in attributes


def test_flask_reads_the_cookie_sessionware_wrote_and_back() -> None:
    ours = make_app()
    init_app(ours)
    theirs = make_app()
    client = ours.test_client()
    client.get("/write")
    # Flask's own interface, same app.config: the same cookie is one session.
    their_client = theirs.test_client()
    their_client.set_cookie("session", cookie_value(client) or "")
    assert their_client.get("/write").text == "2"
    client.set_cookie("session", cookie_value(their_client) or "")
    assert client.get("/write").text == "3"


def test_a_changed_secret_key_takes_effect_on_the_next_request() -> None:
    app = make_app()
    init_app(app)
    client = app.test_client()
    client.get("/write")
    app.config["SECRET_KEY"] = OTHER
    assert client.get("/read").json == {}
    client.get("/write")
    # The old key as a fallback: cookies it signed are accepted and re-signed.
    client.set_cookie("session", "")
    app.config.update(SECRET_KEY=SECRET)
    client.get("/write")
    app.config.update(SECRET_KEY=OTHER, SECRET_KEY_FALLBACKS=[SECRET])
    response = client.get("/read")
    assert response.json == {"n": 1}
    assert "Set-Cookie" in response.headers
    app.config.update(SECRET_KEY_FALLBACKS=[])
    assert client.get("/read").json == {"n": 1}


def test_config_is_rebuilt_only_when_a_session_key_changes() -> None:
    app = make_app()
    bridge = init_app(app)
    first = bridge.config_for(app)
    app.config["DEBUG"] = True
    assert bridge.config_for(app) is first
    app.config["SESSION_COOKIE_NAME"] = "other"
    assert bridge.config_for(app).cookie_name == "other"
    app.config["SESSION_COOKIE_NAME"] = "session"
    assert bridge.config_for(app) is first


def test_explicit_settings_and_configs_win_over_app_config() -> None:
    app = make_app(SESSION_COOKIE_NAME="from_flask")
    init_app(app, cookie_name="explicit", secret_key=OTHER)
    client = app.test_client()
    client.get("/write")
    assert cookie_value(client, "explicit") is not None
    assert app.session_interface.get_cookie_name(app) == "explicit"
    fixed = make_app(SESSION_COOKIE_NAME="from_flask")
    config = SessionConfig(secret_key=OTHER, cookie_name="fixed")
    assert init_app(fixed, config).config_for(fixed) is config
    fixed.config["SECRET_KEY"] = None
    fixed_client = fixed.test_client()
    assert fixed_client.get("/write").text == "1"
    assert cookie_value(fixed_client, "fixed") is not None


def test_flask_getters_answer_from_the_settings_in_force() -> None:
    app = make_app(SESSION_COOKIE_PATH="/p", SESSION_COOKIE_SECURE=True)
    interface = init_app(app, cookie_domain="example.org")
    assert app.extensions["sessionware"] is interface
    assert interface.get_cookie_path(app) == "/p"
    assert interface.get_cookie_domain(app) == "example.org"
    assert interface.get_cookie_secure(app) is True
    assert interface.get_cookie_httponly(app) is True
    assert interface.get_cookie_samesite(app) is None
    assert interface.get_cookie_partitioned(app) is False
    assert "app.config" in repr(interface)


def test_a_bad_app_config_fails_naming_the_flask_key() -> None:
    app = make_app(SESSION_COOKIE_SAMESITE="sometimes")
    with pytest.raises(ValueError, match=r"app\.config\['SESSION_COOKIE_SAMESITE'\]"):
        init_app(app)
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    init_app(app)
    app.config["SECRET_KEY_FALLBACKS"] = [""]
    with pytest.raises(TypeError, match=r"app\.config\['SECRET_KEY_FALLBACKS'\]"):
        app.test_client().get("/read")


def test_wrong_arguments_fail_when_built() -> None:
    with pytest.raises(TypeError, match="cookie_nmae"):
        FlaskSessionInterface(cookie_nmae="x")
    with pytest.raises(TypeError, match="not both"):
        FlaskSessionInterface(SessionConfig(secret_key=SECRET), cookie_name="x")
    with pytest.raises(TypeError, match="SessionConfig"):
        FlaskSessionInterface({"secret_key": SECRET})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="sessionware SessionInterface"):
        FlaskSessionInterface(interface=object())  # type: ignore[arg-type]


def test_test_request_context_and_flash_work_without_the_middleware() -> None:
    app = make_app()
    init_app(app)
    with app.test_request_context():
        assert not flask.session.modified
        flask.flash("Zap")
        assert flask.session.modified
        assert flask.get_flashed_messages() == ["Zap"]
    client = app.test_client()
    client.get("/flash")
    assert client.get("/flashes").text == "saved"
    assert client.get("/flashes").text == ""


def test_session_transaction_sets_what_the_next_request_reads() -> None:
    app = make_app()
    init_app(app)
    client = app.test_client()
    with client.session_transaction() as session:
        session["n"] = 41
    assert client.get("/write").text == "42"
    with client.session_transaction() as session:
        assert session["n"] == 42


def test_without_a_secret_key_writes_say_the_session_is_unavailable() -> None:
    app = make_app(SECRET_KEY=None)
    init_app(app)
    with app.test_request_context():
        assert flask.session.get("missing") is None
        assert isinstance(flask.session._get_current_object(), FlaskNullSession)  # type: ignore[attr-defined]
        with pytest.raises(RuntimeError, match="session is unavailable") as caught:
            flask.session["n"] = 1
        assert isinstance(caught.value, SessionUnavailable)
        assert "SECRET_KEY" in str(caught.value)
        with pytest.raises(SessionUnavailable, match="SECRET_KEY"):
            flask.session.setdefault("n", 1)
    client = app.test_client()
    with pytest.raises(RuntimeError, match="did not open a session"), client.session_transaction():
        pass


def test_an_untouched_session_is_neither_opened_nor_saved() -> None:
    app = make_app()
    init_app(app)
    client = app.test_client()
    client.get("/permanent")
    response = client.get("/nothing")
    assert "Set-Cookie" not in response.headers
    assert "Vary" not in response.headers
    # A read of the permanent session re-issues the cookie (refresh_each_request).
    response = client.get("/read")
    assert "Max-Age=2678400" in response.headers["Set-Cookie"]
    assert response.headers["Vary"] == "Cookie"


def test_vary_merges_with_what_the_view_set() -> None:
    app = make_app()
    init_app(app)

    @app.get("/varied")
    def varied() -> flask.Response:
        response = flask.make_response(str(flask.session.get("n")))
        response.headers["Vary"] = "Accept-Encoding"
        return response

    assert app.test_client().get("/varied").headers["Vary"] == "Accept-Encoding, Cookie"


def test_an_emptied_session_deletes_the_cookie() -> None:
    app = make_app()
    init_app(app)
    client = app.test_client()
    client.get("/write")
    header = client.get("/clear").headers["Set-Cookie"]
    assert header.startswith("session=;")
    assert cookie_value(client) is None


def test_sessionware_extras_reach_the_same_session_through_the_environ() -> None:
    app = make_app()
    init_app(app)

    @app.get("/login")
    def login() -> str:
        plain = flask.request.environ["session"]
        assert plain is flask.session._get_current_object()  # type: ignore[attr-defined]
        plain.regenerate()
        flask.session["user"] = "pat"
        return ""

    client = app.test_client()
    client.get("/write")
    before = cookie_value(client)
    client.get("/login")
    assert cookie_value(client) != before
    assert client.get("/read").json == {"n": 1, "user": "pat"}


def test_a_server_side_interface_serves_flask_too(clock: FakeClock) -> None:
    store = MemoryStore(clock=clock)
    app = make_app()
    init_app(app, interface=ServerSideSessionInterface(store, clock=clock))

    @app.get("/stream")
    def stream() -> flask.Response:
        def body() -> Iterator[str]:
            yield "started"
            # After the headers: only a server-side session can still keep this.
            flask.session["late"] = True

        return flask.Response(flask.stream_with_context(body()))

    client = app.test_client()
    assert client.get("/write").text == "1"
    issued = cookie_value(client)
    with client.session_transaction() as session:
        assert session["n"] == 1
        session["n"] = 10
    assert client.get("/write").text == "11"
    # buffered: the client reads the body and closes the response, as a server does.
    assert client.get("/stream", buffered=True).text == "started"
    assert client.get("/read").json == {"n": 11, "late": True}
    # The cookie carries a signed ID only: the data changed three times, the cookie never.
    assert issued is not None
    assert cookie_value(client) == issued


def test_behind_the_middleware_flask_session_is_the_middleware_session() -> None:
    app = make_app()
    config = SessionConfig(secret_key=SECRET)
    init_app(app, config)
    app.wsgi_app = SessionMiddleware(app.wsgi_app, config)  # type: ignore[method-assign]
    seen: list[bool] = []

    @app.get("/both")
    def both() -> str:
        plain = flask.request.environ["session"]
        seen.append(flask.session._get_current_object() is plain)  # type: ignore[attr-defined]
        flask.session["via_flask"] = 1
        plain["via_environ"] = 2
        return ""

    client = app.test_client()
    response = client.get("/both")
    assert seen == [True]
    # Saved once, by the middleware.
    assert len(response.headers.getlist("Set-Cookie")) == 1
    assert response.headers["Vary"] == "Cookie"
    assert client.get("/read").json == {"via_flask": 1, "via_environ": 2}
    # session_transaction() bypasses the middleware; the cookie it writes is the same kind.
    with client.session_transaction() as session:
        session["via_transaction"] = 3
    assert client.get("/read").json == {"via_flask": 1, "via_environ": 2, "via_transaction": 3}


def test_the_same_cookie_comes_out_with_and_without_the_middleware(clock: FakeClock) -> None:
    def cookie(wrapped: bool) -> str | None:
        app = make_app()
        config = SessionConfig(secret_key=SECRET)
        interface = SecureCookieSessionInterface(clock=clock)
        init_app(app, config, interface=interface)
        if wrapped:
            app.wsgi_app = SessionMiddleware(  # type: ignore[method-assign]
                app.wsgi_app, config, interface=interface
            )
        client = app.test_client()
        client.get("/write")
        return cookie_value(client)

    assert cookie(True) == cookie(False) is not None


def test_a_plain_wsgi_layer_and_flask_views_share_the_session() -> None:
    app = make_app()
    config = SessionConfig(secret_key=SECRET, environ_key="sessionware.session")
    init_app(app, config)
    inner = app.wsgi_app

    def outer(environ: dict[str, Any], start_response: Any) -> Any:
        environ["sessionware.session"]["from_wsgi"] = "yes"
        return inner(environ, start_response)

    app.wsgi_app = SessionMiddleware(outer, config)  # type: ignore[method-assign]
    client = app.test_client()
    assert client.get("/read").json == {"from_wsgi": "yes"}


def test_the_middleware_only_interface_still_works_and_explains_itself() -> None:
    app = flask.Flask(__name__)
    app.config["TESTING"] = True
    app.session_interface = MiddlewareSessionInterface()

    @app.get("/")
    def index() -> str:
        flask.session["n"] = flask.session.get("n", 0) + 1
        return str(flask.session["n"])

    with pytest.raises(MiddlewareMissing, match="init_app"):
        app.test_client().get("/")
    client = Client(SessionMiddleware(app, secret_key=SECRET))
    assert [client.get("/").text for _ in range(3)] == ["1", "2", "3"]


def test_permanent_lifetime_as_timedelta_and_refresh_setting() -> None:
    app = make_app(
        PERMANENT_SESSION_LIFETIME=timedelta(hours=1), SESSION_REFRESH_EACH_REQUEST=False
    )
    init_app(app)
    client = app.test_client()
    assert "Max-Age=3600" in client.get("/permanent").headers["Set-Cookie"]
    assert "Set-Cookie" not in client.get("/read").headers


def test_importing_sessionware_imports_neither_flask_nor_paste() -> None:
    code = (
        "import sys, sessionware, sessionware.wsgi.paste, sessionware.testing; "
        "print(sorted(m for m in sys.modules if m.startswith(('flask', 'paste.deploy'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stdout.strip() == "[]"


def test_a_change_after_the_response_is_logged_for_a_cookie(
    session_log: pytest.LogCaptureFixture,
) -> None:
    app = make_app()
    init_app(app)

    @app.get("/late")
    def late() -> flask.Response:
        def body() -> Iterator[str]:
            yield "started"
            flask.session["late"] = True

        return flask.Response(flask.stream_with_context(body()))

    client = app.test_client()
    client.get("/write")
    assert client.get("/late", buffered=True).text == "started"
    assert "after the response headers were sent" in session_log.text
    assert client.get("/read").json == {"n": 1}


def test_a_server_side_stream_that_never_touches_the_session_saves_nothing(
    clock: FakeClock,
) -> None:
    store = MemoryStore(clock=clock)
    app = make_app()
    bridge = init_app(app, interface=ServerSideSessionInterface(store, clock=clock))
    response = app.test_client().get("/nothing", buffered=True)
    assert response.text == "nothing"
    assert "Set-Cookie" not in response.headers
    assert bridge.is_null_session(FlaskNullSession())
    assert not bridge.is_null_session({})


@pytest.mark.server
def test_the_flask_example_served_as_is_over_real_http() -> None:
    """No middleware: waitress serves the Flask app, configured through app.config only."""
    from tests._servers import BIN, Browser, Server, clean_env

    server = Server(
        [str(BIN / "waitress-serve"), "--listen=127.0.0.1:0", "examples.flask_app:app"],
        r"Serving on http://127\.0\.0\.1:(?P<port>\d+)",
        env=clean_env(FLASK_SECRET_KEY=SECRET, FLASK_SESSION_COOKIE_NAME="flask_visit"),
    )
    with server:
        browser = Browser(server.url)
        assert "Visits: 1." in browser.get("/").body
        browser.post("/login", {"username": "dana"})
        reply = browser.get("/")
        assert "Hello, dana. Visits: 2." in reply.body
        [header] = reply.header_values("Set-Cookie")
        assert header.startswith("flask_visit=")
        assert "SameSite=Lax" in header
        assert reply.header_values("Vary") == ["Cookie"]
    # The cookie verifies with the key from app.config, as Flask's own interface would.
    config = SessionConfig(secret_key=SECRET, cookie_name="flask_visit")
    assert read_session([header], config) == {"user": "dana", "visits": 2}


def test_replacing_a_custom_flask_interface_is_logged(
    session_log: pytest.LogCaptureFixture,
) -> None:
    app = make_app()
    init_app(app)
    init_app(app)  # again: replacing its own kind says nothing
    assert "replaces" not in session_log.text
    other = make_app()
    other.session_interface = MiddlewareSessionInterface()
    init_app(other)
    assert "replaces the app's session interface, a MiddlewareSessionInterface" in (
        session_log.text
    )


def test_the_returned_interface_answers_config_as_the_middleware_did() -> None:
    """init_app used to return the middleware; code reading its .config keeps working."""
    app = make_app(SESSION_COOKIE_NAME="first")
    bridge = init_app(app)
    assert bridge.config.cookie_name == "first"
    app.config["SESSION_COOKIE_NAME"] = "second"
    assert bridge.config.cookie_name == "second"
    fixed = SessionConfig(secret_key=SECRET, environ_key="sessionware.session")
    assert init_app(make_app(), fixed).config.environ_key == "sessionware.session"
    with pytest.raises(RuntimeError, match=r"config_for\(app\)"):
        _ = FlaskSessionInterface().config
