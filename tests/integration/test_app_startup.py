"""Starting the application loads no heavy library: matplotlib, scipy, pandas, pyreadstat,
python-docx, Pillow, openpyxl and WeasyPrint are loaded by what draws or writes with
them, on first use. Every gunicorn worker and the job worker start with `create_app()`,
so each of these at start would cost every process its memory (bench/app_start.py)."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("matplotlib", "scipy", "pandas", "pyreadstat", "docx", "PIL", "openpyxl",
         "weasyprint", "fontTools", "enkat.reports.charts", "enkat.reports.rendering")

PROBE = """
import json, sys
from enkat import create_app
create_app({{"SQLALCHEMY_DATABASE_URI": {url!r}, "SECRET_KEY": "probe"}})
print(json.dumps(sorted(sys.modules)))
"""


def test_creating_the_app_loads_no_heavy_library(tmp_path):
    probe = PROBE.format(url=f"sqlite:///{tmp_path / 'enkat.db'}")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, cwd=tmp_path)
    modules = json.loads(done.stdout.splitlines()[-1])
    loaded = [name for name in modules
              if any(name == heavy or name.startswith(heavy + ".") for heavy in HEAVY)]
    assert loaded == []
