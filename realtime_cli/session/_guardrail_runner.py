"""Runs output guardrails for a session: debounced on the growing text and once on each final text.

A trip emits guardrail_tripped, stops audio, cancels and truncates the response, and tells the model; it never raises.
"""

from __future__ import annotations

import asyncio
import logging

from ..protocol.state import GuardrailDebouncer
from . import events as ev
from ._host import SessionHost

logger = logging.getLogger("realtime_cli.session")


class GuardrailRunner:
    """Per response: accumulated text per item, a debouncer, and whether a guardrail already tripped."""

    def __init__(self, session: SessionHost, debounce_text_length: int) -> None:
        self._session = session
        self._every = debounce_text_length
        self._text: dict[str, str] = {}
        self._debouncers: dict[str, GuardrailDebouncer] = {}
        self._tripped: set[str] = set()
        self._tasks: set[asyncio.Task[None]] = set()

    def start_response(self, response_id: str) -> None:
        if len(self._tripped) > 256:
            self._tripped.clear()
        self._text.clear()
        self._debouncers.clear()

    async def on_text(self, response_id: str, item_id: str, delta: str) -> None:
        if not self._session.guardrails_for_agent() or response_id in self._tripped:
            return
        text = self._text.get(item_id, "") + delta
        self._text[item_id] = text
        debouncer = self._debouncers.setdefault(item_id, GuardrailDebouncer(self._every))
        if debouncer.on_text(len(text)):
            self._spawn(response_id, text)

    async def on_final(self, response_id: str, item_id: str, final: object) -> None:
        if not self._session.guardrails_for_agent() or response_id in self._tripped:
            return
        text = final if isinstance(final, str) and final else self._text.get(item_id, "")
        debouncer = self._debouncers.setdefault(item_id, GuardrailDebouncer(self._every))
        if debouncer.on_final(len(text)):
            self._spawn(response_id, text)

    def _spawn(self, response_id: str, text: str) -> None:
        task = asyncio.create_task(self._check(response_id, text), name="rtagent-guardrail")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _check(self, response_id: str, text: str) -> None:
        session = self._session
        agent = session.current_agent
        results = []
        for guardrail in session.guardrails_for_agent():
            try:
                results.append(await guardrail.run(session.context_wrapper, agent, text))
            except (Exception, SystemExit, KeyboardInterrupt) as exc:  # a guardrail must not end the program
                session.emit_error("guardrail_error", f"Guardrail {guardrail.get_name()!r} failed: {exc!r}")
        tripped = [r for r in results if r.output.tripwire_triggered]
        if not tripped or response_id in self._tripped:
            return
        self._tripped.add(response_id)
        session.emit(ev.RealtimeGuardrailTripped(guardrail_results=tripped, message=text, info=session.info))
        # the core stops the audio, cancels the response if still active, truncates it, and tells the model
        await session.guardrail_tripped(response_id, [r.guardrail.get_name() for r in tripped])

    def cancel_all(self) -> None:
        for task in list(self._tasks):
            task.cancel()
