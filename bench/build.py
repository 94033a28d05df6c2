"""Not a test: `kg build` of the whole default graph into a new store, measured.

Runs the build as `make serve` would (curated graph + HPO, then what is made from it) in a
child process, and writes what it printed and what it cost to a small JSON file
(`bench/results/build.json` by default): each graph's triples as the build wrote them, the
store's total, the wall time, the child's peak resident memory, the machine it ran on, and
every line it printed that speaks of a warning (there should be none).
The README and the manual take their build figures from that file (`python -m manual`), and a
test checks that they still agree with it; nobody retypes them.
"""

from __future__ import annotations

import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

RESULTS = Path(__file__).parent / "results" / "build.json"
STAGE = re.compile(r"^(?P<name>[\w.-]+): (?P<triples>[\d,]+) triples in ")


def stages(output: str) -> dict[str, int]:
    """The build's line per stage (`hpo-annotations: 3,626,893 triples in 30.1 s (…)`) as counts.

    >>> stages("ontology: 544 triples in 0.0 s (27,185 triples/s)\\nstore: 3,355 triples in 0.2 s")
    {'ontology': 544, 'store': 3355}
    """
    found = {}
    for line in output.splitlines():
        match = STAGE.match(line)
        if match:
            found[match["name"]] = int(match["triples"].replace(",", ""))
    return found


def machine() -> dict[str, Any]:
    """The machine's processor, cores and memory, as Linux tells them."""
    model = next((line.split(":", 1)[1].strip() for line in _lines("/proc/cpuinfo")
                  if line.startswith("model name")), platform.processor() or platform.machine())
    kib = next((int(line.split()[1]) for line in _lines("/proc/meminfo") if line.startswith("MemTotal:")), 0)
    return {"processor": model, "cores": os.cpu_count(), "memory_gib": round(kib / 2**20, 1),
            "system": f"{platform.system()} {platform.release()}", "python": platform.python_version()}


def _lines(path: str) -> list[str]:
    try:
        return Path(path).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []


def measure(store: Path) -> dict[str, Any]:
    """Build into `store` (which must not exist) and return the figures."""
    command = [sys.executable, "-m", "cli", "build", "--store", str(store)]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    if done.returncode:
        raise SystemExit(f"kg build failed ({done.returncode}):\n{done.stderr[-4000:]}")
    counts = stages(done.stderr)
    warned = [line for line in (done.stderr + done.stdout).splitlines() if "warning" in line.lower()]
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"command": "kg build", "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "seconds": round(seconds, 1), "peak_mib": round(peak_kib / 1024),
            "load_average": round(os.getloadavg()[0], 1), "machine": machine(),
            "triples": {name: count for name, count in counts.items() if name != "store"},
            "store_triples": counts.get("store"), "warnings": warned}


def main(out: Annotated[Path, typer.Option(help="Where to write the figures")] = RESULTS) -> None:
    with tempfile.TemporaryDirectory(prefix="kg-build-bench-") as folder:
        figures = measure(Path(folder) / "store")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(figures, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    typer.run(main)
