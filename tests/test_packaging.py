"""Packaging: the licence, the lock files, and the files the Docker image is built from."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


def test_license_file_is_the_mit_text_the_package_declares() -> None:
    """LICENSE holds the MIT text, and pyproject declares MIT, so the wheel and the repository agree."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["license"] == "MIT"
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert "climabot contributors" in text
    assert 'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND' in text


def _pins(lock: Path) -> dict[tuple[str, str], tuple[str, int]]:
    """Read a lock file: (name, marker) -> (pinned version, number of hashes)."""
    pins: dict[tuple[str, str], tuple[str, int]] = {}
    current: tuple[str, str] | None = None
    for line in lock.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith((" ", "#")):
            requirement, _, marker = line.rstrip(" \\").partition(";")
            name, _, version = requirement.strip().partition("==")
            assert version, f"{lock.name}: {line!r} is not pinned with =="
            current = (canonicalize_name(name), marker.strip())
            pins[current] = (version, 0)
        elif line.strip().startswith("--hash=sha256:") and current is not None:
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
    return pins


def _pinned_for_311(pins: dict[tuple[str, str], tuple[str, int]], name: str) -> str:
    """The version a lock installs on Python 3.11 on Linux for one package."""
    environment = {"python_full_version": "3.11.7", "python_version": "3.11", "sys_platform": "linux"}
    for (pinned, marker), (version, _) in pins.items():
        if pinned == name and (not marker or Marker(marker).evaluate(environment)):
            return version
    raise AssertionError(f"{name} is not in the lock")


@pytest.mark.parametrize("lock, extras", [("requirements.lock", ()), ("requirements-dev.lock", ("dev",))])
def test_lock_pins_every_dependency_with_hashes(lock: str, extras: tuple[str, ...]) -> None:
    """Each lock pins every dependency of pyproject (within its range) and carries a hash for each pin."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = [Requirement(r) for r in project["dependencies"]]
    for extra in extras:
        declared += [Requirement(r) for r in project["optional-dependencies"][extra]]
    pins = _pins(ROOT / lock)
    for requirement in declared:
        version = _pinned_for_311(pins, canonicalize_name(requirement.name))
        assert requirement.specifier.contains(version, prereleases=True), (requirement, version)
    assert all(hashes > 0 for _, hashes in pins.values()), "every pin needs --hash lines"


def test_runtime_lock_agrees_with_the_development_lock() -> None:
    """The image (runtime lock) runs the same versions the tests ran with (development lock)."""
    runtime, development = _pins(ROOT / "requirements.lock"), _pins(ROOT / "requirements-dev.lock")
    for key, (version, _) in runtime.items():
        assert key in development and development[key][0] == version, key


def test_ci_and_the_image_install_from_the_lock() -> None:
    """.ci/run and the Dockerfile install dependencies only from a lock, hash-checked, then climabot alone."""
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "--require-hashes -r requirements-dev.lock" in ci
    assert '--no-deps -e ".[dev]"' in ci
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "--require-hashes -r /src/requirements.lock" in dockerfile
    assert "--no-deps /src" in dockerfile
    assert dockerfile.count("FROM ") == 2, "two stages: build and run"
    assert "USER climabot" in dockerfile


def test_readme_setup_commands_install_from_the_lock_and_say_how_to_update_it() -> None:
    """The README's quick-start lines use the locks, and the README names the command that updates them."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = [line for line in readme.splitlines() if line.startswith("python3 -m venv .venv")]
    assert len(commands) == 2
    assert "--require-hashes -r requirements.lock" in commands[0]
    assert "--require-hashes -r requirements-dev.lock" in commands[1]
    assert ".ci/lock" in readme
