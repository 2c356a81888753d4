"""requirements.lock pins every Python dependency, and the environment holds what it pins.

`make install` installs the lock (with hashes) and nothing else; `make lock` writes it from
pyproject.toml. A dependency added to pyproject.toml without `make lock` fails here.
"""

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def _locked() -> dict[str, tuple[str, str | None]]:
    """Name -> (version, marker or None) of every pin in the lock file."""
    pins: dict[str, tuple[str, str | None]] = {}
    for line in (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines():
        if not line or line[0] in "# ":
            continue
        match = PIN.match(line)
        assert match, f"not a pin with hashes: {line!r}"
        name = canonicalize_name(match[1])
        assert name not in pins, f"{name} is pinned twice"
        pins[name] = (match[2], match[3])
    return pins


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(spec) for spec in project["dependencies"]] + [
        Requirement(spec) for spec in project["optional-dependencies"]["test"]
    ]


def test_every_dependency_in_pyproject_is_pinned_in_the_lock_within_its_bounds():
    locked = _locked()
    for requirement in _declared():
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is not in requirements.lock: run `make lock`"
        version = locked[name][0]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"requirements.lock has {name}=={version}, pyproject.toml asks {requirement}: "
            "run `make lock`"
        )


def test_every_pin_has_a_hash():
    lines = (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
    for line, following in zip(lines, lines[1:] + [""], strict=True):
        if PIN.match(line):
            assert following.strip().startswith("--hash=sha256:"), f"no hash: {line}"


def test_the_environment_has_the_locked_versions():
    """What `make install` made: run `make install` after the lock changed."""
    wrong = []
    for name, (version, marker) in _locked().items():
        if marker and not Marker(marker).evaluate():
            continue
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        if installed != version:
            wrong.append(f"{name}: locked {version}, installed {installed}")
    assert not wrong, "run `make install`:\n" + "\n".join(wrong)
