"""A scripted OpenAI-compatible chat-completions server over real HTTP on loopback, for the LLM brain's tests.

Each request takes the next step of its script: streamed text pieces, a streamed tool call, an HTTP error, or a
stall (headers and maybe some text, then nothing until the client hangs up). Requests are recorded as JSON.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Step:
    text: list[str] = field(default_factory=list)
    tool: tuple[str, list[str]] | None = None  # (name, argument pieces)
    status: int = 200
    stall_after: int | None = None  # stop sending after this many text pieces, keep the connection open


class ChatServer:
    def __init__(self, steps: list[Step]) -> None:
        self.steps = list(steps)
        self.requests: list[dict[str, Any]] = []
        self.hung_up = asyncio.Event()  # set when a client closes a stalled stream
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}/v1"

    async def __aenter__(self) -> ChatServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), 0)
            body = json.loads(await reader.readexactly(length)) if length else {}
            self.requests.append(body)
            step = self.steps.pop(0) if self.steps else Step(text=["(script exhausted)"])
            await self._answer(step, reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def _answer(self, step: Step, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if step.status != 200:
            payload = json.dumps({"error": {"message": "scripted failure", "type": "server_error"}}).encode()
            writer.write(f"HTTP/1.1 {step.status} Scripted\r\nContent-Type: application/json\r\n"
                         f"Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode() + payload)
            await writer.drain()
            return
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n")
        for index, piece in enumerate(step.text):
            if step.stall_after is not None and index >= step.stall_after:
                break
            self._event(writer, {"content": piece})
            await writer.drain()
        if step.stall_after is not None:
            await reader.read()  # returns when the client hangs up
            self.hung_up.set()
            return
        if step.tool is not None:
            name, pieces = step.tool
            self._event(writer, {"tool_calls": [{"index": 0, "id": "call_1", "type": "function",
                                                 "function": {"name": name, "arguments": ""}}]})
            for piece in pieces:
                self._event(writer, {"tool_calls": [{"index": 0, "function": {"arguments": piece}}]})
        self._event(writer, {}, finish="tool_calls" if step.tool else "stop")
        writer.write(b"data: [DONE]\n\n")
        await writer.drain()

    @staticmethod
    def _event(writer: asyncio.StreamWriter, delta: dict[str, Any], finish: str | None = None) -> None:
        chunk = {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 0, "model": "scripted",
                 "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
        writer.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
