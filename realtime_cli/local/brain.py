"""The local engine's deterministic intent brain: one conversation in, one reply (spoken text or a tool call) out.

It stands in for a language model; it owns the turn-level decisions and delegates words, dates and phrasing.

RULES (checked in this order; the same input always gives the same output)

1. Tool output last. When the newest item is a function_call_output, answer from it. The SDK's signals are read
   as typed values (``protocol.signals``): a handoff output → "You're now talking to the Plant Doctor. How can I
   help with your plants?"; a rejected approval or a tool error → an apology that says so; a JSON status of
   error/rejected likewise. Anything else is the tool's answer, a reported miss ("could not find …") included:
   JSON → a short sentence from its fields (a "message"-like field verbatim); plain text → the text itself. After
   a handoff the new agent takes up the request that caused it when one of its own tools scores as in rule 7 on
   that turn (less the words naming the new agent) — or, once, one of its handoffs (hand back, then on): it calls
   it, or introduces itself and asks for a missing argument.
0. Scripted lines. A response.create whose own instructions say to say a quoted line exactly ("Say exactly
   'Hello, this is ABC customer service.' now") → that line, word for word.
2. No new user turn. An empty conversation → the line the instructions say to begin with ("Always begin by
   saying exactly: '...'"), else a greeting naming what the agent can do; an assistant item last →
   "Is there anything else I can help you with?".
3. Guardrail. A user turn that is the SDK's guardrail signal → a short neutral apology that repeats nothing.
4. tool_choice. A named function is always called; "none" never calls; "required" calls the best-scoring tool even
   below the threshold, filling required values it could not hear with schema-valid stand-ins.
5. Pending follow-up. If the previous assistant item is a question this brain asked for a missing argument (the
   engine keeps which tool and parameter on the item, so a question cut short by a barge-in still counts), the
   user's answer is combined with the earlier request (unless the answer clearly names another tool or says
   "never mind"). The answer fills the asked parameter even when its words are intent or synonym words ("clay").
6. Long answers. "tell me a long story", "explain in detail", "long answer" → a reply of 400+ characters built from
   the instructions and tools (it exercises guardrail debounce).
7. Tool selection. The latest user turn's content words (lowercased, stemming-lite, a small synonym table) are
   scored against each tool: name words 3, enum values and example values listed in a parameter description
   ("The kind of soil: loam, clay, sand or peat.") 2, parameter names 1.5, descriptions 1, synonyms x0.7,
   generic verbs like "get" (and a leading verb like the "process" of ``process_return``) 0.5, plus 0.25 when the turn
   uses the verb the tool's description opens with ("Repot a plant…"); codes and names inside examples 0.5; two
   spoken words a tool writes as one count as that word ("check out"); +2 when the turn is said like an example
   with another value in its gap ("what's tesla going for" ~ "what is NVDA going for"). A score of 2 or more calls
   the best tool; local tools within 1 of it are re-ranked by +0.5 per fixed-form value (enum, number, date, id)
   the turn gives them; ties go to the earlier declaration. Handoffs are tools named ``transfer_to_<target>``; a
   request to be put through to someone ("transfer me to the plant doctor", or "I need a plant doctor" when
   no tool fits) goes to the best available handoff even if its target is not the one named, never to an
   unrelated tool. Arguments come from the schema: enums and description examples by value words, numbers from
   digits or words, dates relative to ``Brain(today=...)``, times ("3 pm", "15:30", "noon"), ids and string
   "number"s only from code-looking tokens ("1002", "A-17", spoken numbers, capitals; never a plain word), places
   and names after "in/at/for/to/from/with" or in capitals (less a role noun: "user alice" → Alice), quoted
   strings, and for one required string the words after "for/with/about my", else the best-placed phrase left: split
   at the tool's own cue words and at everyday verbs, led by a preposition, naming what a cue word is about ("apple
   stock" → apple), written as a name or code. A missing required value (or one only junk could fill) → a short
   question instead.
   A handoff's description names the topics its agent owns; those words weigh more than a local tool's name.
8. Small talk. Greetings, "how are you", "what can you do", thanks, goodbyes, yes/no → short grounded replies.
9. Hand back. Anything else goes to the agent's only handoff when that one names no topics (the plain way back to
   the agent that routes requests), or to the handoff whose topics it names; with none, a polite fallback that
   lists what the agent can do. A handoff topic the agent's own tools also cover weighs like a description word.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from realtime_cli.local.brain_args import (
    complete_structures,
    fill_arguments,
    fit,
    missing_required,
    params_of,
    placeholder,
    question_for,
)
from realtime_cli.local.brain_match import HANDOFF_PREFIX, THRESHOLD, ToolInfo, rank, score, tool_infos
from realtime_cli.local.brain_replies import (
    capability_reply,
    fallback_reply,
    greeting_reply,
    long_reply,
    scripted_line,
    tool_output_reply,
    wants_long_answer,
)
from realtime_cli.local.brain_text import Token, is_content, split_identifier, stem, tokenize, word_set, words
from realtime_cli.protocol.signals import parse_guardrail

__all__ = ["Brain", "BrainContext", "Call", "Say", "Turn"]

_HANDOFF_INTRO = "You're now talking to "
_CLOSE_SCORES = 1.0
_FILLED_BONUS = 0.5


@dataclass(frozen=True)
class Turn:
    """One conversation item, oldest first."""

    role: Literal["user", "assistant", "system", "tool"]
    text: str = ""
    call_name: str | None = None
    call_arguments: str | None = None
    call_id: str | None = None
    output: str | None = None
    asks: tuple[str, str] | None = None  # (tool, parameter) an assistant question of ours asked for, kept by the engine


@dataclass(frozen=True)
class BrainContext:
    """Everything the brain may look at: the session's instructions, tools, tool_choice and conversation."""

    instructions: str
    tools: list[dict[str, Any]]
    tool_choice: str | dict[str, Any] = "auto"
    conversation: list[Turn] = field(default_factory=list)
    response_instructions: str | None = None  # those of this response.create alone (`instructions` has them too)


@dataclass(frozen=True)
class Say:
    """Reply with this text (it is spoken by TTS); `asks` is the (tool, parameter) it asks the user for, which the
    engine keeps on the item so a follow-up is understood even when the question was cut short by a barge-in."""

    text: str
    asks: tuple[str, str] | None = None


@dataclass(frozen=True)
class Call:
    """Call a function tool; `arguments` is JSON object text matching its schema."""

    name: str
    arguments: str


_GUARDRAIL_REPLY = "Sorry, I can't continue with that. Let's talk about something else."
_CAPABILITIES = re.compile(
    r"\bwhat (else )?can (you|i ask)|\bwhat do you do\b|\bhow can you help\b|\bwhat are you able\b"
    r"|\byour (capabilities|skills|options)\b|\bwho are you\b|\bwhat( i|')s your name\b|\bcan you help\b"
    r"|\bi need (some )?help\b|\bhelp me\b|^help\b|\bwhat do you know\b"
)
_GREETING = re.compile(r"^(hello|hi|hey|hiya|howdy|greetings|yo|good (morning|afternoon|evening|day))\b")
_HOW_ARE_YOU = re.compile(r"\bhow (are|r) (you|u)\b|\bhow('s| is) it going\b|\bhow are things\b|\bhow do you do\b")
_BYE = re.compile(
    r"\b(bye|goodbye|good bye|see you|farewell|talk to you later|have a (good|nice|great) (day|one|night|evening))\b"
    r"|^(that's all|that's it|nothing else|i'm done|that is all)\b"
)
_THANKS = re.compile(r"\b(thanks|thank you|thank u|cheers|appreciate it)\b")
_NO = re.compile(r"^(no|nope|nah|not really|no thanks|no thank you)[.! ]*$")
_YES = re.compile(r"^(yes|yeah|yep|sure|ok|okay|sounds good|great|perfect|alright|all right|cool)[.! ]*$")
_NEVER_MIND = re.compile(r"\b(never ?mind|forget (it|that|about it)|cancel that|don't bother)\b")
_TRANSFER_ASK = re.compile(
    r"\b(?:(?P<verb>transfer|connect|put|switch|forward|route|pass|send)(?: me| us)?(?: back| over| through)?"
    r"|(?P<talk>speak|talk|chat))\s+(?:to|with)\b(?P<obj>.*)"
)
_SUPPORT_ASK = re.compile(r"\b(?:need|want|get|reach)\b(?P<obj>.*)")
_PARTIES = word_set(
    "support agent human person representative specialist operator someone somebody manager supervisor expert"
)
_PLACES = _PARTIES | word_set("service team department desk staff")
_ROUTING_VERBS = word_set("transfer connect put switch forward route pass send speak talk chat back")


class Brain:
    """Deterministic replies for the local engine; `today` anchors relative dates (default: the real today)."""

    def __init__(self, today: date | None = None) -> None:
        self._today = today

    @property
    def today(self) -> date:
        return self._today or date.today()

    def respond(self, ctx: BrainContext) -> Say | Call:
        """Decide the next assistant item for a conversation. Pure: same context (and today) → same reply."""
        infos = tool_infos(ctx.tools)
        line = scripted_line(ctx.response_instructions or "")
        if line is not None:
            return Say(line)
        conv = [t for t in ctx.conversation if t.role != "system"]
        if conv and conv[-1].role == "tool":
            latest = conv[-1]
            output = latest.output if latest.output is not None else latest.text
            name = _call_name(conv, latest.call_id)
            answer = tool_output_reply(name, output, ctx.instructions)
            if name is not None and name.startswith(HANDOFF_PREFIX) and answer.startswith(_HANDOFF_INTRO):
                carried = self._carry_over(conv, infos, name, answer)
                if carried is not None:
                    return carried
            return Say(answer)
        if not conv:
            return Say(scripted_line(ctx.instructions) or greeting_reply(infos, ctx.instructions, asked_how=False))
        if conv[-1].role != "user":
            return Say("Is there anything else I can help you with?")
        text = conv[-1].text or ""
        if parse_guardrail(text.strip()) is not None:
            return Say(_GUARDRAIL_REPLY)
        choice = ctx.tool_choice
        if isinstance(choice, dict):
            return self._named_call(choice, infos, text)
        mode = choice if choice in ("none", "required") else "auto"
        if mode != "none" and infos:
            decided = self._tool_turn(conv, infos, text, force=mode == "required")
            if decided is not None:
                return decided
        chat = _small_talk(text, infos, ctx.instructions)
        if chat is not None:
            return Say(chat)
        way_back = _hand_back(infos, tokenize(text)) if mode != "none" else None
        return self._finish(way_back, {}, False) if way_back is not None else Say(fallback_reply(infos))

    def _tool_turn(self, conv: list[Turn], infos: list[ToolInfo], text: str, force: bool) -> Say | Call | None:
        tokens = tokenize(text)
        ranked = rank(infos, tokens)
        handoff = _transfer_handoff(text, tokens, infos, ranked)
        if handoff is not None:
            return self._finish(handoff, {}, force)
        pending = _pending(conv, infos)
        if pending is not None:
            info, answers = pending
            if _NEVER_MIND.search(text.lower()) and not force:
                return Say("Okay, never mind. Is there anything else I can help you with?")
            top_score, top = ranked[0]
            if not (top.name != info.name and top_score >= THRESHOLD and score(info, tokens) < top_score):
                args: dict[str, Any] = {}
                for said, asked in answers:
                    args.update(fill_arguments(info, said, tokenize(said), self.today, asked=asked))
                return self._finish(info, args, force)
        if not force and wants_long_answer(text):
            return None
        top_score, top = self._best_filled(ranked, text, tokens)
        if top_score >= THRESHOLD or force:
            return self._finish(top, fill_arguments(top, text, tokens, self.today), force)
        return None

    def _best_filled(self, ranked: list[tuple[float, ToolInfo]], text: str, tokens: list[Token]) -> tuple[float,
                                                                                                     ToolInfo]:
        """Among tools that score nearly alike, the one the turn gives the most fixed-form values for (an enum
        value, a number, a date, an id) and leaves the fewest required ones missing: "sell 40 shares of NVDA"
        places a trade rather than quoting a price."""
        top_score, top = ranked[0]
        if top.is_handoff:  # a handoff takes no values: the request's topic alone decides for it
            return ranked[0]
        close = [(s, i) for s, i in ranked if s >= THRESHOLD and s >= top_score - _CLOSE_SCORES and not i.is_handoff]
        if len(close) < 2:
            return ranked[0]
        return max(close, key=lambda pair: (pair[0] + _FILLED_BONUS * fit(pair[1], text, tokens, self.today),
                                            -pair[1].index))

    def _finish(self, info: ToolInfo, args: dict[str, Any], force: bool) -> Say | Call:
        args = complete_structures(info, args)
        missing = missing_required(info, args)
        if missing and not force:
            return Say(question_for(info, missing[0]), asks=(info.name, missing[0].name))
        for param in missing:
            args[param.name] = placeholder(param, self.today)
        ordered = {p.name: args[p.name] for p in params_of(info) if p.name in args}
        return Call(info.name, json.dumps(ordered))

    def _carry_over(self, conv: list[Turn], infos: list[ToolInfo], handoff: str, intro: str) -> Say | Call | None:
        """After a handoff, the new agent takes up the request that caused it when one of its own tools fits
        ("my fern is wilting, I need the plant doctor" → diagnose_plant), else it only introduces itself."""
        last_user = max((i for i, t in enumerate(conv) if t.role == "user"), default=-1)
        request = conv[last_user].text if last_user >= 0 else ""
        target = {stem(w) for w in split_identifier(handoff)[2:]}
        tokens = [t for t in tokenize(request) if t.stem not in target]
        handoffs_since = sum(1 for t in conv[last_user + 1 :] if (t.call_name or "").startswith(HANDOFF_PREFIX))
        # the request may be routed on by one more handoff (hand back, then on), never bounced around
        tools = [i for i in infos if not i.is_handoff or (handoffs_since == 1 and i.name != handoff)]
        if not tools or not tokens:
            return None
        top_score, top = rank(tools, tokens)[0]
        if top.is_handoff:  # routing on needs the request's own topic, not words of asking to be put through
            top_score = score(top, [t for t in tokens if t.low not in _PLACES and t.low not in _ROUTING_VERBS])
        if top_score < THRESHOLD:
            return None
        decided = self._finish(top, fill_arguments(top, request, tokens, self.today), force=False)
        if isinstance(decided, Say):  # a question for a missing argument, after saying who is speaking
            return Say(f"{intro.split('. ')[0]}. {decided.text}", asks=decided.asks)
        return decided

    def _named_call(self, choice: dict[str, Any], infos: list[ToolInfo], text: str) -> Call:
        inner = choice.get("function")
        name = choice.get("name") or (inner.get("name") if isinstance(inner, dict) else None) or ""
        info = next((i for i in infos if i.name == name), None)
        if info is None:
            return Call(str(name), "{}")
        result = self._finish(info, fill_arguments(info, text, tokenize(text), self.today), force=True)
        assert isinstance(result, Call)
        return result


def _call_name(conv: list[Turn], call_id: str | None) -> str | None:
    calls = [t for t in conv if t.call_name]
    for turn in reversed(calls):
        if call_id is not None and turn.call_id == call_id:
            return turn.call_name
    return calls[-1].call_name if calls else None


def _same_words(a: str, b: str) -> bool:
    return words(a) == words(b)


def _question_owner(turn: Turn, infos: list[ToolInfo]) -> tuple[ToolInfo, str] | None:
    """Which tool and parameter a follow-up question of ours was asking about, if it was one: from the state the
    engine kept on the item, else (a history replayed by a client) from the question's words."""
    if turn.asks is not None:
        info = next((i for i in infos if i.name == turn.asks[0]), None)
        return (info, turn.asks[1]) if info is not None else None
    text = turn.text
    if not text.rstrip().endswith("?"):
        return None
    text = re.split(r"(?<=[.!])\s+", text.strip())[-1]  # a question may follow an introduction
    for info in infos:
        for param in params_of(info):
            if _same_words(text, question_for(info, param)):
                return info, param.name
    return None


def _pending(conv: list[Turn], infos: list[ToolInfo]) -> tuple[ToolInfo, list[tuple[str, str | None]]] | None:
    """The tool whose missing argument we just asked for, and the user turns about it with what each answered."""
    if len(conv) < 3 or conv[-2].role != "assistant" or conv[-2].call_name:
        return None
    owner = _question_owner(conv[-2], infos)
    if owner is None:
        return None
    answers: list[tuple[str, str | None]] = [(conv[-1].text, owner[1])]
    j = len(conv) - 3
    while j >= 0 and conv[j].role == "user":
        prior = conv[j - 1] if j >= 1 else None
        previous = _question_owner(prior, infos) if prior and prior.role == "assistant" else None
        if previous is None or previous[0].name != owner[0].name:
            answers.insert(0, (conv[j].text, None))
            break
        answers.insert(0, (conv[j].text, previous[1]))
        j -= 2
    return owner[0], answers


def _transfer_handoff(
    text: str, tokens: list[Token], infos: list[ToolInfo], ranked: list[tuple[float, ToolInfo]]
) -> ToolInfo | None:
    """The handoff for a request to be put through to someone the ranking did not pick a handoff for.

    "transfer me to the plant doctor" said to an agent without that handoff goes to the best available
    ``transfer_to_*`` (its target can route it) instead of an unrelated tool; "I need a plant doctor" does so
    only when no tool fits. A tool that is itself about transferring (``transfer_money``) keeps its turn.
    """
    handoffs = [info for info in infos if info.is_handoff]
    top_score, top = ranked[0]
    if not handoffs or top.is_handoff:
        return None
    low = " ".join(text.lower().replace("’", "'").split())
    if _BYE.search(low):
        return None
    targets = {w for info in handoffs for w in info.target.split()}
    explicit = _TRANSFER_ASK.search(low)
    if explicit is not None:
        verb = explicit.group("verb") or explicit.group("talk") or ""
        if stem(verb) in top.name_stems:
            return None
        obj, parties = explicit.group("obj"), _PLACES | targets
    else:
        wanted = _SUPPORT_ASK.search(low)
        if wanted is None or top_score >= THRESHOLD:
            return None
        obj, parties = wanted.group("obj"), _PARTIES
    obj_tokens = tokenize(obj)
    if not {t.low for t in obj_tokens} & parties:
        return None
    return rank(handoffs, obj_tokens)[0][1]


def _hand_back(infos: list[ToolInfo], tokens: list[Token]) -> ToolInfo | None:
    """A request this agent has no tool for goes to the agent it can hand off to, when there is only one and it
    names no topics (the plain way back to the front desk, which routes it on); else to the one whose topics it
    names."""
    handoffs = [info for info in infos if info.is_handoff]
    if not handoffs or not any(is_content(t) for t in tokens):
        return None
    if len(handoffs) == 1 and not handoffs[0].topics:
        return handoffs[0]
    best_score, best = rank(handoffs, tokens)[0]
    return best if best_score > 0 else None


def _small_talk(text: str, infos: list[ToolInfo], instructions: str) -> str | None:
    low = " ".join(text.lower().replace("’", "'").split())
    if wants_long_answer(low):
        return long_reply(infos, instructions, story="story" in low)
    if not words(low):
        return "Sorry, I didn't catch that. Could you say it again?"
    if _BYE.search(low):
        return "Goodbye! Have a great day."
    if _THANKS.search(low):
        return "You're welcome! Is there anything else I can help you with?"
    if _CAPABILITIES.search(low):
        return capability_reply(infos, instructions)
    if _GREETING.search(low) or _HOW_ARE_YOU.search(low):
        return greeting_reply(infos, instructions, asked_how=bool(_HOW_ARE_YOU.search(low)))
    if _NO.match(low):
        return "Alright. Let me know if you need anything else."
    if _YES.match(low):
        return "Great! What would you like to do next?"
    return None
