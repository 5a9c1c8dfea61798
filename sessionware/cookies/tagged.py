"""Tagged JSON: JSON that round-trips the few Python types sessions commonly hold.

The format is Flask's (``flask.json.tag``), so cookies move between Flask and
sessionware unchanged. A value JSON cannot express is written as a one-key object
whose key starts with a space:

====== ======================= ==============================================
tag    Python type             JSON value
====== ======================= ==============================================
``t``  :class:`tuple`          list of the (tagged) items
``b``  :class:`bytes`          standard base64, padded
``m``  anything with __html__  the ``__html__()`` string, read back as Markup
``u``  :class:`uuid.UUID`      32 hex digits
``d``  :class:`datetime`       RFC 1123 date in GMT; read back as aware UTC
``di`` one-key dict whose key  the dict with ``__`` appended to its key
       is itself a tag
====== ======================= ==============================================

Anything else that JSON cannot hold raises :class:`TypeError` when the session is
saved; nothing is silently converted or pickled.
"""

from __future__ import annotations

import json
from base64 import b64decode, b64encode
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from uuid import UUID

from markupsafe import Markup

try:
    from _json import encode_basestring_ascii
    from _json import make_encoder as _make_encoder
except ImportError:  # pragma: no cover - CPython always has the accelerator
    _make_encoder = None  # type: ignore[assignment,misc]

__all__ = ["TaggedJSONSerializer"]

_PLAIN = frozenset({str, int, float, bool, type(None)})


def _http_date(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return format_datetime(value.astimezone(UTC).replace(microsecond=0), usegmt=True)


def _parse_http_date(text: str) -> datetime:
    return parsedate_to_datetime(text).astimezone(UTC)


def _refuse(value: Any) -> Any:
    raise TypeError(
        f"a session value of type {type(value).__name__} cannot be stored; store str, "
        "int, float, bool, None, list, dict, tuple, bytes, UUID, datetime or Markup "
        "(convert other objects to one of these first)."
    )


def _untagged(value: Any) -> bool:
    """Whether ``value`` is plain JSON that :meth:`TaggedJSONSerializer.tag` leaves as is.

    Only exact dicts, lists and JSON scalars qualify, so a tuple, a ``str`` subclass
    such as Markup, or a one-key dict whose key is a tag name sends the data through
    the full tagging walk. Checking is several times cheaper than that walk.
    """
    kind = type(value)
    if kind is dict:
        if len(value) == 1 and next(iter(value)) in _DECODERS:
            return False
        items: Iterable[Any] = value.values()
    elif kind is list:
        items = value
    else:
        return kind in _PLAIN
    # A loop, not all(...): no generator frame per call on this per-write path.
    for item in items:  # noqa: SIM110
        if type(item) not in _PLAIN and not _untagged(item):
            return False
    return True


def _encode_compact(value: Any) -> str:
    """``JSONEncoder.encode`` for Flask's settings, minus its two Python-level frames.

    The C encoder is built once, without the circular-reference ``markers`` dict that
    ``encode`` builds per call (about 4,000 instructions per write): without markers it
    keeps no state, so it is safe to share between threads, and circular data raises
    :class:`RecursionError` before it gets here (:func:`_untagged` and
    :meth:`TaggedJSONSerializer.tag` walk it first).
    """
    assert _ENCODER is not None
    return "".join(_ENCODER(value, 0))


_ENCODER = (
    None
    if _make_encoder is None
    else _make_encoder(None, _refuse, encode_basestring_ascii, None, ":", ",", True, False, True)
)


_DECODERS: dict[str, Callable[[Any], Any]] = {
    " t": tuple,
    " b": lambda text: b64decode(text.encode("ascii")),
    " m": Markup,
    " u": UUID,
    " d": _parse_http_date,
    " di": lambda inner: {key[:-2]: value for key, value in inner.items()},
}


class TaggedJSONSerializer:
    """Dumps and loads session data as Flask-compatible tagged JSON.

    Output is compact, key-sorted and ASCII-only, exactly as Flask writes it, so equal
    data always gives equal text. Values are walked for tags only when the data holds
    something besides plain JSON scalars.
    """

    def __init__(self) -> None:
        self._encode: Callable[[Any], str] = json.JSONEncoder(
            separators=(",", ":"), sort_keys=True, ensure_ascii=True, default=_refuse
        ).encode
        if _make_encoder is not None:
            self._encode = _encode_compact
        self._decode_tagged = json.JSONDecoder(object_hook=self._untag).decode
        plain = json.JSONDecoder()
        self._decode_plain = plain.decode
        # The C scanner under JSONDecoder.decode, without its whitespace handling.
        self._scan_plain: Callable[[str, int], tuple[Any, int]] = plain.scan_once  # type: ignore[attr-defined]  # set by JSONDecoder.__init__

    def dumps(self, value: Any) -> str:
        """Return the tagged JSON text of ``value``."""
        if _untagged(value):
            return self._encode(value)
        return self._encode(self.tag(value))

    def loads(self, text: str | bytes) -> Any:
        """Parse tagged JSON text back into Python values.

        :raises ValueError: the text is not JSON or a tag holds a malformed value.
        """
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        # A tag is always a one-key object opening with '{" '; text without that
        # sequence has no tags, and skipping the hook makes loading several times faster.
        if '{" ' not in text:
            try:
                value, end = self._scan_plain(text, 0)
            except StopIteration:
                end = -1
            if end == len(text):
                return value
            # Surrounding whitespace, or not JSON: the full decoder handles or reports it.
            return self._decode_plain(text)
        try:
            return self._decode_tagged(text)
        # OverflowError: a " d" date whose offset pushes it past datetime's range.
        except (TypeError, AttributeError, LookupError, OverflowError) as exc:
            raise ValueError(f"malformed tagged value: {exc}") from None

    def tag(self, value: Any) -> Any:
        """Return ``value`` with every non-JSON part replaced by its tag object."""
        if isinstance(value, dict):
            if len(value) == 1:
                key = next(iter(value))
                if key in _DECODERS:
                    return {" di": {f"{key}__": self.tag(value[key])}}
            return {key: self.tag(item) for key, item in value.items()}
        if isinstance(value, tuple):
            return {" t": [self.tag(item) for item in value]}
        if isinstance(value, list):
            return [self.tag(item) for item in value]
        if isinstance(value, bytes):
            return {" b": b64encode(value).decode("ascii")}
        if callable(getattr(value, "__html__", None)):
            return {" m": str(value.__html__())}
        if isinstance(value, UUID):
            return {" u": value.hex}
        if isinstance(value, datetime):
            return {" d": _http_date(value)}
        return value

    @staticmethod
    def _untag(value: dict[str, Any]) -> Any:
        if len(value) != 1:
            return value
        key = next(iter(value))
        decoder = _DECODERS.get(key)
        return value if decoder is None else decoder(value[key])
