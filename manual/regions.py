"""Generated regions of a Markdown page: text between two HTML comments, rewritten whole.

>>> page = "a\\n<!-- generated: x -->\\nold\\n<!-- end generated: x -->\\nb\\n"
>>> replace(page, "x", "new\\n")
'a\\n<!-- generated: x -->\\nnew\\n<!-- end generated: x -->\\nb\\n'
"""

from __future__ import annotations

import re


def _pattern(name: str) -> re.Pattern[str]:
    name = re.escape(name)
    return re.compile(rf"(<!-- generated: {name} -->\n)(.*?)(<!-- end generated: {name} -->)", re.DOTALL)


def names(text: str) -> list[str]:
    """The names of the generated regions of a page, in order."""
    return re.findall(r"<!-- generated: ([\w./-]+) -->", text)


def replace(text: str, name: str, content: str) -> str:
    """The page with region `name`'s content replaced; ValueError if it has no such region."""
    pattern = _pattern(name)
    if not pattern.search(text):
        raise ValueError(f"no generated region named {name!r}")
    return pattern.sub(lambda match: match[1] + content + match[3], text, count=1)
