"""The rtagent command through Typer's CliRunner: every command, its help, and its error paths."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import wave
from pathlib import Path

import pytest
from typer.testing import CliRunner

from realtime_cli.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def _run(*args: str, input: str | None = None, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), input=input, env=env, catch_exceptions=False)


@pytest.mark.parametrize("command", [[], ["talk"], ["devices"], ["validate"], ["schema"], ["serve"]])
def test_help_reads_like_the_readme(command: list[str]) -> None:
    result = _run(*command, "--help")
    assert result.exit_code == 0
    assert "Usage: rtagent" in result.output
    if command:
        assert "Example" in result.output


def test_no_arguments_shows_help() -> None:
    result = _run()
    assert "talk" in result.output and "serve" in result.output


def test_validate_shipped_configs() -> None:
    files = sorted(str(p) for p in (ROOT / "configs").glob("*.yaml"))
    result = _run("validate", *files)
    assert result.exit_code == 0, result.output
    assert result.output.count(": ok — starts with") == len(files)


def test_validate_reports_file_line_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("agents:\n  a:\n    name: A\n    instructons: hi\n")
    result = _run("validate", str(bad))
    assert result.exit_code == 2
    assert f"{bad}:4:5" in result.output and "did you mean 'instructions'" in result.output
    assert "Traceback" not in result.output


def test_schema_is_json() -> None:
    result = _run("schema")
    schema = json.loads(result.output)
    assert {"agents", "tools", "guardrails", "model_settings"} <= set(schema["properties"])


def test_talk_missing_file_is_one_line_usage_error() -> None:
    result = _run("talk", "--agent", "nope.yaml", "--text")
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0 and "nope.yaml" in result.output


def test_openai_backend_without_key() -> None:
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    result = _run("talk", "--agent", str(ROOT / "configs/support.yaml"), "--text", "--backend", "openai", env=env)
    assert result.exit_code == 2
    assert "needs OPENAI_API_KEY" in result.output


def test_text_mode_conversation_with_commands() -> None:
    result = _run("talk", "--agent", str(ROOT / "configs/support.yaml"), "--text",
                  input="Where is my order 1001?\n/history\n/agent\n/interrupt\n/help\n/quit\n")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "⚙ lookup_order" in out and "Customer Service › Order 1001" in out
    assert "  user: Where is my order 1001?" in out  # /history
    assert "agent: Customer Service; tools: lookup_order, service_status" in out  # /agent
    assert "commands:" in out


def test_text_mode_guardrail_shows_its_message_and_history_hides_internal_turns() -> None:
    result = _run("talk", "--agent", str(ROOT / "configs/guardrail_demo.yaml"), "--text",
                  input="read the main vault code\n/history\n/quit\n")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "⚠ guardrail no_secrets: I can't read out secrets." in out  # the YAML guardrail's message:
    assert "Concierge › The secret code" not in out  # the reply it stopped never reaches the screen
    assert "  assistant: (withheld by a guardrail)" in out
    assert "guardrail triggered" not in out  # the session's note to the model is not a turn the user typed


def test_text_mode_ends_cleanly_on_eof() -> None:
    result = _run("talk", "--agent", str(ROOT / "configs/assistant.yaml"), "--text", input="hello\n")
    assert result.exit_code == 0
    assert "Assistant › " in result.output


def test_voice_mode_without_a_terminal_falls_back_to_text() -> None:
    result = _run("talk", "--agent", str(ROOT / "configs/assistant.yaml"), input="hello\n/quit\n")
    assert result.exit_code == 0
    assert "Continuing in text mode." in result.output and "Assistant › " in result.output


def test_failed_expectation_exits_1_with_a_diff(tmp_path: Path) -> None:
    script = tmp_path / "s.yaml"
    script.write_text("steps:\n  - say: hello\n  - expect: {handoff: Billing Support}\n")
    result = _run("talk", "--agent", str(ROOT / "configs/support.yaml"), "--script", str(script))
    assert result.exit_code == 1
    assert "FAILED line 3: expectation failed" in result.output
    assert "- handoff to Billing Support" in result.output and "+ handoffs: none" in result.output


@pytest.mark.parametrize(("text", "message"), [
    ("steps: [{shout: hi}]", "unknown step 'shout'"),
    ("nothing: here", "a script is a mapping with a `steps:` list"),
    ("steps: [{expect: {vibes: good}}]", "expect takes a mapping of"),
    ("steps: [{say: [unclosed}", "not valid YAML"),
])
def test_bad_script_is_a_usage_error(tmp_path: Path, text: str, message: str) -> None:
    script = tmp_path / "s.yaml"
    script.write_text(text)
    result = _run("talk", "--agent", str(ROOT / "configs/support.yaml"), "--script", str(script))
    assert result.exit_code == 2 and message in result.output


def test_record_writes_events_and_audio_without_secrets(tmp_path: Path) -> None:
    script = tmp_path / "s.yaml"
    script.write_text("steps:\n  - speak: hello there\n  - say: what is the weather in Paris\n")
    env = dict(os.environ, OPENAI_API_KEY="sk-do-not-leak-123")
    result = _run("talk", "--agent", str(ROOT / "configs/assistant.yaml"), "--script", str(script),
                  "--backend", "local", "--record", str(tmp_path / "rec"), env=env)
    assert result.exit_code == 0, result.output
    lines = (tmp_path / "rec/events.jsonl").read_text().splitlines()
    events = [json.loads(line) for line in lines]
    assert any(e["type"] == "tool_end" for e in events)
    assert any(e["type"] == "audio" and "bytes of audio" in e["audio"]["data"] for e in events)
    assert not any(len(line) > 20000 for line in lines)  # audio payloads are elided
    for name in ("input.wav", "output.wav"):
        with wave.open(str(tmp_path / "rec" / name)) as wav:
            assert wav.getframerate() == 24000 and wav.getnframes() > 2400
    everything = "".join(p.read_text(errors="ignore") for p in (tmp_path / "rec").iterdir()) + result.output
    assert "sk-do-not-leak-123" not in everything


def test_devices_lists_or_explains() -> None:
    result = _run("devices")
    if result.exit_code == 0:
        assert result.output.strip()
    else:
        assert result.exit_code == 2 and "libportaudio2" in result.output


@pytest.mark.parametrize("name", ["support", "assistant", "guardrail_demo"])
def test_shipped_demo_scripts_pass_end_to_end(name: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    proc = subprocess.run([sys.executable, "-m", "realtime_cli.cli.app", "talk", "--agent", f"configs/{name}.yaml",
                           "--script", f"configs/demos/{name}.yaml"], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=180)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "OK:" in proc.stdout and "steps passed" in proc.stdout


def test_serve_prints_a_working_url() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "realtime_cli.cli.app", "serve", "--port", "0"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("ws://127.0.0.1:") and url.endswith("/v1/realtime")
        import asyncio

        import websockets

        async def hello() -> str:
            async with websockets.connect(url + "?model=x") as ws:
                return json.loads(await ws.recv())["type"]

        assert asyncio.run(hello()) == "session.created"
    finally:
        proc.terminate()
        proc.wait(10)
