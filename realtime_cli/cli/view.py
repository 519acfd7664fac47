"""The live view on screen: Rich rendering of one ViewSnapshot (transcript, status bar, key hints) and its outputs.

`render` is pure; LiveView redraws the latest snapshot ~12 times a second on a terminal; `open_view` falls back
to line_view's PlainPrinter when stdout is not a terminal (pipes, CI).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import IO

from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
from rich.live import Live
from rich.rule import Rule
from rich.segment import Segment
from rich.text import Text

from .formatting import arguments_text, format_duration, one_line
from .line_view import PlainPrinter
from .view_state import (
    AssistantLine,
    ConnectionChange,
    Entry,
    ErrorLine,
    GuardrailTrip,
    HandoffDivider,
    StatusBar,
    ToolCall,
    UserLine,
    ViewSnapshot,
)

REFRESH_PER_SECOND = 12.0
SLOW_TURN_MS = 1000.0
APPROVAL_PROMPT = "approve? [y]es / [n]o"
KEY_HINTS = {
    "push-to-talk": "SPACE talk/stop · ESC interrupt · q quit",
    "open mic": "ESC interrupt · q quit",
    "text": "/interrupt /agent /history /quit",
}
_SEP = " · "
_BARS = "▁▂▃▄▅▆▇█"
_CHROME_LINES = 3  # separator, status bar, footer


# --- formatting shared by the live view and the plain printer ------------------------------------------------


def mic_meter(levels: Iterable[float]) -> str:
    """A sparkline of recent mic RMS levels, mapped over -60..0 dBFS."""
    out = []
    for rms in levels:
        frac = (20 * math.log10(max(rms, 1e-6)) + 60) / 60
        out.append(_BARS[min(len(_BARS) - 1, max(0, int(frac * len(_BARS))))])
    return "".join(out)


# --- the transcript ------------------------------------------------------------------------------------------


def _speaker_line(prefix: str, prefix_style: str, text: str, partial: bool) -> Text:
    line = Text(f"{prefix} › ", style=prefix_style)
    line.append(text.strip() or "…", style="italic dim" if partial else "")
    return line


def _tool_line(call: ToolCall) -> Text:
    line = Text("⚙ ", style="magenta")
    line.append(call.name, style="bold magenta")
    line.append(" " + arguments_text(call.arguments, compact=False), style="magenta")
    if call.state == "running":
        line.append(" …", style="dim")
    elif call.state == "awaiting-approval":
        line.append(f" — {APPROVAL_PROMPT}", style="bold yellow")
    elif call.state == "rejected":
        line.append(" ✗ rejected", style="red")
    else:
        line.append(" → " + one_line(call.result or "", 120))
        if call.duration_ms is not None:
            line.append(f" ({format_duration(call.duration_ms)})", style="dim")
    return line


def entry_renderable(entry: Entry) -> RenderableType:
    """How one transcript entry looks in the live view."""
    if isinstance(entry, UserLine):
        return _speaker_line("you", "bold cyan", entry.text, not entry.final)
    if isinstance(entry, AssistantLine):
        line = _speaker_line(entry.speaker, "bold green", entry.text, not entry.final)
        if entry.interrupted:
            line.append(" — interrupted", style="yellow")
        return line
    if isinstance(entry, ToolCall):
        return _tool_line(entry)
    if isinstance(entry, HandoffDivider):
        return Rule(f"→ {entry.to_agent}", style="blue")
    if isinstance(entry, GuardrailTrip):
        return Text(f"⚠ guardrail {', '.join(entry.guardrails)}: {entry.message}", style="bold red")
    if isinstance(entry, ErrorLine):
        code = f" [{entry.code}]" if entry.code else ""
        return Text(f"✖ error{code}: {entry.message}", style="red")
    if isinstance(entry, ConnectionChange):
        return Text(f"· {entry.status} ·", style="dim", justify="center")
    return Text(f"· {entry.text}", style="dim")


class _Transcript:
    """The newest entries that fit in `max_lines` (all of them when None), oldest on top."""

    def __init__(self, entries: tuple[Entry, ...], max_lines: int | None) -> None:
        self.entries = entries
        self.max_lines = max_lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        opts = options.update(height=None)
        if not self.entries:
            lines = console.render_lines(Text("(nothing said yet)", style="dim"), opts, pad=False)
        else:
            lines = []
            for entry in reversed(self.entries):
                if isinstance(entry, AssistantLine) and entry.withheld:
                    continue  # the guardrail line after it says what happened
                lines[:0] = console.render_lines(entry_renderable(entry), opts, pad=False)
                if self.max_lines is not None and len(lines) >= self.max_lines:
                    break
        if self.max_lines is not None:
            lines = lines[-self.max_lines:] if self.max_lines > 0 else []
        for line in lines:
            yield from _rstrip(line)
            yield Segment.line()


def _rstrip(line: list[Segment]) -> list[Segment]:
    """The line without the trailing blanks that word wrapping leaves behind."""
    out = list(line)
    while out and not out[-1].control and not out[-1].text.rstrip():
        out.pop()
    if out and not out[-1].control:
        last = out[-1]
        out[-1] = Segment(last.text.rstrip(), last.style, last.control)
    return out


# --- the status bar and footer -------------------------------------------------------------------------------


@dataclass
class _Field:
    key: str
    long: Text
    short: Text
    use_short: bool = False

    @property
    def text(self) -> Text:
        return self.short if self.use_short else self.long


# How the status bar gives way as the width shrinks, one step at a time, until it fits.
_FIT_STEPS: tuple[tuple[str, str], ...] = (
    ("short", "backend"), ("short", "mode"), ("short", "latency"), ("short", "mic"),
    ("drop", "model"), ("drop", "mode"), ("drop", "mic"), ("short", "agent"),
    ("drop", "connected"), ("drop", "latency"), ("drop", "agent"), ("drop", "ptt"),
)


def _field(key: str, long: str, short: str | None = None, style: str = "") -> _Field:
    return _Field(key, Text(long, style=style), Text(long if short is None else short, style=style))


def _status_fields(s: StatusBar) -> list[_Field]:
    fields = [_field("backend", s.backend, "local" if s.backend.startswith("local") else None)]
    if s.model:
        fields.append(_field("model", s.model))
    if s.agent:
        fields.append(_field("agent", s.agent, one_line(s.agent, 14), "bold"))
    fields.append(_field("mode", s.mode, "PTT" if s.mode == "push-to-talk" else None))
    if s.mode != "text":
        if s.agent_speaking and s.ptt in ("idle", "listening", ""):
            fields.append(_field("ptt", "agent speaking", "agent", "bold magenta"))
        elif s.ptt:
            fields.append(_field("ptt", s.ptt, None, "bold yellow" if s.ptt != "idle" else ""))
        if s.mic_levels:
            meter = mic_meter(s.mic_levels)
            fields.append(_field("mic", f"mic {meter}", meter[-4:], "red" if s.mic_peak >= 0.99 else "cyan"))
    if s.latency_ms is not None:
        ms = format_duration(s.latency_ms)
        fields.append(_field("latency", f"latency {ms}", ms, "bold red" if s.latency_ms >= SLOW_TURN_MS else "green"))
    if s.lag_warning and s.lag_ms is not None:
        lag = format_duration(s.lag_ms)
        fields.append(_field("lag", f"mic lag {lag}", f"lag {lag}", "bold red"))
    ok = s.connection == "connected"
    fields.append(_field("connected" if ok else "connection", s.connection, None, "green" if ok else "bold yellow"))
    return fields


def status_line(status: StatusBar, width: int) -> Text:
    """The status bar fitted to `width`: fields shorten, then the least useful drop, never wrapping."""
    fields = _status_fields(status)

    def joined() -> Text:
        return Text(_SEP, style="dim").join(f.text for f in fields)

    for action, key in _FIT_STEPS:
        if joined().cell_len <= width:
            break
        for f in fields:
            if f.key == key:
                if action == "short":
                    f.use_short = True
                else:
                    fields.remove(f)
                break
    line = joined()
    line.truncate(width, overflow="ellipsis")
    line.no_wrap = True
    return line


def footer_line(snapshot: ViewSnapshot, width: int) -> Text:
    """Key hints, or the approval question while a tool call waits for one."""
    pending = snapshot.pending_approval
    if pending is not None:
        line = Text(f"⚙ {pending.name}: {APPROVAL_PROMPT}", style="bold yellow")
    else:
        hints = snapshot.status.key_hints or KEY_HINTS.get(snapshot.status.mode, "")
        line = Text(hints, style="dim")
    line.truncate(width, overflow="ellipsis")
    line.no_wrap = True
    return line


class _Screen:
    def __init__(self, snapshot: ViewSnapshot, width: int | None, height: int | None) -> None:
        self.snapshot, self.width, self.height = snapshot, width, height

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = min(self.width or options.max_width, options.max_width)
        opts = options.update(width=width)
        height = self.height if self.height is not None else options.height
        max_lines = None if height is None else max(0, height - _CHROME_LINES)
        yield from console.render(_Transcript(self.snapshot.entries, max_lines), opts)
        yield from console.render(Rule(style="dim"), opts)
        yield from console.render(status_line(self.snapshot.status, width), opts)
        yield from console.render(footer_line(self.snapshot, width), opts)


def render(snapshot: ViewSnapshot, *, width: int | None = None, height: int | None = None) -> RenderableType:
    """The whole view: the newest transcript lines that fit `height` (all when None), status bar, key hints.

    `width` caps the console's width; the status bar and footer always fit on one line each.
    """
    return _Screen(snapshot, width, height)


# --- terminal output -----------------------------------------------------------------------------------------


def make_console(file: IO[str] | None = None) -> Console:
    """A Console on `file` (stdout by default); `console.is_terminal` says whether a live view is possible."""
    return Console(file=file, highlight=False, emoji=False)


class LiveView:
    """A Rich Live display of the latest snapshot: `update` only stores it, the refresh thread draws it.

    Use as a context manager (or `start` / `stop`); call `update(state.snapshot())` after applying events.
    """

    def __init__(self, console: Console | None = None, *, refresh_per_second: float | None = REFRESH_PER_SECOND,
                 screen: bool = False) -> None:
        """`screen=True` draws on the terminal's alternate screen (full-screen, redrawn in place).
        `refresh_per_second=None`: no refresh thread; the view is drawn only by `update(..., refresh=True)` and
        `redraw_if_resized()` (the caller's own tick decides when)."""
        self.console = console or make_console()
        self._snapshot: ViewSnapshot | None = None
        self._size = self.console.size
        self._live = Live(console=self.console, auto_refresh=refresh_per_second is not None,
                          refresh_per_second=refresh_per_second or REFRESH_PER_SECOND,
                          get_renderable=self._renderable, vertical_overflow="crop", transient=False,
                          screen=screen)

    def _renderable(self) -> RenderableType:
        snapshot = self._snapshot
        if snapshot is None:
            return Text("")
        return render(snapshot, height=max(_CHROME_LINES + 1, self.console.size.height - 1))

    def update(self, snapshot: ViewSnapshot, *, refresh: bool = False) -> None:
        """Show `snapshot` at the next refresh (now, with `refresh=True`)."""
        self._snapshot = snapshot
        if refresh:
            self._size = self.console.size
            self._live.refresh()

    def redraw_if_resized(self) -> bool:
        """Draw again if the terminal changed size since the last drawing; True if it did."""
        size = self.console.size
        if size == self._size:
            return False
        self._size = size
        self._live.refresh()
        return True

    def start(self) -> None:
        self._live.start(refresh=self._snapshot is not None)

    def stop(self) -> None:
        self._live.stop()

    def __enter__(self) -> LiveView:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def open_view(console: Console | None = None) -> LiveView | PlainPrinter:
    """A LiveView on a terminal, else a PlainPrinter on the console's file; both take `update(snapshot)`."""
    console = console or make_console()
    return LiveView(console) if console.is_terminal else PlainPrinter(console.file)
