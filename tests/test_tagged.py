"""Tagged JSON: every tag round-trips, and the text is exactly Flask's."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import flask
import pytest
from flask.json.tag import TaggedJSONSerializer as FlaskSerializer
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from sessionware import TaggedJSONSerializer

serializer = TaggedJSONSerializer()
flask_app = flask.Flask(__name__)


def flask_dumps(value: Any) -> str:
    # Flask dumps sessions inside an app context, where its JSON provider sorts keys.
    with flask_app.app_context():
        return FlaskSerializer().dumps(value)


def flask_loads(text: str) -> Any:
    with flask_app.app_context():
        return FlaskSerializer().loads(text)


AWARE = datetime(2024, 5, 17, 8, 30, 15, tzinfo=UTC)
VALUES = [
    pytest.param({"a": 1, "b": "two", "c": None, "d": 1.5, "e": True}, id="plain"),
    pytest.param({"t": (1, "x", (2, 3))}, id="tuple"),
    pytest.param({"b": b"\x00\xffbytes"}, id="bytes"),
    pytest.param({"m": Markup("<b>bold</b>")}, id="markup"),
    pytest.param({"u": uuid.UUID("12345678-1234-5678-1234-567812345678")}, id="uuid"),
    pytest.param({"d": AWARE}, id="datetime"),
    pytest.param({"x": {" t": [1, 2]}}, id="dict-key-escape"),
    pytest.param({" t": "top-level escape"}, id="top-level-escape"),
    pytest.param({"nested": [{"t": (b"a",)}, {"u": [uuid.UUID(int=5)]}]}, id="nested"),
    pytest.param({"unicode": "caf\u00e9 \u2603"}, id="non-ascii"),
]


@pytest.mark.parametrize("value", VALUES)
def test_text_matches_flask(value: dict[str, Any]) -> None:
    assert serializer.dumps(value) == flask_dumps(value)


@pytest.mark.parametrize("value", VALUES)
def test_round_trip(value: dict[str, Any]) -> None:
    assert serializer.loads(serializer.dumps(value)) == value


@pytest.mark.parametrize("value", VALUES)
def test_reads_what_flask_writes(value: dict[str, Any]) -> None:
    assert serializer.loads(flask_dumps(value)) == flask_loads(flask_dumps(value))


def test_loaded_types_are_the_tagged_ones() -> None:
    loaded = serializer.loads(
        serializer.dumps({"t": (1,), "m": Markup("<i>"), "b": b"x", "d": AWARE})
    )
    assert type(loaded["t"]) is tuple
    assert type(loaded["m"]) is Markup
    assert type(loaded["b"]) is bytes
    assert loaded["d"].tzinfo is not None


def test_datetimes_come_back_in_utc_to_the_second() -> None:
    local = datetime(2024, 1, 1, 12, 0, 0, 999_999, tzinfo=timezone(timedelta(hours=2)))
    loaded = serializer.loads(serializer.dumps({"d": local}))["d"]
    assert loaded == datetime(2024, 1, 1, 10, 0, 0, tzinfo=UTC)


def test_naive_datetimes_are_taken_as_utc() -> None:
    naive = datetime(2024, 1, 1, 12, 0, 0)
    assert serializer.loads(serializer.dumps({"d": naive}))["d"] == naive.replace(tzinfo=UTC)


def test_output_is_compact_sorted_ascii() -> None:
    assert serializer.dumps({"b": 1, "a": "\u00e9"}) == '{"a":"\\u00e9","b":1}'


@pytest.mark.parametrize(
    "value",
    [
        pytest.param({"s": {1, 2}}, id="set"),
        pytest.param({"o": object()}, id="object"),
        pytest.param({"n": [1, {"deep": frozenset()}]}, id="nested-frozenset"),
    ],
)
def test_unsupported_values_raise_a_clear_type_error(value: dict[str, Any]) -> None:
    with pytest.raises(TypeError, match="cannot be stored"):
        serializer.dumps(value)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("{not json", id="not-json"),
        pytest.param('{" b": 5}', id="bytes-tag-holding-int"),
        pytest.param('{" u": "zz"}', id="bad-uuid"),
        pytest.param('{" d": "yesterday"}', id="bad-date"),
        pytest.param('{" di": 3}', id="escape-holding-int"),
        pytest.param('{" t": 7}', id="tuple-of-int"),
    ],
)
def test_malformed_text_raises_value_error(text: str) -> None:
    with pytest.raises(ValueError, match=r"."):
        serializer.loads(text)


def test_loads_accepts_utf8_bytes() -> None:
    assert serializer.loads(b'{"a":"\xc3\xa9"}') == {"a": "\u00e9"}


json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
taggable = (
    json_scalars
    | st.binary(max_size=8)
    | st.uuids()
    | st.text(max_size=8).map(Markup)
    | st.datetimes(timezones=st.just(UTC)).map(lambda d: d.replace(microsecond=0))
)
keys = st.text(max_size=4) | st.sampled_from([" t", " b", " m", " u", " d", " di"])
values = st.recursive(
    taggable,
    lambda children: (
        st.lists(children, max_size=3)
        | st.lists(children, max_size=3).map(tuple)
        | st.dictionaries(keys, children, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(keys, values, max_size=5))
def test_any_session_matches_flask_and_round_trips(data: dict[str, Any]) -> None:
    text = serializer.dumps(data)
    assert text == flask_dumps(data)
    assert serializer.loads(text) == flask_loads(text)
