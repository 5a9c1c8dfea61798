"""The fenced code blocks of the README and the docs pages, to run exactly as printed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_BLOCK = re.compile(r"^```python\n(.*?)^```$", re.DOTALL | re.MULTILINE)
_FENCE = re.compile(r"^```(\S*)[^\n]*\n(.*?)^```$", re.DOTALL | re.MULTILINE)


@dataclass(frozen=True)
class Block:
    """One fenced block: its page (relative to the root), the line of its fence, tag and text."""

    page: str
    line: int
    tag: str
    text: str

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"


def pages() -> list[str]:
    """README.md and every Markdown page under docs/, as paths relative to the root."""
    docs = sorted((ROOT / "docs").rglob("*.md"))
    return ["README.md", *(str(p.relative_to(ROOT)) for p in docs if "_build" not in p.parts)]


def blocks(page: str) -> list[Block]:
    """Every fenced block of ``page``, in order."""
    text = (ROOT / page).read_text(encoding="utf-8")
    return [
        Block(page, text.count("\n", 0, m.start()) + 1, m.group(1), m.group(2))
        for m in _FENCE.finditer(text)
    ]


def python_blocks(page: str) -> list[str]:
    """The ```python blocks of ``page`` (a path under the repository's root), in order."""
    return _BLOCK.findall((ROOT / page).read_text(encoding="utf-8"))
