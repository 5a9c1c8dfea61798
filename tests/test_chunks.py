"""Chunked cookies: big sessions split across numbered cookies, read all or nothing."""

from __future__ import annotations

import secrets
from typing import Any

import pytest

from sessionware import (
    CookieTooLarge,
    EncryptedCookieSessionInterface,
    SecureCookieSessionInterface,
    SessionConfig,
    SessionInterface,
)

from ._apps import Browser, set_cookies
from .conftest import FakeClock

BIG = 6000  # random text: about 8 KB of cookie, signed or encrypted


def make(kind: str, clock: FakeClock, **settings: Any) -> Browser:
    interface: SessionInterface
    if kind == "signed":
        interface = SecureCookieSessionInterface(clock=clock)
    else:
        interface = EncryptedCookieSessionInterface(clock=clock)
    settings.setdefault("max_chunks", 4)
    return Browser(clock, interface, **settings)


KINDS = [pytest.param("signed", id="signed"), pytest.param("encrypted", id="encrypted")]


def jar(browser: Browser) -> dict[str, str]:
    cookies = browser.client._cookies or {}
    return {cookie.key: cookie.value for cookie in cookies.values()}


def header_of(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


@pytest.mark.parametrize("kind", KINDS)
def test_a_big_session_is_split_and_read_back(kind: str, clock: FakeClock) -> None:
    big = secrets.token_urlsafe(BIG)
    browser = make(kind, clock)
    response = browser.request(lambda s: s.__setitem__("big", big))
    headers = set_cookies(response)
    assert [h.split("=", 1)[0] for h in headers][:2] == ["session", "session.1"]
    assert 2 <= len(headers) <= 4
    assert all(len(h) <= 4093 for h in headers)
    assert all(h.endswith("; HttpOnly; Path=/; SameSite=Lax") for h in headers)
    assert browser.request(lambda s: s["big"] == big).text == "True"


@pytest.mark.parametrize("kind", KINDS)
def test_shrinking_deletes_the_stale_chunks(kind: str, clock: FakeClock) -> None:
    browser = make(kind, clock)
    browser.request(lambda s: s.__setitem__("big", secrets.token_urlsafe(BIG)))
    count = len(jar(browser))
    response = browser.request(lambda s: s.__setitem__("big", "small"))
    headers = set_cookies(response)
    assert headers[0].startswith("session=")
    assert "Max-Age=0" not in headers[0]
    deleted = [h.split("=", 1)[0] for h in headers[1:]]
    assert deleted == [f"session.{i}" for i in range(1, count)]
    assert all("Max-Age=0" in h for h in headers[1:])
    assert list(jar(browser)) == ["session"]
    assert browser.request(lambda s: s["big"]).text == "'small'"


@pytest.mark.parametrize("kind", KINDS)
def test_emptying_a_chunked_session_deletes_every_chunk(kind: str, clock: FakeClock) -> None:
    browser = make(kind, clock)
    browser.request(lambda s: s.__setitem__("big", secrets.token_urlsafe(BIG)))
    browser.request(lambda s: s.clear())
    assert jar(browser) == {}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "damage",
    [
        pytest.param("missing", id="missing-chunk"),
        pytest.param("stale", id="stale-chunk"),
        pytest.param("count", id="bad-count"),
        pytest.param("twice", id="chunk-twice"),
    ],
)
def test_a_missing_or_stale_chunk_gives_a_fresh_session(
    kind: str, damage: str, clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    browser = make(kind, clock)
    browser.request(lambda s: s.__setitem__("big", secrets.token_urlsafe(BIG)))
    old = jar(browser)
    browser.request(lambda s: s.__setitem__("big", secrets.token_urlsafe(BIG)))
    cookies = jar(browser)
    if damage == "missing":
        del cookies["session.1"]
    elif damage == "stale":
        cookies["session.1"] = old["session.1"]
    elif damage == "count":
        cookies["session"] = "~99~" + cookies["session"].split("~", 2)[2]
    header = header_of(cookies)
    if damage == "twice":
        header += f"; session.1={cookies['session.1']}"
    response = browser.request(lambda s: (s.new, len(s)), cookie_header=header)
    assert response.text == "(True, 0)"
    records = [r for r in session_log.records if r.name == "sessionware"]
    assert len(records) == 1
    assert "Refused the 'session' session cookie" in records[0].getMessage()


@pytest.mark.parametrize("kind", KINDS)
def test_above_the_cap_the_session_is_too_large(kind: str, clock: FakeClock) -> None:
    browser = make(kind, clock, max_chunks=2)
    with pytest.raises(CookieTooLarge, match="'session' session cookie would be"):
        browser.request(lambda s: s.__setitem__("big", secrets.token_urlsafe(BIG)))


@pytest.mark.parametrize("kind", KINDS)
def test_without_chunking_a_big_session_is_too_large(kind: str, clock: FakeClock) -> None:
    browser = make(kind, clock, max_chunks=1)
    with pytest.raises(CookieTooLarge):
        browser.request(lambda s: s.__setitem__("big", secrets.token_urlsafe(BIG)))


def test_a_leftover_chunk_next_to_a_small_cookie_is_ignored_then_deleted(
    clock: FakeClock,
) -> None:
    browser = make("signed", clock)
    browser.request(lambda s: s.__setitem__("n", 1))
    header = f"session={browser.cookie()}; session.2=leftover"
    response = browser.request(lambda s: s["n"], cookie_header=header)
    assert response.text == "1"
    response = browser.request(lambda s: s.__setitem__("n", 2), cookie_header=header)
    names = [h.split("=", 1)[0] for h in set_cookies(response)]
    assert names == ["session", "session.1", "session.2"]


@pytest.mark.parametrize("bad", [0, 11, True, "3"])
def test_max_chunks_is_checked(bad: Any) -> None:
    with pytest.raises(ValueError, match="max_chunks must be an int from 1"):
        SessionConfig(max_chunks=bad)


def test_max_chunks_from_the_environment() -> None:
    config = SessionConfig.from_env(environ={"SESSIONWARE_MAX_CHUNKS": "3"})
    assert config.max_chunks == 3
    with pytest.raises(ValueError, match="give a number of cookies"):
        SessionConfig.from_env(environ={"SESSIONWARE_MAX_CHUNKS": "three"})


@pytest.mark.parametrize(
    ("header", "count"),
    [
        pytest.param(None, 0, id="no-header"),
        pytest.param("other=1", 0, id="no-cookie"),
        pytest.param("session=a", 1, id="one"),
        pytest.param("session=a; session=b", 1, id="duplicate"),
        pytest.param("session=a; session.2=c", 3, id="gap"),
        pytest.param("session.1=b; session.1=c", 2, id="duplicate-chunk"),
    ],
)
def test_present_counts_chunk_cookies(header: str | None, count: int) -> None:
    from sessionware.cookies._chunks import present

    assert present(SessionConfig(max_chunks=4), header) == count


@pytest.mark.parametrize("kind", KINDS)
def test_a_refresh_that_no_longer_fits_in_max_chunks_keeps_the_cookies(
    kind: str, clock: FakeClock, session_log: pytest.LogCaptureFixture
) -> None:
    big = secrets.token_urlsafe(4000)
    writer = make(kind, clock, max_chunks=2)
    sent = set_cookies(writer.request(lambda s: s.update(big=big, _permanent=True)))
    assert [h.split("=", 1)[0] for h in sent] == ["session", "session.1"]
    # The operator lowers max_cookie_size: two chunks no longer hold the unchanged data.
    limit = sum(map(len, sent)) // 2 - 200
    reader = make(kind, clock, max_chunks=2, max_cookie_size=limit)
    clock.advance(60)
    response = reader.request(lambda s: s["big"] == big, cookie_header=header_of(jar(writer)))
    assert response.status_code == 200
    assert response.text == "True"
    assert set_cookies(response) == []
    (record,) = [r for r in session_log.records if r.name == "sessionware"]
    assert "refreshing its expiry" in record.getMessage()
    assert f"max_cookie_size={limit}" in record.getMessage()
    # A change by the handler that does not fit still raises.
    with pytest.raises(CookieTooLarge):
        reader.request(lambda s: s.__setitem__("n", 1), cookie_header=header_of(jar(writer)))


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        pytest.param("", "joined", id="whole"),
        pytest.param("; session.1=again", None, id="chunk-sent-twice"),
    ],
)
def test_read_cookie_joins_chunks_for_custom_back_ends(
    clock: FakeClock, session_log: pytest.LogCaptureFixture, extra: str, expected: str | None
) -> None:
    writer = make("signed", clock)
    writer.request(lambda s: s.__setitem__("big", secrets.token_urlsafe(BIG)))
    cookies = jar(writer)
    assert len(cookies) >= 2
    interface = SessionInterface()
    config = SessionConfig(secret_key="s" * 32, max_chunks=4)
    value = interface.read_cookie(config, {"HTTP_COOKIE": header_of(cookies) + extra})
    if expected is None:
        assert value is None
        assert "chunk 1 is sent more than once" in session_log.records[-1].getMessage()
    else:
        # The parts put together, without the ~N~ mark: the value that was split.
        assert value == cookies["session"].split("~", 2)[2] + "".join(
            cookies[f"session.{i}"] for i in range(1, len(cookies))
        )
