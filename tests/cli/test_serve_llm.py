"""`rtagent serve --llm`: a URL that is not http(s) is a usage error (exit 2, one line), before anything listens."""

from __future__ import annotations

from typer.testing import CliRunner

from realtime_cli.cli.app import app


def test_a_bad_llm_url_is_a_usage_error() -> None:
    result = CliRunner().invoke(app, ["serve", "--llm", "localhost:11434", "--llm-model", "qwen"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines()[-1] == (
        "rtagent: --llm needs an http(s) URL of a chat-completions server, got 'localhost:11434'.")
    assert "Traceback" not in result.output
