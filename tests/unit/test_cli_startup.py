"""The command line starts without the heavy parts: `enkat --help` and loading the
command module import neither the web layer, matplotlib, scipy nor pandas."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("matplotlib", "scipy", "pandas", "enkat.web", "enkat.reports.charts")

PROBE = """
import contextlib, io, json, sys
from enkat.cli import cli
with contextlib.redirect_stdout(io.StringIO()) as shown:
    try:
        cli.main(["--help"], prog_name="enkat")
    except SystemExit:
        pass
print(json.dumps({"help": shown.getvalue(), "modules": sorted(sys.modules)}))
"""


def test_help_lists_every_command_without_loading_the_heavy_parts():
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                          check=True)
    seen = json.loads(done.stdout)
    loaded = [name for name in seen["modules"]
              if any(name == heavy or name.startswith(heavy + ".") for heavy in HEAVY)]
    assert loaded == []
    for command in ("db", "demo", "export", "forbund", "import", "instruments", "report", "serve",
                    "purge", "backup"):
        assert f"  {command} " in seen["help"]
