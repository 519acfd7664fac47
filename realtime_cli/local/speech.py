"""The engine's speech resources: one synthesizer per voice and one recognizer model per vocabulary,
built from the session's own words (instructions, tools, handoffs, enum values) and shared across sessions.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable
from typing import Any

from ..protocol.session_config import SessionConfig
from .asr import DomainModel, StreamingRecognizer, build_domain_model
from .tts import Synthesizer

_synths: dict[str, Synthesizer] = {}
_lock = threading.Lock()


def synthesizer(voice: str) -> Synthesizer:
    with _lock:
        synth = _synths.get(voice)
        if synth is None:
            synth = _synths[voice] = Synthesizer(voice)
        return synth


def _split_identifier(name: str) -> str:
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name)
    return re.sub(r"[_\-.]+", " ", spaced)


def _schema_words(schema: Any) -> Iterable[str]:
    if not isinstance(schema, dict):
        return
    for key, prop in (schema.get("properties") or {}).items():
        yield _split_identifier(str(key))
        if isinstance(prop, dict):
            if isinstance(prop.get("description"), str):
                yield prop["description"]
            for value in prop.get("enum") or []:
                yield _split_identifier(str(value))
            yield from _schema_words(prop)


def session_phrases(cfg: SessionConfig) -> list[str]:
    """Sentences that describe what users of this session will likely say."""
    phrases: list[str] = []
    if cfg.get("instructions"):
        phrases.append(str(cfg["instructions"]))
    for tool in cfg.get("tools") or []:
        name = _split_identifier(str(tool.get("name", "")))
        phrases.append(name)
        if name.startswith("transfer to "):
            target = name.removeprefix("transfer to ")
            phrases += [f"transfer me to {target}", f"i need {target}", f"talk to {target}"]
        if tool.get("description"):
            phrases.append(str(tool["description"]))
        phrases.extend(_schema_words(tool.get("parameters")))
    return phrases


def domain_model(cfg: SessionConfig) -> DomainModel:
    """The recognizer model for a session configuration (cached by vocabulary)."""
    return build_domain_model(session_phrases(cfg))


def recognizer(model: DomainModel) -> StreamingRecognizer:
    return StreamingRecognizer(model)
