"""No word of the shipped demo configs in the local engine: what the brain knows of a domain comes from the session.

The demos' distinctive vocabulary is extracted, never listed by hand: every word of the values in configs/**/*.yaml
(agent names, instructions, handoff descriptions, tool examples, guardrail words, scripted demo turns and expectations;
not YAML keys, session settings or import paths) and of the tool specs those configs build (names, docstring
descriptions, parameter names, descriptions and enums), less the common English words of data/common_english.txt
(compared by stem) and the SDK's own words (those of realtime_cli's public names: "guardrail", "handoff").
None of those words may appear in realtime_cli/local/ (code, comments or data).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest
import yaml

import realtime_cli
from realtime_cli.cli.agent_config import load_agent_config
from realtime_cli.local.brain_text import split_identifier, stem

ROOT = Path(__file__).parents[2]
CONFIGS = ROOT / "configs"
LOCAL = ROOT / "realtime_cli" / "local"
COMMON = Path(__file__).parent / "data" / "common_english.txt"
DOMAINS = Path(__file__).parent / "domains"
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*")


def _words(text: str) -> set[str]:
    """Lowercase words of any text, identifiers (snake_case, camelCase) split into their parts; letters only."""
    found = set()
    for chunk in _WORD.findall(text):
        found.update(w for w in split_identifier(chunk) if w.isalpha() and len(w) > 2)
    return found


@cache
def common_stems() -> frozenset[str]:
    lines = COMMON.read_text(encoding="utf-8").splitlines()
    sdk = [w for name in realtime_cli.__all__ for w in split_identifier(name)]
    return frozenset(stem(w) for w in lines + sdk if w and not w.startswith("#"))


def _session_text(path: Path) -> str:
    """What a session built from one agent config tells the engine: tool names, descriptions and schemas."""
    loaded = load_agent_config(path)
    parts = []
    for tool in loaded.tools.values():
        parts += [tool.name, tool.description or "", json.dumps(tool.params_json_schema)]
    for agent in loaded.agents.values():
        parts += [agent.name, str(agent.instructions or ""), str(agent.handoff_description or "")]
    return "\n".join(parts)


_SETTINGS = frozenset({"model_settings", "guardrails_settings", "function"})
"""Keys whose values are session settings or import paths, not words of a domain."""


def _values(node: object) -> list[str]:
    """The text of every scalar value in a YAML document, skipping settings and import paths."""
    if isinstance(node, dict):
        return [v for key, value in node.items() if key not in _SETTINGS for v in _values(value)]
    if isinstance(node, list):
        return [v for item in node for v in _values(item)]
    return [] if node is None or isinstance(node, bool) else [str(node)]


def distinctive_vocabulary() -> dict[str, str]:
    """Stem → a word of the shipped configs that is not common English ("refund", "invoice", "wifi"...)."""
    return vocabulary_of(tuple(sorted(CONFIGS.rglob("*.yaml"))), tuple(sorted(CONFIGS.glob("*.yaml"))))


@cache
def vocabulary_of(files: tuple[Path, ...], agents: tuple[Path, ...]) -> dict[str, str]:
    """Stem → word, for the words of these YAML files' values and of the sessions these agent configs build that
    are not common English."""
    text = [v for p in files for v in _values(yaml.safe_load(p.read_text(encoding="utf-8")))]
    text += [_session_text(p) for p in agents]
    common = common_stems()
    vocabulary: dict[str, str] = {}
    for word in sorted(_words("\n".join(text))):
        if stem(word) not in common and word not in common:
            vocabulary.setdefault(stem(word), word)
    return vocabulary


def _local_files() -> list[Path]:
    return sorted(p for p in LOCAL.rglob("*") if p.is_file() and p.suffix in (".py", ".json", ".txt", ".yaml"))


def test_the_vocabulary_is_extracted_from_the_configs() -> None:
    vocabulary = set(distinctive_vocabulary().values())
    assert len(vocabulary) >= 10
    assert {"refund", "wifi", "troubleshooting"} <= vocabulary  # a tool name, an example value, a handoff topic
    for word in ("weather", "order", "service", "city", "time"):  # common English: the brain may know these
        assert word not in vocabulary
    tool_names = {n for p in CONFIGS.glob("*.yaml") for n in load_agent_config(p).tools}
    assert {w for n in tool_names for w in split_identifier(n)} & vocabulary  # tool-name words are caught


@pytest.mark.parametrize("path", _local_files(), ids=lambda p: p.name)
def test_no_shipped_config_word_in_the_local_engine(path: Path) -> None:
    vocabulary = distinctive_vocabulary()
    hits = sorted({vocabulary[stem(w)] for w in _words(path.read_text(encoding="utf-8")) if stem(w) in vocabulary})
    assert not hits, f"{path.relative_to(ROOT)} holds words of the shipped configs: {', '.join(hits)}"


@pytest.mark.parametrize("domain", sorted(DOMAINS.glob("*.yaml")), ids=lambda p: p.name)
def test_the_unseen_test_domains_share_no_distinctive_word_with_the_shipped_configs(domain: Path) -> None:
    shared = set(vocabulary_of((domain,), (domain,))) & set(distinctive_vocabulary())
    assert not shared, f"{domain.name} shares words with configs/: {sorted(shared)}"
