"""The engine's optional LLM brain: any OpenAI-compatible chat-completions server (Ollama, llama.cpp, vLLM …).

Owns turning a session (instructions, conversation, tools, tool_choice) into a streamed chat request and the
stream back into a decision: a function call, or text handed on piece by piece as it arrives (spoken sentence by
sentence). A server that fails, refuses or stalls gives a one-line spoken apology, never a crashed response.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from .brain import BrainContext, Call, Say, Turn

logger = logging.getLogger("realtime_cli.local")

LLM_URL_ENV = "RTAGENT_LLM_URL"  # base URL of the server, e.g. http://127.0.0.1:11434/v1
LLM_MODEL_ENV = "RTAGENT_LLM_MODEL"
LLM_KEY_ENV = "RTAGENT_LLM_API_KEY"  # most local servers ignore it; never logged
LLM_TIMEOUT_ENV = "RTAGENT_LLM_TIMEOUT"  # seconds to wait for the first and for each next chunk
DEFAULT_MODEL = "local"
DEFAULT_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class SayStream:
    """Reply with text that is still arriving: `pieces` yields it in order (any sizes)."""

    pieces: AsyncIterator[str]


@dataclass(frozen=True)
class Deferred:
    """A decision that needs awaiting (the LLM must be asked first); the responder awaits `resolve()`."""

    resolve: Callable[[], Awaitable[Say | Call | SayStream]]


class LlmBrain:
    """Thinks with a chat-completions server at `url` through the openai package's async client."""

    def __init__(self, url: str, model: str | None = None, timeout_s: float | None = None,
                 api_key: str | None = None) -> None:
        try:
            from openai import AsyncOpenAI
        except ImportError:
            raise RuntimeError("the LLM brain needs the openai package: pip install 'rtagent[llm]'") from None
        self.url = url
        self.model = model or DEFAULT_MODEL
        self.timeout_s = timeout_s or DEFAULT_TIMEOUT_S
        self._client = AsyncOpenAI(base_url=url, api_key=api_key or os.environ.get(LLM_KEY_ENV) or "local",
                                   max_retries=0, timeout=self.timeout_s)

    def respond(self, ctx: BrainContext) -> Deferred:
        """The decision for `ctx`, resolved when the responder awaits it (so a cancel stops the request)."""
        return Deferred(lambda: self._decide(ctx))

    async def _decide(self, ctx: BrainContext) -> Say | Call | SayStream:
        request = chat_request(ctx, self.model)
        stream: Any = None
        try:
            stream = await asyncio.wait_for(self._client.chat.completions.create(**request), self.timeout_s)
            chunks = stream.__aiter__()
            pending_text = ""
            calls: dict[int, dict[str, str]] = {}
            while True:
                chunk = await self._next(chunks)
                if chunk is None:
                    break
                text, call_parts = _chunk_parts(chunk)
                for index, part in call_parts:
                    slot = calls.setdefault(index, {"name": "", "arguments": ""})
                    slot["name"] += part.get("name") or ""
                    slot["arguments"] += part.get("arguments") or ""
                pending_text += text
                if pending_text.strip() and not calls:
                    return SayStream(self._rest(stream, chunks, pending_text))
            if calls:
                first = calls[min(calls)]
                return Call(first["name"], _json_object(first["arguments"]))
            return Say(pending_text.strip() or "Sorry, I have no answer to that.")
        except BaseException as exc:
            if stream is not None:
                await stream.close()
            if not isinstance(exc, Exception):
                raise  # a cancel (barge-in, response.cancel) stops the request
            logger.warning("LLM brain at %s failed: %s", self.url, _reason(exc))  # the key is never in these
            return Say("Sorry, I can't think right now: the language model server did not answer.")

    async def _next(self, chunks: AsyncIterator[Any]) -> Any:
        try:
            return await asyncio.wait_for(chunks.__anext__(), self.timeout_s)
        except StopAsyncIteration:
            return None

    async def _rest(self, stream: Any, chunks: AsyncIterator[Any], first: str) -> AsyncIterator[str]:
        """The text so far, then the rest of the stream's text; closing this generator closes the request."""
        try:
            yield first
            while True:
                try:
                    chunk = await self._next(chunks)
                except asyncio.TimeoutError:
                    logger.warning("LLM brain at %s stalled mid-answer; the answer ends there", self.url)
                    return
                if chunk is None:
                    return
                text, _calls = _chunk_parts(chunk)
                if text:
                    yield text
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                await close()


def chat_request(ctx: BrainContext, model: str) -> dict[str, Any]:
    """The streamed chat-completions request for a session context."""
    messages: list[dict[str, Any]] = [{"role": "system", "content": ctx.instructions}] if ctx.instructions else []
    for turn in ctx.conversation:
        messages.extend(_messages(turn))
    request: dict[str, Any] = {"model": model, "messages": messages, "stream": True}
    tools = [{"type": "function", "function": {"name": t.get("name", ""), "description": t.get("description", ""),
                                               "parameters": t.get("parameters") or {"type": "object",
                                                                                     "properties": {}}}}
             for t in ctx.tools if t.get("type", "function") == "function"]
    if tools:
        request["tools"] = tools
        choice = ctx.tool_choice
        if isinstance(choice, dict) and choice.get("name"):
            request["tool_choice"] = {"type": "function", "function": {"name": choice["name"]}}
        elif choice in ("auto", "none", "required"):
            request["tool_choice"] = choice
    return request


def _messages(turn: Turn) -> list[dict[str, Any]]:
    if turn.role == "tool":
        return [{"role": "tool", "tool_call_id": turn.call_id or "", "content": turn.output or turn.text}]
    if turn.role == "assistant" and turn.call_name:
        return [{"role": "assistant", "content": None, "tool_calls": [
            {"id": turn.call_id or "", "type": "function",
             "function": {"name": turn.call_name, "arguments": turn.call_arguments or "{}"}}]}]
    if turn.role in ("user", "assistant", "system") and turn.text:
        return [{"role": turn.role, "content": turn.text}]
    return []


def _chunk_parts(chunk: Any) -> tuple[str, list[tuple[int, dict[str, str]]]]:
    choices = getattr(chunk, "choices", None) or []
    if not choices:
        return "", []
    delta = choices[0].delta
    calls = []
    for call in getattr(delta, "tool_calls", None) or []:
        function = call.function
        calls.append((int(call.index or 0), {"name": (function.name if function else None) or "",
                                             "arguments": (function.arguments if function else None) or ""}))
    return getattr(delta, "content", None) or "", calls


def _json_object(arguments: str) -> str:
    try:
        value = json.loads(arguments or "{}")
    except ValueError:
        return "{}"
    return json.dumps(value) if isinstance(value, dict) else "{}"


def _reason(exc: Exception) -> str:
    if isinstance(exc, asyncio.TimeoutError):
        return "no answer in time"
    status = getattr(exc, "status_code", None)
    return f"HTTP {status}" if status else type(exc).__name__


def default_brain() -> Any:
    """The brain a new engine session gets: the LLM one when $RTAGENT_LLM_URL names a server, else the rules."""
    from .brain import Brain

    url = os.environ.get(LLM_URL_ENV, "").strip()
    if not url:
        return Brain()
    timeout = float(os.environ.get(LLM_TIMEOUT_ENV) or DEFAULT_TIMEOUT_S)
    return LlmBrain(url, os.environ.get(LLM_MODEL_ENV) or None, timeout)
