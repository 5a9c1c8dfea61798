"""The ``sessionware`` command line: keys, cookies and key rings from the shell.

``_main`` builds the parser; ``_cookies`` (``gen-key``, ``sign``), ``_inspect``
(``inspect``) and ``_keys`` (``keys``) each add their commands.
"""

from ._main import main as main

__all__ = ["main"]
