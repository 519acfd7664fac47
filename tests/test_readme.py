"""Every command in the README's ```bash blocks runs, so no claim there goes stale.

Each runs in a copy of the repository (so builds and installs leave the checkout alone) with standard input closed,
no OpenAI key (the local engine answers) and `.venv/bin/` meaning this interpreter's environment. The two set-up
lines (make a venv, pip install, then run) are what `.ci/run` itself runs on a fresh clone; here only their last
step runs, since the environment they make is the one running these tests. Programs that talk until stopped (the
SDK examples) run until they have answered, then get Ctrl-C, and must exit without a traceback.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BIN = Path(sys.executable).parent
SETUP = re.compile(r"^python3 -m venv \.venv && \.venv/bin/pip install -q -e (?:\.|\"\.\[test\]\") && ")
# Programs that run until interrupted: what they print once they work.
UNTIL_INTERRUPTED = {
    ".venv/bin/python examples/quickstart.py": "Assistant:",
    ".venv/bin/python examples/complete.py": "Assistant:",
}


def readme_commands() -> list[str]:
    """The command lines of the README's bash blocks, in order, without comments."""
    commands, inside = [], False
    for line in README.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            inside = line.strip() == "```bash" if not inside else False
            continue
        if inside:
            command = re.sub(r"\s+#.*$", "", line).strip()
            if command:
                commands.append(command)
    return commands


def test_the_readme_has_its_two_commands_and_ci_runs_the_test_one() -> None:
    commands = readme_commands()
    setup = [c for c in commands if SETUP.match(c)]
    assert len(setup) == 2, setup
    assert setup[0].endswith("rtagent talk --agent configs/support.yaml")
    assert setup[1].endswith(".venv/bin/python -m pytest")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert setup[1] in ci.splitlines(), ".ci/run must run the README's test command verbatim"


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A copy of the repository, and an environment whose tools are this venv's and pipx's own folders."""
    copy = tmp_path_factory.mktemp("readme") / "repo"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".git", ".venv", "__pycache__", "*.egg-info", "dist",
                                                              "build", ".*_cache", "recordings"))
    home = copy.parent / "home"
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "RTAGENT_BACKEND")}
    env.update(PIPX_HOME=str(home / "pipx"), PIPX_BIN_DIR=str(home / "bin"), PIPX_MAN_DIR=str(home / "man"),
               PATH=os.pathsep.join([str(home / "bin"), str(BIN), env.get("PATH", "")]),
               RTAGENT_LOCAL_GREET_MS="1500")
    return copy, env


def _argv(command: str) -> str:
    command = SETUP.sub("", command)
    return command.replace(".venv/bin/", f"{BIN}/")


def _run_until_answer(command: str, expect: str, cwd: Path, env: dict[str, str]) -> None:
    proc = subprocess.Popen(_argv(command), shell=True, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    assert proc.stdout is not None
    seen = []
    deadline = time.monotonic() + 180
    for line in proc.stdout:  # blocks until a line or EOF; the deadline is checked per line
        seen.append(line)
        if expect in line or time.monotonic() > deadline:
            break
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in the terminal sends
    rest, _ = proc.communicate(timeout=30)
    out = "".join(seen) + rest
    assert any(expect in line for line in seen), f"{command!r} never printed {expect!r}:\n{out}"
    assert "Traceback" not in out, out
    assert proc.returncode in (0, 130, -signal.SIGINT), (proc.returncode, out)


@pytest.mark.slow
@pytest.mark.parametrize("command", [c for c in readme_commands() if not c.endswith(".venv/bin/python -m pytest")])
def test_readme_command_runs(command: str, sandbox: tuple[Path, dict[str, str]]) -> None:
    """(The test command is the suite running now: the test above checks .ci/run runs it verbatim.)"""
    cwd, env = sandbox
    if command in UNTIL_INTERRUPTED:
        _run_until_answer(command, UNTIL_INTERRUPTED[command], cwd, env)
        return
    result = subprocess.run(_argv(command), shell=True, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{command}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    assert "Traceback" not in result.stderr, result.stderr
