"""Tests for realtime_cli.protocol.signals: each SDK signal round-trips, and tool results are never taken for one."""

from __future__ import annotations

import pytest

from realtime_cli.protocol.signals import (
    GuardrailTripped,
    HandoffDone,
    ToolFailed,
    ToolRejected,
    format_guardrail,
    format_handoff_output,
    format_rejected,
    format_tool_error,
    parse_guardrail,
    parse_tool_output,
)


def test_signals_round_trip() -> None:
    assert parse_tool_output(format_handoff_output("Billing Support")) == HandoffDone("Billing Support")
    assert parse_tool_output(format_rejected("refund_order")) == ToolRejected("refund_order")
    assert parse_tool_output(format_tool_error("lookup", "timeout\nsecond line")) == ToolFailed("lookup", "timeout\nsecond line")
    assert parse_guardrail(format_guardrail(["no_pii", "tone"])) == GuardrailTripped(("no_pii", "tone"))


def test_the_other_sdk_failure_texts_are_failures() -> None:
    assert parse_tool_output("Tool lookup not found") == ToolFailed("lookup", "no such tool")
    assert parse_tool_output("Invalid arguments for tool lookup: id is required") == ToolFailed("lookup", "id is required")
    assert parse_tool_output("Error running transfer_to_sales: boom") == ToolFailed("transfer_to_sales", "boom")


@pytest.mark.parametrize("output", [
    "I could not find order 1005.", "Error: the order was rejected by the warehouse.", '{"assistant": "x", "other": 1}',
    '{"status": "failed"}', "not json {", "", "The user rejected the call.",
])
def test_tool_results_are_not_signals(output: str) -> None:
    assert parse_tool_output(output) is None


def test_a_user_message_is_a_guardrail_signal_only_with_the_prefix() -> None:
    assert parse_guardrail("the guardrail triggered: x") is None
    assert parse_guardrail("guardrail triggered:") == GuardrailTripped(())


def test_the_runners_error_texts_read_back_as_failures() -> None:
    from realtime_cli.protocol.signals import format_bad_arguments, format_call_error, format_not_found

    assert parse_tool_output(format_call_error("transfer_to_billing", "boom")) == \
        ToolFailed("transfer_to_billing", "boom")
    assert parse_tool_output(format_bad_arguments("get_weather", "city: Field required")) == \
        ToolFailed("get_weather", "city: Field required")
    assert parse_tool_output(format_not_found("nope")) == ToolFailed("nope", "no such tool")
