"""The fenced blocks of a Markdown page, each with the marker that says how a test checks it.

A block's marker is the HTML comment on the line before its fence (blank lines between are
allowed), `<!-- check: KIND [OPTION …] -->`, or `<!-- check: none: WHY -->` for a block that
cannot be checked, with the reason. The kinds:

- `sparql`: the query runs over the default graph (`full_release`: the graph with HPO's whole
  release) and its answer is the Markdown table after the block;
- `saved`: each line is `kg query NAME -p k=v …`; the saved query's answer is the table after
  (`first=N`: its first N rows);
- `shell output`: each command of the block prints exactly the fenced block after it (`kg …`
  against a store of the default graph, `curl …` against a live server on loopback);
- `shell`: each command of the block runs and exits 0;
- `output`: the block is an example of printed output, checked by the pattern of its lines
  against a run of the command named in the option, times and rates aside;
- `excerpt FILE`: every line without an ellipsis is a line of FILE;
- `layout`: every folder the block names exists.

`sparql` and `saved` take `full_release` (the graph with HPO's whole release), `ordered` (the
rows in the table's order) and, for `sparql`, `loaded=PATH` (the default graph with PATH loaded).

Parsing is pure: `blocks(text)` reads nothing but the text.

>>> [b.kind for b in blocks("<!-- check: shell -->\\n```sh\\nkg queries\\n```\\n")]
['shell']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MARKER = re.compile(r"^\s*<!-- check: (?P<spec>.*?) -->\s*$")
FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>```+)(?P<info>[\w+-]*)\s*$")
KINDS = ("sparql", "saved", "shell output", "shell", "output", "excerpt", "layout", "none")


@dataclass(frozen=True)
class Block:
    """One fenced block: where it is, its language, its text, and how it is checked."""

    path: str
    line: int  # of the opening fence, from 1
    language: str
    text: str
    kind: str  # one of KINDS, or "" when the block has no marker
    options: tuple[str, ...]  # the marker's words after the kind (or the reason, for none)
    after: str  # the page's text from the closing fence to the next block's marker or fence

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def _kind(spec: str) -> tuple[str, tuple[str, ...]]:
    if spec.startswith("none:"):
        return "none", (spec.removeprefix("none:").strip(),)
    for kind in sorted(KINDS, key=len, reverse=True):
        if spec == kind or spec.startswith(kind + " "):
            return kind, tuple(spec[len(kind):].split())
    return spec, ()


def _marker(lines: list[str], at: int) -> str | None:
    """The marker on the closest non-blank line above line `at`, if there is one."""
    for index in range(at - 1, -1, -1):
        if lines[index].strip():
            match = MARKER.match(lines[index])
            return match["spec"] if match else None
    return None


def _closing(lines: list[str], start: int, fence: str, indent: str) -> int:
    for index in range(start + 1, len(lines)):
        if lines[index].startswith(indent + fence) and not lines[index].strip().strip("`"):
            return index
    raise ValueError(f"line {start + 1}: a fence that is never closed")


def blocks(text: str, path: str = "") -> list[Block]:
    """Every fenced block of `text`, in order."""
    lines = text.splitlines()
    found: list[tuple[int, int, str, str, str]] = []
    index = 0
    while index < len(lines):
        match = FENCE.match(lines[index])
        if not match:
            index += 1
            continue
        end = _closing(lines, index, match["fence"], match["indent"])
        body = "\n".join(line.removeprefix(match["indent"]) for line in lines[index + 1:end])
        found.append((index, end, match["info"], body, _marker(lines, index) or ""))
        index = end + 1
    result = []
    for number, (start, end, language, body, spec) in enumerate(found):
        stop = found[number + 1][0] if number + 1 < len(found) else len(lines)
        kind, options = _kind(spec) if spec else ("", ())
        result.append(Block(path, start + 1, language, body, kind, options, "\n".join(lines[end + 1:stop])))
    return result


def answered(result: list[Block]) -> list[tuple[Block, Block | None]]:
    """Each checked block with the block that holds its expected output (`shell output`).

    The output block needs no marker of its own: it is the one right after, unmarked.
    """
    pairs: list[tuple[Block, Block | None]] = []
    skip = False
    for number, block in enumerate(result):
        if skip:
            skip = False
            continue
        following = result[number + 1] if number + 1 < len(result) else None
        if block.kind == "shell output" and following is not None and not following.kind:
            pairs.append((block, following))
            skip = True
        else:
            pairs.append((block, None))
    return pairs


def table(text: str) -> tuple[list[str], list[list[str]]]:
    """The first Markdown table in `text`: its header and rows, cells as written (`\\|` unescaped).

    >>> table("Answer:\\n\\n| a | b |\\n|---|---|\\n| `x` | y \\\\| z |\\n")
    (['a', 'b'], [['`x`', 'y | z']])
    """
    rows = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("|"):
            cells = re.split(r"(?<!\\)\|", stripped.strip("|"))
            rows.append([cell.strip().replace("\\|", "|") for cell in cells])
        elif rows:
            break
    if len(rows) < 2:
        return [], []
    return rows[0], rows[2:]
