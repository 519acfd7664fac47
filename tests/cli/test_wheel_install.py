"""An install without a clone: build the wheel from a copy of the sources, install it into a fresh venv, and run
the shipped examples from a folder outside the repo (bare names, a scripted demo on the local engine, a copy).

The venv sees this environment's dependencies through a .pth line (the dependencies only: the editable install of
the repo is not activated there), so the test needs no download beyond the build backend.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("pyproject.toml", "README.md", "realtime_cli", "configs")

pytestmark = pytest.mark.slow


def _sh(*cmd: str | Path, cwd: Path, env: dict[str, str] | None = None, timeout: float = 300,
        stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout, input=stdin)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin/ folder of a fresh venv with the freshly built wheel installed."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            src.mkdir(exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    built = _sh(sys.executable, "-m", "pip", "wheel", src, "--no-deps", "-q", "-w", tmp / "dist", cwd=tmp)
    wheels = list((tmp / "dist").glob("rtagent-*.whl"))
    if built.returncode != 0 or not wheels:
        if "No matching distribution" in built.stderr or "Could not find a version" in built.stderr:
            pytest.skip(f"the build backend cannot be fetched here: {built.stderr.strip().splitlines()[-1]}")
        pytest.fail(f"pip wheel failed:\n{built.stdout}\n{built.stderr}")
    venv = tmp / "venv"
    made = _sh(sys.executable, "-m", "venv", "--without-pip", venv, cwd=tmp)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    purelib = _sh(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp).stdout.strip()
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(purelib, "rtagent_test_deps.pth").write_text("".join(f"{d}\n" for d in sorted(deps)))
    done = _sh(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", "--ignore-installed",
               wheels[0], cwd=tmp)
    assert done.returncode == 0, done.stderr
    return venv / "bin"


def _env() -> dict[str, str]:
    drop = ("OPENAI_API_KEY", "RTAGENT_BACKEND", "RTAGENT_REALTIME_URL", "PYTHONPATH", "VIRTUAL_ENV")
    return {k: v for k, v in os.environ.items() if k not in drop}


def _rtagent(bin_dir: Path, cwd: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return _sh(bin_dir / "rtagent", *args, cwd=cwd, env=_env(), stdin=stdin)


def test_the_package_comes_from_the_wheel(installed: Path, tmp_path: Path) -> None:
    where = _sh(installed / "python", "-c", "import realtime_cli; print(realtime_cli.__file__)", cwd=tmp_path,
                env=_env())
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(installed.parent), where.stdout
    version = _rtagent(installed, tmp_path, "--version")
    assert version.returncode == 0 and version.stdout.startswith("rtagent "), version.stderr


def test_examples_are_listed_from_the_package(installed: Path, tmp_path: Path) -> None:
    result = _rtagent(installed, tmp_path, "examples")
    assert result.returncode == 0, result.stderr
    for name in ("support", "assistant", "guardrail_demo"):
        assert f"  {name} " in result.stdout
    assert str(installed.parent) in result.stdout  # the copy inside the installed package


def test_validate_and_a_scripted_demo_by_bare_name(installed: Path, tmp_path: Path) -> None:
    checked = _rtagent(installed, tmp_path, "validate", "support", "assistant", "guardrail_demo")
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.count(": ok — starts with") == 3
    demo = _rtagent(installed, tmp_path, "talk", "--agent", "support", "--script", "support")
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert "OK: " in demo.stdout and "steps passed" in demo.stdout
    assert "[tool] lookup_order" in demo.stdout  # the tool module shipped in the wheel was imported


def test_a_copied_example_runs_with_its_own_tools(installed: Path, tmp_path: Path) -> None:
    copied = _rtagent(installed, tmp_path, "examples", "copy", "guardrail_demo", "mine")
    assert copied.returncode == 0, copied.stderr
    files = sorted(str(p.relative_to(tmp_path / "mine")) for p in (tmp_path / "mine").rglob("*") if p.is_file())
    assert files == ["demos/guardrail_demo.yaml", "guardrail_demo.yaml", "tools/__init__.py", "tools/guards.py"]
    tools = tmp_path / "mine" / "tools" / "guards.py"
    tools.write_text(tools.read_text().replace("clear and 18 degrees", "foggy and 7 degrees"))  # edit the copy
    run = _rtagent(installed, tmp_path, "talk", "--agent", "mine/guardrail_demo.yaml", "--text",
                   stdin="what is the weather in Oslo\n/quit\n")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "foggy and 7 degrees" in run.stdout  # the edited copy ran, not the shipped module
    again = _rtagent(installed, tmp_path, "examples", "copy", "guardrail_demo", "mine")
    assert again.returncode == 2 and "exists" in again.stderr and "--force" in again.stderr
