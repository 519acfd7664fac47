"""Small text formatting shared by every renderer of the view state: durations, one-line text, tool arguments.

Pure functions on strings; no Rich, no I/O.
"""

from __future__ import annotations

import json


def format_duration(ms: float) -> str:
    """`12 ms` under a second, `1.2 s` from there."""
    return f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.1f} s"


def one_line(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def arguments_text(raw: str, *, compact: bool, limit: int = 80) -> str:
    try:
        parsed = json.loads(raw) if raw.strip() else {}
        shown = json.dumps(parsed, ensure_ascii=False, separators=(",", ":") if compact else None)
    except ValueError:
        shown = raw
    return one_line(shown, limit)
