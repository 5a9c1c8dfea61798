"""The server-side interface through the middleware: IDs, lifecycle, expiry, touches."""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any

import pytest

from sessionware import (
    MemoryStore,
    ServerSideSession,
    ServerSideSessionInterface,
    SessionConfig,
    SessionwareError,
    StoreError,
)
from sessionware.cookies._signing import CookieSigner
from sessionware.stores import StoreRecord

from ._apps import Browser, set_cookies
from .conftest import SECRET, FakeClock


class CountingStore(MemoryStore):
    """A real MemoryStore that counts the calls it gets."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.calls: list[str] = []

    def get(self, sid: str) -> StoreRecord | None:
        self.calls.append("get")
        return super().get(sid)

    def set(self, sid: str, data: str, ttl: int, version: int | None) -> int | None:
        self.calls.append("set")
        return super().set(sid, data, ttl, version)

    def touch(self, sid: str, ttl: int) -> bool:
        self.calls.append("touch")
        return super().touch(sid, ttl)


def make_browser(clock: FakeClock, store: MemoryStore | None = None, **settings: Any) -> Browser:
    store = store if store is not None else MemoryStore(clock=clock)
    interface = ServerSideSessionInterface(store, clock=clock)
    return Browser(clock, interface=interface, **settings)


def store_of(browser: Browser) -> MemoryStore:
    interface = browser.middleware.interface
    assert isinstance(interface, ServerSideSessionInterface)
    assert isinstance(interface.store, MemoryStore)
    return interface.store


def stored(browser: Browser) -> dict[str, Any]:
    """Every stored session's data, by ID."""
    store = store_of(browser)
    return {sid: json.loads(record[0]) for sid, record in store._records.items()}


def test_the_cookie_carries_a_signed_id_and_the_data_stays_on_the_server(
    clock: FakeClock,
) -> None:
    browser = make_browser(clock)
    response = browser.request(lambda s: s.__setitem__("card", "4111-1111"))
    (header,) = set_cookies(response)
    assert header.endswith("; HttpOnly; Path=/; SameSite=Lax")
    assert "4111" not in header
    assert response.headers["Vary"] == "Cookie"
    ((sid, data),) = stored(browser).items()
    assert data == {"card": "4111-1111"}
    assert len(sid) == 43  # 32 random bytes, URL-safe base64
    assert browser.request(lambda s: s["card"]).text == "'4111-1111'"


def test_every_new_session_gets_a_new_id(clock: FakeClock) -> None:
    browser = make_browser(clock)
    for _ in range(20):
        browser.client.delete_cookie("session")
        browser.request(lambda s: s.__setitem__("n", 1))
    assert len(stored(browser)) == 20


def test_nothing_is_stored_or_sent_until_the_first_write(clock: FakeClock) -> None:
    browser = make_browser(clock)
    response = browser.request(lambda s: s.get("user"))
    assert set_cookies(response) == []
    assert response.headers["Vary"] == "Cookie"
    assert stored(browser) == {}
    response = browser.request(lambda s: (s.__setitem__("a", 1), s.__delitem__("a")))
    assert set_cookies(response) == []
    assert stored(browser) == {}


def test_a_read_only_request_writes_nothing(clock: FakeClock) -> None:
    store = CountingStore(clock=clock)
    browser = make_browser(clock, store)
    browser.request(lambda s: s.__setitem__("user", 42))
    store.calls.clear()
    response = browser.request(lambda s: s["user"])
    assert set_cookies(response) == []
    assert store.calls == ["get"]
    assert browser.request().headers.get("Vary") is None
    assert store.calls == ["get"]  # an untouched session is not even loaded


def forged_cookie(sid: str, key: str = "another-secret-of-enough-length-1234") -> str:
    signer = CookieSigner(key, salt="sessionware.session-id", digest_method="sha256")
    return signer.dumps(sid.encode(), 1_700_000_000)


@pytest.mark.parametrize(
    ("make_cookie", "reason"),
    [
        pytest.param(lambda sid: sid, "no signature", id="bare-id"),
        pytest.param(forged_cookie, "does not match", id="other-key"),
        pytest.param(lambda sid: forged_cookie("../x", SECRET), "not a session ID", id="bad-id"),
    ],
)
def test_a_forged_id_is_refused_before_the_store_is_asked(
    clock: FakeClock, session_log: pytest.LogCaptureFixture, make_cookie: Any, reason: str
) -> None:
    store = CountingStore(clock=clock)
    browser = make_browser(clock, store)
    browser.request(lambda s: s.__setitem__("user", "victim"))
    (sid,) = stored(browser)
    store.calls.clear()
    response = browser.request(lambda s: dict(s), cookie_header=f"session={make_cookie(sid)}")
    assert response.text == "{}"
    assert store.calls == []
    assert reason in session_log.text
    assert sid not in session_log.text


def test_an_id_the_store_does_not_hold_is_never_adopted(
    clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    browser = make_browser(clock)
    planted = "A" * 43  # validly signed (say, from a leaked key) but never issued
    cookie = f"session={forged_cookie(planted, SECRET)}"
    response = browser.request(lambda s: s.__setitem__("user", 1), cookie_header=cookie)
    assert planted not in stored(browser)
    (new_sid,) = stored(browser)
    assert new_sid != planted
    assert set_cookies(response)
    assert "not in the store" in session_log.text


def test_regenerate_moves_the_data_to_a_new_id_and_ends_the_old(clock: FakeClock) -> None:
    browser = make_browser(clock)
    browser.request(lambda s: s.__setitem__("cart", [1]))
    old_cookie = browser.cookie()
    (old_sid,) = stored(browser)

    def login(session: Any) -> None:
        session["user"] = "bob"
        session.regenerate()

    response = browser.request(login)
    assert set_cookies(response)
    assert browser.cookie() != old_cookie
    ((new_sid, data),) = stored(browser).items()
    assert new_sid != old_sid
    assert data == {"cart": [1], "user": "bob"}
    replay = browser.request(lambda s: dict(s), cookie_header=f"session={old_cookie}")
    assert replay.text == "{}"
    assert browser.request(lambda s: s["user"]).text == "'bob'"


def test_regenerate_of_a_new_session_just_issues_an_id(clock: FakeClock) -> None:
    browser = make_browser(clock)
    browser.request(lambda s: (s.__setitem__("user", 1), s.regenerate()))
    assert list(stored(browser).values()) == [{"user": 1}]


def test_invalidate_deletes_the_record_and_the_cookie(clock: FakeClock) -> None:
    browser = make_browser(clock)
    browser.request(lambda s: s.__setitem__("user", "bob"))
    old_cookie = browser.cookie()
    response = browser.request(lambda s: s.invalidate())
    (header,) = set_cookies(response)
    assert header.startswith("session=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0")
    assert stored(browser) == {}
    replay = browser.request(lambda s: dict(s), cookie_header=f"session={old_cookie}")
    assert replay.text == "{}"


def test_keys_set_after_invalidate_start_a_new_session(clock: FakeClock) -> None:
    browser = make_browser(clock)
    browser.request(lambda s: s.__setitem__("user", "bob"))
    (old_sid,) = stored(browser)
    browser.request(lambda s: (s.invalidate(), s.__setitem__("flash", "bye")))
    ((sid, data),) = stored(browser).items()
    assert sid != old_sid
    assert data == {"flash": "bye"}
    assert browser.request(lambda s: dict(s)).text == "{'flash': 'bye'}"


def test_invalidating_a_new_session_sends_nothing(clock: FakeClock) -> None:
    browser = make_browser(clock)
    response = browser.request(lambda s: s.invalidate())
    assert set_cookies(response) == []


def test_the_store_ttl_follows_the_permanent_lifetime(clock: FakeClock) -> None:
    browser = make_browser(clock, permanent_lifetime=timedelta(hours=2))

    def login(session: Any) -> None:
        session.permanent = True
        session["u"] = 1

    browser.request(login)
    (record,) = store_of(browser)._records.values()
    assert record[2] == clock() + 7200
    (header,) = set_cookies(browser.request(lambda s: s.__setitem__("u", 2)))
    assert "Max-Age=7200" in header


def test_an_expired_session_is_gone(clock: FakeClock) -> None:
    browser = make_browser(clock, permanent_lifetime=100, refresh_each_request=False)
    browser.request(lambda s: s.__setitem__("user", 1))
    clock.advance(100)
    assert browser.request(lambda s: dict(s)).text == "{}"


def test_reads_touch_the_expiry_at_most_once_per_interval(clock: FakeClock) -> None:
    store = CountingStore(clock=clock)
    browser = make_browser(clock, store, permanent_lifetime=1000)
    browser.request(lambda s: s.__setitem__("user", 1))
    store.calls.clear()
    clock.advance(59)
    assert set_cookies(browser.request(lambda s: s["user"])) == []
    assert "touch" not in store.calls
    clock.advance(1)
    (header,) = set_cookies(browser.request(lambda s: s["user"]))
    assert store.calls.count("touch") == 1
    assert "set" not in store.calls  # the data was not rewritten
    assert header.startswith("session=")
    clock.advance(30)
    browser.request(lambda s: s["user"])
    assert store.calls.count("touch") == 1
    # Kept alive by reads alone, long past the lifetime of the first write.
    for _ in range(40):
        clock.advance(60)
        assert browser.request(lambda s: s["user"]).text == "1"


def test_touch_interval_is_capped_at_half_the_lifetime(clock: FakeClock) -> None:
    store = CountingStore(clock=clock)
    interface = ServerSideSessionInterface(store, touch_interval=timedelta(days=1), clock=clock)
    browser = Browser(clock, interface=interface, permanent_lifetime=100)
    browser.request(lambda s: s.__setitem__("user", 1))
    clock.advance(50)
    browser.request(lambda s: s["user"])
    assert store.calls.count("touch") == 1


def test_without_refresh_each_request_reads_never_touch(clock: FakeClock) -> None:
    store = CountingStore(clock=clock)
    browser = make_browser(clock, store, refresh_each_request=False)
    browser.request(lambda s: s.__setitem__("user", 1))
    clock.advance(3600)
    assert set_cookies(browser.request(lambda s: s["user"])) == []
    assert "touch" not in store.calls


def test_an_id_signed_with_a_fallback_key_is_reissued(clock: FakeClock) -> None:
    store = MemoryStore(clock=clock)
    old = make_browser(clock, store, secret_key="an-old-secret-that-is-long-enough-for-hmac")
    old.request(lambda s: s.__setitem__("user", 1))
    cookie = f"session={old.cookie()}"
    new = make_browser(
        clock,
        store,
        secret_key_fallbacks=["an-old-secret-that-is-long-enough-for-hmac"],
    )
    response = new.request(lambda s: s["user"], cookie_header=cookie)
    assert response.text == "1"
    (header,) = set_cookies(response)
    value = header.split(";")[0].removeprefix("session=")
    assert new.request(lambda s: s["user"], cookie_header=f"session={value}").text == "1"


def test_in_place_changes_are_saved(clock: FakeClock) -> None:
    browser = make_browser(clock)
    browser.request(lambda s: s.__setitem__("cart", []))
    browser.request(lambda s: s["cart"].append(3))
    assert list(stored(browser).values()) == [{"cart": [3]}]
    store = CountingStore(clock=clock)
    reader = make_browser(clock, store)
    reader.request(lambda s: s.__setitem__("cart", [1]))
    store.calls.clear()
    reader.request(lambda s: s["cart"])  # handed out, not changed: nothing written
    assert "set" not in store.calls


def test_ids_and_data_stay_out_of_reprs(clock: FakeClock) -> None:
    browser = make_browser(clock)
    browser.request(lambda s: s.__setitem__("user", 1))
    (sid,) = stored(browser)
    session = ServerSideSession({"user": 1}, new=False, sid=sid, version=1)
    assert sid not in repr(session)
    assert "MemoryStore" in repr(browser.middleware.interface)


def test_stored_data_that_is_not_an_object_is_refused(
    clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    browser = make_browser(clock)
    browser.request(lambda s: s.__setitem__("user", 1))
    store = store_of(browser)
    (sid,) = stored(browser)
    store._records[sid] = ("[1, 2]", 7, clock() + 100)
    assert browser.request(lambda s: dict(s)).text == "{}"
    assert "not a tagged JSON object" in session_log.text
    store._records[sid] = ("{not json", 8, clock() + 100)
    assert browser.request(lambda s: dict(s)).text == "{}"


def test_without_a_secret_key_the_session_is_null(clock: FakeClock) -> None:
    interface = ServerSideSessionInterface(MemoryStore(clock=clock), clock=clock)
    config = SessionConfig()
    assert interface.open_session(config, {}) is None


def test_a_process_local_store_warns_under_a_multiprocess_server(
    clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    browser = make_browser(clock)
    browser.request(lambda s: s.get("x"), environ_overrides={"wsgi.multiprocess": True})
    browser.request(lambda s: s.get("x"), environ_overrides={"wsgi.multiprocess": True})
    assert session_log.text.count("several worker processes") == 1


def test_save_refuses_other_session_classes(clock: FakeClock) -> None:
    from sessionware import SecureCookieSession

    interface = ServerSideSessionInterface(MemoryStore(clock=clock), clock=clock)
    with pytest.raises(TypeError, match="saves ServerSideSession objects"):
        interface.save_session(SessionConfig(secret_key=SECRET), SecureCookieSession(), [])
    interface.close_session(SessionConfig(secret_key=SECRET), SecureCookieSession())


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        pytest.param(
            {"store": {}}, TypeError, "store must be a sessionware.stores.Store", id="store"
        ),
        pytest.param({"on_store_error": "ignore"}, ValueError, "'raise' or 'null'", id="policy"),
        pytest.param({"touch_interval": -1}, ValueError, "touch_interval", id="touch-neg"),
        pytest.param({"touch_interval": "1m"}, ValueError, "touch_interval", id="touch-str"),
        pytest.param({"max_retries": -1}, ValueError, "max_retries", id="retries"),
        pytest.param({"salt": ""}, ValueError, "salt must be a non-empty str", id="salt"),
    ],
)
def test_settings_are_validated_when_built(
    kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    kwargs.setdefault("store", MemoryStore())
    with pytest.raises(error, match=message):
        ServerSideSessionInterface(**kwargs)


def test_custom_salt_and_serializer_are_used(clock: FakeClock) -> None:
    from sessionware import TaggedJSONSerializer

    serializer = TaggedJSONSerializer()
    interface = ServerSideSessionInterface(
        MemoryStore(clock=clock), salt="my-app", serializer=serializer, clock=clock
    )
    assert interface.salt == "my-app"
    assert interface.serializer is serializer


def test_store_error_is_a_sessionware_error() -> None:
    assert issubclass(StoreError, SessionwareError)
    assert StoreError("boom").reason == "boom"
    assert logging.getLogger("sessionware")  # the logger the messages go to
