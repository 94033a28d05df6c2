"""Progress that a log shows too: one line per stage, with its count, rate and elapsed time.

`kg build`, `kg load` and `kg publish` report through a `Reporter`. Each stage (a graph being
read and staged, the store being written, a graph being sent) ends with one line on stderr,
whether or not stderr is a terminal; a stage that runs long prints a line every `every`
seconds too, so a log never stays silent for minutes. On a terminal a live line shows the
stage as it goes. A `Reporter` is also a plain callable taking a line of text, for any other
step that has something to say (products made after a write, say).

>>> from io import StringIO
>>> out = StringIO()
>>> ticks = iter([0.0, 1.5, 2.0])
>>> with Reporter(Console(file=out, width=200), clock=lambda: next(ticks)) as report:
...     report.count("hpo-terms", 10_000)
>>> out.getvalue()
'hpo-terms: 10,000 triples in 2.0 s (5,000 triples/s)\\n'
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

EVERY = 30.0  # seconds between the lines of a stage still running


@dataclass
class Stage:
    name: str
    started: float
    done: int = 0
    said: float = 0.0  # when the last line about it was printed


def line(name: str, done: int, seconds: float, unit: str, *, running: bool = False) -> str:
    """'name: 1,234 triples in 2.0 s (617 triples/s)', or '… so far' for a stage still running."""
    rate = f"{done / seconds:,.0f}" if seconds > 0 else "–"
    when = f"so far, {seconds:.0f} s" if running else f"in {seconds:.1f} s"
    return f"{name}: {done:,} {unit} {when} ({rate} {unit}/s)"


class Reporter:
    """Stage lines on `console` (stderr); a live line as well when it is a terminal."""

    def __init__(self, console: Console, *, unit: str = "triples", every: float = EVERY,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.console, self.unit, self.every, self.clock = console, unit, every, clock
        self.stage: Stage | None = None
        self.mark = clock()  # when the stage under way began: stages follow each other
        self.live = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                             console=console, transient=True) if console.is_terminal else None
        self.task: TaskID | None = None

    def __enter__(self) -> Reporter:
        return self

    def _task(self, description: str, total: float | None = None) -> TaskID | None:
        """A line of the live display (started with its first line), on a terminal only."""
        if self.live is None:
            return None
        if not self.live.live.is_started:
            self.live.start()
        return self.live.add_task(description, total=total)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if error is None:
            self.finish()
        if self.live is not None:
            self.live.stop()

    def __call__(self, message: str) -> None:
        """Say one line of its own."""
        self.console.print(escape(message), highlight=False, soft_wrap=True)

    def count(self, name: str, done: int) -> None:
        """A stage's count so far; a new name ends the stage before it."""
        now = self.clock()
        if self.stage is None or self.stage.name != name:
            if self.stage is not None:
                self.finish()
            self.stage = Stage(name, self.mark, said=now)
        self.stage.done = done
        if now - self.stage.said >= self.every:
            self.stage.said = now
            self(line(name, done, now - self.stage.started, self.unit, running=True))
        if self.task is None:
            self.task = self._task("")
        if self.live is not None and self.task is not None:
            self.live.update(self.task, description=f"{escape(name)}: {done:,} {self.unit}")

    def bar(self, name: str, total: int) -> Callable[[int], None] | None:
        """A live bar of `total` bytes read, advanced by the callable returned; None off a terminal."""
        task = self._task(escape(name), total)
        if task is None or self.live is None:
            return None
        live = self.live
        return lambda count: live.advance(task, count)

    def finish(self) -> None:
        """End the stage under way with its line."""
        self.mark = self.clock()
        if self.stage is not None:
            stage, self.stage = self.stage, None
            self(line(stage.name, stage.done, self.mark - stage.started, self.unit))

    def timed(self, name: str, done: int, seconds: float) -> None:
        """A stage timed by its caller, said at once."""
        self(line(name, done, seconds, self.unit))
        self.mark = self.clock()
