"""The reference docs' quickstart (nested `audio` settings), import lines changed only, against the local engine
reached through RTAGENT_REALTIME_URL: it gets a spoken reply and prints the typed history items."""

from __future__ import annotations

import pytest

from realtime_cli.local.server import LocalRealtimeServer


async def test_quickstart_with_nested_audio_settings(monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    async with LocalRealtimeServer() as server:
        monkeypatch.setenv("OPENAI_API_KEY", "sk-local-test")
        monkeypatch.setenv("RTAGENT_REALTIME_URL", server.url)
        from reference_examples import quickstart

        await quickstart.main()
    out = capsys.readouterr().out
    assert "Error" not in out
    assert "item_id=" in out and "role='user'" in out and "InputText(type='input_text', text='Say hello" in out
    assert "role='assistant'" in out
