"""Dialect choice and the beta ↔ canonical event-name mapping."""

from __future__ import annotations

from typing import get_args

import pytest

from realtime_cli.protocol import names


def test_dialect_for_model() -> None:
    assert names.dialect_for_model("gpt-4o-realtime-preview") == "beta"
    assert names.dialect_for_model("gpt-4o-realtime-preview-2024-12-17") == "beta"
    assert names.dialect_for_model("gpt-realtime") == "ga"
    assert names.dialect_for_model(None) == "ga"


@pytest.mark.parametrize(("beta", "canonical"), [
    ("response.audio.delta", "response.output_audio.delta"),
    ("response.audio_transcript.done", "response.output_audio_transcript.done"),
    ("response.text.delta", "response.output_text.delta"),
    ("conversation.item.created", "conversation.item.added"),
    ("response.done", "response.done"),
])
def test_beta_names_map_both_ways(beta: str, canonical: str) -> None:
    assert names.canonical_type(beta, "beta") == canonical
    assert names.wire_type(canonical, "beta") == beta
    assert names.wire_type(canonical, "ga") == canonical


def test_every_canonical_server_name_exists_in_the_openai_unions() -> None:
    import openai.types.beta.realtime as beta
    import openai.types.realtime as ga

    def literal_types(union: object) -> set[str]:
        members = get_args(get_args(union)[0])
        return {get_args(m.model_fields["type"].annotation)[0] for m in members}

    ga_types = literal_types(ga.RealtimeServerEvent)
    beta_types = literal_types(beta.RealtimeServerEvent)
    canonical = {getattr(names, n) for n in dir(names) if n.isupper() and isinstance(getattr(names, n), str)
                 and "." in getattr(names, n) and ":" not in getattr(names, n)
                 and getattr(names, n) not in names.CLIENT_EVENT_TYPES}
    for name in canonical:
        assert name in ga_types, name
        if name not in names.GA_ONLY_SERVER_EVENTS:
            assert names.wire_type(name, "beta") in beta_types, name
    assert literal_types(ga.RealtimeClientEvent) == names.CLIENT_EVENT_TYPES
