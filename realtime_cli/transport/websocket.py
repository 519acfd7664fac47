"""The RealtimeModel over a WebSocket (`websockets` asyncio client), in the GA or beta dialect.

It owns the socket, the dialect, frame limits and header hygiene; reconnecting is layered on top of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import orjson
import websockets
from websockets.asyncio.client import ClientConnection

from ..protocol import names
from ..protocol.client_events import ClientEvent, to_wire
from ..protocol.errors import RealtimeConnectionError, UserError
from ..protocol.model_inputs import RealtimeModelSendEvent, send_to_client_events
from ..protocol.reconnect import ReconnectPolicy, should_reconnect
from ..protocol.replay import ConversationMirror
from ..protocol.secret import REDACTED, Secret
from ..protocol.server_events import ServerEvent, ServerEventError, parse_server_event
from .model import ConnectionEvent, RealtimeModel, RealtimeModelConfig, RealtimeModelEvent, RealtimeModelListener

logger = logging.getLogger("realtime_cli.transport")

URL_ENV = "RTAGENT_REALTIME_URL"
OPEN_TIMEOUT_S = 15.0


_MIRRORED_KINDS = frozenset({
    names.ITEM_ADDED, names.ITEM_DONE, names.ITEM_RETRIEVED, names.OUTPUT_ITEM_DONE, names.OUTPUT_ITEM_ADDED,
    names.TRANSCRIPT_DELTA, names.TEXT_DELTA, names.TRANSCRIPT_DONE, names.TEXT_DONE, names.TRANSCRIPTION_COMPLETED,
    names.ITEM_DELETED,
})


async def resolve_api_key(options: RealtimeModelConfig) -> str | None:
    """The API key from model_config (a string, or a sync or async callable) or OPENAI_API_KEY."""
    key: Any = options.get("api_key")
    if callable(key):
        key = key()
        if inspect.isawaitable(key):
            key = await key
    return str(key) if key else os.environ.get("OPENAI_API_KEY") or None


def _header_auth(headers: dict[str, str]) -> bool:
    """The caller authenticates with its own header (an Azure-style `api-key`, or its own Authorization)."""
    return any(k.lower() in ("api-key", "authorization") for k in headers)


def build_url(base: str, model: str, call_id: str | None = None) -> str:
    """`base` with `?model=` added unless it already names one (or `?call_id=` to attach to an existing call)."""
    parts = urlsplit(base)
    query = dict(parse_qsl(parts.query))
    if call_id:
        query.pop("model", None)
        query["call_id"] = call_id
    else:
        query.setdefault("model", model)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/v1/realtime", urlencode(query), ""))


def redact(text: str, secret: Secret | str | None) -> str:
    """`text` with the secret replaced, for anything that might be shown or logged."""
    value = secret.reveal() if isinstance(secret, Secret) else secret
    return text.replace(value, REDACTED) if value else text


class OpenAIRealtimeWebSocketModel(RealtimeModel):
    """Speaks the Realtime API over one WebSocket at a time, reconnecting when it drops.

    `connect()` chooses the dialect from `initial_model_settings` (`protocol: ga|beta`, else beta for
    `*-realtime-preview*` model names, else GA), opens the socket, and starts a reader that hands each parsed
    server event to every listener in order. When the socket drops (anything but a normal close we did not ask
    for, 1001 included), listeners get ConnectionEvent(reconnecting); the model reconnects with capped
    exponential backoff, replays the session configuration and the conversation so far, then emits
    ConnectionEvent(reconnected). Senders wait while it reconnects. When it gives up, or the socket closes
    normally, listeners get `failed` (if it gave up) and then one final ConnectionEvent(closed).
    """

    speaks_wire = True

    def __init__(self, *, transport_config: Mapping[str, Any] | None = None) -> None:
        self._transport = dict(transport_config or {})  # ping_interval, ping_timeout, handshake_timeout, max_size
        self._listeners: list[RealtimeModelListener] = []
        self._ws: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._secret: Secret | None = None
        self._headers: dict[str, str] = {}
        self._policy = ReconnectPolicy()
        self._mirror = ConversationMirror()
        self._ready = asyncio.Event()
        self._closing = False
        self._finished = False
        self.dialect: names.Dialect = "ga"
        self.model_name: str = names.DEFAULT_MODEL
        self.url: str = ""
        self._heard = False

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
        self.url = build_url(base, self.model_name, options.get("call_id"))
        self._policy = ReconnectPolicy.from_config(options.get("reconnect"))
        key = await resolve_api_key(options)
        if not key and not _header_auth(options.get("headers") or {}):
            raise UserError(
                "No OpenAI API key: set OPENAI_API_KEY or pass model_config={'api_key': ...} "
                "(or run offline on the embedded engine with RTAGENT_BACKEND=local)."
            )
        self._secret = Secret(key) if key else None
        headers: dict[str, str] = {}
        if self.dialect == "beta":
            headers[names.BETA_HEADER[0]] = names.BETA_HEADER[1]
        headers.update(options.get("headers") or {})
        self._headers = headers
        self._ws = await self._open()
        self._closing = self._finished = False
        self._ready.set()
        logger.debug("connected to %s (dialect %s)", self.url, self.dialect)
        self._reader = asyncio.create_task(self._run(), name="rtagent-ws-reader")

    async def _open(self) -> ClientConnection:
        failure: RealtimeConnectionError | None = None
        try:
            return await websockets.connect(
                self.url,
                additional_headers={**({"Authorization": f"Bearer {self._secret.reveal()}"} if self._secret else {}),
                                    **self._headers},
                max_size=self._transport.get("max_size", names.MAX_FRAME_BYTES),
                open_timeout=self._transport.get("handshake_timeout", OPEN_TIMEOUT_S),
                ping_interval=self._transport.get("ping_interval", 20),
                ping_timeout=self._transport.get("ping_timeout", 20),
                close_timeout=2,
            )
        except (OSError, asyncio.TimeoutError, websockets.InvalidHandshake, websockets.InvalidURI) as exc:
            detail = redact(str(exc) or type(exc).__name__, self._secret)
            failure = RealtimeConnectionError(f"Could not connect to {self.url}: {detail}")
        # raised outside the except block, so no __context__ keeps the library's exception (and a server's
        # response body that may echo the credential) alive in tracebacks
        assert failure is not None
        raise failure

    async def _emit(self, event: RealtimeModelEvent) -> None:
        for listener in tuple(self._listeners):
            await listener.on_event(event)

    async def _run(self) -> None:
        """Read until a final close: reconnect and replay as long as the policy allows.

        Attempts count across drops until a new connection proves alive by delivering a server event, so a
        server that accepts the handshake and then drops every time still exhausts `max_attempts`.
        """
        used = 0
        while True:
            ws = self._ws
            assert ws is not None
            self._heard = False
            ended = await self._read(ws)
            if self._heard:
                used = 0
            if ended.status == "error" or not self._policy.enabled \
                    or not should_reconnect(ended.code, closed_by_us=self._closing):
                break
            self._ready.clear()
            await self._emit(ConnectionEvent("reconnecting", code=ended.code, reason=ended.reason))
            failure, used = await self._reconnect(used)
            if failure is not None:
                ended = failure
                await self._emit(failure)
                break
        self._finished = True
        self._ready.set()  # release waiting senders: they will see the connection is gone
        if ended.status != "closed":
            ended = ConnectionEvent("closed", code=ended.code, reason=ended.reason, message=ended.message)
        await self._emit(ended)

    async def _read(self, ws: ClientConnection) -> ConnectionEvent:
        dialect = self.dialect
        mirror = self._mirror
        mirrored = _MIRRORED_KINDS
        try:
            while True:
                frame = await ws.recv(decode=False)  # JSON parses bytes directly: no UTF-8 decode pass
                self._heard = True
                try:
                    event = parse_server_event(frame, dialect)
                except ServerEventError as exc:
                    logger.warning("%s", exc)
                    bad = {"type": "error", "error": {"type": "client_error", "code": "invalid_server_event",
                                                      "message": str(exc), "param": None, "event_id": None}}
                    await self._emit(ServerEvent(bad, dialect))
                    continue
                if event.kind in mirrored:
                    mirror.on_server_event(event.kind, event.data)
                listeners = self._listeners
                if len(listeners) == 1:
                    await listeners[0].on_event(event)
                else:
                    await self._emit(event)
        except websockets.ConnectionClosed:
            pass
        except Exception as exc:  # a listener bug must not kill the socket silently
            logger.exception("reader stopped")
            return ConnectionEvent("error", message=redact(str(exc), self._secret))
        code = ws.close_code if ws.close_code is not None else names.CLOSE_ABNORMAL
        return ConnectionEvent("closed", code=code, reason=ws.close_reason or "")

    async def _reconnect(self, used: int) -> tuple[ConnectionEvent | None, int]:
        """New connections until one takes the replay: (None, attempts used so far) on success, else the
        `failed` event. `used` attempts were already spent on connections that died without a word."""
        last = ""
        for attempt in range(used + 1, self._policy.max_attempts + 1):
            await asyncio.sleep(self._policy.delay(attempt))
            if self._closing:
                return ConnectionEvent("closed", code=names.CLOSE_NORMAL), attempt
            try:
                ws = await self._open()
                for event in self._mirror.replay_events():
                    await ws.send(orjson.dumps(to_wire(event, self.dialect)), text=True)
            except (RealtimeConnectionError, websockets.ConnectionClosed) as exc:
                last = str(exc)
                logger.info("reconnect attempt %d failed: %s", attempt, last)
                continue
            self._ws = ws
            self._ready.set()
            await self._emit(ConnectionEvent("reconnected", attempt=attempt))
            return None, attempt
        why = last or "the server kept dropping the connection"
        message = f"Gave up reconnecting after {self._policy.max_attempts} attempts: {why}"
        return ConnectionEvent("failed", code=names.CLOSE_ABNORMAL, message=message), self._policy.max_attempts

    async def send_event(self, event: ClientEvent | RealtimeModelSendEvent) -> None:
        """Send one event; while reconnecting, wait for the new connection (the replay goes first)."""
        if not isinstance(event, dict):  # a typed send (the Agents SDK's model inputs): its client events
            for client_event in send_to_client_events(event):
                await self.send_event(client_event)
            return
        if self._ws is None and not self._finished:
            raise RealtimeConnectionError("Not connected: enter the session (`async with session:`) first.")
        payload = orjson.dumps(to_wire(event, self.dialect))
        for _ in range(2):
            await self._wait_ready()
            ws = self._ws
            if ws is None or self._finished:
                raise RealtimeConnectionError("The connection is closed.")
            try:
                await ws.send(payload, text=True)
            except websockets.ConnectionClosed as exc:
                if not self._policy.enabled or self._closing:
                    code = exc.rcvd.code if exc.rcvd else names.CLOSE_ABNORMAL
                    raise RealtimeConnectionError(f"The connection is closed ({code}).") from None
                self._ready.clear()  # the reader is about to reconnect; send again on the new connection
                continue
            self._mirror.on_client_event(event)
            return
        raise RealtimeConnectionError("The connection dropped twice while sending.")

    async def _wait_ready(self) -> None:
        if self._ready.is_set():
            return
        try:
            await asyncio.wait_for(self._ready.wait(), self._policy.budget_s())
        except asyncio.TimeoutError:
            raise RealtimeConnectionError("Timed out waiting for the connection to come back.") from None

    async def close(self) -> None:
        self._closing = True
        ws = self._ws
        if ws is not None:
            await ws.close()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError, asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._reader), timeout=3)
            self._reader = None
        self._ws = None

    @property
    def connected(self) -> bool:
        return self._ws is not None and self._ws.state is websockets.State.OPEN

    def describe(self) -> dict[str, Any]:
        """Where and how this model talks, without secrets (for status bars and --debug)."""
        return {"url": self.url, "model": self.model_name, "dialect": self.dialect}
