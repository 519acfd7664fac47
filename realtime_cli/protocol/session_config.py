"""The session configuration in one canonical shape, and its GA and beta wire forms in both directions.

A key absent from a `SessionConfig` is not sent; `turn_detection: None` means manual turns (sent as null).
"""

from __future__ import annotations

from typing import Any, Literal, TypedDict, cast

from .codecs import FORMAT_FROM_GA_TYPE, GA_FORMAT_TYPES, PCM16_RATE, AudioFormat
from .names import Dialect


class TurnDetectionConfig(TypedDict, total=False):
    type: Literal["server_vad", "semantic_vad"]
    threshold: float
    prefix_padding_ms: int
    silence_duration_ms: int
    eagerness: Literal["low", "medium", "high", "auto"]
    create_response: bool
    interrupt_response: bool
    idle_timeout_ms: int | None


class TranscriptionConfig(TypedDict, total=False):
    model: str
    language: str
    prompt: str


class ToolSpec(TypedDict):
    type: Literal["function"]
    name: str
    description: str
    parameters: dict[str, Any]


class SessionConfig(TypedDict, total=False):
    model: str
    instructions: str
    voice: str
    speed: float
    output_modalities: list[Literal["text", "audio"]]
    input_audio_format: AudioFormat
    output_audio_format: AudioFormat
    input_audio_transcription: TranscriptionConfig | None
    input_audio_noise_reduction: dict[str, Any] | None
    turn_detection: TurnDetectionConfig | None
    tools: list[ToolSpec]
    tool_choice: str | dict[str, Any]
    max_output_tokens: int | Literal["inf"]
    temperature: float


VOICES: tuple[str, ...] = (
    "alloy", "ash", "ballad", "coral", "echo", "fable", "nova", "onyx", "sage", "shimmer", "verse", "marin", "cedar",
)

_SERVER_VAD_KEYS = ("threshold", "prefix_padding_ms", "silence_duration_ms", "create_response",
                    "interrupt_response", "idle_timeout_ms")
_SEMANTIC_VAD_KEYS = ("eagerness", "create_response", "interrupt_response")


def normalize_modalities(modalities: list[str]) -> list[Literal["text", "audio"]]:
    """Canonical output modalities: audio when audio is asked for (it carries its transcript), else text."""
    if "audio" in modalities:
        return ["audio"]
    return ["text"]


def _turn_detection_wire(td: TurnDetectionConfig | None, dialect: Dialect) -> dict[str, Any] | None:
    if td is None:
        return None
    kind = td.get("type", "server_vad")
    keys = _SERVER_VAD_KEYS if kind == "server_vad" else _SEMANTIC_VAD_KEYS
    out: dict[str, Any] = {"type": kind}
    for key in keys:
        if key in td and not (dialect == "beta" and key == "idle_timeout_ms"):
            out[key] = td[key]  # type: ignore[literal-required]
    return out


def _ga_format(fmt: AudioFormat) -> dict[str, Any]:
    out: dict[str, Any] = {"type": GA_FORMAT_TYPES[fmt]}
    if fmt == "pcm16":
        out["rate"] = PCM16_RATE
    return out


def session_to_wire(cfg: SessionConfig, dialect: Dialect) -> dict[str, Any]:
    """The `session` object of a `session.update` in `dialect`."""
    return _to_ga(cfg) if dialect == "ga" else _to_beta(cfg)


def _copy(cfg: SessionConfig, out: dict[str, Any], *keys: str) -> None:
    for key in keys:
        if key in cfg:
            out[key] = cfg[key]  # type: ignore[literal-required]


def _to_ga(cfg: SessionConfig) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "realtime"}
    _copy(cfg, out, "model", "instructions", "output_modalities", "tools", "tool_choice", "max_output_tokens")
    audio_in: dict[str, Any] = {}
    audio_out: dict[str, Any] = {}
    if "input_audio_format" in cfg:
        audio_in["format"] = _ga_format(cfg["input_audio_format"])
    if "input_audio_transcription" in cfg:
        audio_in["transcription"] = cfg["input_audio_transcription"]
    if "input_audio_noise_reduction" in cfg:
        audio_in["noise_reduction"] = cfg["input_audio_noise_reduction"]
    if "turn_detection" in cfg:
        audio_in["turn_detection"] = _turn_detection_wire(cfg["turn_detection"], "ga")
    if "output_audio_format" in cfg:
        audio_out["format"] = _ga_format(cfg["output_audio_format"])
    if "voice" in cfg:
        audio_out["voice"] = cfg["voice"]
    if "speed" in cfg:
        audio_out["speed"] = cfg["speed"]
    audio: dict[str, Any] = {}
    if audio_in:
        audio["input"] = audio_in
    if audio_out:
        audio["output"] = audio_out
    if audio:
        out["audio"] = audio
    return out


def _to_beta(cfg: SessionConfig) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _copy(cfg, out, "model", "instructions", "voice", "speed", "input_audio_format", "output_audio_format",
          "input_audio_transcription", "input_audio_noise_reduction", "tools", "tool_choice", "temperature")
    if "output_modalities" in cfg:
        out["modalities"] = ["text", "audio"] if "audio" in cfg["output_modalities"] else ["text"]
    if "turn_detection" in cfg:
        out["turn_detection"] = _turn_detection_wire(cfg["turn_detection"], "beta")
    if "max_output_tokens" in cfg:
        out["max_response_output_tokens"] = cfg["max_output_tokens"]
    return out


def _format_from_ga(value: Any) -> AudioFormat | None:
    if isinstance(value, dict):
        return FORMAT_FROM_GA_TYPE.get(str(value.get("type")))
    return None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def session_from_wire(session: dict[str, Any], dialect: Dialect) -> SessionConfig:
    """Read a wire `session` object (from session.update or session.updated) into the canonical shape.

    Unknown keys are ignored here; validating them is the caller's business.
    """
    out: dict[str, Any] = {key: session[key] for key in ("model", "instructions", "tools", "tool_choice")
                           if key in session}
    out.update(_beta_from_wire(session) if dialect == "beta" else _ga_from_wire(session))
    return cast(SessionConfig, out)


_BETA_FLAT_KEYS = ("voice", "speed", "input_audio_format", "output_audio_format", "input_audio_transcription",
                   "input_audio_noise_reduction", "turn_detection", "temperature")
# GA keeps audio settings nested: (audio.input | audio.output, wire key) -> canonical key
_GA_AUDIO_KEYS = (("input", "transcription", "input_audio_transcription"),
                  ("input", "noise_reduction", "input_audio_noise_reduction"),
                  ("input", "turn_detection", "turn_detection"),
                  ("output", "voice", "voice"), ("output", "speed", "speed"))


def _beta_from_wire(session: dict[str, Any]) -> dict[str, Any]:
    out = {key: session[key] for key in _BETA_FLAT_KEYS if key in session}
    if isinstance(session.get("modalities"), list):
        out["output_modalities"] = normalize_modalities(session["modalities"])
    if "max_response_output_tokens" in session:
        out["max_output_tokens"] = session["max_response_output_tokens"]
    return out


def _ga_from_wire(session: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if isinstance(session.get("output_modalities"), list):
        out["output_modalities"] = normalize_modalities(session["output_modalities"])
    if "max_output_tokens" in session:
        out["max_output_tokens"] = session["max_output_tokens"]
    audio = _dict(session.get("audio"))
    sides = {"input": _dict(audio.get("input")), "output": _dict(audio.get("output"))}
    for side, canonical in (("input", "input_audio_format"), ("output", "output_audio_format")):
        if "format" in sides[side] and (fmt := _format_from_ga(sides[side]["format"])):
            out[canonical] = fmt
    for side, wire, canonical in _GA_AUDIO_KEYS:
        if wire in sides[side]:
            out[canonical] = sides[side][wire]
    return out
