"""The RealtimeModel over a WebSocket (`websockets` asyncio client), in the GA or beta dialect.

It owns the socket, the dialect, frame limits and header hygiene; reconnecting is layered on top of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import orjson
import websockets
from websockets.asyncio.client import ClientConnection

from ..protocol import names
from ..protocol.client_events import ClientEvent, to_wire
from ..protocol.errors import RealtimeConnectionError, UserError
from ..protocol.server_events import ServerEvent, ServerEventError, parse_server_event
from .model import ConnectionEvent, RealtimeModel, RealtimeModelConfig, RealtimeModelEvent, RealtimeModelListener

logger = logging.getLogger("realtime_cli.transport")

URL_ENV = "RTAGENT_REALTIME_URL"
OPEN_TIMEOUT_S = 15.0


def resolve_api_key(options: RealtimeModelConfig) -> str | None:
    """The API key from model_config (a string or a callable) or OPENAI_API_KEY."""
    key = options.get("api_key")
    if callable(key):
        key = key()
    return key or os.environ.get("OPENAI_API_KEY") or None


def build_url(base: str, model: str) -> str:
    """`base` with `?model=` added unless it already names one."""
    parts = urlsplit(base)
    query = dict(parse_qsl(parts.query))
    query.setdefault("model", model)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/v1/realtime", urlencode(query), ""))


def redact(text: str, secret: str | None) -> str:
    """`text` with the secret replaced, for anything that might be shown or logged."""
    return text.replace(secret, "[redacted]") if secret else text


class OpenAIRealtimeWebSocketModel(RealtimeModel):
    """Speaks the Realtime API over one WebSocket.

    `connect()` chooses the dialect from `initial_model_settings` (`protocol: ga|beta`, else beta for
    `*-realtime-preview*` model names, else GA), opens the socket, and starts a reader that hands each parsed
    server event to every listener in order. When the socket closes, listeners get one ConnectionEvent(closed).
    """

    def __init__(self) -> None:
        self._listeners: list[RealtimeModelListener] = []
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._secret: str | None = None
        self.dialect: names.Dialect = "ga"
        self.model_name: str = names.DEFAULT_MODEL
        self.url: str = ""

    def add_listener(self, listener: RealtimeModelListener) -> None:
        if listener not in self._listeners:
            self._listeners.append(listener)

    def remove_listener(self, listener: RealtimeModelListener) -> None:
        with contextlib.suppress(ValueError):
            self._listeners.remove(listener)

    async def connect(self, options: RealtimeModelConfig) -> None:
        settings = options.get("initial_model_settings") or {}
        self.model_name = str(settings.get("model_name") or names.DEFAULT_MODEL)
        protocol = settings.get("protocol")
        self.dialect = protocol if protocol in names.DIALECTS else names.dialect_for_model(self.model_name)
        base = options.get("url") or os.environ.get(URL_ENV) or names.DEFAULT_URL
        self.url = build_url(base, self.model_name)
        key = resolve_api_key(options)
        if not key:
            raise UserError(
                "No OpenAI API key: set OPENAI_API_KEY or pass model_config={'api_key': ...} "
                "(or run offline on the embedded engine with RTAGENT_BACKEND=local)."
            )
        self._secret = key
        headers = {"Authorization": f"Bearer {key}"}
        if self.dialect == "beta":
            headers[names.BETA_HEADER[0]] = names.BETA_HEADER[1]
        headers.update(options.get("headers") or {})
        try:
            self._ws = await websockets.connect(
                self.url,
                additional_headers=headers,
                max_size=names.MAX_FRAME_BYTES,
                open_timeout=OPEN_TIMEOUT_S,
                ping_interval=20,
                ping_timeout=20,
                close_timeout=2,
            )
        except (OSError, asyncio.TimeoutError, websockets.InvalidHandshake, websockets.InvalidURI) as exc:
            detail = redact(str(exc) or type(exc).__name__, key)
            raise RealtimeConnectionError(f"Could not connect to {self.url}: {detail}") from None
        logger.debug("connected to %s (dialect %s)", self.url, self.dialect)
        self._reader = asyncio.create_task(self._read_loop(self._ws), name="rtagent-ws-reader")

    async def _emit(self, event: RealtimeModelEvent) -> None:
        for listener in tuple(self._listeners):
            await listener.on_event(event)

    async def _read_loop(self, ws: ClientConnection) -> None:
        dialect = self.dialect
        closed = ConnectionEvent("closed", code=1000)
        try:
            while True:
                frame = await ws.recv(decode=False)  # JSON parses bytes directly: no UTF-8 decode pass
                try:
                    event = parse_server_event(frame, dialect)
                except ServerEventError as exc:
                    logger.warning("%s", exc)
                    bad = {"type": "error", "error": {"type": "client_error", "code": "invalid_server_event",
                                                      "message": str(exc), "param": None, "event_id": None}}
                    await self._emit(ServerEvent(bad, dialect))
                    continue
                listeners = self._listeners
                if len(listeners) == 1:
                    await listeners[0].on_event(event)
                else:
                    await self._emit(event)
        except websockets.ConnectionClosed:
            pass
        except Exception as exc:  # a listener bug must not kill the socket silently
            logger.exception("reader stopped")
            closed = ConnectionEvent("error", message=redact(str(exc), self._secret))
        rcvd = ws.close_code
        if closed.status == "closed":
            closed = ConnectionEvent("closed", code=rcvd if rcvd is not None else 1006, reason=ws.close_reason or "")
        await self._emit(closed)

    async def send_event(self, event: ClientEvent) -> None:
        ws = self._ws
        if ws is None:
            raise RealtimeConnectionError("Not connected: enter the session (`async with session:`) first.")
        payload = orjson.dumps(to_wire(event, self.dialect))
        try:
            await ws.send(payload, text=True)
        except websockets.ConnectionClosed as exc:
            code = exc.rcvd.code if exc.rcvd else 1006
            raise RealtimeConnectionError(f"The connection is closed ({code}).") from None

    async def close(self) -> None:
        ws, self._ws = self._ws, None
        if ws is not None:
            await ws.close()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError, asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._reader), timeout=3)
            self._reader = None

    @property
    def connected(self) -> bool:
        return self._ws is not None and self._ws.state is websockets.State.OPEN

    def describe(self) -> dict[str, Any]:
        """Where and how this model talks, without secrets (for status bars and --debug)."""
        return {"url": self.url, "model": self.model_name, "dialect": self.dialect}
