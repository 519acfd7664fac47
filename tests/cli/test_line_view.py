"""Text mode's renderer, exactly: the scripted conversation fed event by event to a TextPrinter, as a pipe sees it
(replies print once finished) and as a terminal sees it (replies stream; a withheld one is wiped)."""

from __future__ import annotations

import io

from realtime_cli.cli.line_view import TextPrinter, text_line
from realtime_cli.cli.view_state import GuardrailTrip, UserLine, ViewState
from realtime_cli.session import events as ev
from realtime_cli.session.guardrails import GuardrailFunctionOutput, OutputGuardrail, OutputGuardrailResult
from support.view_script import BILLING, INFO, FakeClock, play, script, server

# Piped: each entry once finished, in order; the reply the guardrail stopped never appears.
EXPECTED_PIPE = """\
[connection] connected
you › What's the weather in Paris?
⚙ get_weather {"city":"Paris"}
  → Sunny, 21 °C (12 ms)
Customer Service › It is sunny and 21 degrees in Paris.
you › I want a refund.
──── → Billing Support ────
Billing Support › Billing here, let me look at your order. —
⚠ guardrail no_refunds: I can't promise refunds.
✖ error: Too many requests. (rate_limit_exceeded)
⚙ issue_refund {"order":"A-17","amount":20}
approve issue_refund? [y/n]
"""


def _fed(printer: TextPrinter) -> ViewState:
    clock = FakeClock()
    view = ViewState(agent="Customer Service", clock=clock, mode="text")
    play(view, clock, script(), after=printer.feed)
    return view


def test_piped_text_mode_prints_the_conversation_in_order() -> None:
    out = io.StringIO()
    _fed(TextPrinter(out))
    assert out.getvalue() == EXPECTED_PIPE


def test_terminal_text_mode_streams_and_wipes_the_withheld_reply() -> None:
    out = io.StringIO()
    _fed(TextPrinter(out, erase=True, width=80))
    text = out.getvalue()
    # the streamed reply went out word by word, then was wiped when the guardrail stopped it
    assert "Billing Support › I can refund you \r\x1b[2K⚠ guardrail no_refunds: I can't promise refunds.\n" in text
    wiped = text.replace("Billing Support › I can refund you \r\x1b[2K", "")
    # streamed words keep the space that followed them; otherwise the screen reads as the pipe does
    # (a streamed reply is on screen before its interruption arrives, so it has no dash)
    assert "\n".join(line.rstrip() for line in wiped.split("\n")) == EXPECTED_PIPE.replace("order. —", "order.")


def test_terminal_wipes_every_row_a_long_reply_took() -> None:
    out = io.StringIO()
    printer = TextPrinter(out, erase=True, width=20)
    view = ViewState(agent="Bot")
    view.apply(server("response.output_text.delta", item_id="a1", delta="x" * 30))  # "Bot › " + 30: two rows
    printer.feed(view)
    said = GuardrailFunctionOutput(None, True)
    guard = OutputGuardrail(guardrail_function=lambda c, a, t: said, name="g")
    view.apply(ev.RealtimeGuardrailTripped([OutputGuardrailResult(guard, "", BILLING, said)], "x" * 30, INFO))
    printer.feed(view)
    assert out.getvalue() == "Bot › " + "x" * 30 + "\r\x1b[2K\x1b[1A\x1b[2K" + \
        "⚠ guardrail g: The agent's reply was stopped by a guardrail.\n"


def test_an_interrupted_reply_ends_with_a_dash() -> None:
    out = io.StringIO()
    printer = TextPrinter(out, erase=True)
    view = ViewState(agent="Bot")
    view.apply(server("response.output_text.delta", item_id="a1", delta="Let me tell you"))
    printer.feed(view)
    view.apply(ev.RealtimeAudioInterrupted(INFO, "a1", 0))
    printer.feed(view)
    assert out.getvalue() == "Bot › Let me tell you —\n"


def test_typed_lines_are_echoed_only_when_the_terminal_did_not() -> None:
    typed = UserLine(1, None, "hello", True)
    spoken = UserLine(2, "item_1", "hello", True)
    assert text_line(typed, echo_typed=False) is None
    assert text_line(typed) == "you › hello"
    assert text_line(spoken, echo_typed=False) == "you › hello"
    assert text_line(GuardrailTrip(3, ("a", "b"), "Not that.")) == "⚠ guardrail a, b: Not that."


def test_a_reply_broken_by_the_users_enter_resumes_under_its_name() -> None:
    out = io.StringIO()
    printer = TextPrinter(out, erase=True)
    view = ViewState(agent="Bot")
    view.apply(server("response.output_text.delta", item_id="a1", delta="Once upon"))
    printer.feed(view)
    printer.line_broken()  # the user pressed Enter: the cursor is on a new line
    view.apply(server("response.output_text.delta", item_id="a1", delta=" a time"))
    printer.feed(view)
    view.apply(ev.RealtimeAudioInterrupted("a1", 0, INFO))
    printer.feed(view)
    assert out.getvalue() == "Bot › Once upon" + "Bot › … a time —\n"
