"""Progress that a log shows too: one line per stage, with its count, rate and elapsed time.

`kg build`, `kg load` and `kg publish` report through a `Reporter`. Each stage (a graph being
read and staged, the store being written, a graph being sent) ends with one line on stderr,
whether or not stderr is a terminal; a stage that runs long prints a line every `every`
seconds too (a stage that counts nothing while it runs, such as the engine writing the store,
says it is still at it), so a log never stays silent for minutes. On a terminal a live line shows the
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

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

EVERY = 30.0  # seconds between the lines of a stage still running
BAR_BYTES = 1_000_000  # files smaller than this are read without a bar


@dataclass
class Stage:
    name: str
    started: float
    unit: str
    done: int = 0
    said: float = 0.0  # when the last line about it was printed
    said_done: int = 0  # its count then


def line(name: str, done: int, seconds: float, unit: str, *, running: bool = False) -> str:
    """'name: 1,234 triples in 2.0 s (617 triples/s)', or '… so far' for a stage still running."""
    when = f"so far, {seconds:.0f} s" if running else f"in {seconds:.1f} s"
    if done < seconds:  # fewer than one a second: a rate says nothing
        return f"{name}: {done:,} {unit} {when}"
    return f"{name}: {done:,} {unit} {when} ({done / seconds if seconds > 0 else done:,.0f} {unit}/s)"


class Reporter:
    """Stage lines on `console` (stderr); a live line as well when it is a terminal. `units`
    names the unit of stages that do not count triples (say, graphs read)."""

    def __init__(self, console: Console, *, unit: str = "triples", units: Mapping[str, str] | None = None,
                 every: float = EVERY, clock: Callable[[], float] = time.monotonic) -> None:
        self.console, self.unit, self.units, self.every, self.clock = console, unit, dict(units or {}), every, clock
        self.stage: Stage | None = None
        self.mark = clock()  # when the stage under way began: stages follow each other
        self.live = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                             console=console, transient=True) if console.is_terminal else None
        self.task: TaskID | None = None
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        self.ticker = threading.Thread(target=self._tick, name="kg-progress", daemon=True)

    def __enter__(self) -> Self:
        self.ticker.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stopped.set()
        self.ticker.join()
        if error is None:
            self.finish()
        if self.live is not None:
            self.live.stop()

    def __call__(self, message: str) -> None:
        """Say one line of its own."""
        self.console.print(escape(message), highlight=False, soft_wrap=True)

    def _tick(self) -> None:
        """Every `every` seconds, a line for a stage that has said nothing for that long: one
        that counts nothing more while it runs (the engine writing the store) is still heard of."""
        while not self.stopped.wait(self.every):
            with self.lock:
                stage, now = self.stage, self.clock()
                if stage is None or now - stage.said < self.every:
                    continue
                if stage.done == stage.said_done:
                    self(f"{stage.name}: still at it after {now - stage.started:.0f} s ({stage.done:,} {stage.unit})")
                else:
                    self(line(stage.name, stage.done, now - stage.started, stage.unit, running=True))
                stage.said, stage.said_done = now, stage.done

    def _task(self, description: str, total: float | None = None) -> TaskID | None:
        """A line of the live display (started with its first line), on a terminal only."""
        if self.live is None:
            return None
        if not self.live.live.is_started:
            self.live.start()
        return self.live.add_task(description, total=total)

    def count(self, name: str, done: int) -> None:
        """A stage's count so far; a new name ends the stage before it."""
        with self.lock:
            now = self.clock()
            if self.stage is None or self.stage.name != name:
                if self.stage is not None:
                    self._finish()
                self.stage = Stage(name, self.mark, self.units.get(name, self.unit), said=now)
            stage = self.stage
            stage.done = done
            if now - stage.said >= self.every:
                stage.said, stage.said_done = now, done
                self(line(name, done, now - stage.started, stage.unit, running=True))
        if self.task is None:
            self.task = self._task("")
        if self.live is not None and self.task is not None:
            self.live.update(self.task, description=f"{escape(name)}: {done:,} {stage.unit}")

    def bar(self, name: str, total: int) -> Callable[[int], None] | None:
        """A live bar of `total` bytes read, advanced by the callable returned; None off a terminal."""
        task = self._task(escape(name), total)
        if task is None or self.live is None:
            return None
        live = self.live
        return lambda count: live.advance(task, count)

    def finish(self) -> None:
        """End the stage under way with its line."""
        with self.lock:
            self._finish()

    def _finish(self) -> None:
        self.mark = self.clock()
        if self.stage is not None:
            stage, self.stage = self.stage, None
            self(line(stage.name, stage.done, self.mark - stage.started, stage.unit))

    def timed(self, name: str, done: int, seconds: float) -> None:
        """A stage timed by its caller, said at once."""
        self(line(name, done, seconds, self.unit))
        self.mark = self.clock()


def stage_name(graph: str) -> str:
    """A graph's stage is named by its IRI's last segment: `…/graph/hpo-annotations` → hpo-annotations."""
    return graph.rstrip("/").rsplit("/", 1)[-1]


def file_progress(reporter: Reporter, path: Path) -> Callable[[int], None] | None:
    """A bar of the bytes read of a large file, on a terminal."""
    size = path.stat().st_size if path.exists() else 0
    return reporter.bar(path.name, size) if size >= BAR_BYTES else None
