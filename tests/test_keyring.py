"""Key rings: which key writes, which keys read, and key ring files that fail at start-up."""

from __future__ import annotations

import json
import logging
import secrets
import time
from pathlib import Path
from typing import Any

import pytest

from sessionware import (
    EncryptedCookieSessionInterface,
    Key,
    KeyRing,
    KeyRingError,
    SecureCookieSessionInterface,
    SessionConfig,
    SessionMiddleware,
)

from ._apps import Browser, set_cookies
from .conftest import FakeClock

DAY = 86400.0
NOW = 1_700_000_000.0


def key(key_id: str, activates: float, retires: float | None = None) -> Key:
    return Key(key_id, secrets.token_hex(32), activates, retires)


def test_the_newest_active_key_writes_and_every_unretired_key_reads() -> None:
    old, current, ahead = key("old", NOW - 9 * DAY), key("cur", NOW - DAY), key("new", NOW + DAY)
    retired = key("gone", NOW - 20 * DAY, NOW - 5 * DAY)
    view = KeyRing([old, current, ahead, retired]).view(NOW)
    assert view.current is current
    assert set(view.readers) == {"old", "cur", "new"}
    assert view.ordered == (current, ahead, old)


def test_the_view_changes_exactly_at_activation_and_retirement() -> None:
    ring = KeyRing([key("a", NOW - DAY, NOW + 2 * DAY), key("b", NOW + DAY)])
    assert ring.view(NOW + DAY - 1).current.id == "a"
    assert ring.view(NOW + DAY).current.id == "b"
    assert "a" in ring.view(NOW + 2 * DAY - 1).readers
    assert "a" not in ring.view(NOW + 2 * DAY).readers
    # Time may also go backwards (a clock corrected by NTP): the view follows.
    assert ring.view(NOW).current.id == "a"


def test_no_active_key_is_an_error_naming_the_fix() -> None:
    ring = KeyRing([key("later", NOW + DAY)])
    with pytest.raises(KeyRingError, match=r"no active key.*sessionware keys add"):
        ring.view(NOW)


def test_secrets_never_show() -> None:
    k = key("abc", NOW)
    ring = KeyRing([k])
    config = SessionConfig(keyring=ring)
    for text in (repr(k), repr(ring), repr(config), str(ring)):
        assert k.secret not in text
    assert "abc" in repr(ring)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        pytest.param(("a b", "ab" * 32, NOW), "key id 'a b' is not allowed", id="id"),
        pytest.param(("a", "zz" * 32, NOW), "must be hex digits", id="not-hex"),
        pytest.param(("a", "ab" * 16, NOW), "128 bits, under the 256 bits", id="short"),
        pytest.param(("a", "ab" * 32, NOW, NOW), "not after it activates", id="order"),
    ],
)
def test_bad_keys_fail_when_built(arguments: tuple[Any, ...], message: str) -> None:
    with pytest.raises(KeyRingError, match=message):
        Key(*arguments)


def test_duplicate_ids_and_empty_rings_fail() -> None:
    with pytest.raises(KeyRingError, match="'a' is used twice"):
        KeyRing([key("a", NOW), key("a", NOW + 1)])
    with pytest.raises(KeyRingError, match="holds no keys"):
        KeyRing([])
    with pytest.raises(TypeError, match="expected Key objects"):
        KeyRing(["nope"])  # type: ignore[list-item]


# Files --------------------------------------------------------------------------------


def write(path: Path, document: Any) -> Path:
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


def entry(key_id: str = "a", **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": key_id,
        "secret": secrets.token_hex(32),
        "activates_at": "2020-01-01T00:00:00Z",
        "retires_at": None,
    }
    data.update(overrides)
    return data


def test_fractional_times_stay_valid_in_a_file(tmp_path: Path) -> None:
    ring = KeyRing([key("a", NOW + 0.2, NOW + 0.7)])
    path = write(tmp_path / "ring.json", ring.to_dict())
    (loaded,) = KeyRing.from_file(path, now=NOW + 0.5).keys
    assert (loaded.activates_at, loaded.retires_at) == (NOW, NOW + 1)


def test_a_file_round_trips(tmp_path: Path) -> None:
    ring = KeyRing([key("a", NOW - DAY), key("b", NOW + DAY, NOW + 9 * DAY)])
    path = write(tmp_path / "ring.json", ring.to_dict())
    loaded = KeyRing.from_file(path, now=NOW)
    assert loaded.keys == ring.keys


@pytest.mark.parametrize(
    ("document", "message"),
    [
        pytest.param(None, "cannot be read.*sessionware keys new", id="missing"),
        pytest.param("{not json", "is not valid JSON.*sessionware keys new", id="bad-json"),
        pytest.param([], 'an object with a "keys" list', id="not-object"),
        pytest.param({"keys": ["a"]}, r"keys\[0\] must be an object", id="entry"),
        pytest.param(
            {"keys": [entry(secret="ab" * 16)]}, "128 bits.*secrets.token_hex", id="short-secret"
        ),
        pytest.param({"keys": [entry("a"), entry("a")]}, "'a' is used twice", id="overlapping-ids"),
        pytest.param(
            {"keys": [entry(activates_at="2999-01-01T00:00:00Z")]},
            "no active key.*sessionware keys add",
            id="no-active-key",
        ),
        pytest.param(
            {"keys": [entry(retires_at="2021-01-01T00:00:00Z")]}, "no active key", id="all-retired"
        ),
        pytest.param({"keys": [entry(activates_at="yesterday")]}, "not an ISO 8601", id="date"),
        pytest.param({"keys": [entry(activates_at="2020-01-01")]}, "no time zone", id="naive"),
        pytest.param({"keys": [entry(activates_at=5)]}, "must be ISO 8601 text", id="number"),
        pytest.param({"keys": [entry(activates_at=None)]}, "not null", id="null"),
    ],
)
def test_key_ring_file_errors_fail_at_start_up_naming_the_file(
    tmp_path: Path, document: Any, message: str
) -> None:
    path = tmp_path / "ring.json"
    if document is not None:
        write(path, document)
    with pytest.raises(KeyRingError, match=message) as failure:
        SessionConfig(keyring_file=path)
    assert str(path) in str(failure.value)
    entries = document.get("keys", []) if isinstance(document, dict) else []
    for item in entries:
        if isinstance(item, dict):
            assert item["secret"] not in str(failure.value)


def test_the_environment_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: FakeClock
) -> None:
    path = write(tmp_path / "ring.json", {"keys": [entry()]})
    monkeypatch.setenv("SESSIONWARE_KEYRING_FILE", str(path))
    config = SessionConfig.from_env()
    assert config.keyring is not None
    assert [k.id for k in config.keyring.keys] == ["a"]
    ring = KeyRing.from_env()
    assert ring is not None
    assert ring.keys == config.keyring.keys
    monkeypatch.delenv("SESSIONWARE_KEYRING_FILE")
    assert KeyRing.from_env() is None


def test_keyring_and_keyring_file_are_exclusive(tmp_path: Path) -> None:
    path = write(tmp_path / "ring.json", {"keys": [entry()]})
    with pytest.raises(ValueError, match="both given"):
        SessionConfig(keyring=KeyRing.from_file(path), keyring_file=path)
    with pytest.raises(TypeError, match=r"must be a sessionware\.KeyRing"):
        SessionConfig(keyring="ring.json")  # type: ignore[arg-type]


# Signed cookies on a ring -------------------------------------------------------------


def test_signed_cookies_rotate_on_the_ring_and_flask_reads_the_current_key() -> None:
    from flask import Flask, session

    # Flask checks the cookie's age against the real time, so the ring is dated by it.
    clock = FakeClock(time.time() - DAY)
    old, new = key("old", clock.now - DAY), key("new", clock.now + DAY)
    ring = KeyRing([old, new])
    browser = Browser(clock, SecureCookieSessionInterface(clock=clock), keyring=ring)
    browser.request(lambda s: s.__setitem__("user", 7))
    first = browser.cookie()
    clock.advance(DAY)  # the new key activates: the old cookie is read and re-signed
    response = browser.request(lambda s: s.get("user"))
    assert len(set_cookies(response)) == 1
    assert browser.cookie() != first

    # Flask with SECRET_KEY = the current ring key reads the re-signed cookie.
    app = Flask(__name__)
    app.secret_key = new.secret

    @app.route("/")
    def index() -> str:
        return str(session.get("user"))

    client = app.test_client()
    client.set_cookie("session", browser.cookie() or "")
    assert client.get("/").text == "7"


def test_the_config_secret_key_still_reads_next_to_a_ring(clock: FakeClock) -> None:
    ring = KeyRing([key("a", NOW - DAY)])
    plain = Browser(clock, SecureCookieSessionInterface(clock=clock))
    plain.request(lambda s: s.__setitem__("user", 1))
    ringed = Browser(clock, SecureCookieSessionInterface(clock=clock), keyring=ring)
    response = ringed.request(lambda s: s["user"], cookie_header=f"session={plain.cookie()}")
    assert response.text == "1"
    assert len(set_cookies(response)) == 1  # re-signed with the ring's key


def test_a_ring_without_secret_key_gives_sessions_and_no_warning(
    session_log: pytest.LogCaptureFixture,
) -> None:
    ring = KeyRing([key("a", NOW - DAY)])
    SessionMiddleware(lambda e, s: [], keyring=ring, interface=EncryptedCookieSessionInterface())
    assert [r for r in session_log.records if r.levelno >= logging.WARNING] == []


def test_keys_take_aware_datetimes_and_refuse_naive_ones() -> None:
    from datetime import UTC, datetime

    moment = datetime(2026, 12, 1, tzinfo=UTC)
    k = Key("a", "ab" * 32, moment, moment.replace(year=2027))  # type: ignore[arg-type]
    assert k.activates_at == moment.timestamp()
    assert k.active(moment.timestamp())
    assert not k.active(moment.timestamp() - 1)
    assert k.retired(moment.replace(year=2027).timestamp())
    with pytest.raises(KeyRingError, match="has no time zone"):
        Key("a", "ab" * 32, datetime(2026, 12, 1))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must be a datetime or a Unix time"):
        Key("a", "ab" * 32, "2026-12-01")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="got None"):
        Key("a", "ab" * 32, None)  # type: ignore[arg-type]
