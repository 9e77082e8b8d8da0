"""Packaging: the licence, the lock files, and the files the Docker image is built from."""

from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import sysconfig
import tomllib
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
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
    assert len(commands) == 3
    # The sandbox comes first: it needs nothing but Python, so `pip install .` is enough.
    assert commands[0] == "python3 -m venv .venv && .venv/bin/pip install . && .venv/bin/climabot sandbox"
    assert "--require-hashes -r requirements.lock" in commands[1]
    assert "--require-hashes -r requirements-dev.lock" in commands[2]
    assert ".ci/lock" in readme


def _compose_service() -> dict[str, Any]:
    """The climabot service of compose.yaml, parsed."""
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    assert set(compose) == {"services", "volumes"}
    assert "climabot-data" in compose["volumes"]
    service = compose["services"]["climabot"]
    assert isinstance(service, dict)
    return service


def test_compose_keeps_data_in_a_volume_restarts_and_checks_health() -> None:
    """compose.yaml: built here, the /data volume, the token from an env file, restart, health check."""
    service = _compose_service()
    assert service["build"] == "."
    assert service["restart"] == "unless-stopped"
    assert "climabot-data:/data" in service["volumes"]
    assert service["env_file"] == ["climabot.env"]
    health = service["healthcheck"]
    assert health["test"] == ["CMD", "climabot", "health"]
    assert {"interval", "timeout", "retries", "start_period"} <= set(health)
    assert "TOKEN" not in yaml.safe_dump(service), "the token lives in climabot.env, never in compose.yaml"


def test_the_env_file_with_the_token_stays_out_of_git_and_the_image() -> None:
    """climabot.env (the token) is ignored by git and not sent to the Docker build."""
    for ignore in (".gitignore", ".dockerignore"):
        assert "climabot.env" in (ROOT / ignore).read_text(encoding="utf-8").splitlines(), ignore


def test_dockerfile_health_check_runs_climabot_health() -> None:
    """The image itself carries the health check, for `docker run` without Compose."""
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "HEALTHCHECK" in dockerfile and 'CMD ["climabot", "health"]' in dockerfile


def _build_stage_copies() -> list[str]:
    """The sources the Dockerfile's build stage copies next to the lock (its COPY lines, in order)."""
    copies: list[str] = []
    for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").split("\nFROM ")[1].splitlines():
        if line.startswith("COPY ") and "--from" not in line:
            *sources, _ = line.split()[1:]
            copies += [s for s in sources if s != "requirements.lock"]
    return copies


def test_the_image_file_list_installs_and_runs_migrate_and_health(tmp_path: Path) -> None:
    """Build the wheel from exactly what the Dockerfile copies, install it alone into a fresh venv, run it.

    Docker cannot run here, so this does the build stage by hand: the sources the Dockerfile copies
    go into an empty folder, a wheel is built from them and installed without dependencies (those
    come from the lock in the image; here from this environment), and the installed `climabot`
    migrates a new database (the SQL migrations must be in the wheel) and answers `health`.
    """
    src = tmp_path / "src"
    src.mkdir()
    copies = _build_stage_copies()
    assert {"pyproject.toml", "README.md", "LICENSE", "bot", "cogs", "storage", "sandbox"} <= set(copies)
    for name in copies:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(origin, src / name)
    wheels = tmp_path / "wheels"
    quiet = ["--disable-pip-version-check", "--quiet", "--no-index"]
    build = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        *quiet,
        "--no-deps",
        "--no-build-isolation",
        "-w",
        wheels,
        src,
    ]
    subprocess.run(build, check=True, timeout=300)
    [wheel] = wheels.glob("climabot-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert "storage/migrations/0001_guild_settings.sql" in names, "the SQL migrations ship in the wheel"
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names), "the licence ships in the wheel"
    # The sandbox ships whole: the emulator, and the page's own files (HTML, JavaScript, CSS).
    page = {
        f"sandbox/web/static/{p.name}" for p in (ROOT / "sandbox" / "web" / "static").iterdir() if p.is_file()
    }
    assert {"sandbox/emulator.py", "sandbox/persist.py", "sandbox/web/__init__.py"} | page <= set(names)
    assert "sandbox/web/static/index.html" in page
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=300)
    venv_pip = [venv / "bin" / "python", "-m", "pip", "install", *quiet, "--no-deps", wheel]
    subprocess.run(venv_pip, check=True, timeout=300)
    # The image gets the dependencies from the lock; here they come from this environment, placed
    # after the venv's own site-packages so that climabot itself is the installed wheel's copy.
    site = Path(
        subprocess.run(
            [venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    ours = sysconfig.get_path("purelib")
    (site / "zz_dependencies.pth").write_text(f"{ours}\n", encoding="utf-8")
    env = {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "LC_ALL": "C.UTF-8",
        "CLIMABOT_STORAGE__DATABASE_PATH": str(tmp_path / "data" / "climabot.sqlite3"),
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        """Run a program of the venv in an empty folder, like the image's WORKDIR."""
        return subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)

    where = run(
        "python", "-c", "import bot, cogs, storage; print(bot.__file__, cogs.__file__, storage.__file__)"
    )
    assert where.returncode == 0, where.stderr
    assert all(path.startswith(str(site)) for path in where.stdout.split()), where.stdout
    migrate = run("climabot", "migrate")
    assert migrate.returncode == 0, migrate.stderr
    latest = max(int(path.name[:4]) for path in (ROOT / "storage" / "migrations").glob("*.sql"))
    assert f"at version {latest} " in migrate.stdout
    health = run("climabot", "health")
    assert (health.returncode, health.stdout) == (1, "not healthy: no bot has run on this database yet\n")
    _installed_sandbox_serves_its_page(tmp_path, env)


def _installed_sandbox_serves_its_page(tmp_path: Path, env: dict[str, str]) -> None:
    """`climabot sandbox` from the installed wheel prints its URL and serves the page and its script."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = ["climabot", "sandbox", "--port", str(port), "--data", str(tmp_path / "sandbox")]
    proc = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline() if proc.stdout else ""
        assert line.startswith(f"climabot sandbox: http://127.0.0.1:{port}/ "), line
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
            assert 'src="/static/app.js"' in response.read().decode()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/app.js", timeout=10) as response:
            assert response.status == 200
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_readme_operator_section_matches_compose() -> None:
    """The README shows Compose, a backup inside the container and the config mount compose.yaml offers."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    compose = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    for command in (
        "docker compose up -d",
        "docker compose exec climabot climabot backup /data/",
        "CLIMABOT_CONFIG=/etc/climabot/config.toml",
    ):
        assert command in readme, command
    mount = "./config.toml:/etc/climabot/config.toml:ro"
    assert mount in readme and f"# - {mount}" in compose
