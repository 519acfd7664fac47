"""The rule brain on agents it has never seen (tests/local/domains/*.yaml: beekeeping, an observatory desk with share
prices and ferry tickets), loaded through the agent YAML so per-tool `examples:` reach it as the engine sees them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from realtime_cli.cli.agent_config import load_agent_config
from realtime_cli.local.brain import Brain, BrainContext, Call, Say, Turn
from realtime_cli.local.brain_match import tool_examples

DOMAINS = Path(__file__).parent / "domains"
CONFIGS = Path(__file__).parents[2] / "configs"


def _session(name: str) -> tuple[str, list[dict[str, Any]]]:
    agent = load_agent_config(DOMAINS / name).starting_agent
    tools = [{"type": "function", "name": t.name, "description": t.description, "parameters": t.params_json_schema}
             for t in agent.tools]
    return str(agent.instructions), tools


def _decide(name: str, text: str) -> Say | Call:
    instructions, tools = _session(name)
    return Brain().respond(BrainContext(instructions, tools, "auto", [Turn("user", text)]))


@pytest.mark.parametrize(("text", "tool", "arguments"), [
    ("please inspect hive 4", "inspect_hive", {"hive_number": 4}),
    ("I looked at colony seven today", "inspect_hive", {"hive_number": 7}),  # only an example says so
    ("log a check of box three", "inspect_hive", {"hive_number": 3}),
    ("order twelve frames", "order_frames", {"count": 12}),
    ("a swarm is on the fence at the north field", "swarm_alert", {"location": "North Field"}),
    ("there is a cluster of bees hanging in the oak tree", "swarm_alert", {"location": "Oak Tree"}),
])
def test_beekeeping(text: str, tool: str, arguments: dict[str, Any]) -> None:
    decision = _decide("hive.yaml", text)
    assert isinstance(decision, Call) and decision.name == tool
    assert json.loads(decision.arguments) == arguments


@pytest.mark.parametrize(("text", "tool", "arguments"), [
    ("book the reflector for friday night", "reserve_telescope", {"night": "friday", "instrument": "reflector"}),
    ("reserve the spectrograph tomorrow", "reserve_telescope", {"night": "tomorrow", "instrument": "spectrograph"}),
    ("two tickets to Orcas Island please", "ferry_ticket", {"destination": "Orcas Island", "passengers": 2}),
    ("I need three ferry tickets to Lopez", "ferry_ticket", {"destination": "Lopez", "passengers": 3}),
])
def test_observatory_desk(text: str, tool: str, arguments: dict[str, Any]) -> None:
    decision = _decide("sky.yaml", text)
    assert isinstance(decision, Call) and decision.name == tool
    assert json.loads(decision.arguments) == arguments


def test_examples_teach_a_request_the_description_alone_does_not_cover() -> None:
    instructions, tools = _session("sky.yaml")
    asked = [Turn("user", "what is the price of MSFT")]
    bare = [dict(t, description=t["description"].split(" Examples:")[0]) for t in tools]
    assert isinstance(Brain().respond(BrainContext(instructions, bare, "auto", asked)), Say)
    taught = Brain().respond(BrainContext(instructions, tools, "auto", asked))
    assert isinstance(taught, Call) and taught.name == "stock_quote"


def test_examples_are_read_back_from_the_description() -> None:
    _, tools = _session("hive.yaml")
    assert tool_examples(tools[0]["description"]) == ["I looked at colony seven today", "log a check of box three"]
    assert tool_examples("Order frames.") == []


def test_the_new_domains_share_no_vocabulary_with_the_shipped_configs() -> None:
    shipped = " ".join(p.read_text(encoding="utf-8").lower() for p in CONFIGS.rglob("*.y*ml"))
    for word in ("hive", "swarm", "apiary", "telescope", "spectrograph", "ferry", "ticker"):
        assert word not in shipped


@pytest.mark.parametrize(("text", "count"), [
    ("order 1,005 frames", 1005),  # whisper writes grouped digits
    ("order 1,000 and 5 frames", 1005),
    ("order 1,000 and five frames", 1005),  # and half-written numbers
    ("order one thousand and three frames", 1003),
])
def test_numbers_as_whisper_writes_them(text: str, count: int) -> None:
    decision = _decide("hive.yaml", text)
    assert isinstance(decision, Call) and json.loads(decision.arguments)["count"] == count
