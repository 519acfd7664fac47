"""Hostile inputs to the CLI, run as a user would (a subprocess): each is one line on stderr, exit 2 (exit 1 for
a recording lost to a full disk), never a traceback or a hang."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RTAGENT = [sys.executable, "-m", "realtime_cli.cli.app"]
LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True))


def _run(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "RTAGENT_REALTIME_URL")}
    return subprocess.run([*RTAGENT, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT, env=env)


def _one_line_exit(done: subprocess.CompletedProcess[str], code: int, needle: str) -> None:
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    assert "Traceback" not in done.stderr + done.stdout
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and needle in lines[0], done.stderr


@pytest.mark.parametrize(("content", "needle"), [
    (b"start: a\nagents:\n  a:\n    name: A\x00\n", "NUL byte"),
    (b"a: " + b"[" * 5000 + b"]" * 5000 + b"\n", "nests too deeply"),
    (LAUGHS.encode(), "expands to more than"),
    (b"start: a\nagents:\n  a:\n    name: \xff\xfe\n", "not UTF-8"),
    (b"x" * (2 * 1024 * 1024), "bytes"),
])
def test_hostile_agent_yaml(tmp_path: Path, content: bytes, needle: str) -> None:
    path = tmp_path / "agent.yaml"
    path.write_bytes(content)
    _one_line_exit(_run("validate", str(path)), 2, needle)


def test_validate_dev_zero_is_refused_at_once() -> None:
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero here")
    _one_line_exit(_run("validate", "/dev/zero", timeout=20), 2, "not a regular file")


def test_a_fifo_as_config_does_not_hang(tmp_path: Path) -> None:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    fifo = tmp_path / "agent.yaml"
    os.mkfifo(fifo)
    _one_line_exit(_run("validate", str(fifo), timeout=20), 2, "not a regular file")


def test_a_tool_module_calling_os_exit_fails_validate(tmp_path: Path) -> None:
    (tmp_path / "killer.py").write_text("import os\nos._exit(0)\n")
    (tmp_path / "agent.yaml").write_text("start: a\nagents:\n  a:\n    name: A\n    instructions: hi\n"
                                         "    tools: [t]\ntools:\n  t:\n    function: killer:run\n")
    _one_line_exit(_run("validate", str(tmp_path / "agent.yaml")), 2, "os._exit(0)")


@pytest.mark.parametrize(("content", "needle"), [
    (b"steps:\n  - say: \xff\xfe hello\n", "not UTF-8"),
    (b"steps:\n  - say: {text: hello, timeout: soon}\n", "timeout takes a number of seconds"),
    (b"steps:\n  - pause_ms: 100000000000000000000000\n", "pause_ms takes a whole number"),
    (b"steps:\n  - wait: {event: agent_end, timeout: soon}\n", "timeout takes a number of seconds"),
    (b"steps: " + b"[" * 5000 + b"]" * 5000 + b"\n", "nests too deeply"),
])
def test_hostile_script(tmp_path: Path, content: bytes, needle: str) -> None:
    path = tmp_path / "script.yaml"
    path.write_bytes(content)
    done = _run("talk", "--agent", "configs/support.yaml", "--backend", "local", "--script", str(path))
    _one_line_exit(done, 2, needle)


def test_record_onto_a_full_disk_is_one_line_and_exit_1(tmp_path: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full here to stand for a full disk")
    record = tmp_path / "rec"
    record.mkdir()
    (record / "events.jsonl").symlink_to("/dev/full")
    script = tmp_path / "s.yaml"
    script.write_text("steps:\n  - say: hello\n")
    done = _run("talk", "--agent", "configs/support.yaml", "--backend", "local", "--script", str(script),
                "--record", str(record), timeout=120)
    _one_line_exit(done, 1, "--record stopped: No space left on device")
    assert "OK: 1 steps passed" in done.stdout  # the conversation itself went on


def _text_mode(stdin: bytes | None) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "RTAGENT_REALTIME_URL")}
    command = [*RTAGENT, "talk", "--agent", "configs/assistant.yaml", "--text", "--backend", "local"]
    if stdin is None:  # the program starts with stdin closed (`<&-`)
        return subprocess.run(["sh", "-c", 'exec "$@" <&-', "sh", *command], capture_output=True, timeout=120,
                              cwd=ROOT, env=env)
    return subprocess.run(command, input=stdin, capture_output=True, timeout=120, cwd=ROOT, env=env)


def test_non_utf8_typed_in_text_mode_is_sent_replaced_and_the_session_goes_on() -> None:
    done = _text_mode(b"\xff\xfe what can you do\nhello\n")
    out = done.stdout.decode("utf-8", "replace")
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr[-2000:]
    assert "you › \ufffd\ufffd what can you do" in out and "you › hello" in out
    assert out.count("Assistant ›") >= 2  # both turns answered


def test_text_mode_with_stdin_closed_exits_cleanly() -> None:
    done = _text_mode(None)
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr[-2000:]
