"""Text mode: type to the agent with line editing and history, see replies stream in, use slash commands.

Needs no audio at all. Ctrl-C or Ctrl-D (or /quit) close the session cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading

from ..protocol.names import GUARDRAIL_TRIGGERED_PREFIX
from ..session import events as ev
from ..session.session import RealtimeSession
from .line_view import TextPrinter
from .pump import SessionPump
from .recorder import Recorder
from .view_state import AssistantLine, ViewState

HELP = "commands: /interrupt  /agent  /history  /help  /quit   (Ctrl-D quits too)"


async def _read_line(prompt: str) -> str | None:
    """One line from the user, read on a daemon thread so Ctrl-C never waits for a blocked input()."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[str | None] = loop.create_future()

    def read() -> None:
        try:
            line: str | None = input(prompt)
        except (EOFError, OSError, ValueError):
            line = None
        def deliver() -> None:
            if not future.done():
                future.set_result(line)

        loop.call_soon_threadsafe(deliver)

    threading.Thread(target=read, name="rtagent-input", daemon=True).start()
    return await future


async def run_text(session: RealtimeSession, state: ViewState, *, recorder: Recorder | None = None) -> int:
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401  (line editing and history for input())
    tty = sys.stdin.isatty()
    printer = TextPrinter(echo_typed=not tty, erase=sys.stdout.isatty())
    pump = SessionPump(session, state, recorder, lambda _event: printer.feed(state))
    reader = asyncio.create_task(pump.run())
    print(f"Talking to {session.current_agent.name} on {state.snapshot().status.backend}. {HELP}")
    try:
        while not pump.finished.is_set():
            line = await _read_line("you › " if tty else "")
            if line is None:
                break
            line = line.strip()
            if not line:
                continue
            if line.startswith("/"):
                if not await _command(line, session, pump):
                    break
                continue
            since = pump.responses_ended
            state.add_user_message(line)
            printer.feed(state)
            await session.send_message(line)
            await _wait_turn(session, pump, since)
    except (KeyboardInterrupt, asyncio.CancelledError):
        pass
    finally:
        await session.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(reader, 5)
        printer.finish()
    return 1 if pump.connection_lost else 0


async def _wait_turn(session: RealtimeSession, pump: SessionPump, since: int) -> None:
    """Wait for the agent to finish, answering approval requests on the way."""
    while True:
        waiting = pump.pending_approvals
        pending = [e for e in pump.events if e.type == ev.TOOL_APPROVAL_REQUIRED and e.call_id in waiting]
        if pending:
            event = pending[0]
            answer = await _read_line(f"approve {event.tool.name} {event.arguments}? [y/n] ")
            approved = (answer or "").strip().lower().startswith("y")
            pump.approval_answered(event.call_id)
            if approved:
                await session.approve_tool_call(event.call_id)
            else:
                await session.reject_tool_call(event.call_id)
            pump.state.resolve_approval(event.call_id, approved)
            continue
        if (await pump.settled(since, timeout=1.0) or pump.finished.is_set()) and not pump.pending_approvals:
            return


async def _command(line: str, session: RealtimeSession, pump: SessionPump) -> bool:
    """Run a slash command; False means quit."""
    word = line.split()[0].lower()
    if word in ("/quit", "/exit", "/q"):
        return False
    if word == "/interrupt":
        await session.interrupt()
        print("(interrupted)")
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
        print(HELP)
    return True
