"""requirements.lock is what a fresh machine installs: it must cover pyproject.toml and be what these tests run on."""
from __future__ import annotations

import tomllib
from importlib import metadata

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from tests.conftest import REPO

#: installed by `make venv` itself (pip's own tools) or the project: never pinned
UNPINNED = {"pip", "setuptools", "wheel", "huntred-lakehouse"}


def _lock() -> dict[str, Version]:
    pins = {}
    for line in (REPO / "requirements.lock").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"requirements.lock: '{line}' is not name==version"
            pins[canonicalize_name(name)] = Version(version)
    return pins


def _declared() -> list[Requirement]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return [Requirement(r) for r in [*project["dependencies"], *(r for rs in project["optional-dependencies"].values() for r in rs)]]


def test_every_dependency_of_pyproject_is_pinned_at_a_version_it_allows():
    pins = _lock()
    problems = [f"{r.name}: not in the lock" if canonicalize_name(r.name) not in pins
                else f"{r.name}: locked {pins[canonicalize_name(r.name)]}, pyproject wants {r.specifier}"
                for r in _declared()
                if canonicalize_name(r.name) not in pins or not r.specifier.contains(pins[canonicalize_name(r.name)], prereleases=True)]
    assert not problems, "requirements.lock is stale, run `make lock`: " + "; ".join(problems)


def test_the_suite_runs_on_exactly_the_locked_versions():
    # the point of a lock: what CI tested is what a new machine gets; a package added by hand or a drifted one fails
    pins = _lock()
    installed = {canonicalize_name(d.metadata["Name"]): Version(d.version) for d in metadata.distributions()}
    extra = sorted(set(installed) - set(pins) - UNPINNED)
    missing = sorted(set(pins) - set(installed))
    drifted = sorted(f"{n} {installed[n]} (locked {v})" for n, v in pins.items() if n in installed and installed[n] != v)
    assert not (extra or missing or drifted), f"not in the lock: {extra}; locked, not installed: {missing}; drifted: {drifted}"


def test_torch_is_the_cpu_build_and_nothing_pulls_cuda():
    pins = _lock()
    assert pins["torch"].local == "cpu"
    assert not [n for n in pins if n.startswith(("nvidia-", "cuda-", "triton"))]
