"""Fallback keys: reading them from text and files, and checking their length.

Old keys used to be written comma-separated, so an old key containing a comma became
several short keys that all verified, while the real key stopped working. The text
forms here cannot split a key: a JSON list, or one key per line. A line holding a
comma is refused, because it may be the old comma-separated form or one key with a
comma, and guessing wrong either forges or logs out.
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Sequence

from sessionware.errors import InsecureSecretWarning

__all__ = [
    "check_fallback_lengths",
    "parse_fallbacks",
    "read_fallbacks_file",
]

_FORMS = (
    'give a JSON list such as ["old-key-1", "old-key-2"] (oldest first), one key per line, '
    "or a file with one key per line in secret_key_fallbacks_file"
)


def parse_fallbacks(text: str, where: str) -> tuple[str, ...]:
    """Parse fallback keys written as text (an environment variable, an ini option).

    ``text`` is a JSON list of strings when it starts with ``[`` (``{`` or ``"`` are
    refused as broken JSON), otherwise one key per line (surrounding blanks stripped,
    blank lines skipped). ``where`` names the
    setting for error messages, which never show a key.

    :raises ValueError: the JSON is not a list of strings, or a line holds a comma.
    """
    text = text.strip()
    # A leading '{' or '"' is JSON gone wrong more likely than a key.
    if text.startswith(("[", "{", '"')):
        try:
            keys = json.loads(text)
        except ValueError:
            keys = None
        if not isinstance(keys, list) or not all(isinstance(key, str) for key in keys):
            raise ValueError(
                f"{where}=<hidden> looks like JSON but is not a JSON list of strings; {_FORMS}."
            )
        return tuple(keys)
    lines = [line.strip() for line in text.splitlines()]
    if any("," in line for line in lines):
        raise ValueError(
            f"{where}=<hidden> holds a comma, which is ambiguous: it may separate keys or "
            f"belong to one; {_FORMS}."
        )
    return tuple(line for line in lines if line)


def read_fallbacks_file(path: str | os.PathLike[str]) -> tuple[str, ...]:
    """Read fallback keys from a file, one per line; commas belong to the key.

    :raises ValueError: the file cannot be read.
    """
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise ValueError(
            f"secret_key_fallbacks_file={os.fspath(path)!r} cannot be read ({reason}); "
            "point it at a readable file holding one old key per line."
        ) from None
    return tuple(key for key in (line.strip() for line in lines) if key)


def check_fallback_lengths(
    fallbacks: Sequence[str | bytes], min_bytes: int, stacklevel: int
) -> None:
    """Warn of each fallback under ``min_bytes``, as of a short ``secret_key``.

    A fallback only ever widens what verifies, so one that can be guessed lets anyone
    forge sessions: it is never accepted silently. It is not refused, for the same
    reason a short ``secret_key`` is not: refusing would log out every user it signed
    (and break Flask apps whose ``SECRET_KEY_FALLBACKS`` are short) without making the
    key any longer.
    """
    for index, key in enumerate(fallbacks):
        size = len(key.encode("utf-8") if isinstance(key, str) else key)
        if size < min_bytes:
            warnings.warn(
                f"secret_key_fallbacks[{index}] is only {size} bytes long; keys should "
                f"have at least {min_bytes} random bytes. Retire it once the cookies it "
                "signed have expired.",
                InsecureSecretWarning,
                stacklevel=stacklevel + 1,
            )
