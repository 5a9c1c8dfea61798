"""The encrypted-cookie interface: confidentiality, integrity, binding, expiry, rotation."""

from __future__ import annotations

import base64
import functools
import json
import logging
import secrets
import string
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sessionware import (
    EncryptedCookieSessionInterface,
    Key,
    KeyRing,
    SecureCookieSessionInterface,
    SessionConfig,
)

from ._apps import Browser, set_cookies
from .conftest import SECRET, FakeClock

DAY = 86400.0
NOW = 1_700_000_000.0


def key(key_id: str, activates: float, retires: float | None = None) -> Key:
    return Key(key_id, secrets.token_hex(32), activates, retires)


def store(name: str, value: Any, session: Any) -> None:
    session[name] = value


def encrypted(clock: FakeClock, **settings: Any) -> Browser:
    interface = EncryptedCookieSessionInterface(clock=clock, **settings.pop("interface", {}))
    return Browser(clock, interface, **settings)


def logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "sessionware"]


def test_a_session_round_trips_and_the_cookie_is_marked(clock: FakeClock) -> None:
    browser = encrypted(clock)
    response = browser.request(lambda s: s.update(user=42, when=b"\x00bytes"))
    (header,) = set_cookies(response)
    assert header.startswith("session=e1.s")
    assert header.endswith("; HttpOnly; Path=/; SameSite=Lax")
    assert browser.request(lambda s: (s["user"], s["when"])).text == "(42, b'\\x00bytes')"
    # A read sends nothing new; a browser-session cookie needs no refresh.
    assert set_cookies(browser.request(lambda s: s["user"])) == []


def test_the_plaintext_and_its_base64_appear_nowhere_in_the_cookie(clock: FakeClock) -> None:
    secret = "card-4111111111111111-cvv-123"
    browser = encrypted(clock)
    browser.request(lambda s: s.__setitem__("card", secret))
    cookie = browser.cookie()
    assert cookie is not None
    text = json.dumps({"card": secret}, separators=(",", ":"))
    encodings = {
        secret,
        text,
        base64.b64encode(text.encode()).decode(),
        base64.urlsafe_b64encode(text.encode()).decode().rstrip("="),
        base64.urlsafe_b64encode(secret.encode()).decode().rstrip("="),
    }
    for shift in range(3):  # base64 of the secret at any alignment inside the payload
        chunk = base64.urlsafe_b64encode(("x" * shift + secret).encode()).decode()
        encodings.add(chunk[4:-4])
    for encoding in encodings:
        assert encoding not in cookie
    assert "card" not in cookie


def test_equal_length_sessions_of_different_compressibility_give_equal_length_cookies(
    clock: FakeClock,
) -> None:
    repetitive = "a" * 600
    random_text = secrets.token_urlsafe(450)[:600]
    lengths = set()
    for value in (repetitive, random_text):
        browser = encrypted(clock)
        browser.request(functools.partial(store, "v", value))
        lengths.add(len(browser.cookie() or ""))
    assert len(lengths) == 1


def test_compression_is_opt_in(clock: FakeClock) -> None:
    browser = encrypted(clock, interface={"compress": True})
    browser.request(lambda s: s.__setitem__("v", "a" * 600))
    assert len(browser.cookie() or "") < 200
    assert browser.request(lambda s: len(s["v"])).text == "600"
    with pytest.raises(TypeError, match="compress must be True or False"):
        EncryptedCookieSessionInterface(compress="yes")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="purpose must be a non-empty str"):
        EncryptedCookieSessionInterface(purpose="")


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_single_byte_change_gives_a_fresh_session_and_one_log_line(
    data: st.DataObject, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock()
    browser = encrypted(clock)
    browser.request(lambda s: s.update(user=42, role="admin"))
    cookie = browser.cookie()
    assert cookie is not None
    position = data.draw(st.integers(0, len(cookie) - 1))
    # Any character a Cookie header can carry, other than the one already there.
    alphabet = string.ascii_letters + string.digits + "!#$%&'()*+-./:<=>?@[]^_`{|}~"
    # Drawn as a shift, not filtered against the cookie's character: the token's nonce
    # is random, so a draw that depended on it would differ when hypothesis replays.
    shift = data.draw(st.integers(1, len(alphabet) - 1))
    replacement = alphabet[(alphabet.index(cookie[position]) + shift) % len(alphabet)]
    tampered = cookie[:position] + replacement + cookie[position + 1 :]
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="sessionware"):
        response = browser.request(lambda s: (s.new, dict(s)), cookie_header=f"session={tampered}")
    assert response.text == "(True, {})"
    messages = logged(caplog)
    assert len(messages) == 1, messages
    assert "Refused the 'session' session cookie" in messages[0]
    assert tampered not in messages[0]


def test_each_position_changed_in_turn_is_refused(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """The exhaustive companion of the property test: every position, one change each."""
    interface = EncryptedCookieSessionInterface(clock=clock)
    config = SessionConfig(secret_key=SECRET)
    sealer = interface._sealer(config)
    assert sealer is not None
    cookie = sealer.seal(b'{"user":42}', clock(), "session")
    with caplog.at_level(logging.INFO, logger="sessionware"):
        for position, char in enumerate(cookie):
            caplog.clear()
            tampered = cookie[:position] + ("A" if char != "A" else "B") + cookie[position + 1 :]
            session = interface.open_session(config, {"HTTP_COOKIE": f"session={tampered}"})
            assert session is not None
            assert session.new, position
            assert len(logged(caplog)) == 1, position


def test_a_cookie_moved_to_another_name_is_refused(
    clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    first = encrypted(clock)
    first.request(lambda s: s.__setitem__("user", 1))
    other = encrypted(clock, cookie_name="admin_session")
    response = other.request(lambda s: s.new, cookie_header=f"admin_session={first.cookie()}")
    assert response.text == "True"
    assert "failed authentication" in logged(session_log)[0]


def test_another_purpose_is_refused(
    clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    first = encrypted(clock, interface={"purpose": "preview"})
    first.request(lambda s: s.__setitem__("user", 1))
    response = encrypted(clock).request(lambda s: s.new, cookie_header=f"session={first.cookie()}")
    assert response.text == "True"


def test_a_signed_mode_cookie_is_refused_and_an_encrypted_one_is_refused_by_signed(
    clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    signed = Browser(clock, SecureCookieSessionInterface(clock=clock))
    signed.request(lambda s: s.__setitem__("user", 1))
    response = encrypted(clock).request(lambda s: s.new, cookie_header=f"session={signed.cookie()}")
    assert response.text == "True"
    assert "not an encrypted sessionware cookie" in logged(session_log)[-1]
    sealed = encrypted(clock)
    sealed.request(lambda s: s.__setitem__("user", 1))
    response = signed.request(lambda s: s.new, cookie_header=f"session={sealed.cookie()}")
    assert response.text == "True"


def test_expiry_is_checked_on_the_server(
    clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    browser = encrypted(clock, permanent_lifetime=3600)
    browser.request(lambda s: s.__setitem__("user", 1))
    cookie = browser.cookie()
    clock.advance(3600)
    assert browser.request(lambda s: s.new, cookie_header=f"session={cookie}").text == "False"
    clock.advance(1)
    assert browser.request(lambda s: s.new, cookie_header=f"session={cookie}").text == "True"
    record = session_log.records[-1]
    assert record.levelno == logging.INFO
    assert "3601 seconds old" in record.getMessage()
    # From the future: a little clock skew between machines is allowed, no more.
    skew = browser.middleware.config.clock_skew_seconds
    assert skew > 0
    clock.advance(-3601 - skew)
    assert browser.request(lambda s: s.new, cookie_header=f"session={cookie}").text == "False"
    clock.advance(-1)
    assert browser.request(lambda s: s.new, cookie_header=f"session={cookie}").text == "True"


def test_permanent_sessions_are_refreshed_with_a_new_token(clock: FakeClock) -> None:
    browser = encrypted(clock)
    browser.request(lambda s: s.update(user=1, _permanent=True))
    first = browser.cookie()
    clock.advance(10)
    response = browser.request(lambda s: s["user"])
    (header,) = set_cookies(response)
    assert "Expires=" in header
    assert browser.cookie() != first
    assert browser.request(lambda s: s["user"]).text == "1"


def test_in_place_changes_are_saved_and_emptying_deletes(clock: FakeClock) -> None:
    browser = encrypted(clock)
    browser.request(lambda s: s.__setitem__("cart", [1]))
    browser.request(lambda s: s["cart"].append(2))
    assert browser.request(lambda s: s["cart"]).text == "[1, 2]"
    response = browser.request(lambda s: s.clear())
    (header,) = set_cookies(response)
    assert header.startswith("session=; Expires=Thu, 01 Jan 1970")


def test_a_payload_that_is_not_an_object_is_refused(
    clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    interface = EncryptedCookieSessionInterface(clock=clock)
    config = SessionConfig(secret_key=SECRET)
    sealer = interface._sealer(config)
    assert sealer is not None
    value = sealer.seal(b"[1, 2]", clock(), "session")
    session = interface.open_session(config, {"HTTP_COOKIE": f"session={value}"})
    assert session is not None
    assert session.new
    assert "not a tagged JSON object" in logged(session_log)[0]


def test_without_any_key_there_is_no_session() -> None:
    interface = EncryptedCookieSessionInterface()
    assert interface.open_session(SessionConfig(), {}) is None


def test_importing_sessionware_does_not_import_cryptography() -> None:
    code = (
        "import sys, sessionware\n"
        "assert 'cryptography' not in sys.modules, 'imported too early'\n"
        "sessionware.EncryptedCookieSessionInterface()\n"
        "print('cryptography' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_a_missing_cryptography_names_the_extra() -> None:
    code = (
        "import sys; sys.modules['cryptography'] = None\n"
        "import sessionware\n"
        "try:\n    sessionware.EncryptedCookieSessionInterface()\n"
        "except ImportError as exc:\n    print(exc)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "pip install sessionware[crypto]" in result.stdout


# Key rings ----------------------------------------------------------------------------


def test_the_key_is_picked_by_id_and_an_older_key_is_re_encrypted(clock: FakeClock) -> None:
    old, new = key("old", NOW - DAY), key("new", NOW + DAY)
    browser = encrypted(clock, keyring=KeyRing([old, new]))
    browser.request(lambda s: s.__setitem__("user", 5))
    assert (browser.cookie() or "").startswith("e1.old.")
    clock.advance(DAY)
    response = browser.request(lambda s: s["user"])
    assert response.text == "5"
    assert len(set_cookies(response)) == 1
    assert (browser.cookie() or "").startswith("e1.new.")
    assert set_cookies(browser.request(lambda s: s["user"])) == []


def test_a_retired_key_is_refused(clock: FakeClock, session_log: pytest.LogCaptureFixture) -> None:
    old = key("old", NOW - DAY, NOW + DAY)
    ring = KeyRing([old, key("new", NOW + 10)])
    browser = encrypted(clock, keyring=ring)
    browser.request(lambda s: s.__setitem__("user", 5))
    cookie = browser.cookie()
    clock.advance(DAY)
    assert browser.request(lambda s: s.new, cookie_header=f"session={cookie}").text == "True"
    assert "retired or unknown key" in logged(session_log)[-1]


def test_an_unknown_key_is_refused(clock: FakeClock, session_log: pytest.LogCaptureFixture) -> None:
    mine, theirs = encrypted(clock), encrypted(clock, secret_key="another-" + SECRET)
    theirs.request(lambda s: s.__setitem__("user", 5))
    assert mine.request(lambda s: s.new, cookie_header=f"session={theirs.cookie()}").text == "True"
    assert "retired or unknown key" in logged(session_log)[-1]


def test_a_not_yet_active_key_is_never_used_to_encrypt(clock: FakeClock) -> None:
    ring = KeyRing([key("now", NOW - DAY), key("later", NOW + 100)])
    browser = encrypted(clock, keyring=ring)
    for step in range(100):
        browser.request(functools.partial(store, "n", step))
        assert (browser.cookie() or "").startswith("e1.now."), step
        clock.advance(1)
    browser.request(lambda s: s.__setitem__("n", -1))
    assert (browser.cookie() or "").startswith("e1.later.")


def test_secret_key_fallbacks_still_read_without_a_ring(clock: FakeClock) -> None:
    old = encrypted(clock, secret_key="old-" + SECRET)
    old.request(lambda s: s.__setitem__("user", 3))
    rotated = encrypted(clock, secret_key=SECRET, secret_key_fallbacks=["old-" + SECRET])
    response = rotated.request(lambda s: s["user"], cookie_header=f"session={old.cookie()}")
    assert response.text == "3"
    assert len(set_cookies(response)) == 1


def test_a_rolling_deploy_never_logs_anyone_out(session_log: pytest.LogCaptureFixture) -> None:
    """Machine A runs the old ring; machine B the new one, whose next key activates later.

    Until activation the two read each other's cookies both ways. The deploy finishes
    before activation; at and after it, machines whose clocks disagree by a few
    seconds still read each other's cookies, and nobody's session is refused.
    """
    activation = NOW + 2 * DAY
    current = key("cur", NOW - 30 * DAY)
    upcoming = Key("next", secrets.token_hex(32), activation)
    old_ring, new_ring = KeyRing([current]), KeyRing([current, upcoming])
    clock_a, clock_b = FakeClock(NOW), FakeClock(NOW)
    machine_a = encrypted(clock_a, keyring=old_ring)
    machine_b = encrypted(clock_b, keyring=new_ring)

    def visit(machine: Browser, cookie: str | None, value: int) -> str:
        def action(s: Any) -> Any:
            seen = s.get("n")
            s["n"] = value
            return seen

        header = f"session={cookie}" if cookie else ""
        response = machine.request(action, cookie_header=header)
        (set_cookie,) = set_cookies(response)
        assert response.text == repr(value - 1 if value else None)
        return set_cookie.split(";", 1)[0].split("=", 1)[1]

    # Before activation: the deploy is half done, both rings encrypt with "cur".
    cookie = visit(machine_a, None, 0)
    cookie = visit(machine_b, cookie, 1)
    assert cookie.startswith("e1.cur.")
    cookie = visit(machine_a, cookie, 2)
    # The deploy finishes before activation: machine A now runs the new ring too.
    machine_a = encrypted(clock_a, keyring=new_ring)
    cookie = visit(machine_a, cookie, 3)
    # At activation (by B's clock; A's clock lags): B encrypts with "next", A reads it.
    clock_b.now, clock_a.now = activation, activation - 5
    cookie = visit(machine_b, cookie, 4)
    assert cookie.startswith("e1.next.")
    cookie = visit(machine_a, cookie, 5)
    assert cookie.startswith("e1.cur.")  # A's clock says "next" is not active yet
    cookie = visit(machine_b, cookie, 6)
    # After activation on every clock: both encrypt with "next" and read each other.
    clock_a.now = clock_b.now = activation + DAY
    cookie = visit(machine_a, cookie, 7)
    assert cookie.startswith("e1.next.")
    cookie = visit(machine_b, cookie, 8)
    assert [r for r in session_log.records if r.name == "sessionware"] == []
    # Had the old ring still been serving at activation, it would have refused "next":
    # that is why a key is added well ahead of its activation.
    stale = encrypted(clock_a, keyring=old_ring)
    assert stale.request(lambda s: s.new, cookie_header=f"session={cookie}").text == "True"
