"""Spoken replies for the local brain: answers from tool outputs, small talk, capabilities and long answers.

Every reply is plain speakable text built from the agent's instructions and tools; no markdown, no randomness.
"""

from __future__ import annotations

import json
import re
from typing import Any

from realtime_cli.local.brain_match import HANDOFF_PREFIX, ToolInfo
from realtime_cli.local.brain_text import split_identifier, word_set, words
from realtime_cli.protocol.signals import HandoffDone, ToolFailed, ToolRejected, parse_tool_output

_ROLE_WORDS = word_set("support agent assistant specialist team desk department bot expert service services")
_MESSAGE_KEYS = ("message", "text", "answer", "summary", "result", "response", "output", "content", "description")
_VERBS = word_set(
    """get set book play check find search look send turn transfer hand schedule reserve cancel order create make add
    remove delete start stop open close convert calculate translate track show list fetch give tell answer help
    update change report control adjust switch call buy pay provide return issue suggest"""
)
_LONG = re.compile(
    r"\b(long|lengthy|longer|detailed|full)\s+(story|answer|explanation|reply|response|version|description)\b"
    r"|\bin (great |full |more )?detail\b|\bin depth\b|\btell me a story\b|\belaborate\b"
)
_CLOSING = (
    "Everything I say is worked out right here on this computer, without a network connection, so my answers are "
    "simple and predictable. The same question always gets the same answer, which makes me easy to test. "
    "If there is something you would like to try, just ask, and I will do my best to help in a few short sentences."
)


_SCRIPTED = re.compile(
    r"\bsay(?:ing)?\s+(?:exactly|verbatim|word for word|the following|only)\s*:?\s*"
    r"(?:\"(?P<d>[^\"]+)\"|\u201c(?P<c>[^\u201d]+)\u201d|\u2018(?P<s>.+?)\u2019(?=[\s.,;:!?)]|$)|'(?P<q>.+?)'(?=[\s.,;:!?)]|$))",
    re.IGNORECASE | re.DOTALL,
)


def scripted_line(instructions: str) -> str | None:
    """The quoted line instructions tell the agent to say word for word ("Say exactly 'Hello, this is ABC
    customer service.' now", "begin by saying exactly: \"...\""), or None."""
    match = _SCRIPTED.search(instructions)
    if match is None:
        return None
    line = next(g for g in match.group("d", "c", "s", "q") if g is not None).strip()
    return line or None


def sentence(text: str, limit: int = 400) -> str:
    """Speakable text: markdown marks dropped, whitespace collapsed, cut at a sentence end, closing punctuation."""
    text = re.sub(r"[*#`_>|]+", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) > limit:
        cut = text[:limit]
        end = max(cut.rfind(". "), cut.rfind("! "), cut.rfind("? "))
        text = cut[: end + 1] if end > 40 else cut.rsplit(" ", 1)[0]
    if text and text[-1] not in ".!?":
        text += "."
    return text


def _join(items: list[str], conjunction: str = "and") -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {conjunction} " + items[-1]


def agent_role(instructions: str) -> str | None:
    """What the instructions say the agent is ("You are a friendly support agent." → "a friendly support agent")."""
    match = re.search(r"\byou are\s+((?:an?|the)\s+[^.,;:!?\n]+)", instructions, re.I)
    if not match:
        return None
    role = match.group(1).split()
    return " ".join(role[:12])


def _task_phrase(info: ToolInfo) -> str:
    if info.is_handoff:
        return "transfer you to " + info.target
    description = str(info.spec.get("description") or "")
    first = re.split(r"(?<=[.!?])\s|\n", description.strip(), maxsplit=1)[0].rstrip(".!? ")
    desc_words = first.split()
    if desc_words:
        verb = desc_words[0].lower()
        if verb.endswith(("ches", "shes", "sses", "xes")):
            verb = verb[:-2]
        elif verb.endswith("s") and not verb.endswith("ss"):
            verb = verb[:-1]
        if verb in _VERBS or (info.name_words and verb == info.name_words[0]):
            return " ".join([verb, *desc_words[1:12]])
    name_words = list(info.name_words)
    if len(name_words) > 1 and name_words[0] in _VERBS:
        return f"{name_words[0]} the {' '.join(name_words[1:])}"
    return "help with " + " ".join(name_words)


def capabilities(infos: list[ToolInfo]) -> str | None:
    """"check the stock of a plant, book a pruning visit or transfer you to the plant doctor", or None."""
    tasks = [_task_phrase(i) for i in infos if not i.is_handoff][:6]
    targets = [i.target for i in infos if i.is_handoff][:6]
    if targets:
        tasks.append("transfer you to " + _join(targets, "or"))
    return _join(tasks, "or") if tasks else None


def capability_reply(infos: list[ToolInfo], instructions: str) -> str:
    caps = capabilities(infos)
    role = agent_role(instructions)
    intro = f"I'm {role}. " if role else ""
    if caps:
        return sentence(f"{intro}I can {caps}. What would you like to do?")
    return sentence(f"{intro}I can chat with you and answer simple questions. What would you like to talk about?")


def greeting_reply(infos: list[ToolInfo], instructions: str, asked_how: bool) -> str:
    caps = capabilities(infos)
    opening = "I'm doing well, thanks for asking!" if asked_how else "Hello!"
    role = agent_role(instructions)
    intro = f" I'm {role}." if role else ""
    offer = f" I can {caps}." if caps else ""
    return sentence(f"{opening}{intro}{offer} How can I help you today?")


def fallback_reply(infos: list[ToolInfo]) -> str:
    caps = capabilities(infos)
    if caps:
        return sentence(f"Sorry, I'm not sure how to help with that. I can {caps}.")
    return "Sorry, I'm not sure how to help with that. Could you put it another way?"


def wants_long_answer(text: str) -> bool:
    """Whether the turn asks for a long answer ("tell me a long story", "explain in detail")."""
    return bool(_LONG.search(text.lower()))


def long_reply(infos: list[ToolInfo], instructions: str, story: bool) -> str:
    """A long multi-sentence reply (at least 400 characters), built only from the instructions and tools."""
    role = agent_role(instructions) or "a helpful voice assistant"
    parts = []
    if story:
        parts.append(f"Once upon a time, there was {role} who lived inside a small computer.")
        parts.append("Every day people came by with questions, and it listened carefully to each one.")
    else:
        parts.append(f"Here is a longer answer. I am {role}, and I am glad to explain what I do.")
    for info in infos[:6]:
        phrase = _task_phrase(info)
        if story:
            parts.append(f"Whenever someone asked, it would happily {phrase}.")
        else:
            parts.append(f"I can {phrase}, and you only need to ask for it in your own words.")
    parts.append(_CLOSING)
    if story:
        parts.append("And so the little assistant kept helping, one short answer at a time. The end.")
    text = " ".join(parts)
    while len(text) < 400:
        text += " Thank you for listening to this longer answer."
    return sentence(text, limit=2000)


def _object_words(call_name: str) -> str:
    name_words = split_identifier(call_name)
    while len(name_words) > 1 and name_words[0] in _VERBS:
        name_words.pop(0)
    return " ".join(name_words) or "last"


def _help_topic(agent_name: str, instructions: str) -> str | None:
    topic_words = [w for w in words(agent_name) if w not in _ROLE_WORDS]
    found = re.search(r"\b(?:help\w*|assist\w*)\s+(?:\w+\s+){0,2}?with\s+([^.;:!?\n]+)", instructions, re.I)
    if found and any(w in words(instructions) for w in topic_words):
        return " ".join(found.group(1).split()[:8]).rstrip(",")
    return f"your {' '.join(topic_words)} questions" if topic_words else None


def handoff_reply(agent_name: str, instructions: str) -> str:
    """"You're now talking to Plant Doctor. How can I help with your plants?" """
    topic = _help_topic(agent_name, instructions)
    ask = f"How can I help with {topic}?" if topic else "How can I help you today?"
    return f"You're now talking to {sentence(agent_name, 80).rstrip('.')}. {ask}"


def _spoken_value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "unknown"
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    if isinstance(value, list):
        return _join([_spoken_value(v) for v in value[:3] if not isinstance(v, (dict, list))]) or "none"
    return str(value)


def _fields_sentence(data: dict[str, Any]) -> str:
    for key in _MESSAGE_KEYS:
        if isinstance(data.get(key), str) and data[key].strip():
            return sentence(data[key])
    pairs: list[tuple[Any, Any]] = []
    for key, value in data.items():
        if isinstance(value, dict):
            pairs.extend((k, v) for k, v in value.items() if not isinstance(v, (dict, list)))
        else:
            pairs.append((key, value))
    spoken = []
    for key, value in pairs[:5]:
        name = " ".join(split_identifier(str(key))) or "value"
        verb = "are" if name.endswith("s") and not name.endswith(("ss", "us")) else "is"
        spoken.append(f"{name} {verb} {_spoken_value(value)}")
    if not spoken:
        return "Done."
    return sentence("Here's what I found: " + _join(spoken) + ".")


def _item_name(item: dict[str, Any]) -> str:
    for key in ("name", "title", *_MESSAGE_KEYS):
        if isinstance(item.get(key), (str, int, float)):
            return _spoken_value(item[key])
    scalars = [v for v in item.values() if not isinstance(v, (dict, list))]
    return _spoken_value(scalars[0]) if scalars else "an item"


def tool_output_reply(call_name: str | None, output: str, instructions: str) -> str:
    """Answer from a function_call_output: the SDK's signals (handoff, rejection, error) read as typed values,
    a structured error/rejection status, else the result itself — a miss ("could not find …") is an answer."""
    name = call_name or ""
    text = output.strip()
    try:
        data: Any = json.loads(text) if text else None
    except ValueError:
        data = text
    signal = parse_tool_output(text)
    if isinstance(signal, HandoffDone):
        return handoff_reply(signal.agent, instructions)
    if name.startswith(HANDOFF_PREFIX) and signal is None:
        return handoff_reply(" ".join(split_identifier(name)[2:]).title(), instructions)
    what = _object_words(name)
    if isinstance(signal, ToolRejected):
        return f"Sorry, I couldn't complete your {what} request because it was rejected."
    flags = data if isinstance(data, dict) else {}
    status = str(flags.get("status", "")).lower()
    if isinstance(signal, ToolFailed) or flags.get("error") or status in ("error", "failed", "failure"):
        return f"Sorry, something went wrong with your {what} request: an error occurred. Please try again."
    if status in ("rejected", "denied", "declined"):
        return f"Sorry, I couldn't complete your {what} request because it was rejected."
    if isinstance(data, dict):
        return _fields_sentence(data)
    if isinstance(data, list):
        items = [_spoken_value(v) if not isinstance(v, dict) else _item_name(v) for v in data[:3]]
        if not items:
            return "I didn't find anything."
        count = "one result" if len(data) == 1 else f"{len(data)} results"
        return sentence(f"I found {count}: " + _join(items) + ".")
    if data is None or not str(data).strip():
        return "Done."
    return sentence(str(data))
