"""The SIP model: attaches a session to a call the Realtime API already holds (`model_config={"call_id": ...}`),
and builds the session payload to accept that call with, the same one the session would send.

It lives in `session/`, not beside the WebSocket model in `transport/`, because that payload is made from an agent.
"""

from __future__ import annotations

from typing import Any

from ..protocol.errors import UserError
from ..protocol.session_config import session_to_wire
from ..transport.model import RealtimeModelConfig
from ..transport.websocket import OpenAIRealtimeWebSocketModel
from ._agent_settings import agent_parts
from .agent import RealtimeAgent
from .config import build_session_config, merge_settings, session_settings, validate_model_settings, validate_run_config
from .context import RunContextWrapper

__all__ = ["OpenAIRealtimeSIPModel"]


class OpenAIRealtimeSIPModel(OpenAIRealtimeWebSocketModel):
    """Attaches to a call the Realtime API already holds (a SIP call): `model_config` must give `call_id`."""

    @staticmethod
    async def build_initial_session_payload(
        agent: RealtimeAgent[Any],
        *,
        context: Any | None = None,
        model_config: RealtimeModelConfig | None = None,
        run_config: Any | None = None,
        overrides: Any | None = None,
    ) -> Any:
        """The GA session the session would configure for `agent` (run config, then model_config's
        initial_model_settings, then `overrides`), for accepting the call with the Realtime Calls API.

        Returns the openai package's `RealtimeSessionCreateRequest`, as the Agents SDK does (so it needs the
        optional `openai` package); `.model_dump(exclude_none=True)` is the request body's session.
        """
        try:
            from openai.types.realtime import RealtimeSessionCreateRequest
        except ImportError:
            raise UserError("build_initial_session_payload needs the openai package: pip install openai") from None
        settings, starting = session_settings(validate_run_config(run_config), dict(model_config or {}))
        if overrides:
            extra = validate_model_settings(overrides, "overrides")
            settings = merge_settings(settings, extra)
            starting = merge_settings(starting, extra) if starting is not None else extra
        parts = await agent_parts(agent, RunContextWrapper(context), starting)
        wire = session_to_wire(build_session_config(settings, parts.spec(agent.voice)), "ga")
        return RealtimeSessionCreateRequest.model_validate(wire)

    async def connect(self, options: RealtimeModelConfig) -> None:
        if not options.get("call_id"):
            raise UserError("OpenAIRealtimeSIPModel needs model_config={'call_id': ...} (the call to attach to).")
        await super().connect(options)
