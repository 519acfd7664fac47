"""Line-by-line renderers of the view state, for where a live screen is not wanted: PlainPrinter (stdout is not a
terminal: one line per finished entry) and TextPrinter (text mode: replies stream in as they arrive).

Both read ViewSnapshots only, like the live view, so every front end shows the same conversation.
"""

from __future__ import annotations

import shutil
import sys
from typing import IO, Any

from rich.console import Console

from .formatting import arguments_text, format_duration, one_line
from .view_state import (
    AssistantLine,
    ConnectionChange,
    Entry,
    ErrorLine,
    GuardrailTrip,
    HandoffDivider,
    Notice,
    ToolCall,
    UserLine,
    ViewSnapshot,
    ViewState,
)


def plain_line(entry: Entry, *, partial: bool = False) -> str | None:
    """One entry as a plain line (None for entries with nothing to say); `partial` marks an unfinished one."""
    tail = " …" if partial else ""
    if isinstance(entry, UserLine):
        text = entry.text.strip()
        return f"you: {text}{tail}" if text else None
    if isinstance(entry, AssistantLine):
        text = entry.text.strip()
        if entry.withheld:
            return None  # a guardrail stopped it: the GuardrailTrip entry says so, the text is not repeated
        if entry.interrupted:
            return f"{entry.speaker}: {text} [interrupted]" if text else f"{entry.speaker}: [interrupted]"
        return f"{entry.speaker}: {text}{tail}" if text else None
    if isinstance(entry, ToolCall):
        call = f"[tool] {entry.name}({arguments_text(entry.arguments, compact=True, limit=200)})"
        if entry.state == "rejected":
            return f"{call} rejected"
        if entry.state == "awaiting-approval":
            return f"{call} not answered" if partial else None
        if entry.state == "running":
            return f"{call} -> (no result)" if partial else None
        took = f" ({format_duration(entry.duration_ms)})" if entry.duration_ms is not None else ""
        return f"{call} -> {one_line(entry.result or '', 200)}{took}"
    if isinstance(entry, HandoffDivider):
        return f"[handoff] → {entry.to_agent}"
    if isinstance(entry, GuardrailTrip):
        return f"[guardrail] {', '.join(entry.guardrails)}: {one_line(entry.message, 200)}"
    if isinstance(entry, ErrorLine):
        return f"[error] {entry.message}" + (f" ({entry.code})" if entry.code else "")
    if isinstance(entry, ConnectionChange):
        return f"[connection] {entry.status}"
    if isinstance(entry, Notice):
        return f"[notice] {entry.text}"
    return None


class PlainPrinter:
    """Plain lines for a non-terminal: each completed entry once, in transcript order, never partials.

    Call `feed` as often as you like (it prints only what is new) and `finish` at the end, which also prints
    entries left unfinished. Approval requests are announced once as `[approval] …` lines. A finished reply that
    is the newest entry waits for the next entry (or `flush` at the end of the turn): an output guardrail may still
    withhold it.
    """

    def __init__(self, out: IO[str] | Console | None = None) -> None:
        self._console = out if isinstance(out, Console) else None
        self._file: IO[str] | None = None if isinstance(out, Console) else out
        self._printed: set[int] = set()
        self._announced: set[int] = set()
        self._last: ViewSnapshot | None = None
        self._flushing = False

    def feed(self, source: ViewSnapshot | ViewState) -> None:
        """Print the entries completed since the last call."""
        snapshot = source.snapshot() if isinstance(source, ViewState) else source
        self._last = snapshot
        if snapshot.entries:
            floor = snapshot.entries[0].seq
            self._printed = {s for s in self._printed if s >= floor}
            self._announced = {s for s in self._announced if s >= floor}
        newest = snapshot.entries[-1].seq if snapshot.entries else None
        for entry in snapshot.entries:
            if entry.seq in self._printed:
                continue
            if entry.complete and not (_held(entry) and entry.seq == newest and not self._flushing):
                self._printed.add(entry.seq)
                self._write(plain_line(entry))
            elif isinstance(entry, ToolCall) and entry.state == "awaiting-approval" \
                    and entry.seq not in self._announced:
                self._announced.add(entry.seq)
                self._write(f"[approval] {entry.name}({arguments_text(entry.arguments, compact=True, limit=200)})"
                            f" awaits approval")

    update = feed

    def flush(self, source: ViewSnapshot | ViewState) -> None:
        """The turn is over: print what is new, the newest finished reply included."""
        self._flushing = True
        try:
            self.feed(source)
        finally:
            self._flushing = False

    def finish(self, source: ViewSnapshot | ViewState | None = None) -> None:
        """Print what is new, then the entries still unfinished (marked with a trailing …)."""
        if source is not None:
            self.flush(source)
        if self._last is None:
            return
        for entry in self._last.entries:
            if entry.seq not in self._printed:
                self._printed.add(entry.seq)
                self._write(plain_line(entry, partial=True))

    def __enter__(self) -> PlainPrinter:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.finish()

    def _write(self, line: str | None) -> None:
        if line is None:
            return
        if self._console is not None:
            self._console.print(line, markup=False, highlight=False, emoji=False, soft_wrap=True)
            return
        out = self._file or sys.stdout
        out.write(line + "\n")
        out.flush()


class TextPrinter:
    """Text mode's output: the conversation in order, each agent reply streaming in as it arrives.

    Call `feed(snapshot)` after every change; it writes only what is new. Entries print in transcript order:
    one still in progress holds back those after it (a reply streams meanwhile, a tool call shows its call line).
    `echo_typed=False` leaves out the user's typed messages (the terminal already echoed them). On a terminal
    (`erase=True`) a reply a guardrail withheld is wiped from the screen; elsewhere replies print only once
    finished, and the newest one only once something follows it or `flush` ends the turn, so a withheld one never
    appears.
    """

    def __init__(self, out: IO[str] | None = None, *, echo_typed: bool = True, erase: bool = False,
                 width: int | None = None) -> None:
        self._out = out or sys.stdout
        self._echo_typed = echo_typed
        self._stream = erase
        self._width = width
        self._done: set[int] = set()
        self._shown: dict[int, int] = {}  # seq -> characters of a streaming reply (or tool phase) written
        self._open: tuple[int, str] | None = None  # the reply being streamed: its seq and what is on screen
        self._flushing = False
        self._asked: set[int] = set()  # tool calls whose approval question was shown
        self._cleared = False  # the input prompt was wiped to make room for output
        self.prompt: Any = None  # a LineReader waiting at its prompt: wiped before output, redrawn after

    def feed(self, source: ViewSnapshot | ViewState) -> None:
        snapshot = source.snapshot() if isinstance(source, ViewState) else source
        if snapshot.entries:
            floor = snapshot.entries[0].seq
            self._done = {s for s in self._done if s >= floor}
        newest = snapshot.entries[-1].seq if snapshot.entries else None
        for entry in snapshot.entries:
            if entry.seq in self._done:
                continue
            if not self._stream and _held(entry) and entry.seq == newest and not self._flushing:
                break  # a guardrail may still withhold it: wait for what follows, or the end of the turn
            if not self._show(entry):
                break  # in progress: later entries wait their turn
            self._done.add(entry.seq)
        if self._cleared and self._open is None and self.prompt is not None:
            self.prompt.redraw(self._out)  # output is done: the prompt (and what was typed) comes back
            self._cleared = False
        self._out.flush()

    update = feed

    def flush(self, source: ViewSnapshot | ViewState) -> None:
        """The turn is over: write what is new, the newest finished reply included."""
        self._flushing = True
        try:
            self.feed(source)
        finally:
            self._flushing = False

    def line_broken(self) -> None:
        """The user pressed Enter (their typing went onto the screen): a reply that was streaming continues on a
        new line, under its speaker's name again."""
        if self._open is not None:
            self._open = None
            self._cleared = False

    def finish(self) -> None:
        """Close a reply left streaming (the session ended mid-sentence)."""
        if self._open is not None:
            self._write("\n")
            self._open = None
        self._out.flush()

    def _show(self, entry: Entry) -> bool:
        """Write what is new of `entry`; True once it is fully written."""
        if isinstance(entry, AssistantLine):
            return self._show_reply(entry)
        if isinstance(entry, ToolCall):
            return self._show_tool(entry)
        if not entry.complete:
            return False
        line = text_line(entry, echo_typed=self._echo_typed)
        if line is not None:
            self._write(line + "\n")
        return True

    def _show_reply(self, line: AssistantLine) -> bool:
        prefix = f"{line.speaker} › "
        if line.withheld:
            if self._open is not None and self._open[0] == line.seq:
                self._erase(self._open[1])
                self._open = None
            return True
        if not line.complete and not self._stream:
            return False
        shown = self._shown.get(line.seq, 0)
        text = line.text if shown or line.text.strip() else ""
        resumed = f"{prefix}… " if shown else prefix  # a reply picked up again after the user's own line
        if text[shown:]:
            chunk = text[shown:]
            if self._open is None:
                self._write(resumed)
                self._open = (line.seq, resumed)
                chunk = chunk.lstrip() if shown else chunk
            self._write(chunk)
            self._open = (line.seq, self._open[1] + chunk)
            self._shown[line.seq] = len(text)
        if not line.complete:
            return False
        if line.interrupted:
            if self._open is None:
                self._write(resumed.rstrip())
            self._write(" —")
        if self._open is not None or line.interrupted:
            self._write("\n")
        self._open = None
        self._shown.pop(line.seq, None)
        return True

    def _show_tool(self, call: ToolCall) -> bool:
        if not self._shown.get(call.seq):
            self._write(f"⚙ {call.name} {arguments_text(call.arguments, compact=True, limit=200)}\n")
            self._shown[call.seq] = 1
        if call.state == "awaiting-approval" and call.seq not in self._asked:
            self._asked.add(call.seq)
            self._write(f"approve {call.name}? [y/n]\n")
        if not call.complete:
            return False
        if call.state == "rejected":
            self._write("  → rejected\n")
        else:
            took = f" ({format_duration(call.duration_ms)})" if call.duration_ms is not None else ""
            self._write(f"  → {one_line(call.result or '', 300)}{took}\n")
        self._shown.pop(call.seq, None)
        return True

    def _erase(self, on_screen: str) -> None:
        """Wipe the rows the streamed reply took, and put the cursor where it began."""
        width = self._width or shutil.get_terminal_size((80, 24)).columns
        rows = sum(max(1, -(-len(part) // max(1, width))) for part in on_screen.split("\n"))
        self._write("\r\x1b[2K" + "\x1b[1A\x1b[2K" * (rows - 1))

    def _write(self, text: str) -> None:
        if not self._cleared and self.prompt is not None:
            self.prompt.settled()  # a prompt being drawn goes first, then this clears it
        if not self._cleared and self.prompt is not None and self.prompt.prompt_shown:
            self._out.write("\r\x1b[K")  # the prompt line makes room; it is redrawn once output stops
            self._cleared = True
        self._out.write(text)


def text_line(entry: Entry, *, echo_typed: bool = True) -> str | None:
    """One finished entry (other than a reply or a tool call) as text mode shows it; None shows nothing."""
    if isinstance(entry, UserLine):
        if entry.item_id is None and not echo_typed:
            return None
        return f"you › {entry.text.strip()}" if entry.text.strip() else None
    if isinstance(entry, HandoffDivider):
        return f"──── → {entry.to_agent} ────"
    if isinstance(entry, GuardrailTrip):
        return f"⚠ guardrail {', '.join(entry.guardrails)}: {entry.message}"
    if isinstance(entry, ErrorLine):
        return f"✖ error: {entry.message}" + (f" ({entry.code})" if entry.code else "")
    if isinstance(entry, ConnectionChange):
        return f"[connection] {entry.status}"
    if isinstance(entry, Notice):
        return f"· {entry.text}"
    return None


def _held(entry: Entry) -> bool:
    """A finished reply that a guardrail could still withhold (its check may run after the text is done)."""
    return isinstance(entry, AssistantLine) and entry.complete and not entry.withheld
