"""Agent config files: the shipped configs load as declared, broken files fail with file:line:col and a fix."""

from __future__ import annotations

import json
import os
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from realtime_cli import ConfigError, FunctionTool, OutputGuardrail, RealtimeRunner
from realtime_cli.cli.agent_config import AgentConfigError, LoadedConfig, json_schema, load_agent_config
from realtime_cli.session.handoffs import Handoff

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = ROOT / "configs"
BAD = Path(__file__).resolve().parent / "bad_configs"
SHIPPED = ["support.yaml", "assistant.yaml", "guardrail_demo.yaml"]


@pytest.fixture(autouse=True)
def _in_repo_root() -> Iterator[None]:
    """Error messages show the path as given; run from the repo root so the bad-config table reads naturally."""
    before = Path.cwd()
    os.chdir(ROOT)
    try:
        yield
    finally:
        os.chdir(before)


def _handoff_names(config: LoadedConfig, key: str) -> list[str]:
    return [h.tool_name for h in config.agents[key].handoffs if isinstance(h, Handoff)]


async def _call(tool: FunctionTool, **arguments: Any) -> Any:
    return await tool.on_invoke_tool(None, json.dumps(arguments))


async def _guard(guardrail: OutputGuardrail, text: str) -> tuple[bool, Any]:
    result = await guardrail.run(None, None, text)
    return result.output.tripwire_triggered, result.output.output_info


# --- the shipped configs --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_config_loads_and_builds_a_runner(name: str) -> None:
    config = load_agent_config(CONFIGS / name)
    assert config.path == CONFIGS / name
    assert config.model_settings["voice"] == "alloy"
    assert config.model_settings["turn_detection"] is None
    RealtimeRunner(config.starting_agent, config=config.run_config)  # the SDK accepts the run config


async def test_support_config_as_declared() -> None:
    config = load_agent_config("configs/support.yaml")
    assert config.starting_agent is config.agents["customer_service"]
    assert config.starting_agent.name == "Customer Service"
    assert set(config.agents) == {"customer_service", "billing", "technical"}
    assert _handoff_names(config, "customer_service") == ["transfer_to_billing_support",
                                                          "transfer_to_technical_support"]
    assert _handoff_names(config, "billing") == ["transfer_to_customer_service"]
    main_handoffs = [h for h in config.starting_agent.handoffs if isinstance(h, Handoff)]
    assert main_handoffs[0].tool_description == "Transfer to billing support for invoices, payments and refunds"
    assert await main_handoffs[0].on_invoke_handoff(None, "{}") is config.agents["billing"]
    # a cycle: billing hands back to the same customer_service object
    back = config.agents["billing"].handoffs[0]
    assert isinstance(back, Handoff) and await back.on_invoke_handoff(None, "{}") is config.starting_agent

    assert [t.name for t in config.agents["billing"].tools] == ["get_invoice", "issue_refund"]
    refund = config.tools["issue_refund"]
    assert refund.needs_approval is True and config.tools["get_invoice"].needs_approval is False
    assert refund.params_json_schema["required"] == ["order_id"]
    assert refund.params_json_schema["properties"]["order_id"]["description"] == "The order number to refund."
    assert refund.description.startswith("Refund an order in full.")
    assert await _call(config.tools["lookup_order"], order_id="1001") == \
        "Order 1001 is a pair of wireless headphones; it is shipped and arrives Thursday."
    assert "INV-5002" in await _call(config.tools["get_invoice"], order_id="order 1002")
    assert "wifi" in await _call(config.tools["troubleshooting_steps"], issue="my wifi drops")
    assert "degraded" in await _call(config.tools["service_status"], service="email")

    guard = config.starting_agent.output_guardrails[0]
    assert guard.get_name() == "no_secrets"
    assert await _guard(guard, "Your Password is hunter2") == (True, "I can't share account credentials.")
    assert await _guard(guard, "Say your social\nsecurity number") == (True, "I can't share account credentials.")
    assert await _guard(guard, "Passwords reset at midnight") == (False, None)  # whole words only


async def test_assistant_config_has_the_seed_tools() -> None:
    config = load_agent_config(CONFIGS / "assistant.yaml")
    agent = config.starting_agent
    assert agent.name == "Assistant" and agent.handoffs == [] and agent.output_guardrails == []
    weather, booking = agent.tools
    assert weather.to_spec()["parameters"] == {
        "type": "object", "properties": {"city": {"type": "string", "description": "The city name, for example Paris."}},
        "required": ["city"], "additionalProperties": False,
    }
    assert booking.params_json_schema["required"] == ["date", "time", "service"]
    assert await _call(weather, city="paris") == "The weather in Paris is sunny, 22°C."
    assert await _call(booking, date="Monday", time="3 pm", service="a haircut") == \
        "Appointment booked for a haircut on Monday at 3 pm."


async def test_guardrail_demo_trips_on_its_own_tool_output() -> None:
    config = load_agent_config(CONFIGS / "guardrail_demo.yaml")
    assert config.run_config["guardrails_settings"] == {"debounce_text_length": 40}
    declarative, by_path = config.starting_agent.output_guardrails
    assert (declarative.get_name(), by_path.get_name()) == ("no_secrets", "no_refund_talk")
    vault = await _call(config.tools["read_vault_code"], vault="main")
    assert await _guard(declarative, vault) == (True, "I can't read out secrets.")
    assert await _guard(declarative, "The code is ZX-4471.") == (True, "I can't read out secrets.")
    assert (await _guard(by_path, await _call(config.tools["refund_policy"], order_id="1001")))[0] is True
    # listing the tools, as the local engine does when asked what it can do, trips too
    listing = "I can: " + ", ".join(t.name.replace("_", " ") for t in config.starting_agent.tools)
    assert (await _guard(by_path, listing))[0] is True
    weather = await _call(config.tools["get_weather"], city="oslo")
    assert await _guard(declarative, weather) == (False, None)
    assert (await _guard(by_path, weather))[0] is False


# --- the bad-config table --------------------------------------------------------------------------------------------

B = "tests/cli/bad_configs/"
BAD_CONFIGS: list[tuple[str, str]] = [
    ("typo_key", f"{B}typo_key.yaml:7:5: unknown key 'instructons' in agent 'billing'; did you mean 'instructions'?"),
    ("unknown_top_key", f"{B}unknown_top_key.yaml:2:1: unknown key 'model_setings' at the top level; "
                        "did you mean 'model_settings'?"),
    ("syntax_error", f"{B}syntax_error.yaml:5:10: YAML syntax error: expected ',' or ']', but got ':' (while parsing "
                     "a flow sequence started at line 4); close the '[' list with ']' (or quote text that contains "
                     "brackets)"),
    ("tabs", f"{B}tabs.yaml:3:1: YAML syntax error: found character '\\t' that cannot start any token (while "
             "scanning for the next token); indent with spaces, not tabs"),
    ("empty", f"{B}empty.yaml:1:1: the file is empty; define 'agents:' (and 'start:'), see configs/support.yaml for "
              "an example"),
    ("not_mapping", f"{B}not_mapping.yaml:1:1: the file holds a list; it must be a mapping with 'start:' and "
                    "'agents:' keys"),
    ("unknown_start", f"{B}unknown_start.yaml:1:8: start names unknown agent 'suport'; did you mean 'support'? "
                      "known agents: support, billing"),
    ("missing_start", f"{B}missing_start.yaml:1:1: no 'start' agent; add 'start: <agent key>' (one of: support, "
                      "billing)"),
    ("handoff_unknown", f"{B}handoff_unknown.yaml:6:9: handoff to unknown agent 'biling' in agent 'main'; "
                        "did you mean 'billing'?"),
    ("handoff_typo_key", f"{B}handoff_typo_key.yaml:6:9: unknown key 'agnt' in handoff 1 of agent 'main'; "
                         "did you mean 'agent'?"),
    ("self_handoff", f"{B}self_handoff.yaml:5:16: agent 'main' hands off to itself; remove this handoff"),
    ("undefined_tool", f"{B}undefined_tool.yaml:5:13: agent 'main' uses tool 'get_wether', which is not defined "
                       "under the top-level 'tools:'; did you mean 'get_weather'?"),
    ("undefined_guardrail", f"{B}undefined_guardrail.yaml:5:18: agent 'main' uses guardrail 'no_secrets', which is "
                            "not defined under the top-level 'guardrails:'; none are defined yet, so add it there"),
    ("malformed_import", f"{B}malformed_import.yaml:6:15: tool 'lookup_order': 'tools.support.lookup_order' is not "
                         "an import path; write 'module:function', e.g. 'tools.support:lookup_order'"),
    ("module_not_found", f"{B}module_not_found.yaml:6:15: tool 'lookup_order': module 'no_such_module_xyz.support' "
                         "not found in tests/cli/bad_configs/ or installed packages; check the spelling and the "
                         "file's location"),
    ("attribute_missing", f"{B}attribute_missing.yaml:6:15: tool 'dump': module 'json' has no attribute 'dumpz'; "
                          "did you mean 'dump'?"),
    ("not_callable", f"{B}not_callable.yaml:6:15: tool 'pi': 'math:pi' is a float value, not a function; "
                     "point to a function"),
    ("bad_regex", f"{B}bad_regex.yaml:8:9: bad regular expression '(unclosed' in guardrail 'codes': missing ), "
                  "unterminated subpattern at position 0; escape special characters such as ( [ + ? with a backslash"),
    ("model_settings_type", f"{B}model_settings_type.yaml:6:16: 'threshold' in model_settings.turn_detection should "
                            "be less than or equal to 1 (got 3)"),
    ("model_settings_unknown_key", f"{B}model_settings_unknown_key.yaml:3:3: unknown key 'voce' in model_settings; "
                                   "did you mean 'voice'?"),
    ("modalities_literal", f"{B}modalities_literal.yaml:3:22: item 2 of 'modalities' in model_settings should be "
                           "'text' or 'audio' (got 'video')"),
    ("debounce_zero", f"{B}debounce_zero.yaml:3:25: 'debounce_text_length' in guardrails_settings should be greater "
                      "than or equal to 1 (got 0)"),
    ("duplicate_key", f"{B}duplicate_key.yaml:5:3: duplicate key 'billing' (first written at line 4); remove one of "
                      "them or rename it"),
    ("tools_not_list", f"{B}tools_not_list.yaml:5:12: 'tools' in agent 'main' should be a valid list "
                       "(got 'lookup_order'); write a list: [a, b] or one '- item' per line"),
    ("missing_function", f"{B}missing_function.yaml:5:3: tool 'lookup_order' is missing the required key 'function'; "
                         "add function: \"tools.mymodule:my_function\""),
    ("guardrail_both", f"{B}guardrail_both.yaml:5:3: guardrail 'mixed' has both 'function' and blocked "
                       "words/patterns; use one or the other (or define two guardrails)"),
    ("no_agents", f"{B}no_agents.yaml:2:9: 'agents' needs at least one entry; add one"),
    ("duplicate_agent_name", f"{B}duplicate_agent_name.yaml:4:3: agent 'second' has the same name 'Support' as "
                             "agent 'first'; give it another name (handoff tools are named after agents)"),
    ("boolean_name", f"{B}boolean_name.yaml:4:11: 'name' in agent 'main' should be a valid string (got True); put "
                     "the value in quotes (YAML reads yes/no/on/off as booleans and digits as numbers)"),
    ("bad_tool_name", f"{B}bad_tool_name.yaml:5:3: tool name 'look up' may only contain letters, digits, '_' and "
                      "'-' (at most 64); rename it"),
    ("unknown_tag", f"{B}unknown_tag.yaml:4:19: YAML syntax error: could not determine a constructor for the tag "
                    "'tag:yaml.org,2002:python/object:os.system'; remove the '!tag' (only plain YAML values are "
                    "allowed)"),
]


def test_every_bad_config_file_is_in_the_table() -> None:
    assert sorted(p.stem for p in BAD.glob("*.yaml")) == sorted(name for name, _ in BAD_CONFIGS)
    assert len(BAD_CONFIGS) >= 15


@pytest.mark.parametrize(("name", "expected"), BAD_CONFIGS, ids=[n for n, _ in BAD_CONFIGS])
def test_bad_config_message(name: str, expected: str) -> None:
    with pytest.raises(AgentConfigError) as info:
        load_agent_config(f"{B}{name}.yaml")
    assert str(info.value) == expected
    assert isinstance(info.value, ConfigError)
    assert "Traceback" not in str(info.value)


# --- more failure modes, written on the fly ---------------------------------------------------------------------------

def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def _error(path: Path) -> str:
    with pytest.raises(AgentConfigError) as info:
        load_agent_config(path)
    return str(info.value)


def test_missing_file() -> None:
    assert _error(Path("configs/nope.yaml")) == "configs/nope.yaml: no such file; check the path (`rtagent examples` " \
                                               "lists the shipped agents)"


def test_several_problems_are_reported_together_in_file_order(tmp_path: Path) -> None:
    path = _write(tmp_path, "multi.yaml", """
        start: main
        agents:
          main: {instructions: hi, tols: [a]}
          other: {instructons: hi}
        """)
    lines = _error(path).splitlines()
    assert [line.split(": ", 1)[0] for line in lines] == [f"{path}:3:28", f"{path}:4:11"]
    assert "did you mean 'tools'?" in lines[0] and "did you mean 'instructions'?" in lines[1]


def test_module_raising_on_import_and_syntax_errors_are_reported(tmp_path: Path) -> None:
    _write(tmp_path, "helpers/boom.py", "raise RuntimeError('no network in tests')\n")
    _write(tmp_path, "helpers/broken.py", "def f(:\n")
    path = _write(tmp_path, "c.yaml", """
        agents:
          main: {tools: [a, b]}
        tools:
          a: {function: "helpers.boom:f"}
          b: {function: "helpers.broken:f"}
        """)
    message = _error(path)
    assert f"{path}:4:17: tool 'a': importing module 'helpers.boom' raised RuntimeError: no network in tests" in message
    assert f"{path}:5:17: tool 'b': module 'helpers.broken' has a syntax error (broken.py line 1" in message


def test_local_module_with_a_missing_dependency(tmp_path: Path) -> None:
    _write(tmp_path, "helpers/needs.py", "import not_installed_dep_xyz\n")
    path = _write(tmp_path, "c.yaml", """
        agents: {main: {tools: [a]}}
        tools: {a: {function: "helpers.needs:f"}}
        """)
    assert "it needs 'not_installed_dep_xyz', which is not installed" in _error(path)


async def test_tools_and_guardrails_from_a_local_package(tmp_path: Path) -> None:
    _write(tmp_path, "tools/__init__.py", "")
    _write(tmp_path, "tools/mine.py", '''
        from realtime_cli import GuardrailFunctionOutput, function_tool

        def shout(text: str) -> str:
            """Repeat text loudly.

            Args:
                text: What to repeat.
            """
            return text.upper()

        @function_tool(name_override="whisper")
        def whisper(text: str) -> str:
            """Repeat text quietly."""
            return text.lower()

        def too_long(context, agent, output):
            return GuardrailFunctionOutput(output_info=len(output), tripwire_triggered=len(output) > 5)
        ''')
    path = _write(tmp_path, "c.yaml", """
        agents:
          main:
            name: Main
            instructions: hi
            voice: verse
            tools: [loud, whisper]
            guardrails: [short]
        tools:
          loud: {function: "tools.mine:shout", description: Shout it, needs_approval: true}
          whisper: {function: "tools.mine:whisper"}
        guardrails:
          short: {function: "tools.mine:too_long"}
        """)
    config = load_agent_config(path)  # a different `tools` package (configs/tools) was imported before: still ours
    loud, quiet = config.starting_agent.tools
    assert (loud.name, loud.description, loud.needs_approval) == ("loud", "Shout it", True)
    assert await _call(loud, text="hi") == "HI"
    assert (quiet.name, await _call(quiet, text="HI")) == ("whisper", "hi")
    assert config.starting_agent.voice == "verse"
    assert await _guard(config.guardrails["short"], "far too long") == (True, 12)
    assert config.guardrails["short"].get_name() == "short"
    assert load_agent_config(CONFIGS / "support.yaml").tools["lookup_order"].name == "lookup_order"  # and back


def test_guardrail_function_with_the_wrong_parameters(tmp_path: Path) -> None:
    _write(tmp_path, "g.py", "def check(output):\n    return None\n")
    path = _write(tmp_path, "c.yaml", """
        agents: {main: {guardrails: [g]}}
        guardrails: {g: {function: "g:check"}}
        """)
    assert _error(path) == f"{path}:2:28: guardrail 'g': 'g:check' must accept (context, agent, output); change " \
                           "its parameters"


def test_single_agent_needs_no_start_and_anchors_merge(tmp_path: Path) -> None:
    path = _write(tmp_path, "c.yaml", """
        base: &base {instructions: shared}
        agents:
          only:
            <<: *base
            name: Only
        """)
    # 'base' is not a known key, which proves merges don't hide real mistakes
    assert "unknown key 'base' at the top level" in _error(path)
    path.write_text("agents:\n  only:\n    <<: {instructions: shared, name: X}\n    name: Only\n")
    config = load_agent_config(path)
    assert (config.starting_agent.name, config.starting_agent.instructions) == ("Only", "shared")
    assert config.run_config == {"model_settings": {}} and config.model_settings == {}


def test_an_agent_with_nothing_after_its_key_gets_the_defaults(tmp_path: Path) -> None:
    path = _write(tmp_path, "c.yaml", "start: front\nagents:\n  front:\n    handoffs: [helper]\n  helper:\n")
    config = load_agent_config(path)
    assert config.agents["helper"].name == "helper" and config.agents["helper"].instructions is None
    assert _handoff_names(config, "front") == ["transfer_to_helper"]
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft202012Validator(json_schema()).validate(yaml.safe_load(path.read_text()))


def test_two_tools_with_one_name_in_an_agent(tmp_path: Path) -> None:
    path = _write(tmp_path, "c.yaml", """
        start: a
        agents:
          a: {handoffs: [{agent: b, tool_name: t}], tools: [t]}
          b: {}
        tools: {t: {function: "json:dumps"}}
        """)
    assert _error(path) == f"{path}:3:3: agent 'a' has two tools named 't' (tool 't' and the handoff to 'b'); " \
                           "rename one (handoffs accept 'tool_name')"


# --- the JSON Schema --------------------------------------------------------------------------------------------------

def test_json_schema_describes_the_format() -> None:
    schema = json_schema()
    json.dumps(schema)  # serializable
    assert schema["type"] == "object" and schema["required"] == ["agents"]
    assert {"start", "agents", "tools", "guardrails", "model_settings", "guardrails_settings"} <= set(
        schema["properties"])
    assert schema["additionalProperties"] is False
    agent = schema["$defs"]["AgentConfig"]["properties"]
    assert {"name", "instructions", "tools", "handoffs", "guardrails"} <= set(agent)
    assert {"voice", "modalities", "turn_detection"} <= set(schema["$defs"]["ModelSettings"]["properties"])


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_configs_validate_against_the_schema(name: str) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    data = yaml.safe_load((CONFIGS / name).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(json_schema())
    jsonschema.Draft202012Validator(json_schema()).validate(data)


def test_schema_rejects_a_typo() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    data = {"agents": {"main": {"instructons": "hi"}}}
    assert list(jsonschema.Draft202012Validator(json_schema()).iter_errors(data))
