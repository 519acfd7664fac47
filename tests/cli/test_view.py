"""The live view's text: golden renders at 60 and 100 columns, the status bar at any width, plain output.

A Console with fixed width and no colour captures what `render` draws; a scripted conversation feeds ViewState.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from rich.console import Console

from realtime_cli.cli.line_view import PlainPrinter
from realtime_cli.cli.view import LiveView, make_console, open_view, render, status_line
from realtime_cli.cli.view_state import ViewState
from realtime_cli.session import events as ev
from support.view_script import INFO, REFUND, SUPPORT, WEATHER, FakeClock, conversation, play, script, server


def draw(renderable: Any, width: int) -> str:
    console = Console(width=width, file=io.StringIO(), color_system=None, force_terminal=False,
                      legacy_windows=False)
    console.print(renderable)
    out = console.file
    assert isinstance(out, io.StringIO)
    return out.getvalue()


GOLDEN_60 = """\
                       · connected ·
you › What's the weather in Paris?
⚙ get_weather {"city": "Paris"} → Sunny, 21 °C (12 ms)
Customer Service › It is sunny and 21 degrees in Paris.
you › I want a refund.
──────────────────── → Billing Support ─────────────────────
Billing Support › Billing here, let me look at your order. —
interrupted
⚠ guardrail no_refunds: I can't promise refunds.
✖ error [rate_limit_exceeded]: Too many requests.
⚙ issue_refund {"order": "A-17", "amount": 20} — approve?
[y]es / [n]o
────────────────────────────────────────────────────────────
local · Billing Support · idle · ▃▅▇█ · 612 ms · connected
⚙ issue_refund: approve? [y]es / [n]o
"""

GOLDEN_100 = """\
                                           · connected ·
you › What's the weather in Paris?
⚙ get_weather {"city": "Paris"} → Sunny, 21 °C (12 ms)
Customer Service › It is sunny and 21 degrees in Paris.
you › I want a refund.
──────────────────────────────────────── → Billing Support ─────────────────────────────────────────
Billing Support › Billing here, let me look at your order. — interrupted
⚠ guardrail no_refunds: I can't promise refunds.
✖ error [rate_limit_exceeded]: Too many requests.
⚙ issue_refund {"order": "A-17", "amount": 20} — approve? [y]es / [n]o
────────────────────────────────────────────────────────────────────────────────────────────────────
local · gpt-realtime · Billing Support · push-to-talk · idle · mic ▃▅▇█ · latency 612 ms · connected
⚙ issue_refund: approve? [y]es / [n]o
"""


@pytest.mark.parametrize(("width", "golden"), [(60, GOLDEN_60), (100, GOLDEN_100)])
def test_golden_conversation(width: int, golden: str) -> None:
    assert draw(render(conversation().snapshot()), width) == golden


def test_width_argument_caps_the_console() -> None:
    assert draw(render(conversation().snapshot(), width=60), 100) == GOLDEN_60


def test_transcript_scrolls_to_the_newest_lines() -> None:
    assert draw(render(conversation().snapshot(), height=8), 60) == """\
interrupted
⚠ guardrail no_refunds: I can't promise refunds.
✖ error [rate_limit_exceeded]: Too many requests.
⚙ issue_refund {"order": "A-17", "amount": 20} — approve?
[y]es / [n]o
────────────────────────────────────────────────────────────
local · Billing Support · idle · ▃▅▇█ · 612 ms · connected
⚙ issue_refund: approve? [y]es / [n]o
"""


def test_text_mode_with_streaming_reply() -> None:
    clock = FakeClock()
    view = ViewState(backend="openai", model="gpt-realtime", agent="Customer Service", mode="text", clock=clock)
    view.apply(ev.RealtimeConnectionStatus("connected", INFO))
    view.add_user_message("Hi")
    clock.now = 1.25
    view.apply(server("response.output_text.delta", item_id="a1", delta="Hello! How can"))
    assert draw(render(view.snapshot()), 60) == """\
                       · connected ·
you › Hi
Customer Service › Hello! How can
────────────────────────────────────────────────────────────
openai · Customer Service · text · 1.2 s · connected
/interrupt /agent /history /quit
"""


def test_empty_view_before_anything_happens() -> None:
    view = ViewState(backend="openai", model="gpt-realtime", agent="Assistant", mode="open mic")
    view.set_ptt("listening")
    assert draw(render(view.snapshot()), 60) == """\
(nothing said yet)
────────────────────────────────────────────────────────────
openai · Assistant · open mic · listening · connecting
ESC interrupt · q quit
"""


def test_interrupted_tool_states_and_custom_hints() -> None:
    view = ViewState(agent="Bot")
    view.apply(ev.RealtimeToolStart(SUPPORT, WEATHER, "not json", "c1", INFO))
    view.apply(ev.RealtimeToolApprovalRequired(SUPPORT, REFUND, "{}", "c2", INFO))
    view.resolve_approval("c2", approved=False)
    view.apply(server("input_audio_buffer.speech_started", item_id="u1"))
    view.set_key_hints("SPACE talk · q quit")
    assert draw(render(view.snapshot()), 60) == """\
⚙ get_weather not json …
⚙ issue_refund {} ✗ rejected
you › …
────────────────────────────────────────────────────────────
local engine · Bot · push-to-talk · idle · connecting
SPACE talk · q quit
"""


@pytest.mark.parametrize("width", [20, 30, 40, 50, 60, 70, 80, 100, 140])
def test_status_bar_always_fits_one_line(width: int) -> None:
    view = conversation()
    view.set_connection("reconnecting")
    status = view.snapshot().status
    line = status_line(status, width)
    assert line.cell_len <= width
    assert draw(line, width).count("\n") == 1
    if width >= 30:
        assert "reconnecting" in line.plain  # a connection problem is the last thing to give way


def test_status_bar_styles_slow_turns_red() -> None:
    clock = FakeClock()
    view = ViewState(clock=clock)
    view.mark_turn_end()
    clock.now = 1.0
    view.apply(server("response.output_text.delta", item_id="a1", delta="x"))
    line = status_line(view.snapshot().status, 100)
    assert "latency 1.0 s" in line.plain
    assert any(str(span.style) == "bold red" for span in line.spans)


# Fed after every event; the newest finished reply waits for the next entry (a guardrail could still withhold it),
# so the first Billing line prints with its interruption.
EXPECTED_PLAIN = """\
[connection] connected
you: What's the weather in Paris?
[tool] get_weather({"city":"Paris"}) -> Sunny, 21 °C (12 ms)
Customer Service: It is sunny and 21 degrees in Paris.
you: I want a refund.
[handoff] → Billing Support
Billing Support: Billing here, let me look at your order. [interrupted]
[guardrail] no_refunds: I can't promise refunds.
[error] Too many requests. (rate_limit_exceeded)
[approval] issue_refund({"order":"A-17","amount":20}) awaits approval
"""


def test_plain_printer_prints_each_completed_entry_once() -> None:
    out = io.StringIO()
    printer = PlainPrinter(out)
    clock = FakeClock()
    view = ViewState(agent="Customer Service", clock=clock)
    partial_seen: list[str] = []

    def feed(state: ViewState) -> None:
        printer.feed(state)
        partial_seen.append(out.getvalue())

    play(view, clock, script(), after=feed)
    printer.feed(view.snapshot())  # nothing new: nothing printed
    assert out.getvalue() == EXPECTED_PLAIN
    assert not any("What's the" in text and "Paris?" not in text for text in partial_seen)
    printer.finish()
    assert out.getvalue() == EXPECTED_PLAIN + '[tool] issue_refund({"order":"A-17","amount":20}) not answered\n'


def test_plain_printer_finish_prints_unfinished_text_and_writes_to_a_console() -> None:
    console = Console(width=200, file=io.StringIO(), color_system=None, force_terminal=False)
    view = ViewState(agent="Customer Service")
    with PlainPrinter(console) as printer:
        view.apply(server("response.output_audio_transcript.delta", item_id="a1", delta="[Half] a sentence"))
        printer.update(view.snapshot())
    assert console.file.getvalue() == "Customer Service: [Half] a sentence …\n"  # type: ignore[attr-defined]


def test_plain_printer_fed_once_sees_the_final_picture() -> None:
    out = io.StringIO()
    PlainPrinter(out).feed(conversation())
    assert out.getvalue() == EXPECTED_PLAIN.replace("order.\n", "order. [interrupted]\n")


def test_plain_printer_survives_eviction() -> None:
    out = io.StringIO()
    printer = PlainPrinter(out)
    view = ViewState(max_entries=3)
    for i in range(10):
        view.add_notice(f"n{i}")
        printer.feed(view)
    assert out.getvalue().splitlines() == [f"[notice] n{i}" for i in range(10)]


def test_make_console_and_open_view_pick_plain_output_off_a_terminal() -> None:
    console = make_console(io.StringIO())
    assert not console.is_terminal
    assert isinstance(open_view(console), PlainPrinter)


def test_live_view_draws_the_latest_snapshot() -> None:
    file = io.StringIO()
    console = Console(width=60, height=12, file=file, force_terminal=True, color_system=None, legacy_windows=False)
    assert isinstance(open_view(console), LiveView)
    with LiveView(console, refresh_per_second=20) as live:
        live.update(conversation().snapshot(), refresh=True)
    text = file.getvalue()
    assert "⚙ issue_refund: approve? [y]es / [n]o" in text
    assert "local · Billing Support · idle" in text
    assert "What's the weather" not in text  # 12 rows: only the newest lines fit
