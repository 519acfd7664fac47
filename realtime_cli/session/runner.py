"""RealtimeRunner: holds the starting agent, the model and the validated run config; `run()` makes a session.

The default model is OpenAI's over WebSocket when there is a key or a URL; without either (or with
`RTAGENT_BACKEND=local`) it is the embedded engine. `RTAGENT_BACKEND=openai` insists on OpenAI.
"""

from __future__ import annotations

import os
from typing import Any

from ..protocol.errors import ConfigError
from ..transport.local_backend import BACKEND_ENV, LocalEngineModel, local_backend_requested
from ..transport.model import RealtimeModel, RealtimeModelConfig
from ..transport.websocket import URL_ENV, OpenAIRealtimeWebSocketModel
from .agent import RealtimeAgent
from .config import validate_run_config
from .session import RealtimeSession

_MODEL_CONFIG_KEYS = frozenset({"api_key", "url", "headers", "initial_model_settings", "playback_tracker", "reconnect",
                                "response_timeout_s", "call_id"})


class RealtimeRunner:
    """Starts realtime sessions for an agent. The config is checked here, so mistakes surface before connecting."""

    def __init__(self, starting_agent: RealtimeAgent[Any], *, model: RealtimeModel | None = None,
                 config: dict[str, Any] | None = None) -> None:
        self._starting_agent = starting_agent
        self._model = model
        self._config = validate_run_config(config)

    async def run(self, *, context: Any = None, model_config: RealtimeModelConfig | None = None) -> RealtimeSession:
        """A new session (not yet connected: use `async with session:`)."""
        options: dict[str, Any] = dict(model_config or {})
        unknown = sorted(set(options) - _MODEL_CONFIG_KEYS)
        if unknown:
            valid = ", ".join(sorted(_MODEL_CONFIG_KEYS))
            raise ConfigError(f"model_config: unknown key {unknown[0]!r}; valid keys: {valid}")
        model = self._model or self._default_model(options)
        return RealtimeSession(model, self._starting_agent, context, options,  # type: ignore[arg-type]
                               self._config)

    @staticmethod
    def _default_model(options: dict[str, Any]) -> RealtimeModel:
        """The embedded engine when asked for (RTAGENT_BACKEND=local) or when nothing says where OpenAI is or
        how to sign in (no url, no api_key, no OPENAI_API_KEY); else OpenAI over WebSocket."""
        if "url" in options:
            return OpenAIRealtimeWebSocketModel()
        if local_backend_requested():
            return LocalEngineModel()
        if os.environ.get(URL_ENV):
            return OpenAIRealtimeWebSocketModel()
        keyless = not options.get("api_key") and not os.environ.get("OPENAI_API_KEY")
        if keyless and os.environ.get(BACKEND_ENV, "").strip().lower() != "openai":
            return LocalEngineModel()
        return OpenAIRealtimeWebSocketModel()
