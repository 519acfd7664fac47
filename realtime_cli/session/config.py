"""The run configuration (`RealtimeRunner(config=...)`): validated with pydantic, errors naming the key,
and turned into the canonical session configuration the protocol layer sends.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, Union

import pydantic
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..protocol import names
from ..protocol.client_core import ClientCore
from ..protocol.codecs import FORMAT_FROM_GA_TYPE, AudioFormat
from ..protocol.errors import ConfigError
from ..protocol.session_config import VOICES, SessionConfig, ToolSpec, TurnDetectionConfig, normalize_modalities
from .agent import Handoff, RealtimeAgent
from .guardrails import OutputGuardrail
from .tool import FunctionTool

_STRICT = ConfigDict(extra="forbid")

DEFAULT_VOICE = "ash"
DEFAULT_TRANSCRIPTION_MODEL = names.DEFAULT_TRANSCRIPTION_MODEL
DEFAULT_TURN_DETECTION: TurnDetectionConfig = {"type": "semantic_vad", "interrupt_response": True}


class TurnDetectionSettings(BaseModel):
    model_config = _STRICT
    type: Literal["server_vad", "semantic_vad"] = "server_vad"
    threshold: float | None = Field(None, ge=0.0, le=1.0)
    prefix_padding_ms: int | None = Field(None, ge=0)
    silence_duration_ms: int | None = Field(None, ge=0)
    eagerness: Literal["low", "medium", "high", "auto"] | None = None
    create_response: bool | None = None
    interrupt_response: bool | None = None
    idle_timeout_ms: int | None = Field(None, ge=0)
    model_version: str | None = None


class TranscriptionSettings(BaseModel):
    model_config = _STRICT
    model: str | None = None
    language: str | None = None
    prompt: str | None = None
    keywords: list[str] | None = None
    languages: list[str] | None = None
    delay: Literal["minimal", "low", "medium", "high", "xhigh"] | None = None


_Format = Union[Literal["pcm16", "g711_ulaw", "g711_alaw"], dict[str, Any]]


class CustomVoice(BaseModel):
    model_config = _STRICT
    id: str


def check_voice(value: Any) -> Any:
    """A voice the service knows (or a custom voice object); one clear error otherwise."""
    if isinstance(value, str) and value not in VOICES:
        near = difflib.get_close_matches(value, VOICES, n=1)
        hint = f"; did you mean '{near[0]}'?" if near else ""
        raise ValueError(f"should be a voice the service knows ({', '.join(VOICES)}) or a custom voice "
                         f"{{'id': ...}}{hint}")
    return value


class AudioInputSettings(BaseModel):
    model_config = _STRICT
    format: _Format | None = None
    noise_reduction: dict[str, Any] | None = None
    transcription: TranscriptionSettings | None = None
    turn_detection: TurnDetectionSettings | None = None


class AudioOutputSettings(BaseModel):
    model_config = _STRICT
    format: _Format | None = None
    voice: str | CustomVoice | None = None
    speed: float | None = Field(None, ge=0.25, le=1.5)

    _voice = field_validator("voice")(classmethod(lambda cls, v: check_voice(v)))


class AudioSettings(BaseModel):
    model_config = _STRICT
    input: AudioInputSettings | None = None
    output: AudioOutputSettings | None = None


class PromptSettings(BaseModel):
    model_config = _STRICT
    id: str
    version: str | None = None
    variables: dict[str, Any] | None = None


class TracingSettings(BaseModel):
    model_config = _STRICT
    workflow_name: str | None = None
    group_id: str | None = None
    metadata: dict[str, Any] | None = None


class ReasoningSettings(BaseModel):
    model_config = _STRICT
    effort: str | None = None


# nested audio key -> flat key it stands for
_AUDIO_FLAT = {("input", "format"): "input_audio_format", ("input", "noise_reduction"): "input_audio_noise_reduction",
               ("input", "transcription"): "input_audio_transcription", ("input", "turn_detection"): "turn_detection",
               ("output", "format"): "output_audio_format", ("output", "voice"): "voice", ("output", "speed"): "speed"}


class ModelSettings(BaseModel):
    model_config = _STRICT
    model_name: str | None = None
    protocol: Literal["ga", "beta"] | None = None
    instructions: str | None = None
    prompt: PromptSettings | None = None
    audio: AudioSettings | None = None
    voice: str | CustomVoice | None = None
    speed: float | None = Field(None, ge=0.25, le=1.5)
    modalities: list[Literal["text", "audio"]] | None = None
    output_modalities: list[Literal["text", "audio"]] | None = None
    input_audio_format: Literal["pcm16", "g711_ulaw", "g711_alaw"] | dict[str, Any] | None = None
    output_audio_format: Literal["pcm16", "g711_ulaw", "g711_alaw"] | dict[str, Any] | None = None
    input_audio_transcription: TranscriptionSettings | None = None
    input_audio_noise_reduction: dict[str, Any] | None = None
    turn_detection: TurnDetectionSettings | None = None
    tool_choice: str | dict[str, Any] | None = None
    max_output_tokens: int | Literal["inf"] | None = None
    temperature: float | None = None
    parallel_tool_calls: bool | None = None
    reasoning: ReasoningSettings | None = None
    tracing: Literal["auto"] | TracingSettings | None = None
    # The Agents SDK's keys for the function tools and handoffs the model sees. In model_config's
    # initial_model_settings they replace the starting agent's own for the first configuration; the run
    # config's are replaced by each agent's, as in the reference.
    tools: list[Any] | None = None
    handoffs: list[Any] | None = None

    _voice = field_validator("voice")(classmethod(lambda cls, v: check_voice(v)))

    @field_validator("tools")
    @classmethod
    def _function_tools(cls, value: list[Any] | None) -> list[Any] | None:
        for i, tool in enumerate(value or []):
            if not isinstance(tool, FunctionTool):
                raise ValueError(f"item {i} is a {type(tool).__name__}, not a function tool (use @function_tool)")
        return value

    @field_validator("handoffs")
    @classmethod
    def _handoffs(cls, value: list[Any] | None) -> list[Any] | None:
        for i, item in enumerate(value or []):
            if not isinstance(item, (Handoff, RealtimeAgent)):
                raise ValueError(f"item {i} is a {type(item).__name__}, not a RealtimeAgent or a realtime_handoff()")
        return value

    @model_validator(mode="after")
    def _fold_audio(self) -> ModelSettings:
        """The nested `audio` form sets the same settings as the flat keys; giving one twice is an error."""
        if self.audio is None:
            return self
        for (side, key), flat in _AUDIO_FLAT.items():
            part = getattr(self.audio, side)
            if part is None or key not in part.model_fields_set:
                continue
            value = getattr(part, key)
            if flat in self.model_fields_set and getattr(self, flat) != value:
                raise ValueError(f"audio.{side}.{key} and {flat} are the same setting; give it once")
            object.__setattr__(self, flat, value)
            self.__pydantic_fields_set__.add(flat)
        return self


class GuardrailsSettings(BaseModel):
    model_config = _STRICT
    debounce_text_length: int = Field(100, ge=1)


class RunConfigModel(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)
    model_settings: ModelSettings = Field(default_factory=ModelSettings)
    output_guardrails: list[OutputGuardrail] = Field(default_factory=list)
    guardrails_settings: GuardrailsSettings = Field(default_factory=GuardrailsSettings)
    async_tool_calls: bool = True
    tool_error_formatter: Callable[..., Any] | None = None
    tracing_disabled: bool = False
    tool_execution: ToolExecutionSettings | None = None

    @model_validator(mode="after")
    def _no_tracing(self) -> RunConfigModel:
        """`tracing_disabled` wins over a `tracing` setting: nothing about tracing is sent."""
        if self.tracing_disabled and self.model_settings.tracing is not None:
            self.model_settings = self.model_settings.model_copy(update={"tracing": None})
        return self


class ToolExecutionSettings(BaseModel):
    model_config = _STRICT
    pre_approval_tool_input_guardrails: bool | None = None


def _known_keys(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """The valid keys at the place an 'extra' error points to."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int) or current is None:
            continue
        fld = current.model_fields.get(part)
        if fld is None:
            return []
        ann = fld.annotation
        current = next((a for a in getattr(ann, "__args__", (ann,)) if isinstance(a, type)
                        and issubclass(a, BaseModel)), None)
    return list(current.model_fields) if current is not None else []


def format_validation_error(exc: pydantic.ValidationError, model: type[BaseModel], root: str) -> str:
    """One line per problem: the dotted key, what is wrong, and a nearest valid key for typos."""
    lines = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        dotted = ".".join([root, *(str(p) for p in loc if not str(p).startswith(("function-", "literal[")))])
        if err["type"] == "extra_forbidden":
            known = _known_keys(model, loc)
            near = difflib.get_close_matches(str(loc[-1]), known, n=1)
            hint = f"; did you mean '{near[0]}'?" if near else (f"; valid keys: {', '.join(known)}" if known else "")
            lines.append(f"{dotted}: unknown key{hint}")
        else:
            got = err.get("input")
            shown = repr(got) if not isinstance(got, dict) and len(repr(got)) < 60 else type(got).__name__
            lines.append(f"{dotted}: {err['msg'].removeprefix('Value error, ')} (got {shown})")
    return "; ".join(dict.fromkeys(lines))


def validate_run_config(config: Any) -> RunConfigModel:
    """Parse a run-config mapping; raises ConfigError naming the offending keys."""
    if config is None:
        return RunConfigModel()
    if isinstance(config, RunConfigModel):
        return config
    if not isinstance(config, dict):
        raise ConfigError(f"config must be a dict of settings, got {type(config).__name__}")
    try:
        return RunConfigModel.model_validate(config)
    except pydantic.ValidationError as exc:
        detail = format_validation_error(exc, RunConfigModel, "config")
        raise ConfigError(f"Invalid realtime config: {detail}") from None


def validate_model_settings(settings: Any, root: str = "model_settings") -> ModelSettings:
    if settings is None:
        return ModelSettings()
    if isinstance(settings, ModelSettings):
        return settings
    try:
        return ModelSettings.model_validate(settings)
    except pydantic.ValidationError as exc:
        raise ConfigError(f"Invalid model settings: {format_validation_error(exc, ModelSettings, root)}") from None


_OBJECT_KEYS = frozenset({"tools", "handoffs"})  # live objects: never dumped to plain data


def settings_data(settings: ModelSettings, **dump: Any) -> dict[str, Any]:
    """The settings as plain data (`model_dump` options apply), with the tool and handoff objects as they are."""
    data = settings.model_dump(exclude=set(_OBJECT_KEYS), **dump)
    for key in _OBJECT_KEYS & settings.model_fields_set:
        if getattr(settings, key) is not None or not dump.get("exclude_none"):
            data[key] = getattr(settings, key)
    return data


def without_objects(settings: ModelSettings) -> ModelSettings:
    """The settings without `tools` and `handoffs`."""
    if not _OBJECT_KEYS & settings.model_fields_set:
        return settings
    data = settings.model_dump(exclude_unset=True, exclude=set(_OBJECT_KEYS))
    data.pop("audio", None)  # already folded into the flat keys
    return ModelSettings.model_validate(data)


def merge_settings(base: ModelSettings, override: ModelSettings) -> ModelSettings:
    """`override`'s explicitly given keys win over `base`."""
    data = settings_data(base, exclude_unset=True)
    data.update(settings_data(override, exclude_unset=True))
    data.pop("audio", None)  # already folded into the flat keys of each side
    return ModelSettings.model_validate(data)


def session_settings(run_config: RunConfigModel, model_config: Mapping[str, Any]
                     ) -> tuple[ModelSettings, ModelSettings | None]:
    """A session's settings: the run config's, with model_config's initial_model_settings over them, less the
    tools and handoffs (each agent brings its own); and those initial settings alone, which replace the starting
    agent's instructions, prompt, tools and handoffs for the first configuration (as in the Agents SDK)."""
    settings, starting = run_config.model_settings, None
    initial = model_config.get("initial_model_settings")
    if initial:
        starting = validate_model_settings(initial, "model_config.initial_model_settings")
        settings = merge_settings(settings, starting)
    return without_objects(settings), starting


def _audio_format(value: str | dict[str, Any]) -> AudioFormat:
    if isinstance(value, dict):
        fmt = FORMAT_FROM_GA_TYPE.get(str(value.get("type")))
        if fmt is None:
            raise ConfigError(f"model_settings: unknown audio format {value!r}; use pcm16, g711_ulaw or g711_alaw")
        return fmt
    return value  # type: ignore[return-value]


@dataclass
class AgentSpec:
    """What the current agent contributes to the session configuration."""

    instructions: str | None
    tools: list[ToolSpec] = field(default_factory=list)
    voice: str | None = None
    prompt: Any = None  # RealtimeAgent(prompt=...): a stored prompt {"id", "version", "variables"}


def build_session_config(settings: ModelSettings, agent: AgentSpec) -> SessionConfig:
    """The complete canonical session configuration for `settings` with `agent` talking."""
    given = settings.model_fields_set
    cfg: SessionConfig = {"model": settings.model_name or names.DEFAULT_MODEL}
    instructions = agent.instructions if agent.instructions is not None else settings.instructions
    if instructions is not None:
        cfg["instructions"] = instructions
    voice = settings.voice or agent.voice or DEFAULT_VOICE
    cfg["voice"] = voice.model_dump() if isinstance(voice, CustomVoice) else voice
    if agent.prompt is not None:
        cfg["prompt"] = _prompt_data(agent.prompt)
    elif settings.prompt is not None:
        cfg["prompt"] = settings.prompt.model_dump(exclude_none=True)
    if settings.tracing is not None:
        cfg["tracing"] = settings.tracing if isinstance(settings.tracing, str) else \
            settings.tracing.model_dump(exclude_none=True)
    if settings.reasoning is not None:
        cfg["reasoning"] = settings.reasoning.model_dump(exclude_none=True)
    if settings.parallel_tool_calls is not None:
        cfg["parallel_tool_calls"] = settings.parallel_tool_calls
    if settings.speed is not None:
        cfg["speed"] = settings.speed
    modalities = settings.output_modalities or settings.modalities or ["audio"]
    cfg["output_modalities"] = normalize_modalities(list(modalities))
    cfg["input_audio_format"] = _audio_format(settings.input_audio_format or "pcm16")
    cfg["output_audio_format"] = _audio_format(settings.output_audio_format or "pcm16")
    if "input_audio_transcription" in given:
        tr = settings.input_audio_transcription
        cfg["input_audio_transcription"] = (
            None if tr is None else {k: v for k, v in tr.model_dump().items() if v is not None}  # type: ignore[typeddict-item]
        )
    else:
        cfg["input_audio_transcription"] = {"model": DEFAULT_TRANSCRIPTION_MODEL}
    if "input_audio_noise_reduction" in given:
        cfg["input_audio_noise_reduction"] = settings.input_audio_noise_reduction
    if "turn_detection" in given:
        td = settings.turn_detection
        cfg["turn_detection"] = (
            None if td is None else {k: v for k, v in td.model_dump().items() if v is not None}  # type: ignore[typeddict-item]
        )
    else:
        cfg["turn_detection"] = dict(DEFAULT_TURN_DETECTION)  # type: ignore[typeddict-item]
    cfg["tools"] = list(agent.tools)
    if settings.tool_choice is not None:
        cfg["tool_choice"] = settings.tool_choice
    if settings.max_output_tokens is not None:
        cfg["max_output_tokens"] = settings.max_output_tokens
    if settings.temperature is not None:
        cfg["temperature"] = settings.temperature
    return cfg


def _prompt_data(prompt: Any) -> dict[str, Any]:
    """An agent's prompt as the service takes it, checked like the `prompt` setting."""
    data = prompt.model_dump(exclude_none=True) if isinstance(prompt, BaseModel) else prompt
    try:
        return PromptSettings.model_validate(data).model_dump(exclude_none=True)
    except pydantic.ValidationError as exc:
        detail = format_validation_error(exc, PromptSettings, "agent.prompt")
        raise ConfigError(f"Invalid agent prompt: {detail}") from None


def client_core(settings: ModelSettings) -> ClientCore:
    """The client core for a session with these settings: the output audio format it counts in, whether a commit
    is a whole user turn (turn_detection None), and whether the user's speech stops the assistant."""
    fmt = settings.output_audio_format
    if isinstance(fmt, dict):
        fmt = FORMAT_FROM_GA_TYPE.get(str(fmt.get("type")), "pcm16")
    td = settings.turn_detection
    manual = "turn_detection" in settings.model_fields_set and td is None
    return ClientCore(fmt or "pcm16", manual_turns=manual,
                      interrupt_on_speech=td is None or td.interrupt_response is not False)
