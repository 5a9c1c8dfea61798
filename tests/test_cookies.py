"""The cookie wire format: lookup in Cookie headers, Set-Cookie text, Vary merging."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.http import dump_cookie, parse_cookie

from sessionware import SessionConfig
from sessionware.cookies._header import (
    DuplicateCookie,
    add_vary_cookie,
    deletion_header,
    find_cookie,
    set_cookie_header,
)

from .conftest import SECRET


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        pytest.param("session=abc", "abc", id="alone"),
        pytest.param("a=1; session=abc; b=2", "abc", id="middle"),
        pytest.param("a=1;session=abc", "abc", id="no-space"),
        pytest.param("a=1;  \tsession=abc  ", "abc", id="whitespace"),
        pytest.param("mysession=abc", None, id="suffix-name"),
        pytest.param("a=session=abc", None, id="inside-value"),
        pytest.param("session_x=1", None, id="prefix-name"),
        pytest.param("", None, id="empty"),
        pytest.param("session=", "", id="empty-value"),
        pytest.param(";;; session=abc ;;", "abc", id="stray-semicolons"),
        pytest.param("garbage \x00\x01; session=v", "v", id="garbage-around"),
    ],
)
def test_find_cookie(header: str, expected: str | None) -> None:
    assert find_cookie(header, "session") == expected


@pytest.mark.parametrize("header", ["session=a; session=b", "session=a;session=a"])
def test_duplicate_cookie_is_refused(header: str) -> None:
    with pytest.raises(DuplicateCookie):
        find_cookie(header, "session")


cookie_names = st.from_regex(r"[a-z]{1,6}", fullmatch=True)
cookie_values = st.from_regex(r"[A-Za-z0-9_.\-]{0,20}", fullmatch=True)


@given(st.dictionaries(cookie_names, cookie_values, max_size=6), cookie_names)
def test_find_cookie_agrees_with_werkzeug(cookies: dict[str, str], name: str) -> None:
    header = "; ".join(f"{key}={value}" for key, value in cookies.items())
    assert find_cookie(header, name) == parse_cookie(header).get(name)


ATTRIBUTES = [
    pytest.param({}, id="defaults"),
    pytest.param({"cookie_domain": "example.com"}, id="domain"),
    pytest.param({"cookie_path": "/app/x"}, id="path"),
    pytest.param({"cookie_path": "/caf\u00e9"}, id="path-non-ascii"),
    pytest.param({"cookie_secure": True, "cookie_samesite": "None"}, id="secure-none"),
    pytest.param({"cookie_httponly": False, "cookie_samesite": None}, id="no-flags"),
    pytest.param({"cookie_secure": True, "cookie_partitioned": True}, id="partitioned"),
    pytest.param({"cookie_name": "__Host-sid", "cookie_secure": True}, id="host-prefix"),
]


def werkzeug_kwargs(config: SessionConfig) -> dict[str, Any]:
    return {
        "domain": config.cookie_domain,
        "path": config.cookie_path,
        "secure": config.cookie_secure,
        "httponly": config.cookie_httponly,
        "samesite": config.cookie_samesite,
        "partitioned": config.cookie_partitioned,
    }


@pytest.mark.parametrize("settings", ATTRIBUTES)
def test_session_cookie_matches_werkzeug(settings: dict[str, Any]) -> None:
    config = SessionConfig(secret_key=SECRET, **settings)
    assert set_cookie_header(config, "v.a.l") == dump_cookie(
        config.cookie_name, "v.a.l", **werkzeug_kwargs(config)
    )


@pytest.mark.parametrize("settings", ATTRIBUTES)
def test_permanent_cookie_matches_werkzeug(settings: dict[str, Any]) -> None:
    config = SessionConfig(secret_key=SECRET, **settings)
    ours = set_cookie_header(config, "v", expires=1_700_000_000, max_age=3600)
    theirs = dump_cookie(
        config.cookie_name,
        "v",
        max_age=3600,
        expires=1_700_000_000,
        sync_expires=False,
        **werkzeug_kwargs(config),
    )
    assert ours == theirs
    assert "Expires=Tue, 14 Nov 2023 22:13:20 GMT; Max-Age=3600" in ours


@pytest.mark.parametrize("settings", ATTRIBUTES)
def test_deletion_keeps_every_attribute(settings: dict[str, Any]) -> None:
    config = SessionConfig(secret_key=SECRET, **settings)
    assert deletion_header(config) == dump_cookie(
        config.cookie_name, "", max_age=0, expires=0, **werkzeug_kwargs(config)
    )


def test_expires_is_formatted_per_timestamp() -> None:
    config = SessionConfig(secret_key=SECRET)
    first = set_cookie_header(config, "v", expires=1_700_000_000, max_age=1)
    second = set_cookie_header(config, "v", expires=1_700_000_001, max_age=1)
    again = set_cookie_header(config, "v", expires=1_700_000_001, max_age=1)
    assert "22:13:20" in first
    assert "22:13:21" in second
    assert second == again


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        pytest.param([], [("Vary", "Cookie")], id="none"),
        pytest.param([("Vary", "Accept")], [("Vary", "Accept, Cookie")], id="merge"),
        pytest.param([("vary", "")], [("vary", "Cookie")], id="empty"),
        pytest.param([("Vary", "accept, COOKIE")], [("Vary", "accept, COOKIE")], id="present"),
        pytest.param([("Vary", "*")], [("Vary", "*")], id="star"),
        pytest.param(
            [("Vary", "Accept"), ("Vary", "Cookie")],
            [("Vary", "Accept"), ("Vary", "Cookie")],
            id="second-header",
        ),
        pytest.param(
            [("Vary", "Accept"), ("Vary", "Origin")],
            [("Vary", "Accept, Cookie"), ("Vary", "Origin")],
            id="two-headers",
        ),
    ],
)
def test_vary_cookie(headers: list[tuple[str, str]], expected: list[tuple[str, str]]) -> None:
    add_vary_cookie(headers)
    assert headers == expected
    add_vary_cookie(headers)
    assert headers == expected
