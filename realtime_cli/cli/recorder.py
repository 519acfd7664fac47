"""`--record DIR`: every session event as one JSON line (audio payloads elided, no secrets), plus the user's
input audio and the agent's output audio as 24 kHz mono WAV files.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
import wave
from pathlib import Path
from typing import Any

from ..protocol.codecs import PCM16_RATE
from ..protocol.errors import UserError
from ..protocol.secret import REDACTED

_AUDIO_KEYS = frozenset({"delta", "audio"})
_SECRET_KEYS = frozenset({"api_key", "authorization", "Authorization"})


def _elide(value: Any, key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: (REDACTED if k in _SECRET_KEYS else _elide(v, k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_elide(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return f"<{len(value)} bytes of audio>"
    if isinstance(value, str) and key in _AUDIO_KEYS and len(value) > 64:
        return f"<{len(value)} base64 chars of audio>"
    return value


def describe(event: Any) -> dict[str, Any]:
    """A JSON-ready summary of any session event (raw server events keep their fields)."""
    data = getattr(event, "data", None)
    if isinstance(data, dict) and hasattr(event, "kind"):
        return dict(_elide(data))
    out: dict[str, Any] = {"type": getattr(event, "type", type(event).__name__)}
    if dataclasses.is_dataclass(event):
        for f in dataclasses.fields(event):
            if f.name in ("type", "info"):
                continue
            value = getattr(event, f.name)
            out[f.name] = _summary(value)
    return dict(_elide(out))


def _summary(value: Any) -> Any:
    name = getattr(value, "name", None)
    if hasattr(value, "instructions") and isinstance(name, str):
        return name  # an agent
    if hasattr(value, "params_json_schema") and isinstance(name, str):
        return name  # a tool
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _summary(getattr(value, f.name)) for f in dataclasses.fields(value)
                if f.name not in ("info", "raw", "guardrail")}
    if isinstance(value, list):
        return [_summary(v) for v in value]
    if isinstance(value, (str, int, float, bool, type(None), dict, bytes)):
        return value
    return str(value)


class Recorder:
    """Writes `events.jsonl`, `input.wav` and `output.wav` into a folder (created if needed)."""

    def __init__(self, folder: Path) -> None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self._events = (folder / "events.jsonl").open("w", encoding="utf-8")
        except OSError as exc:
            raise UserError(f"Cannot record to {folder}: {exc.strerror or exc}. Choose a writable --record folder.") \
                from None
        self.folder = folder
        self.failure: str | None = None  # why recording stopped (a full disk…); the run then exits 1
        try:
            self._input = self._wav(folder / "input.wav")
            self._output = self._wav(folder / "output.wav")
        except OSError as exc:
            raise UserError(f"Cannot record to {folder}: {exc.strerror or exc}. Choose a writable --record folder.") \
                from None
        self._started = time.monotonic()

    def _failed(self, exc: OSError, what: str) -> None:
        """The first write error stops recording with one line; the conversation goes on."""
        if self.failure is None:
            self.failure = f"--record stopped: {exc.strerror or exc} while writing {self.folder / what}"
            print(f"rtagent: {self.failure}; the conversation goes on unrecorded.", file=sys.stderr)

    @staticmethod
    def _wav(path: Path) -> wave.Wave_write:
        wav = wave.open(str(path), "wb")  # noqa: SIM115 (kept open for the whole run; closed in close())
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(PCM16_RATE)
        return wav

    def event(self, event: Any) -> None:
        if self.failure is not None:
            return
        record = {"t": round(time.monotonic() - self._started, 4), **describe(event)}
        try:
            self._events.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
            self._events.flush()
        except OSError as exc:
            self._failed(exc, "events.jsonl")
            return
        if getattr(event, "type", None) == "audio":
            try:
                self._output.writeframes(event.audio.data)
            except OSError as exc:
                self._failed(exc, "output.wav")

    def input_audio(self, pcm16: bytes) -> None:
        if self.failure is not None:
            return
        try:
            self._input.writeframes(pcm16)
        except OSError as exc:
            self._failed(exc, "input.wav")

    def close(self) -> None:
        for name, handle in (("events.jsonl", self._events), ("input.wav", self._input),
                             ("output.wav", self._output)):
            try:
                handle.close()
            except OSError as exc:
                self._failed(exc, name)
