"""Rows a loader could not use, collected as KGX and Koza do: counted, with samples, not raised
one at a time. In strict mode the first one is an error instead, and nothing is written.

>>> problems = Problems("phenotype.hpoa", strict=False)
>>> problems.add(7, "6 columns, 12 expected")
>>> problems.count, problems.summary()
(1, 'phenotype.hpoa: skipped 1 malformed row (line 7: 6 columns, 12 expected)')
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import LoadError

SAMPLES = 5


@dataclass
class Problems:
    file: str
    strict: bool
    count: int = 0
    samples: list[tuple[int, str]] = field(default_factory=list)

    def add(self, line: int, message: str) -> None:
        """One unusable row: a LoadError in strict mode, else counted (with a few samples kept)."""
        if self.strict:
            raise LoadError(self.file, message, line=line)
        self.count += 1
        if len(self.samples) < SAMPLES:
            self.samples.append((line, message))

    def summary(self) -> str | None:
        if not self.count:
            return None
        rows = "row" if self.count == 1 else "rows"
        shown = "; ".join(f"line {line}: {message}" for line, message in self.samples)
        more = ", …" if self.count > len(self.samples) else ""
        return f"{self.file}: skipped {self.count} malformed {rows} ({shown}{more})"
