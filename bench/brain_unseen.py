"""The rule brain on five agents it has never seen: the share of requests it answers right, set by set.

Runs every request of tests/support/brain_cases.py (tool calls with their arguments, handoffs, follow-up questions),
as written and in lowercase, and lists the ones it gets wrong with the reason noted for each known miss. The sets
differ in when they were written: CALLS guided the brain's general fixes; HELD_OUT, VET and LAST were written
afterwards, and their first runs were the untuned figures.

    .venv/bin/python bench/brain_unseen.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from realtime_cli.local.brain import Call, Say, Turn  # noqa: E402
from support.brain_cases import CALLS, FOLLOW_UPS, HANDOFFS, HELD_OUT, KNOWN_MISSES, LAST, VET  # noqa: E402
from support.brain_sessions import decide  # noqa: E402


def _fold(arguments: dict[str, Any]) -> dict[str, Any]:
    return {k: v.lower() if isinstance(v, str) else v for k, v in arguments.items()}


def _call_right(case: tuple[Any, ...], lower: bool) -> bool:
    domain, agent, text, name, arguments = case
    decision = decide(domain, agent, text.lower() if lower else text)
    if not isinstance(decision, Call) or decision.name != name:
        return False
    got = json.loads(decision.arguments)
    return _fold(got) == _fold(arguments) if lower else bool(got == arguments)


def _follow_up_right(case: tuple[Any, ...]) -> bool:
    domain, request, asked, answer, name, arguments = case
    question = decide(domain, None, request)
    if not isinstance(question, Say) or question.asks != (name, asked):
        return False
    done = decide(domain, None, request, Turn("assistant", question.text, asks=question.asks), answer)
    return isinstance(done, Call) and (done.name, json.loads(done.arguments)) == (name, arguments)


def main() -> None:
    wrong: list[str] = []
    rows: list[tuple[str, int, int]] = []
    for label, cases in (("calls (guided the fixes)", CALLS), ("held out", HELD_OUT), ("vet clinic", VET),
                         ("written last", LAST)):
        for lower in (False, True):
            right = 0
            for case in cases:
                if _call_right(case, lower):
                    right += 1
                elif not lower:
                    wrong.append(case[2])
            rows.append((label + (" (lowercase)" if lower else ""), right, len(cases)))
    handoffs = [c for c in HANDOFFS if isinstance(d := decide(c[0], c[1], c[2]), Call) and d.name == c[3]]
    rows.append(("handoffs", len(handoffs), len(HANDOFFS)))
    wrong += [c[2] for c in HANDOFFS if c not in handoffs]
    follow = [c for c in FOLLOW_UPS if _follow_up_right(c)]
    rows.append(("follow-up questions", len(follow), len(FOLLOW_UPS)))
    wrong += [c[1] for c in FOLLOW_UPS if c not in follow]
    for label, right, total in rows:
        print(f"{label:34} {right:3}/{total:<3} {100 * right / total:5.1f} %")
    calls = [r for r in rows if "lowercase" not in r[0] and r[0] not in ("handoffs", "follow-up questions")]
    right, total = sum(r[1] for r in calls), sum(r[2] for r in calls)
    print(f"{'all calls':34} {right:3}/{total:<3} {100 * right / total:5.1f} %")
    for text in wrong:
        print(f"  wrong: {text!r} — {KNOWN_MISSES.get(text, 'not a known miss')}")


if __name__ == "__main__":
    main()
