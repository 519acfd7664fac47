"""Text mode: type to the agent with line editing and history, see replies stream in, use slash commands.

Needs no audio at all. Ctrl-C or Ctrl-D (or /quit) close the session cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from typing import Any

from ..protocol.errors import RealtimeConnectionError, UserError
from ..session.session import RealtimeSession
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

    def _line(self, text: str) -> None:
        self._close()
        self.out.write(text + "\n")
        self.out.flush()

    def _close(self) -> None:
        if self._open_item is not None:
            self.out.write("\n")
            self._open_item = None

    def __call__(self, event: Any) -> None:
        kind = getattr(event, "kind", None) or event.type
        if kind in ("response.output_text.delta", "response.output_audio_transcript.delta"):
            item = event.data.get("item_id")
            if item != self._open_item:
                self._close()
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


async def _read_line(prompt: str) -> str | None:
    """One line from the user, read on a daemon thread so Ctrl-C never waits for a blocked input()."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[str | None] = loop.create_future()

    def read() -> None:
        try:
            line: str | None = input(prompt)
        except (EOFError, OSError, ValueError, RuntimeError):  # RuntimeError: stdin closed (lost sys.stdin)
            line = None
        if line is not None:  # bytes that were not UTF-8 arrive as surrogates: show them as U+FFFD instead
            line = line.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        def deliver() -> None:
            if not future.done():
                future.set_result(line)

        loop.call_soon_threadsafe(deliver)

    threading.Thread(target=read, name="rtagent-input", daemon=True).start()
    return await future


async def run_text(session: RealtimeSession, state: ViewState, *, recorder: Recorder | None = None) -> int:
    with contextlib.suppress(ImportError):
        import readline  # noqa: F401  (line editing and history for input())
    printer = _Printer(session)
    pump = SessionPump(session, state, recorder, printer)
    reader = asyncio.create_task(pump.run())
    tty = sys.stdin is not None and sys.stdin.isatty()
    print(f"Talking to {session.current_agent.name}. {HELP}")
    try:
        while not pump.finished.is_set():
            line = await _read_line("you › " if tty else "")
            if line is None:
                break
            line = line.strip()
            if not line:
                continue
            if not tty:
                print(f"you › {line}")
            if line.startswith("/"):
                if not await _command(line, session, pump):
                    break
                continue
            since = pump.responses_ended
            state.add_user_message(line)
            try:
                await session.send_message(line)
            except (RealtimeConnectionError, UserError) as exc:  # a closed connection, an oversized message
                print(f"rtagent: {exc}")
                if isinstance(exc, RealtimeConnectionError):
                    pump.connection_lost = True
                    break
                continue
            await _wait_turn(session, pump, since)
    except (KeyboardInterrupt, asyncio.CancelledError):
        pass
    finally:
        await session.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(reader, 5)
    return 1 if pump.connection_lost else 0


async def _wait_turn(session: RealtimeSession, pump: SessionPump, since: int) -> None:
    """Wait for the agent to finish, answering approval requests on the way."""
    while True:
        pending = [e for e in pump.events if e.type == "tool_approval_required" and e.call_id in pump._approvals]
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
        if (await pump.settled(since, timeout=1.0) or pump.finished.is_set()) and not pump._approvals:
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
