"""Run one of our sessions against a scripted server and collect everything it yields."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from realtime_cli import RealtimeAgent, RealtimeRunner, RealtimeSession

from .scripted_server import Script, ScriptedServer

Action = Callable[[RealtimeSession], Awaitable[None]]


async def run_scripted(script: Script, agent: RealtimeAgent[Any], *, config: dict[str, Any] | None = None,
                       action: Action | None = None, on_event: Callable[[RealtimeSession, Any], Awaitable[None]] | None = None,
                       model_config: dict[str, Any] | None = None, timeout: float = 10.0
                       ) -> tuple[list[Any], ScriptedServer]:
    """Connect, run `action`, collect events until the server closes the connection."""
    events: list[Any] = []
    async with ScriptedServer(script) as server:
        runner = RealtimeRunner(agent, config=config)
        session = await runner.run(model_config={"url": server.url, "api_key": "sk-test-secret", **(model_config or {})})

        async def consume() -> None:
            async with session:
                task = asyncio.create_task(action(session)) if action else None
                async for event in session:
                    events.append(event)
                    if on_event is not None:
                        await on_event(session, event)
                if task is not None:
                    await task

        await asyncio.wait_for(consume(), timeout)
    server.check()
    return events, server


def types(events: list[Any]) -> list[str]:
    return [e.type for e in events]


def of_type(events: list[Any], kind: str) -> list[Any]:
    return [e for e in events if e.type == kind]
