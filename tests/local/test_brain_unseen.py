"""The rule brain on five agents it has never seen (tests/local/domains: a share-dealing desk, a plant nursery, a
railway enquiry line, a gym, a veterinary clinic), loaded through their YAML as the engine sees them. The requests
live in support/brain_cases; the ones it still gets wrong (KNOWN_MISSES) are left to bench/brain_unseen.py, which
prints the share right over all of them."""

from __future__ import annotations

import importlib.util
import json
from typing import Any

import pytest

from realtime_cli.cli.agent_config import load_agent_config
from realtime_cli.local.brain import Call, Say, Turn
from realtime_cli.local.brain_shapes import GAP, example_shapes, fits
from realtime_cli.local.brain_text import split_identifier, stem, tokenize
from support.brain_cases import CALLS, FOLLOW_UPS, HANDOFFS, HELD_OUT, KNOWN_MISSES, LAST, MISSES, VET
from support.brain_sessions import CONFIGS, DOMAINS, decide

NEW = ("brokerage.yaml", "nursery.yaml", "railway.yaml", "gym.yaml", "vet.yaml")


def _case(domain: str, agent: str | None, text: str, name: str, arguments: dict[str, Any]) -> Any:
    return pytest.param(domain, agent, text, name, arguments, id=f"{domain[:-5]}: {text}")


RIGHT = [c for c in CALLS + HELD_OUT + VET + LAST if c[2] not in KNOWN_MISSES]


@pytest.mark.parametrize(("domain", "agent", "text", "name", "arguments"), [_case(*c) for c in RIGHT])
def test_unseen_requests_call_the_right_tool_with_the_right_arguments(
    domain: str, agent: str | None, text: str, name: str, arguments: dict[str, Any]
) -> None:
    decision = decide(domain, agent, text)
    assert isinstance(decision, Call), decision
    assert (decision.name, json.loads(decision.arguments)) == (name, arguments)


def _folded(arguments: dict[str, Any]) -> dict[str, Any]:
    return {k: v.lower() if isinstance(v, str) else v for k, v in arguments.items()}


@pytest.mark.parametrize(("domain", "agent", "text", "name", "arguments"), [_case(*c) for c in RIGHT])
def test_the_same_requests_written_in_lowercase(
    domain: str, agent: str | None, text: str, name: str, arguments: dict[str, Any]
) -> None:
    """A recognizer or a typist may write no capitals: names and codes must still be found without them."""
    decision = decide(domain, agent, text.lower())
    assert isinstance(decision, Call), decision
    assert (decision.name, _folded(json.loads(decision.arguments))) == (name, _folded(arguments))


@pytest.mark.parametrize(("domain", "agent", "text", "name"), [
    pytest.param(*c, id=f"{c[0][:-5]}: {c[2]}") for c in HANDOFFS if c[2] not in KNOWN_MISSES
])
def test_requests_another_agent_owns_are_handed_off(domain: str, agent: str | None, text: str, name: str) -> None:
    decision = decide(domain, agent, text)
    assert isinstance(decision, Call) and decision.name == name, decision


@pytest.mark.parametrize(("domain", "request_text", "asked", "answer", "name", "arguments"), [
    pytest.param(*c, id=f"{c[0][:-5]}: {c[1]}") for c in FOLLOW_UPS if c[1] not in KNOWN_MISSES
])
def test_a_missing_required_argument_is_asked_for_and_the_answer_completes_the_call(
    domain: str, request_text: str, asked: str, answer: str, name: str, arguments: dict[str, Any]
) -> None:
    question = decide(domain, None, request_text)
    assert isinstance(question, Say) and question.text.endswith("?"), question
    assert question.asks == (name, asked)
    done = decide(domain, None, request_text, Turn("assistant", question.text, asks=question.asks), answer)
    assert isinstance(done, Call), done
    assert (done.name, json.loads(done.arguments)) == (name, arguments)


@pytest.mark.parametrize(("domain", "name", "arguments"), MISSES, ids=[m[0][:-5] for m in MISSES])
def test_a_tool_that_reports_a_miss_is_read_back_as_the_answer(domain: str, name: str, arguments: dict[str, Any]) -> None:
    spec = importlib.util.spec_from_file_location(domain[:-5], DOMAINS / f"{domain[:-5]}_tools.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    output = str(getattr(module, name)(**arguments))  # the domain's own tool says what it could not find
    call = Turn("assistant", call_name=name, call_arguments=json.dumps(arguments), call_id="c1")
    result = Turn("tool", output=output, call_id="c1")
    answer = decide(domain, None, "look it up", call, result)
    assert isinstance(answer, Say) and answer.text == output
    assert "wrong" not in answer.text and "error" not in answer.text


def test_the_issue_example_fills_the_ticker_with_the_company_not_the_verb() -> None:
    decision = decide("brokerage.yaml", None, "how much is apple stock trading at")
    assert isinstance(decision, Call) and json.loads(decision.arguments) == {"ticker": "apple"}


def test_an_example_shape_takes_another_value_but_not_another_request() -> None:
    shapes = example_shapes(["what is NVDA going for", "how much is apple stock trading at"])
    assert shapes == [("what", "is", GAP, "going", "for")]  # only an example with a written value has a gap
    assert fits(shapes[0], tokenize("what's tesla going for right now"))
    assert not fits(shapes[0], tokenize("what is this going for"))  # no word left for the gap
    assert not fits(shapes[0], tokenize("what is the status of my order"))


def _names(path: Any) -> set[str]:
    """Words of an agent config's tool names, parameter names and enum values (the words a domain is made of)."""
    found: set[str] = set()
    for tool in load_agent_config(path).tools.values():
        found.update(split_identifier(tool.name))
        for prop_name, prop in tool.params_json_schema.get("properties", {}).items():
            found.update(split_identifier(prop_name))
            found.update(w for v in prop.get("enum", []) for w in split_identifier(str(v)))
    return {stem(w) for w in found}


@pytest.mark.parametrize("domain", NEW)
def test_the_new_domains_share_no_names_with_the_shipped_configs(domain: str) -> None:
    shipped = set().union(*(_names(p) for p in CONFIGS.glob("*.yaml")))
    assert not _names(DOMAINS / domain) & shipped
