"""A scripted voice conversation as session events, for the renderer tests: every front end draws it.

`script()` is the event list (("tick", s) advances the clock); `conversation()` a ViewState that has seen it all.
"""

from __future__ import annotations

from typing import Any

from realtime_cli.cli.view_state import ViewState
from realtime_cli.protocol.server_events import AttrDict, ServerEvent
from realtime_cli.session import events as ev
from realtime_cli.session.agent import RealtimeAgent
from realtime_cli.session.guardrails import GuardrailFunctionOutput, OutputGuardrail, OutputGuardrailResult
from realtime_cli.session.tool import FunctionTool

INFO = ev.RealtimeEventInfo(context=None)
SUPPORT = RealtimeAgent(name="Customer Service")
BILLING = RealtimeAgent(name="Billing Support")


async def _noop(_ctx: Any, _args: str) -> str:
    return ""


WEATHER = FunctionTool(name="get_weather", description="", params_json_schema={}, on_invoke_tool=_noop)
REFUND = FunctionTool(name="issue_refund", description="", params_json_schema={}, on_invoke_tool=_noop)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def server(kind: str, **fields: Any) -> ServerEvent:
    return ServerEvent({"type": kind, **fields})


def user_speaks(item_id: str, text: str) -> list[Any]:
    return [server("input_audio_buffer.speech_started", item_id=item_id),
            server("input_audio_buffer.committed", item_id=item_id),
            *[server("conversation.item.input_audio_transcription.delta", item_id=item_id, delta=w + " ")
              for w in text.split()],
            server("conversation.item.input_audio_transcription.completed", item_id=item_id, transcript=text)]


def agent_says(item_id: str, text: str) -> list[Any]:
    return [*[server("response.output_audio_transcript.delta", item_id=item_id, delta=w + " ") for w in text.split()],
            server("response.output_audio_transcript.done", item_id=item_id, transcript=text)]


def script() -> list[Any]:
    """A whole voice conversation; ("tick", s) advances the clock."""
    audio = ev.RealtimeAudio(audio=ev.RealtimeModelAudio(b"", "r1"), item_id="a1", content_index=0, info=INFO)
    said = GuardrailFunctionOutput("I can't promise refunds.", True)
    guard = OutputGuardrail(guardrail_function=lambda c, a, t: said, name="no_refunds")
    trip = ev.RealtimeGuardrailTripped([OutputGuardrailResult(guard, "", BILLING, said)], "I can refund you", INFO)
    return [
        ev.RealtimeConnectionStatus("connected", INFO),
        *user_speaks("u1", "What's the weather in Paris?"),
        ("tick", 0.612),
        audio,
        ev.RealtimeToolStart(SUPPORT, WEATHER, '{"city":"Paris"}', "c1", INFO),
        ev.RealtimeToolEnd(SUPPORT, WEATHER, '{"city":"Paris"}', "c1", "Sunny, 21 °C", 0.012, INFO),
        *agent_says("a1", "It is sunny and 21 degrees in Paris."),
        *user_speaks("u2", "I want a refund."),
        ev.RealtimeHandoffEvent(SUPPORT, BILLING, INFO),
        *agent_says("a2", "Billing here, let me look at your order."),
        ev.RealtimeAudioInterrupted("a2", 0, INFO),
        server("response.output_audio_transcript.delta", item_id="a3", delta="I can refund you "),
        trip,  # the streaming reply that tripped it is withheld; the guardrail's message is shown instead
        ev.RealtimeAudioInterrupted("a3", 0, INFO),
        ev.RealtimeError(AttrDict(type="invalid_request_error", code="rate_limit_exceeded",
                                  message="Too many requests."), INFO),
        ev.RealtimeToolApprovalRequired(BILLING, REFUND, '{"order": "A-17", "amount": 20}', "c2", INFO),
    ]


def play(view: ViewState, clock: FakeClock, events: list[Any], after: Any = None) -> None:
    for event in events:
        if isinstance(event, tuple):
            clock.now += event[1]
            continue
        view.apply(event)
        if after is not None:
            after(view)


def conversation() -> ViewState:
    clock = FakeClock()
    view = ViewState(backend="local engine", model="gpt-realtime", agent="Customer Service", clock=clock)
    play(view, clock, script())
    for rms in (0.01, 0.05, 0.2, 0.6):
        view.set_mic_level(rms, rms)
    return view
