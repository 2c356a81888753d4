"""mypy finds no type error in the pure layers: instruments, scoring and reports.

They are checked strictly (`[tool.mypy]` in pyproject.toml). The rest of enkat is not
checked here. This is the one test that runs mypy, so pytest-xdist's workers never share
its cache (.mypy_cache in the checkout; mypy writes each cache file whole, by rename).
"""

from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parents[2]
STRICT_PACKAGES = ["enkat/instruments", "enkat/scoring", "enkat/reports"]


def test_the_pure_layers_type_check():
    stdout, stderr, status = api.run([
        "--config-file", str(ROOT / "pyproject.toml"),
        "--cache-dir", str(ROOT / ".mypy_cache"),
        *(str(ROOT / package) for package in STRICT_PACKAGES),
    ])
    assert status == 0, stdout + stderr
