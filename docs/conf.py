"""Sphinx configuration: the Markdown pages of docs/ (MyST) and the API from the docstrings.

``make docs`` builds it with warnings as errors; ``tests/test_docs_build.py`` runs the same
build (without writing HTML) in ``make test``.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

project = "sessionware"
author = "the sessionware authors"
copyright = "the sessionware authors, BSD-3-Clause"

extensions = ["myst_parser", "sphinx.ext.autodoc"]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]

# Anchors for the pages' `page.md#a-heading` links, as GitHub makes them.
myst_heading_anchors = 4
myst_enable_extensions = ["colon_fence"]

autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "show-inheritance": True}

html_theme = "alabaster"
html_static_path = ["_static"]
html_title = "sessionware"
