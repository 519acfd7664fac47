"""The pure decision logic: response serialization, cancelled ids, truncation arithmetic, debounce."""

from __future__ import annotations

import pytest

from realtime_cli.protocol.state import (
    AudioLedger,
    CancelledResponses,
    GuardrailDebouncer,
    ResponseGate,
    truncation_ms,
)


def test_gate_never_allows_two_active_responses() -> None:
    gate = ResponseGate()
    assert gate.request() is True
    assert gate.request() is False and gate.request() is False  # coalesced
    gate.on_created("r1")
    assert gate.on_done("r1") is True  # one queued create goes out now
    gate.on_created("r2")
    assert gate.on_done("r2") is False and not gate.busy


def test_gate_retries_after_rejection_and_ignores_stale_done() -> None:
    gate = ResponseGate()
    gate.on_created("server_vad")  # the service started one on its own
    assert gate.request() is False
    gate.on_rejected()
    assert gate.on_done("older") is False  # not the active one
    assert gate.on_done("server_vad") is True


def test_cancelled_responses_are_bounded() -> None:
    cancelled = CancelledResponses(capacity=2)
    for rid in ("a", "b", "c"):
        cancelled.add(rid)
    assert "a" not in cancelled and "b" in cancelled and "c" in cancelled


@pytest.mark.parametrize(("played", "received", "expected"), [
    (250.0, 1000.0, 250), (5000.0, 100.0, 100), (None, 300.0, 300), (10.0, 0.0, None), (-5.0, 50.0, 0),
])
def test_truncation_ms(played: float | None, received: float, expected: int | None) -> None:
    assert truncation_ms(played, received) == expected


def test_ledger_wall_clock_fallback_and_item_switch() -> None:
    ledger = AudioLedger()
    ledger.on_delta("a", 0, 48_000, now=10.0)  # 1 s received at t=10
    assert ledger.truncation(None, now=10.4) == ("a", 0, 400)
    assert ledger.truncation(None, now=20.0) == ("a", 0, 1000)
    ledger.on_delta("b", 0, 4800, now=11.0)
    assert ledger.truncation(250.0, now=11.0) == ("b", 0, 100)
    ledger.clear()
    assert ledger.truncation(0.0, now=12.0) is None


def test_debouncer_thresholds_and_final() -> None:
    deb = GuardrailDebouncer(100)
    assert [n for n in (40, 99, 100, 150, 230, 260, 301) if deb.on_text(n)] == [100, 230, 301]
    assert deb.on_final(301) is False  # exactly this text was checked
    assert deb.on_final(310) is True
    short = GuardrailDebouncer(100)
    assert short.on_final(15) is True  # a short reply is still checked once
    with pytest.raises(ValueError):
        GuardrailDebouncer(0)


def test_heard_text_cuts_at_the_played_fraction_on_a_word_boundary() -> None:
    from realtime_cli.protocol.state import heard_text

    text = "Your order ships tomorrow morning"
    assert heard_text(text, 1000, 1000) == text  # all of it played
    assert heard_text(text, 2000, 1000) == text
    assert heard_text(text, 0, 1000) == ""
    assert heard_text(text, 500, 1000) == "Your order ships"  # 16 of 33 characters: just after "ships"
    assert heard_text(text, 400, 1000) == "Your order"  # mid-"ships": that word was not finished
    assert heard_text(text, 100, 0) == ""  # nothing received, nothing heard
