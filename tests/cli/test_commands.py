"""The command line's surface: -h and --version, flags shown as flags, talk's keys and slash commands, usage errors
that exit 2 in one line, `validate` (every problem at once, scripts too), bare example names, `rtagent examples`."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from realtime_cli import __version__
from realtime_cli.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = [[], ["talk"], ["devices"], ["validate"], ["schema"], ["serve"], ["examples"], ["examples", "copy"]]


def _run(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args), input=input, catch_exceptions=False)


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "rtagent")
def test_dash_h_is_help_everywhere(command: list[str]) -> None:
    short, long = _run(*command, "-h"), _run(*command, "--help")
    assert short.exit_code == 0 and short.output == long.output
    assert short.output.startswith(f"Usage: rtagent {' '.join(command)}".rstrip())
    assert "-h, --help" in short.output


def test_version() -> None:
    result = _run("--version")
    assert result.exit_code == 0 and result.output == f"rtagent {__version__}\n"


@pytest.mark.parametrize(("command", "flags"), [(["talk"], ["--text", "--vad", "--debug"]),
                                                (["examples", "copy"], ["--force"])])
def test_boolean_flags_show_as_flags(command: list[str], flags: list[str]) -> None:
    out = _run(*command, "--help").output
    for flag in flags:
        line = next(line for line in out.splitlines() if line.strip().startswith(flag))
        assert re.match(rf"^\s*{flag}\s{{2,}}\w", line), line  # the help text follows, no metavar
    assert "bool" not in out.lower()


def test_talk_help_lists_the_keys_and_slash_commands() -> None:
    out = _run("talk", "--help").output
    for key in ("SPACE", "ESC", "y / n", "q"):
        assert re.search(rf"^\s+{re.escape(key)}\s", out, re.MULTILINE), key
    for command in ("/interrupt", "/agent", "/history", "/help", "/quit"):
        assert command in out


def test_unknown_backend_names_the_valid_ones() -> None:
    result = _run("talk", "--agent", "support", "--backend", "foo")
    assert result.exit_code == 2
    assert "'foo' is not one of 'auto', 'openai', 'local'" in result.output
    assert "Value error" not in result.output and "Traceback" not in result.output


def test_a_missing_input_device_is_a_usage_error() -> None:
    result = _run("talk", "--agent", "support", "--input-device", "no such microphone xyz")
    assert result.exit_code == 2, result.output
    assert result.output.startswith("rtagent: --input-device: ") and result.output.count("\n") == 1


def test_unknown_slash_command_says_so() -> None:
    result = _run("talk", "--agent", "assistant", "--text", input="/frobnicate\n/quit\n")
    assert result.exit_code == 0
    assert "unknown command /frobnicate; commands: /interrupt" in result.output


def test_bare_name_finds_the_shipped_example() -> None:
    result = _run("talk", "--agent", "support", "--text", input="Where is my order 1001?\n/quit\n")
    assert result.exit_code == 0, result.output
    assert "⚙ lookup_order" in result.output


def test_a_file_of_that_name_wins_over_the_example(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "support").write_text("agents: {mine: {instructions: hi}}\n")
    result = _run("validate", "support")
    assert result.exit_code == 0 and result.output.startswith("support: ok — starts with mine")


def test_validate_reports_every_problem_of_a_file_at_once(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(textwrap.dedent("""\
        start: main
        agents:
          main: {instructions: hi, tools: [weather, nope], handoffs: [ghost]}
          other: {instructons: typo}
        tools:
          weather: {function: "no_such_module_abc:weather"}
        model_settings: {voice: 3}
        """))
    result = _run("validate", str(bad))
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert [line.split(": ", 1)[0] for line in lines] == [f"{bad}:{at}" for at in ("3:45", "3:63", "4:11", "6:23",
                                                                                   "7:25")], result.output
    assert "nope" in lines[0] and "ghost" in lines[1] and "instructons" in lines[2]
    assert "no_such_module_abc" in lines[3] and "voice" in lines[4]


def test_validate_recognises_a_script() -> None:
    result = _run("validate", str(ROOT / "configs/demos/support.yaml"))
    assert result.exit_code == 0, result.output
    assert "ok — a script of 20 steps" in result.output


def test_validate_reports_a_bad_script_as_a_script(tmp_path: Path) -> None:
    script = tmp_path / "s.yaml"
    script.write_text("steps:\n  - shout: hi\n")
    result = _run("validate", str(script))
    assert result.exit_code == 2 and "unknown step 'shout'" in result.output


def test_a_script_given_as_the_agent_says_so() -> None:
    result = _run("talk", "--agent", str(ROOT / "configs/demos/support.yaml"), "--text")
    assert result.exit_code == 2 and "is a script (it has `steps:`); run it with --script" in result.output


def test_examples_lists_the_shipped_agents() -> None:
    result = _run("examples")
    assert result.exit_code == 0
    assert str(ROOT / "configs") in result.output  # from a clone: configs/ itself
    for name in ("support", "assistant", "guardrail_demo"):
        assert re.search(rf"^  {name}\s+\S.*\[demo script\]$", result.output, re.MULTILINE), name


def test_examples_copy_takes_tools_and_demo(tmp_path: Path) -> None:
    result = _run("examples", "copy", "support", str(tmp_path / "mine"))
    assert result.exit_code == 0, result.output
    for name in ("support.yaml", "tools/__init__.py", "tools/support.py", "demos/support.yaml"):
        assert (tmp_path / "mine" / name).read_bytes() == (ROOT / "configs" / name).read_bytes()
    assert _run("validate", str(tmp_path / "mine/support.yaml")).exit_code == 0
    assert _run("examples", "copy", "support", str(tmp_path / "mine")).exit_code == 2
    assert _run("examples", "copy", "support", str(tmp_path / "mine"), "--force").exit_code == 0
    unknown = _run("examples", "copy", "suport")
    assert unknown.exit_code == 2 and "the examples are: " in unknown.output


def test_a_copy_in_its_default_folder_wins_over_the_shipped_one(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert _run("examples", "copy", "assistant").exit_code == 0  # into ./assistant/
    result = _run("validate", "assistant")
    assert result.exit_code == 0 and result.output.startswith(f"assistant ({Path('assistant/assistant.yaml')}): ok")
    demo = _run("talk", "--agent", "assistant", "--script", "assistant")
    assert demo.exit_code == 0, demo.output


def test_pyproject_lists_every_package() -> None:
    tomllib = pytest.importorskip("tomllib", reason="tomllib is in Python 3.11+")
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "realtime_cli").rglob("__init__.py")}
    found |= {"realtime_cli.examples." + ".".join(p.parent.relative_to(ROOT / "configs").parts)
              for p in (ROOT / "configs").rglob("__init__.py")}
    assert listed == {name.removesuffix(".") for name in found}


def test_help_imports_no_heavy_modules() -> None:
    """What keeps `rtagent --help` fast (bench/cli_startup.py prints the time): Typer's plain help, so no rich; and
    none of the runtime's heavy modules (numpy, yaml, websockets)."""
    code = ("import sys; from realtime_cli.cli.app import app\n"
            "try: app(['talk', '--help'], prog_name='rtagent')\n"
            "except SystemExit: pass\n"
            "print(sorted(m for m in ('rich', 'numpy', 'yaml', 'websockets', 'sounddevice') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[-1] == "[]"
