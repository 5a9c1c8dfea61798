"""Revoking cookie sessions per user: a "not before" time in a store.

The behaviour tests run on both revocable interfaces, signed and encrypted: revocation
does not depend on the cookie format. The last tests are about each format.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sessionware import (
    STORE_ERROR_KEY,
    EncryptedCookieSessionInterface,
    MemoryStore,
    RevocableEncryptedCookieSessionInterface,
    SecureCookieSessionInterface,
    StoreError,
    events,
)
from sessionware.policies.revocation import RevocableCookieSessionInterface, RevocationMixin
from sessionware.stores import Store, UserIndex
from sessionware.stores.memory_users import MemoryUserIndex
from sessionware.stores.redis import RedisStore

from ._apps import Browser, login, who
from .conftest import FakeClock

START = 1_700_000_000

Revocable = type[RevocableCookieSessionInterface] | type[RevocableEncryptedCookieSessionInterface]


class CountingStore(MemoryStore):
    """A real MemoryStore that counts "not before" look-ups, or fails them on demand."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lookups = 0
        self.failing = False
        outer = self

        class Counting(MemoryUserIndex):
            def not_before(self, user: str) -> int | None:
                outer.lookups += 1
                if outer.failing:
                    raise StoreError("the store is down")
                return super().not_before(user)

        self._index = Counting(self)

    def user_index(self) -> UserIndex:
        return self._index


Setup = Callable[..., tuple[CountingStore, RevocationMixin]]


@pytest.fixture(
    params=[RevocableCookieSessionInterface, RevocableEncryptedCookieSessionInterface],
    ids=["signed", "encrypted"],
)
def revocable(request: pytest.FixtureRequest) -> Revocable:
    """Each revocable interface class in turn."""
    cls: Revocable = request.param
    return cls


@pytest.fixture
def setup(clock: FakeClock, revocable: Revocable) -> Setup:
    """Builds a counting store and, on it, the interface under test (both on ``clock``)."""

    def build(**kwargs: Any) -> tuple[CountingStore, RevocationMixin]:
        store = CountingStore(clock=clock)
        return store, revocable(store, clock=clock, **kwargs)

    return build


def test_revoke_refuses_the_users_older_cookies_everywhere(
    clock: FakeClock,
    setup: Setup,
    seen: list[events.SessionEvent],
    session_log: pytest.LogCaptureFixture,
) -> None:
    _, interface = setup()
    ada_phone, ada_laptop, bob = (Browser(clock, interface=interface) for _ in range(3))
    ada_phone.request(login("ada"))
    ada_laptop.request(login("ada"))
    bob.request(login("bob"))
    clock.advance(60)
    interface.revoke("ada")
    assert ada_phone.request(who).text == "None"
    assert ada_laptop.request(who).text == "None"
    assert bob.request(who).text == "'bob'"
    assert "its user's sessions were revoked 60 seconds after it began" in session_log.text
    clock.advance(1)
    ada_phone.request(login("ada"))  # logging in again works (the old cookie: refused)
    assert ada_phone.request(who).text == "'ada'"
    assert [(e.name, e.reason) for e in seen if e.name in ("revoked", "refused")] == [
        ("revoked", None),
        *[("refused", "revoked")] * 3,
    ]


def test_log_out_everywhere_else_keeps_the_current_browser(clock: FakeClock, setup: Setup) -> None:
    _, interface = setup()
    here, there = Browser(clock, interface=interface), Browser(clock, interface=interface)
    here.request(login("ada"))
    there.request(login("ada"))
    clock.advance(60)

    def everywhere_else(session: Any) -> None:
        interface.revoke(session["user_id"])
        session.regenerate()  # restarts this session's clock: it began after the revocation

    here.request(everywhere_else)
    assert here.request(who).text == "'ada'"
    assert there.request(who).text == "None"


def test_a_refreshed_cookie_is_still_revoked(clock: FakeClock, setup: Setup) -> None:
    """Revocation goes by when the session began, not when its cookie was last re-issued."""
    _, interface = setup()
    ada = Browser(clock, interface=interface)
    ada.request(lambda s: s.update(user_id="ada", _permanent=True))
    clock.advance(60)
    before = ada.cookie()
    ada.request(who)  # refreshed: a new signed timestamp or seal time
    assert ada.cookie() != before
    interface.revoke("ada")
    clock.advance(1)
    assert ada.request(who).text == "None"


def test_the_store_is_asked_once_per_user_per_interval(
    clock: FakeClock, setup: Setup, revocable: Revocable
) -> None:
    store, interface = setup(check_interval=30)
    other_process = revocable(store, clock=clock, check_interval=30)
    ada = Browser(clock, interface=interface)
    ada.request(login("ada"))
    elsewhere = Browser(clock, interface=other_process)
    cookie = f"session={ada.cookie()}"
    for _ in range(5):
        assert elsewhere.request(who, cookie_header=cookie).text == "'ada'"
    assert store.lookups == 1
    clock.advance(10)
    interface.revoke("ada")
    # The revoking process knows at once; the other within check_interval (stale).
    assert ada.request(who).text == "None"
    assert elsewhere.request(who, cookie_header=cookie).text == "'ada'"
    clock.advance(20)
    assert elsewhere.request(who, cookie_header=cookie).text == "None"
    assert store.lookups == 2


def test_anonymous_sessions_are_never_looked_up(clock: FakeClock, setup: Setup) -> None:
    store, interface = setup()
    anonymous = Browser(clock, interface=interface)
    anonymous.request(lambda s: s.__setitem__("cart", ["book"]))
    assert anonymous.request(lambda s: s["cart"]).text == "['book']"
    assert store.lookups == 0


def test_the_creation_time_is_kept_without_absolute_timeout(clock: FakeClock, setup: Setup) -> None:
    _, interface = setup()
    ada = Browser(clock, interface=interface)
    ada.request(login("ada"))
    assert ada.request(lambda s: s["_created"]).text == str(START)


def test_a_store_failure_raises_by_default(
    clock: FakeClock, setup: Setup, seen: list[events.SessionEvent]
) -> None:
    store, interface = setup(check_interval=0)
    ada = Browser(clock, interface=interface)
    ada.request(login("ada"))
    store.failing = True
    with pytest.raises(StoreError):
        ada.request(who)
    assert ("store_error", "the store is down") in [(e.name, e.reason) for e in seen]


def test_a_store_failure_gives_a_read_only_session_with_null(
    clock: FakeClock,
    setup: Setup,
    seen: list[events.SessionEvent],
    session_log: pytest.LogCaptureFixture,
) -> None:
    store, interface = setup(check_interval=0, on_store_error="null")
    ada = Browser(clock, interface=interface)
    ada.request(login("ada"))
    store.failing = True
    errors: list[Any] = []

    def look(session: Any) -> Any:
        value = session.get("user_id")
        errors.append(session._environ.get(STORE_ERROR_KEY))
        return value

    assert ada.request(look).text == "None"
    assert isinstance(errors[0], StoreError)
    assert ("store_error", "the store is down") in [(e.name, e.reason) for e in seen]
    assert "the store is down Serving a read-only empty session." in session_log.text
    store.failing = False
    assert ada.request(who).text == "'ada'"  # the cookie was kept through the outage


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        pytest.param({"store": "redis"}, TypeError, "store must be", id="store"),
        pytest.param({"user_key": ""}, TypeError, "user_key must be", id="user_key"),
        pytest.param({"check_interval": -1}, ValueError, "check_interval must be", id="interval"),
        pytest.param({"keep_for": 0}, ValueError, "keep_for must be", id="keep_for"),
        pytest.param({"on_store_error": "x"}, ValueError, "on_store_error must be", id="policy"),
        pytest.param({"max_users": 0}, ValueError, "max_users must be", id="max_users"),
    ],
)
def test_bad_settings_fail_when_built(
    revocable: Revocable, kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    kwargs.setdefault("store", MemoryStore())
    with pytest.raises(error, match=message):
        revocable(**kwargs)


def test_revoke_needs_a_user_value(setup: Setup, revocable: Revocable) -> None:
    _, interface = setup()
    with pytest.raises(TypeError, match="user must be a str or int"):
        interface.revoke(None)
    assert repr(interface).startswith(f"<{revocable.__name__} <")
    assert "user_key='user_id'" in repr(interface)


def test_the_cache_is_bounded(setup: Setup) -> None:
    _, interface = setup(max_users=2)
    for user in ("a", "b", "c"):
        interface.not_before(user)
    assert list(interface._cache) == ["b", "c"]


def test_revocation_reaches_another_process_through_redis(
    clock: FakeClock, revocable: Revocable, redis_store: RedisStore
) -> None:
    store: Store = redis_store
    here = revocable(store, clock=clock, check_interval=0)
    other_process = revocable(store, clock=clock, check_interval=0)
    ada, bob = Browser(clock, interface=here), Browser(clock, interface=here)
    ada.request(login("ada"))
    bob.request(login("bob"))
    elsewhere = Browser(clock, interface=other_process)
    cookie = f"session={ada.cookie()}"
    assert elsewhere.request(who, cookie_header=cookie).text == "'ada'"
    clock.advance(5)
    here.revoke("ada")
    assert elsewhere.request(who, cookie_header=cookie).text == "None"
    assert bob.request(who).text == "'bob'"


def test_the_signed_variant_writes_a_cookie_flask_can_read(clock: FakeClock) -> None:
    """It is a plain signed cookie: the signed interface (Flask's format) reads it."""
    revocable = RevocableCookieSessionInterface(MemoryStore(clock=clock), clock=clock)
    ada = Browser(clock, interface=revocable)
    ada.request(login("ada"))
    plain = Browser(clock, interface=SecureCookieSessionInterface(clock=clock))
    assert plain.request(who, cookie_header=f"session={ada.cookie()}").text == "'ada'"


def test_the_encrypted_variant_hides_the_session_and_takes_the_encrypted_keywords(
    clock: FakeClock,
) -> None:
    store = MemoryStore(clock=clock)
    revocable = RevocableEncryptedCookieSessionInterface(
        store, purpose="admin", compress=True, user_key="uid", clock=clock
    )
    ada = Browser(clock, interface=revocable)
    ada.request(lambda s: s.update(uid="ada-lovelace"))
    value = ada.cookie()
    assert value is not None
    assert value.startswith("e1.")
    assert "ada-lovelace" not in value
    cookie = f"session={value}"

    def read(session: Any) -> Any:
        return session.get("uid")

    same_purpose = EncryptedCookieSessionInterface(purpose="admin", clock=clock)
    other_purpose = EncryptedCookieSessionInterface(clock=clock)
    assert Browser(clock, same_purpose).request(read, cookie_header=cookie).text == "'ada-lovelace'"
    assert Browser(clock, other_purpose).request(read, cookie_header=cookie).text == "None"
    signed = Browser(clock, SecureCookieSessionInterface(clock=clock))
    assert signed.request(read, cookie_header=cookie).text == "None"
    with pytest.raises(TypeError, match="salt"):
        RevocableEncryptedCookieSessionInterface(store, salt="a signed-cookie setting")
