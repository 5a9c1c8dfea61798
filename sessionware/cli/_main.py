"""The ``sessionware`` console script.

``sessionware cleanup TARGET`` deletes expired sessions from a store whose back end
does not expire them by itself (SQL); run it from cron or a scheduler. ``TARGET`` is a
database URL (``sqlite:///sessions.sqlite3``, ``postgresql+psycopg://user@host/db``)
or ``package.module:name`` naming the store object your app builds.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from sessionware.stores.base import Store, StoreError

from ._cookies import add_commands as add_cookie_commands
from ._inspect import add_command as add_inspect_command
from ._keys import add_commands as add_key_commands

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sessionware", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    add_cookie_commands(commands)
    add_inspect_command(commands)
    cleanup = commands.add_parser(
        "cleanup",
        help="delete expired sessions from a SQL store",
        description="Delete expired sessions and print how many were deleted.",
    )
    cleanup.add_argument(
        "target",
        help="a database URL (sqlite:///sessions.sqlite3) or module:name of a store object",
    )
    cleanup.add_argument(
        "--table",
        default="sessionware_sessions",
        help="the sessions table, when TARGET is a URL (default: %(default)s)",
    )
    add_key_commands(commands)
    return parser


def load_store(target: str, table: str = "sessionware_sessions") -> Store:
    """Build the store ``target`` names: a database URL, or ``module:attribute``.

    :raises ValueError: ``target`` names nothing usable; the message says why.
    """
    if "://" in target:
        from sessionware.stores.sql import SQLStore

        return SQLStore(target, table_name=table, create_table=False)
    module_name, colon, attribute = target.partition(":")
    if not colon or not module_name or not attribute:
        raise ValueError(
            f"{target!r} is neither a database URL nor module:name; pass e.g. "
            "sqlite:///sessions.sqlite3 or myapp.sessions:store."
        )
    try:
        obj = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise ValueError(f"cannot load {target!r}: {exc}") from None
    if not isinstance(obj, Store):
        raise ValueError(f"{target!r} is a {type(obj).__name__}, not a sessionware store.")
    return obj


def _has_table(url: str, store: Store) -> bool:
    """Whether the database at ``url`` holds ``store``'s table; a SQLite file that does
    not exist is not created to find out."""
    import sqlalchemy as sa

    from sessionware.stores.sql import SQLStore

    assert isinstance(store, SQLStore)
    parsed = sa.engine.make_url(url)
    database = parsed.database
    file_db = parsed.get_backend_name() == "sqlite" and database not in (None, "", ":memory:")
    if file_db and not Path(str(database)).exists():
        return False
    try:
        return bool(sa.inspect(store.engine).has_table(store.table.name))
    except sa.exc.SQLAlchemyError:
        return True  # cleanup() reports the store's failure as such


def main(argv: Sequence[str] | None = None, *, clock: Callable[[], float] | None = None) -> int:
    """Run the console script; returns the exit status (0 ok, 1 store error, 2 usage).

    :param clock: returns the current Unix time for ``keys`` (dating keys); tests pass
        a fake clock. By default :func:`time.time`.
    """
    parser = _parser()
    args = parser.parse_args(argv)
    args.clock = clock
    if getattr(args, "run", None) is not None:  # a command group's own handler
        return int(args.run(args))
    try:
        store = load_store(args.target, args.table)
    except ValueError as exc:
        parser.error(str(exc))
    if "://" in args.target and not _has_table(args.target, store):
        store.close()
        print(
            f"sessionware cleanup: {args.target} has no {args.table!r} table (no such table: "
            f"{args.table}), so there is nothing to clean. The app's SQLStore creates it when "
            "it starts; check the URL and --table.",
            file=sys.stderr,
        )
        return 1
    try:
        deleted = store.cleanup()
    except StoreError as exc:
        print(f"sessionware cleanup: {exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    print(f"Deleted {deleted} expired session{'' if deleted == 1 else 's'}.")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
