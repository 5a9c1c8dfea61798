"""SESSION_ENGINE = "sessionware.django.store": Django's session in a sessionware store."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.sessions.backends.base import CreateError
from django.contrib.sessions.exceptions import SessionInterrupted
from django.http import HttpRequest, HttpResponse
from django.test import override_settings
from werkzeug.test import Client

from sessionware import ServerSideSessionInterface, SessionMiddleware, SessionMixin
from sessionware.django import _config
from sessionware.django.store import SessionStore
from sessionware.stores import Store
from tests._django import run, set_cookie
from tests.conftest import SECRET


@pytest.fixture(params=["memory", "sqlite"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    url = "memory://" if request.param == "memory" else f"sqlite:///{tmp_path / 's.sqlite3'}"
    with override_settings(
        SESSION_ENGINE="sessionware.django.store",
        SECRET_KEY=SECRET,
        SECRET_KEY_FALLBACKS=[],
        SESSION_COOKIE_NAME="sessionid",
        SESSIONWARE={},
        USE_TZ=True,
        SESSIONWARE_STORE_URL=url,
    ):
        yield url


def the_store() -> Store:
    interface = _config.load("store").interface
    assert isinstance(interface, ServerSideSessionInterface)
    return interface.store


def remember(request: HttpRequest) -> HttpResponse:
    request.session["cart"] = [1, 2]
    return HttpResponse("ok")


def show(request: HttpRequest) -> HttpResponse:
    return HttpResponse(repr(sorted(request.session.items())))


@pytest.mark.usefixtures("store_url")
def test_a_plain_sessionware_app_on_the_same_store_shares_the_session() -> None:
    value = set_cookie(run(remember))
    assert value

    def plain(environ: dict[str, object], start_response: object) -> list[bytes]:
        sess = environ["session"]
        assert isinstance(sess, SessionMixin)
        body = repr(sorted(sess.items())).encode()
        sess["plain"] = True
        start_response("200 OK", [("Content-Type", "text/plain")])  # type: ignore[operator]
        return [body]

    interface = ServerSideSessionInterface(the_store())
    app = SessionMiddleware(plain, secret_key=SECRET, cookie_name="sessionid", interface=interface)
    client = Client(app)
    client.set_cookie("sessionid", value)
    assert client.get("/").text == "[('cart', [1, 2])]"
    assert run(show, value).content == b"[('cart', [1, 2]), ('plain', True)]"


@pytest.mark.usefixtures("store_url")
def test_concurrent_requests_changing_different_keys_keep_both() -> None:
    value = set_cookie(run(remember))
    first, second = SessionStore(value), SessionStore(value)
    first["a"] = 1
    second["b"] = 2
    first.save()
    second.save()
    assert dict(SessionStore(value).items()) == {"cart": [1, 2], "a": 1, "b": 2}


@pytest.mark.usefixtures("store_url")
def test_cycle_key_moves_the_data_and_deletes_the_old_record() -> None:
    value = set_cookie(run(remember))
    session = SessionStore(value)
    session.cycle_key()
    assert session.session_key != value
    assert SessionStore(value).exists(value) is False
    assert dict(SessionStore(session.session_key).items()) == {"cart": [1, 2]}


@pytest.mark.usefixtures("store_url")
def test_flush_deletes_the_record_and_the_cookie() -> None:
    value = set_cookie(run(remember))

    def flush(request: HttpRequest) -> HttpResponse:
        request.session.flush()
        return HttpResponse("ok")

    assert set_cookie(run(flush, value)) == ""
    assert SessionStore().exists(value) is False


@pytest.mark.usefixtures("store_url")
def test_a_forged_or_unknown_id_is_a_fresh_session(session_log: pytest.LogCaptureFixture) -> None:
    value = set_cookie(run(remember))
    assert value
    forged = value[:-2] + ("AA" if not value.endswith("AA") else "BB")
    response = run(show, forged)
    assert response.content == b"[]"
    assert set_cookie(response) == ""
    assert forged not in session_log.text
    SessionStore(value).delete(value)
    assert run(show, value).content == b"[]"
    assert "not in the store" in session_log.text


@pytest.mark.usefixtures("store_url")
def test_a_logout_elsewhere_interrupts_a_save() -> None:
    value = set_cookie(run(remember))

    def write_after_logout(request: HttpRequest) -> HttpResponse:
        request.session["x"] = 1
        SessionStore(request.session.session_key).delete()
        return HttpResponse("ok")

    with pytest.raises(SessionInterrupted):
        run(write_after_logout, value)


@pytest.mark.usefixtures("store_url")
def test_set_expiry_is_enforced_by_the_server() -> None:
    session = SessionStore()
    session["a"] = 1
    session.set_expiry(-1)
    session.save()
    assert SessionStore(session.session_key).load() == {}


@pytest.mark.usefixtures("store_url")
def test_must_create_refuses_a_stored_session_and_an_empty_save_creates_one() -> None:
    session = SessionStore()
    session.save()
    assert session.exists(session.session_key)
    with pytest.raises(CreateError):
        session.save(must_create=True)


def test_clear_expired_cleans_the_store(store_url: str) -> None:
    SessionStore.clear_expired()
    asyncio.run(SessionStore.aclear_expired())


@pytest.mark.usefixtures("store_url")
def test_the_async_api_works() -> None:
    async def go() -> None:
        session = SessionStore()
        await session.aset("a", 1)
        await session.asave()
        await session.acycle_key()
        assert await session.aexists(session.session_key)
        await session.aflush()
        assert session.session_key is None

    asyncio.run(go())


@pytest.mark.usefixtures("store_url")
def test_encode_and_decode_are_the_stored_text(caplog: pytest.LogCaptureFixture) -> None:
    session = SessionStore()
    assert session.decode(session.encode({"a": (1, 2)})) == {"a": (1, 2)}
    assert session.decode("[1]") == {}
    assert session.decode("{nope") == {}
    assert "Session data corrupted" in caplog.text


@pytest.mark.usefixtures("store_url")
def test_cycle_key_of_an_unsaved_session_gives_it_a_stored_key() -> None:
    session = SessionStore()
    session["a"] = 1
    session.cycle_key()
    assert session.exists(session.session_key)
    session.save()
    assert dict(SessionStore(session.session_key).items()) == {"a": 1}


@pytest.mark.usefixtures("store_url")
def test_cycle_key_after_a_logout_elsewhere_starts_a_new_session() -> None:
    value = set_cookie(run(remember))
    session = SessionStore(value)
    assert session["cart"] == [1, 2]
    SessionStore(value).delete()
    session.cycle_key()
    assert session.session_key != value
    assert session.exists(session.session_key)
    session.save()
    assert dict(SessionStore(session.session_key).items()) == {"cart": [1, 2]}


@pytest.mark.usefixtures("store_url")
def test_deleting_another_sessions_key_leaves_this_one() -> None:
    mine, theirs = set_cookie(run(remember)), set_cookie(run(remember))
    session = SessionStore(mine)
    session.delete(theirs)
    assert session.exists(mine)
    assert not session.exists(theirs)
    session.delete("not-a-valid-key")


@pytest.mark.usefixtures("store_url")
def test_a_colliding_id_is_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    store = the_store()
    real_set = store.set
    refused: list[str] = []

    def collide_once(sid: str, data: str, ttl: int, version: int | None) -> int | None:
        if not refused:  # fault injection: the first fresh ID is taken
            refused.append(sid)
            return None
        return real_set(sid, data, ttl, version)

    monkeypatch.setattr(store, "set", collide_once)
    session = SessionStore()
    session.create()
    assert refused
    assert session.exists(session.session_key)


def test_a_store_without_its_client_library_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setitem(sys.modules, "redis", None)
    monkeypatch.delitem(sys.modules, "sessionware.stores.redis", raising=False)
    with (
        override_settings(SESSIONWARE={}, SESSIONWARE_STORE_URL="redis://127.0.0.1:1/0"),
        pytest.raises(ImproperlyConfigured, match=r"pip install sessionware\[redis\]"),
    ):
        _config.load("store")


@pytest.mark.usefixtures("store_url")
def test_a_change_in_place_is_saved_and_a_read_is_not() -> None:
    def append(request: HttpRequest) -> HttpResponse:
        request.session["cart"].append(3)
        return HttpResponse("ok")

    value = set_cookie(run(remember))
    assert set_cookie(run(show, value)) is None
    run(append, value)
    assert SessionStore(value)["cart"] == [1, 2, 3]


def test_an_id_signed_with_a_fallback_key_is_re_signed(tmp_path: Path) -> None:
    old = "an-older-secret-that-is-long-enough-for-hmac"
    base: dict[str, object] = {
        "SESSION_ENGINE": "sessionware.django.store",
        "SESSION_COOKIE_NAME": "sessionid",
        "SESSIONWARE": {},
        "USE_TZ": True,
        # A file, so that the records outlive the config rebuilt for each key change.
        "SESSIONWARE_STORE_URL": f"sqlite:///{tmp_path / 'rotation.sqlite3'}",
    }
    with override_settings(**base, SECRET_KEY=old, SECRET_KEY_FALLBACKS=[]):
        value = set_cookie(run(remember))
    with override_settings(**base, SECRET_KEY=SECRET, SECRET_KEY_FALLBACKS=[old]):
        response = run(show, value)
    assert response.content == b"[('cart', [1, 2])]"
    new = set_cookie(response)
    assert new
    assert new != value
    with override_settings(**base, SECRET_KEY=SECRET, SECRET_KEY_FALLBACKS=[]):
        assert run(show, new).content == b"[('cart', [1, 2])]"
        assert run(show, value).content == b"[]"


@pytest.mark.usefixtures("store_url")
def test_a_key_rotation_in_a_test_keeps_the_stored_sessions() -> None:
    # Django's auth tests log in, then override SECRET_KEY and SECRET_KEY_FALLBACKS
    # only: on memory:// a new, empty store would lose the session they logged in.
    new = "a-newer-secret-that-is-long-enough-for-hmac-too"
    value = set_cookie(run(remember))
    store = the_store()
    with override_settings(SECRET_KEY=new, SECRET_KEY_FALLBACKS=[SECRET]):
        response = run(show, value)
        assert response.content == b"[('cart', [1, 2])]"
        resigned = set_cookie(response)
        assert resigned
        assert resigned != value
        assert the_store() is store
    assert the_store() is store
    assert run(show, value).content == b"[('cart', [1, 2])]"


def test_a_changed_store_url_or_options_builds_a_new_store(tmp_path: Path) -> None:
    base: dict[str, object] = {
        "SESSION_ENGINE": "sessionware.django.store",
        "SESSION_COOKIE_NAME": "sessionid",
        "SECRET_KEY": SECRET,
        "SECRET_KEY_FALLBACKS": [],
        "USE_TZ": True,
    }
    with override_settings(**base, SESSIONWARE={}, SESSIONWARE_STORE_URL="memory://"):
        first = the_store()
        value = set_cookie(run(remember))
        with override_settings(SESSIONWARE={"store_options": {"max_entries": 5}}):
            assert the_store() is not first
            assert run(show, value).content == b"[]"
        with override_settings(SESSIONWARE_STORE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}"):
            assert the_store() is not first
            assert run(show, value).content == b"[]"
        # Back to the first settings: a store of their own again, not one kept from before.
        assert run(show, value).content == b"[]"
