"""The shortcuts taken on the per-request paths give what the long way gives.

Each fast path (plain JSON skipping the tag walk and the decoder's wrappers, the
cookie found by substring search, base64 through binascii) is checked against the
general code or the standard library on the inputs where the two could part.
"""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from sessionware import TaggedJSONSerializer
from sessionware.cookies._header import DuplicateCookie, find_cookie
from sessionware.cookies._signing import _b64decode, _b64encode
from sessionware.cookies.tagged import _untagged

serializer = TaggedJSONSerializer()

json_scalars = st.none() | st.booleans() | st.integers() | st.text() | st.floats(allow_nan=False)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@given(json_values)
def test_plain_json_dumps_as_the_tag_walk_does(value: Any) -> None:
    assert serializer.dumps(value) == serializer._encode(serializer.tag(value))


@pytest.mark.parametrize(
    "value",
    [
        pytest.param({"cart": [1, (2, 3)]}, id="tuple-in-list"),
        pytest.param({"notes": [Markup("<b>x</b>")]}, id="markup-in-list"),
        pytest.param({"outer": {"inner": {" t": 1}}}, id="nested-tag-key"),
        pytest.param({" di": 5}, id="top-level-tag-key"),
        pytest.param({"ids": [uuid.UUID(int=7)]}, id="uuid-in-list"),
        pytest.param({"raw": [b"\x00"]}, id="bytes-in-list"),
    ],
)
def test_values_that_need_a_tag_take_the_tag_walk(value: Any) -> None:
    assert not _untagged(value)
    text = serializer.dumps(value)
    assert text == serializer._encode(serializer.tag(value))
    assert serializer.loads(text) == value


@given(json_values)
def test_plain_json_loads_as_json_does(value: Any) -> None:
    text = json.dumps(value, separators=(",", ":"))
    if '{" ' not in text:
        assert serializer.loads(text) == json.loads(text)


@pytest.mark.parametrize("text", [' {"a": 1} ', '{"a": 1}\n', "\t[1, 2]"])
def test_surrounding_whitespace_is_still_accepted(text: str) -> None:
    assert serializer.loads(text) == json.loads(text)


@pytest.mark.parametrize("text", ["", "{", '{"a": 1} x', "nope", '{"a": 1}{}'])
def test_text_that_is_not_json_raises_value_error(text: str) -> None:
    with pytest.raises(ValueError, match=r"."):
        serializer.loads(text)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        pytest.param("session=a; xsession=b", "a", id="suffix-name-after"),
        pytest.param("xsession=b; session=a", "a", id="suffix-name-before"),
        pytest.param("a=session=x; session=a", "a", id="name-inside-value"),
        pytest.param("a=1;\t session=a;", "a", id="tab-and-trailing-semicolon"),
        pytest.param("session=", "", id="empty-value"),
        pytest.param("other=1", None, id="absent"),
    ],
)
def test_find_cookie_matches_whole_names_only(header: str, expected: str | None) -> None:
    assert find_cookie(header, "session") == expected


@pytest.mark.parametrize("header", ["session=a; session=b", "session=a;session=b; c=1"])
def test_find_cookie_refuses_duplicates(header: str) -> None:
    with pytest.raises(DuplicateCookie):
        find_cookie(header, "session")


@given(st.binary(max_size=300))
def test_base64_matches_the_standard_library(data: bytes) -> None:
    encoded = _b64encode(data)
    assert encoded == base64.urlsafe_b64encode(data).rstrip(b"=")
    assert _b64decode(encoded) == data


@given(st.binary(max_size=80))
def test_base64_decoding_of_any_input_matches_the_standard_library(text: bytes) -> None:
    try:
        expected: bytes | None = base64.urlsafe_b64decode(text + b"=" * (-len(text) % 4))
    except ValueError:
        expected = None
    try:
        got: bytes | None = _b64decode(text)
    except ValueError:
        got = None
    assert got == expected


# The plain read of a cookie (CookieSessionInterface._open_plain) --------------------

SECRET = "fast-paths-secret-0123456789abcdef"
OLD_SECRET = "fast-paths-old-secret-0123456789ab"
FOREIGN = "another-key-0123456789abcdef0123"
NOW = 1_700_000_000
BIG = json.dumps({"x": "y" * 400}).encode()


def _interface(kind: str) -> Any:
    from sessionware import EncryptedCookieSessionInterface, SecureCookieSessionInterface

    interfaces = {
        "signed": SecureCookieSessionInterface,
        "encrypted": EncryptedCookieSessionInterface,
    }
    return interfaces[kind](clock=lambda: NOW)


def _config(key: str = SECRET) -> Any:
    from sessionware import SessionConfig

    return SessionConfig(secret_key=key, secret_key_fallbacks=[OLD_SECRET])


def _cookie(kind: str, payload: bytes, key: str = SECRET, at: int = NOW) -> str:
    """A cookie of ``kind`` made under ``key`` at ``at``, as that codec writes it."""
    interface = _interface(kind)
    keys = interface.codec.keys(interface, _config(key))
    if kind == "signed":
        return str(keys.dumps(payload, at))
    return str(keys.seal(payload, at, "session"))


def _headers(kind: str) -> dict[str, tuple[str, bool]]:
    """Cookie headers, and whether the short way answers them."""
    valid = _cookie(kind, b'{"user_id":42}')
    return {
        "valid": (f"session={valid}", True),
        "among-others": (f"a=1; session={valid}; b=2", True),
        "quoted": (f'session="{valid}"', True),
        "fallback-key": (f"session={_cookie(kind, b'{}', OLD_SECRET)}", True),
        "big": (f"session={_cookie(kind, BIG)}", True),
        "not-an-object": (f"session={_cookie(kind, b'[1, 2]')}", True),
        "no-session-cookie": ("a=1; b=2", True),
        "tampered": (f"session={valid[:-2]}xx", False),
        "expired": (f"session={_cookie(kind, b'{}', at=NOW - 40 * 86400)}", False),
        "foreign": (f"session={_cookie(kind, b'{}', FOREIGN)}", False),
        "two-copies": (f"session={valid}; session={valid}", False),
        "garbage": ("session=garbage", False),
    }


def _state(session: Any) -> tuple[Any, ...]:
    return (
        type(session),
        session.data,
        session.new,
        session.modified,
        session.loaded_text,
        session.loaded_cookie,
        session.rotated,
        session.reissue,
    )


@pytest.mark.parametrize("kind", ["signed", "encrypted"])
@pytest.mark.parametrize("case", list(_headers("signed")))
def test_the_plain_read_gives_what_the_long_way_gives(kind: str, case: str) -> None:
    """Where the short way answers, its session is the long way's; where it cannot (a
    refusal, several copies), it hands over, and the long way logs why."""
    header, plain = _headers(kind)[case]
    config = _config()
    interface = _interface(kind)
    codec = interface.codec
    keys = codec.keys(interface, config)
    short = interface._open_plain(config, header, codec, keys)
    long = interface._open(config, {"HTTP_COOKIE": header}, keys)
    assert (short is not None) == plain
    if short is not None:
        assert _state(short) == _state(long)


def test_a_subclass_that_changes_a_skipped_step_is_read_the_long_way() -> None:
    from sessionware import SecureCookieSessionInterface
    from sessionware.asgi import StarletteCompatInterface

    class NoCookies(SecureCookieSessionInterface):
        def read_cookies(self, config: Any, environ: Any) -> list[str]:
            return []

    environ = {"HTTP_COOKIE": _headers("signed")["valid"][0]}
    assert SecureCookieSessionInterface._plain_reads
    assert not StarletteCompatInterface._plain_reads  # it changes _verified_cookie
    assert NoCookies(clock=lambda: NOW).open_session(_config(), environ) == {}
    assert _interface("signed").open_session(_config(), environ) == {"user_id": 42}
