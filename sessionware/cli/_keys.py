"""``sessionware keys``: create, extend, retire and list a key ring file.

``keys new FILE`` writes a ring with one key, active at once. ``keys add FILE
--activate-in 2d`` adds a key that starts encrypting (or signing) in two days: deploy
the file to every machine before then, so that every machine knows the key before any
machine uses it. ``keys retire FILE KEY_ID [--in 31d]`` stops a key being accepted.
``keys show FILE`` lists IDs and dates, never secrets. Files are written to a
temporary file beside the target and renamed over it, with mode 0600, so a reader
never sees half a ring.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from typing import Any

from sessionware.config.keyring import Key, KeyRing, KeyRingError, iso

__all__ = ["add_commands", "parse_duration", "run"]

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
# [0-9], not \d, which takes any Unicode digit ("\u0663" is a 3 to int()).
_DURATION = re.compile(r"([0-9]+)([smhdw]?)")


def parse_duration(text: str) -> float:
    """Seconds in ``text``: ``0``, ``90s``, ``12h``, ``2d``, ``1w``, ``1d12h``...

    :raises argparse.ArgumentTypeError: ``text`` is not such a duration.
    """
    parts = _DURATION.findall(text)
    if not text or "".join(number + unit for number, unit in parts) != text:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a duration; use e.g. 0, 12h, 2d or 1w (s, m, h, d, w)"
        )
    return float(sum(int(number) * _UNITS[unit or "s"] for number, unit in parts))


def add_commands(subparsers: Any) -> None:
    """Register the ``keys`` command group on the console script's subparsers."""
    keys = subparsers.add_parser(
        "keys",
        help="manage a key ring file (encrypted and signed cookies)",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    commands = keys.add_subparsers(dest="keys_command", required=True)
    new = commands.add_parser("new", help="write a ring with one key, active now")
    new.add_argument("file")
    new.set_defaults(run=run, action=_new)
    add = commands.add_parser("add", help="add a key that activates later")
    add.add_argument("file")
    add.add_argument(
        "--activate-in",
        type=parse_duration,
        default=parse_duration("2d"),
        metavar="DURATION",
        help="when the key starts being used; longer than a deploy takes (default: 2d)",
    )
    add.set_defaults(run=run, action=_add)
    retire = commands.add_parser("retire", help="stop accepting cookies made with a key")
    retire.add_argument("file")
    retire.add_argument("key_id")
    retire.add_argument(
        "--in",
        dest="retire_in",
        type=parse_duration,
        default=0.0,
        metavar="DURATION",
        help="when to retire it (default: now); wait the session lifetime after it "
        "stopped being current to log nobody out",
    )
    retire.set_defaults(run=run, action=_retire)
    show = commands.add_parser("show", help="list key IDs and dates (never secrets)")
    show.add_argument("file")
    show.set_defaults(run=run, action=_show)


def _write(path: str, ring: KeyRing) -> None:
    """Write ``ring`` to ``path`` atomically, readable by its owner only."""
    directory = os.path.dirname(os.path.abspath(path))
    # mkstemp creates the file with mode 0600 before any secret is written to it.
    handle, temporary = tempfile.mkstemp(prefix=".keyring-", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            json.dump(ring.to_dict(), file, indent=2)
            file.write("\n")
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def _load(path: str, now: float) -> KeyRing:
    return KeyRing.from_file(path, now=now)


def _new(args: argparse.Namespace, now: float) -> str:
    if os.path.exists(args.file):
        raise KeyRingError(
            f"{args.file!r} exists already; add a key with `sessionware keys add {args.file}`."
        )
    key = Key.generate(now)
    _write(args.file, KeyRing([key]))
    return f"Wrote {args.file} with key {key.id}, active from {iso(key.activates_at)}."


def _add(args: argparse.Namespace, now: float) -> str:
    ring = _load(args.file, now)
    taken = {key.id for key in ring.keys}
    key = Key.generate(now + args.activate_in)
    while key.id in taken:  # pragma: no cover - a 32-bit ID repeating
        key = Key.generate(now + args.activate_in)
    _write(args.file, KeyRing([*ring.keys, key]))
    return (
        f"Added key {key.id} to {args.file}, active from {iso(key.activates_at)}; deploy "
        "the file to every machine before then."
    )


def _retire(args: argparse.Namespace, now: float) -> str:
    ring = _load(args.file, now)
    if args.key_id not in {key.id for key in ring.keys}:
        raise KeyRingError(
            f"{args.file!r} has no key {args.key_id!r}; `sessionware keys show "
            f"{args.file}` lists the IDs."
        )
    target = next(key for key in ring.keys if key.id == args.key_id)
    # A key retired the second it activates (or before) retires a second after, so
    # that the file stays valid: a key must activate before it retires.
    when = max(now + args.retire_in, target.activates_at + 1)
    keys = [
        Key(key.id, key.secret, key.activates_at, when) if key is target else key
        for key in ring.keys
    ]
    updated = KeyRing(keys, source=repr(args.file))
    try:
        updated.check(when)
    except KeyRingError:
        raise KeyRingError(
            f"retiring {args.key_id!r} would leave {args.file!r} with no active key; add "
            f"one first with `sessionware keys add {args.file} --activate-in 0`."
        ) from None
    _write(args.file, updated)
    return f"Key {args.key_id} of {args.file} retires at {iso(when)}."


def _show(args: argparse.Namespace, now: float) -> str:
    ring = _load(args.file, now)
    current = ring.view(now).current
    lines = [f"{'id':<32}  {'activates_at':<20}  {'retires_at':<20}  state"]
    for key in sorted(ring.keys, key=lambda k: k.activates_at):
        if key.retired(now):
            state = "retired"
        elif key is current:
            state = "current (writes and reads)"
        elif key.active(now):
            state = "reads"
        else:
            state = "pending (reads; writes from its activation)"
        retires = "-" if key.retires_at is None else iso(key.retires_at)
        lines.append(f"{key.id:<32}  {iso(key.activates_at):<20}  {retires:<20}  {state}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Run a parsed ``keys`` command; errors go to stderr with exit status 1."""
    try:
        # Whole seconds, as the file stores them: what is written is what was checked.
        clock = getattr(args, "clock", None) or time.time
        print(args.action(args, float(int(clock()))))
    except KeyRingError as exc:
        print(f"sessionware keys: {exc}", file=sys.stderr)
        return 1
    return 0
