"""Text mode: type to the agent with line editing and history, see replies stream in, use slash commands.

Needs no audio. Typing while a reply streams interrupts it; Ctrl-C, Ctrl-D, /quit and SIGTERM close cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from typing import Any

from ..session.session import RealtimeSession
from .line_reader import LineReader, TerminalGuard, cancel_on_sigterm
from .pump import SessionPump
from .recorder import Recorder
from .view_state import ViewState

HELP = "commands: /interrupt  /agent  /history  /help  /quit   (Ctrl-D quits too)"


class _Printer:
    """Streams the conversation as plain lines; assistant words appear as they arrive."""

    def __init__(self, session: RealtimeSession, out: Any = None) -> None:
        self.session = session
        self.out = out or sys.stdout
        self._open_item: str | None = None
        self.reader: LineReader | None = None  # interactive: clear the prompt before output, redraw it after

    def _line(self, text: str) -> None:
        self._close()
        self._clear_prompt()
        self.out.write(text + "\n")
        self.out.flush()
        self._redraw_prompt()

    def _close(self) -> None:
        if self._open_item is not None:
            self.out.write("\n")
            self._open_item = None
            self._redraw_prompt()

    def _clear_prompt(self) -> None:
        if self.reader is not None and self.reader.prompt_shown:
            self.out.write("\r\x1b[K")

    def _redraw_prompt(self) -> None:
        if self.reader is not None:
            self.reader.redraw(self.out)

    def __call__(self, event: Any) -> None:
        kind = getattr(event, "kind", None) or event.type
        if kind in ("response.output_text.delta", "response.output_audio_transcript.delta"):
            item = event.data.get("item_id")
            if item != self._open_item:
                self._close()
                self._clear_prompt()
                self.out.write(f"{self.session.current_agent.name} › ")
                self._open_item = item
            self.out.write(event.data.get("delta", ""))
            self.out.flush()
        elif kind in ("response.output_text.done", "response.output_audio_transcript.done"):
            self._close()
        elif kind == "conversation.item.input_audio_transcription.completed":
            self._line(f"you › {event.data.get('transcript', '')}")
        elif kind == "tool_start":
            self._line(f"⚙ {event.tool.name} {event.arguments}")
        elif kind == "tool_approval_required":
            self._line(f"approve {event.tool.name} {event.arguments}? [y/n]")
        elif kind == "tool_end":
            self._line(f"  → {str(event.output)[:300]} ({event.duration_s * 1000:.0f} ms)")
        elif kind == "handoff":
            self._line(f"──── → {event.to_agent.name} ────")
        elif kind == "guardrail_tripped":
            names = ", ".join(r.guardrail.get_name() for r in event.guardrail_results)
            self._line(f"⚠ guardrail {names} tripped")
        elif kind == "audio_interrupted":
            if self._open_item is not None:
                self.out.write(" —")
            self._close()
        elif kind == "error":
            self._line(f"✖ error: {event.error.get('message', event.error)}")
        elif kind == "connection" and event.status in ("reconnecting", "reconnected", "failed"):
            self._line(f"[connection] {event.status}")


async def run_text(session: RealtimeSession, state: ViewState, *, recorder: Recorder | None = None) -> int:
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401  (line editing and history for input())
    printer = _Printer(session)
    pump = SessionPump(session, state, recorder, printer)
    reader = asyncio.create_task(pump.run())
    tty = sys.stdin.isatty()
    loop = asyncio.get_running_loop()
    lines = LineReader(loop, "you › " if tty else "")
    printer.reader = lines if tty else None
    print(f"Talking to {session.current_agent.name}. {HELP}")
    with TerminalGuard(), cancel_on_sigterm(loop):
        lines.start()
        try:
            await _conversation(session, state, pump, lines, tty)
        except (KeyboardInterrupt, asyncio.CancelledError):
            pass
        finally:
            await session.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(reader, 5)
    if tty:
        print()
    return 1 if pump.connection_lost else 0


async def _conversation(session: RealtimeSession, state: ViewState, pump: SessionPump, lines: LineReader,
                        tty: bool) -> None:
    """Lines in, messages and commands out. In a terminal, input is read while a reply streams and a new message
    interrupts it; from a pipe, each message waits for the agent's answer, as a scripted conversation should."""
    while not pump.finished.is_set():
        line = await _next_line(lines, pump)
        if line is None:
            return
        if not await _handle_line(line.strip(), session, state, pump, lines, tty):
            return
        lines.resume()


async def _handle_line(line: str, session: RealtimeSession, state: ViewState, pump: SessionPump,
                       lines: LineReader, tty: bool) -> bool:
    """One typed line: an approval answer, a command, or a message; False means quit."""
    if not tty and line:
        print(f"you › {line}")
    if await _answer_approval(line, session, pump) or not line:
        return True
    if line.startswith("/"):
        return await _command(line, session, pump)
    if pump.busy:  # typing over a streaming reply interrupts it, as speaking over it would
        await session.interrupt()
        print("(interrupted)")
    since = pump.responses_ended
    state.add_user_message(line)
    await session.send_message(line)
    if not tty:
        lines.resume()  # the next lines (approval answers) may be needed while waiting
        await _wait_turn(session, pump, since, lines)
    return True


async def _next_line(lines: LineReader, pump: SessionPump) -> str | None:
    """The next typed line, or None at end of input or when the session ended."""
    get = asyncio.ensure_future(lines.get())
    ended = asyncio.ensure_future(pump.finished.wait())
    await asyncio.wait([get, ended], return_when=asyncio.FIRST_COMPLETED)
    ended.cancel()
    if not get.done():
        get.cancel()
        return None
    return get.result()


def _pending_approval(pump: SessionPump) -> Any:
    pending = [e for e in pump.events if e.type == "tool_approval_required" and e.call_id in pump._approvals]
    return pending[0] if pending else None


async def _answer_approval(line: str, session: RealtimeSession, pump: SessionPump) -> bool:
    """If a tool call waits for approval, `line` is the answer (y… approves); True when it was used so."""
    event = _pending_approval(pump)
    if event is None:
        return False
    approved = line.lower().startswith("y")
    pump.approval_answered(event.call_id)
    if approved:
        await session.approve_tool_call(event.call_id)
    else:
        await session.reject_tool_call(event.call_id)
    pump.state.resolve_approval(event.call_id, approved)
    return True


async def _wait_turn(session: RealtimeSession, pump: SessionPump, since: int, lines: LineReader) -> None:
    """Wait for the agent to finish, answering approval requests on the way (the next lines are the answers)."""
    while True:
        if _pending_approval(pump) is not None:
            answer = await _next_line(lines, pump)
            lines.resume()
            await _answer_approval((answer or "").strip(), session, pump)
            continue
        if (await pump.settled(since, timeout=1.0) or pump.finished.is_set()) and not pump._approvals:
            return


async def _command(line: str, session: RealtimeSession, pump: SessionPump) -> bool:
    """Run a slash command; False means quit."""
    word = line.split()[0].lower()
    if word in ("/quit", "/exit", "/q"):
        return False
    if word == "/interrupt":
        if pump.busy:
            await session.interrupt()
            print("(interrupted)")
        else:
            print("(nothing to interrupt)")
    elif word == "/agent":
        agent = session.current_agent
        targets = [getattr(h, "agent_name", getattr(h, "name", "?")) for h in agent.handoffs]
        tools = [t.name for t in agent.tools]
        print(f"agent: {agent.name}; tools: {', '.join(tools) or 'none'}; hands off to: {', '.join(targets) or 'none'}")
    elif word == "/history":
        for item in session.history:
            if item.type == "message":
                print(f"  {item.role}: {item.text}")
            elif item.type == "function_call":
                print(f"  call {item.name}({item.arguments})")
            else:
                print(f"  output: {(item.output or '')[:120]}")
    else:
        print(HELP)
    return True
