"""Text mode: type to the agent with line editing and history, see replies stream in, use slash commands.

Needs no audio. Typing while a reply streams interrupts it; Ctrl-C, Ctrl-D, /quit and SIGTERM close cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from typing import Any

from ..protocol.errors import RealtimeConnectionError, UserError
from ..protocol.names import GUARDRAIL_TRIGGERED_PREFIX
from ..session import events as ev
from ..session.session import RealtimeSession
from .line_reader import LineReader, TerminalGuard, cancel_on_sigterm
from .line_view import TextPrinter
from .pump import SessionPump
from .recorder import Recorder
from .view_state import AssistantLine, ViewState

HELP = "commands: /interrupt  /agent  /history  /help  /quit   (Ctrl-D quits too)"


async def run_text(session: RealtimeSession, state: ViewState, *, recorder: Recorder | None = None) -> int:
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401  (line editing and history for input())
    tty = sys.stdin is not None and sys.stdin.isatty()
    printer = TextPrinter(echo_typed=not tty, erase=sys.stdout.isatty())
    pump = SessionPump(session, state, recorder, lambda _event: printer.feed(state))
    reader = asyncio.create_task(pump.run())
    loop = asyncio.get_running_loop()
    lines = LineReader(loop, "you › " if tty else "")
    printer.prompt = lines if tty else None
    print(f"Talking to {session.current_agent.name} on {state.snapshot().status.backend}. {HELP}")
    with TerminalGuard(), cancel_on_sigterm(loop):
        lines.start()
        try:
            await _conversation(session, state, pump, lines, printer, tty)
        except (KeyboardInterrupt, asyncio.CancelledError):
            pass
        except RealtimeConnectionError as exc:  # the connection is gone for good (the reconnect gave up)
            printer.flush(state)
            print(f"rtagent: {exc}")
            pump.connection_lost = True
        finally:
            await session.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(reader, 5)
            printer.flush(state)
            printer.finish()
    if tty:
        print()
    return 1 if pump.connection_lost else 0


async def _conversation(session: RealtimeSession, state: ViewState, pump: SessionPump, lines: LineReader,
                        printer: TextPrinter, tty: bool) -> None:
    """Lines in, messages and commands out. In a terminal, input is read while a reply streams and a new message
    interrupts it; from a pipe, each message waits for the agent's answer, as a scripted conversation should."""
    while not pump.finished.is_set():
        line = await _next_line(lines, pump)
        if line is None:
            return
        if tty:
            printer.line_broken()  # the Enter moved the cursor off a reply that was streaming
        if not await _handle_line(line.strip(), session, state, pump, lines, tty):
            return
        printer.flush(state)  # the turn is over (from a pipe) or the line was handled: show all of it
        lines.resume()


async def _handle_line(line: str, session: RealtimeSession, state: ViewState, pump: SessionPump,
                       lines: LineReader, tty: bool) -> bool:
    """One typed line: an approval answer, a command, or a message; False means quit."""
    if not tty and line and (line.startswith("/") or _pending_approval(pump) is not None):
        print(f"you › {line}")  # (messages are echoed by the printer, in their place in the conversation)
    if await _answer_approval(line, session, pump) or not line:
        return True
    if line.startswith("/"):
        return await _command(line, session, pump)
    if pump.busy:  # typing over a streaming reply interrupts it, as speaking over it would
        await session.interrupt()
        state.add_notice("interrupted")  # in its place: after the reply it cut
    since = pump.responses_ended
    state.add_user_message(line)
    try:
        await session.send_message(line)
    except (RealtimeConnectionError, UserError) as exc:  # a closed connection, an oversized message
        print(f"rtagent: {exc}")
        if isinstance(exc, RealtimeConnectionError):
            pump.connection_lost = True
            return False
        return True
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
    waiting = pump.pending_approvals
    pending = [e for e in pump.events if e.type == ev.TOOL_APPROVAL_REQUIRED and e.call_id in waiting]
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
        if (await pump.settled(since, timeout=1.0) or pump.finished.is_set()) and not pump.pending_approvals:
            return


async def _command(line: str, session: RealtimeSession, pump: SessionPump) -> bool:
    """Run a slash command; False means quit."""
    word = line.split()[0].lower()
    if word in ("/quit", "/exit", "/q"):
        return False
    if word == "/interrupt":
        if pump.busy:
            await session.interrupt()
            pump.state.add_notice("interrupted")  # in its place: after the reply it cut
        else:
            print("(nothing to interrupt)")
    elif word == "/agent":
        agent = session.current_agent
        targets = [getattr(h, "agent_name", getattr(h, "name", "?")) for h in agent.handoffs]
        tools = [t.name for t in agent.tools]
        print(f"agent: {agent.name}; tools: {', '.join(tools) or 'none'}; hands off to: {', '.join(targets) or 'none'}")
    elif word == "/history":
        withheld = {e.item_id for e in pump.state.snapshot().entries if isinstance(e, AssistantLine) and e.withheld}
        for item in session.history:
            if item.type == "message" and item.role == "user" and item.text.startswith(GUARDRAIL_TRIGGERED_PREFIX):
                continue  # the session's own note to the model after a guardrail trip, not something typed
            if item.type == "message":
                if item.item_id in withheld:
                    print(f"  {item.role}: (withheld by a guardrail)")
                    continue
                cut = " (interrupted)" if item.role == "assistant" and item.status == "incomplete" else ""
                print(f"  {item.role}: {item.text}{cut}")
            elif item.type == "function_call":
                print(f"  call {item.name}({item.arguments})")
                if item.output is not None:
                    print(f"  output: {item.output[:120]}")
    else:
        print(HELP if word == "/help" else f"unknown command {word}; {HELP}")
    return True
