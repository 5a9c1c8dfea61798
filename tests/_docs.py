"""The Python snippets of a docs page, to run exactly as printed."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_BLOCK = re.compile(r"^```python\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def python_blocks(page: str) -> list[str]:
    """The ```python blocks of ``page`` (a path under the repository's root), in order."""
    return _BLOCK.findall((ROOT / page).read_text(encoding="utf-8"))
