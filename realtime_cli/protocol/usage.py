"""Token usage of a session: totals over every `response.done`, with the per-response entries kept.

Field names follow the Agents SDK's `Usage`, so code that reads usage there reads it here the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class InputTokensDetails:
    cached_tokens: int = 0


@dataclass
class OutputTokensDetails:
    reasoning_tokens: int = 0


@dataclass
class RequestUsage:
    """The usage of one response."""

    input_tokens: int
    output_tokens: int
    total_tokens: int
    input_tokens_details: InputTokensDetails = field(default_factory=InputTokensDetails)
    output_tokens_details: OutputTokensDetails = field(default_factory=OutputTokensDetails)


@dataclass
class Usage:
    """Requests and tokens so far; `add` folds in another Usage (a response's, or a whole session's)."""

    requests: int = 0
    input_tokens: int = 0
    input_tokens_details: InputTokensDetails = field(default_factory=InputTokensDetails)
    output_tokens: int = 0
    output_tokens_details: OutputTokensDetails = field(default_factory=OutputTokensDetails)
    total_tokens: int = 0
    request_usage_entries: list[RequestUsage] = field(default_factory=list)

    def add(self, other: Usage) -> None:
        self.requests += other.requests
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens
        self.total_tokens += other.total_tokens
        self.input_tokens_details.cached_tokens += other.input_tokens_details.cached_tokens
        self.output_tokens_details.reasoning_tokens += other.output_tokens_details.reasoning_tokens
        if other.request_usage_entries:
            self.request_usage_entries.extend(other.request_usage_entries)
        elif other.requests == 1:
            self.request_usage_entries.append(RequestUsage(
                other.input_tokens, other.output_tokens, other.total_tokens,
                InputTokensDetails(other.input_tokens_details.cached_tokens),
                OutputTokensDetails(other.output_tokens_details.reasoning_tokens)))


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def usage_from_response(response: dict[str, Any]) -> Usage | None:
    """The usage a `response.done` reports (None when it reports none)."""
    usage = response.get("usage")
    if not isinstance(usage, dict):
        return None
    details = usage.get("input_token_details") or usage.get("input_tokens_details") or {}
    out_details = usage.get("output_token_details") or usage.get("output_tokens_details") or {}
    cached = _int(details.get("cached_tokens")) if isinstance(details, dict) else 0
    reasoning = _int(out_details.get("reasoning_tokens")) if isinstance(out_details, dict) else 0
    inp, out = _int(usage.get("input_tokens")), _int(usage.get("output_tokens"))
    return Usage(requests=1, input_tokens=inp, input_tokens_details=InputTokensDetails(cached), output_tokens=out,
                 output_tokens_details=OutputTokensDetails(reasoning),
                 total_tokens=_int(usage.get("total_tokens")) or inp + out)
