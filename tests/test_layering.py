"""The package layering: the core (`kg`) imports neither the loaders nor the server; loaders never
import the server and the server never imports the loaders. Each package is imported, with every
one of its modules, in a fresh interpreter, and the modules it pulled in are listed."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT

PROBE = """
import importlib, json, pkgutil, sys
package = importlib.import_module(sys.argv[1])
for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
    if not module.name.endswith("__main__"):
        importlib.import_module(module.name)
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""
LAYERS = [
    ("kg", {"loaders", "server", "cli"}),
    ("loaders", {"server", "cli"}),
    ("server", {"loaders", "cli"}),
    ("ontology", {"kg", "loaders", "server", "cli"}),
]


@pytest.mark.parametrize(("package", "forbidden"), LAYERS, ids=[layer[0] for layer in LAYERS])
def test_a_package_imports_no_layer_above_it(package: str, forbidden: set[str]) -> None:
    result = subprocess.run([sys.executable, "-c", PROBE, package], capture_output=True, text=True, cwd=ROOT,
                            timeout=120, check=True)
    assert set(json.loads(result.stdout)) & forbidden == set()
