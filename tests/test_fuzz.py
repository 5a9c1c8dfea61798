"""Property tests: hostile cookies signed with the right key never break a request.

Whoever holds a configured key (an insider, a leaked fallback key, or a Flask app
sharing the secret that wrote something odd) can make the middleware parse anything.
Hypothesis generates such payloads: random text, JSON with Flask's tags in every
wrong shape, deep nesting, huge numbers. Every request must answer, with a session
that is a dict, within bounded memory. Bounded: few examples, no deadline (the
machine is shared; speed lives in ``make bench``).
"""

from __future__ import annotations

import contextlib
import json
import tracemalloc
import zlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.test import Client

from sessionware import (
    MemoryStore,
    SecureCookieSessionInterface,
    ServerSideSessionInterface,
    SessionMiddleware,
    TaggedJSONSerializer,
)
from sessionware.cookies._signing import CookieSigner
from sessionware.wsgi.middleware import StartResponse

from .conftest import SECRET

NOW = 1_700_000_000
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
BASE64_ISH = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/"
TAGS = [" t", " b", " m", " u", " d", " di", " x", ""]
#: The most memory one request may take above the baseline, whatever the cookie.
MAX_REQUEST_BYTES = 64 * 1024 * 1024

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
)


def tagged(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A one-key dict under one of Flask's tags (or near misses) holding anything."""
    return st.builds(lambda tag, value: {tag: value}, st.sampled_from(TAGS), children)


json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=5)
        | st.dictionaries(st.text(max_size=8), children, max_size=5)
        | tagged(children)
    ),
    max_leaves=30,
)

odd_texts = st.sampled_from(
    [
        "[" * 50_000 + "]" * 50_000,  # deep nesting
        '{"a":' * 3000 + "1" + "}" * 3000,
        '{"n": ' + "9" * 5000 + "}",  # over Python's int digit limit
        '{"n": 1e999999}',
        '{" d": "Mon, 01 Jan 99999 00:00:00 GMT"}',
        '{" d": "not a date"}',
        '{"x": {" d": "Sat, 01 Jan 0000 00:00:00 GMT"}}',
        '{" b": "!!!not base64"}',
        '{" u": "zz"}',
        '{" t": 5}',
        '{" di": 5}',
        '{" m": 5}',
        "\ud800",
        "",
        "null",
        "[]",
    ]
)

#: RFC 1123 dates at the edges of datetime's range, with any offset: " d" tag values.
edge_dates = st.builds(
    "{}, {} {} {}".format,
    st.sampled_from(["Mon", "Xyz"]),
    st.sampled_from(["01 Jan 0001", "31 Dec 9999", "29 Feb 2023", "32 Jan 2000", "01 Foo 10000"]),
    st.sampled_from(["00:00:00", "23:59:59", "24:60:60"]),
    st.sampled_from(["GMT", "+2359", "-2359", "-9999", "bogus"]),
)
tagged_texts = st.one_of(
    edge_dates.map(lambda date: json.dumps({"x": {" d": date}})),
    st.builds(lambda tag, value: json.dumps({tag: value}), st.sampled_from(TAGS), json_values),
)

payloads = (
    json_values.map(lambda value: json.dumps(value, allow_nan=True))
    | tagged_texts
    | odd_texts
    | st.text(max_size=200)
)


def app(environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
    session = environ["session"]
    assert isinstance(dict(session), dict)
    body = repr(session).encode()[:100]
    session["seen"] = session.get("seen", 0) if isinstance(session.get("seen"), int) else 0
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [body]


MIDDLEWARE = SessionMiddleware(
    app,
    secret_key=SECRET,
    idle_timeout=900,
    absolute_timeout=3600,
    max_cookie_size=64 * 1024,
    interface=SecureCookieSessionInterface(clock=lambda: NOW),
)
SIGNER = CookieSigner(SECRET)


def answer(value: str) -> int:
    client = Client(MIDDLEWARE, use_cookies=False)
    return client.get("/", headers={"Cookie": f"session={value}"}).status_code


def measured(value: str) -> tuple[int, int]:
    """The status of one request with cookie ``value``, and its peak memory in bytes."""
    tracemalloc.start()
    try:
        status = answer(value)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return status, peak


@FUZZ
@given(payload=payloads, timestamp=st.integers(NOW - 10_000, NOW + 10))
def test_hostile_payloads_signed_with_the_key_never_raise(payload: str, timestamp: int) -> None:
    value = SIGNER.dumps(payload.encode("utf-8", "surrogatepass"), timestamp)
    status, peak = measured(value)
    assert status == 200
    assert peak < MAX_REQUEST_BYTES


@FUZZ
@given(date=edge_dates)
def test_date_tags_at_the_edges_of_the_calendar_never_raise(date: str) -> None:
    value = SIGNER.dumps(json.dumps({"when": {" d": date}}).encode(), NOW)
    assert answer(value) == 200


@FUZZ
@given(text=tagged_texts | payloads)
def test_tagged_json_rejects_hostile_text_only_with_value_error(text: str) -> None:
    """What the interfaces catch: a bad payload is a ValueError, never anything else."""
    with contextlib.suppress(ValueError, RecursionError):
        TaggedJSONSerializer().loads(text)


@FUZZ
@given(body=st.text(alphabet=BASE64_ISH, max_size=300), timestamp=st.integers(0, 2**64 - 1))
def test_garbled_signed_bodies_never_raise(body: str, timestamp: int) -> None:
    assert answer(SIGNER.sign(body.encode("ascii"), timestamp)) == 200


@FUZZ
@given(
    value=st.text(
        alphabet=st.characters(codec="latin-1", exclude_characters="\r\n\x00"), max_size=300
    )
)
def test_unsigned_garbage_never_raises(value: str) -> None:
    client = Client(MIDDLEWARE, use_cookies=False)
    assert client.get("/", headers={"Cookie": f"a=1; session={value}"}).status_code == 200


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('{"a":"' + "0" * 4_000_000 + '"}', id="long-string"),
        pytest.param(
            '{"a":[' + "[]," * 1_300_000 + "[]]}",
            id="many-lists",
        ),
    ],
)
def test_a_decompression_bomb_in_a_cookie_is_bounded(text: str) -> None:
    """A 5 KB cookie whose payload inflates a thousandfold stays within the bound."""
    value = SIGNER.dumps(text.encode(), NOW)
    assert len(value) < 8190  # fits gunicorn's default request header field limit
    assert len(zlib.compress(text.encode())) * 500 < len(text)
    status, peak = measured(value)
    assert status == 200
    assert peak < MAX_REQUEST_BYTES


SERVER_STORE = MemoryStore(clock=lambda: NOW)
SERVER_SIDE = SessionMiddleware(
    app,
    secret_key=SECRET,
    idle_timeout=900,
    interface=ServerSideSessionInterface(SERVER_STORE, user_key="user_id", clock=lambda: NOW),
)
ID_SIGNER = CookieSigner(SECRET, salt="sessionware.session-id", digest_method="sha256")


@FUZZ
@given(
    sid=st.text(alphabet=BASE64_ISH, min_size=0, max_size=140) | st.text(max_size=60),
    data=payloads,
    stored=st.booleans(),
)
def test_server_side_ids_and_stored_data_never_raise(sid: str, data: str, stored: bool) -> None:
    """A signed ID of any shape, and whatever text its record holds, is a fresh session."""
    if stored:
        SERVER_STORE.delete(sid)
        SERVER_STORE.set(sid, data, 60, None)
    value = ID_SIGNER.dumps(sid.encode("utf-8", "surrogatepass"), NOW)
    client = Client(SERVER_SIDE, use_cookies=False)
    assert client.get("/", headers={"Cookie": f"session={value}"}).status_code == 200
