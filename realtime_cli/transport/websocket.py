"""The RealtimeModel over a WebSocket (`websockets` asyncio client), in the GA or beta dialect.

It owns the socket, the dialect, frame limits and header hygiene; reconnecting is layered on top of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import orjson
import websockets
from websockets.asyncio.client import ClientConnection

from ..protocol import names
from ..protocol.client_events import ClientEvent, to_wire
from ..protocol.errors import RealtimeConnectionError, UserError
from ..protocol.reconnect import ReconnectPolicy, should_reconnect
from ..protocol.replay import ConversationMirror
from ..protocol.secret import REDACTED, Secret
from ..protocol.server_events import ServerEvent, ServerEventError, parse_server_event
from .model import ConnectionEvent, RealtimeModel, RealtimeModelConfig, RealtimeModelEvent, RealtimeModelListener
from .redaction import clean_server_text, guard_library_logs
from .watchdog import DEFAULT_RESPONSE_TIMEOUT_S, ResponseWatchdog

logger = logging.getLogger("realtime_cli.transport")

URL_ENV = "RTAGENT_REALTIME_URL"
OPEN_TIMEOUT_S = 15.0
PING_INTERVAL_S = 10.0  # with PING_TIMEOUT_S: a silent TCP stall is noticed within about 20 s
PING_TIMEOUT_S = 10.0
PROVEN_ALIVE_S = 120.0  # a connection that lasted this long also earns a fresh attempt budget (idle closes)
TOO_BIG = 1009  # a message over the frame limit: the same replay would be too big again, so no reconnect


_MIRRORED_KINDS = frozenset({
    names.ITEM_ADDED, names.ITEM_DONE, names.ITEM_RETRIEVED, names.OUTPUT_ITEM_DONE, names.OUTPUT_ITEM_ADDED,
    names.TRANSCRIPT_DELTA, names.TEXT_DELTA, names.TRANSCRIPT_DONE, names.TEXT_DONE, names.TRANSCRIPTION_COMPLETED,
    names.ITEM_DELETED,
})


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

    def __init__(self) -> None:
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
        self._end_message = ""  # why the connection ended for good (a give-up), for senders that find it gone
        self.dialect: names.Dialect = "ga"
        self.model_name: str = names.DEFAULT_MODEL
        self.url: str = ""
        self._turns = 0
        self._watchdog = ResponseWatchdog(DEFAULT_RESPONSE_TIMEOUT_S)

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
        self._policy = ReconnectPolicy.from_config(options.get("reconnect"))
        key = resolve_api_key(options)
        if not key:
            raise UserError(
                "No OpenAI API key: set OPENAI_API_KEY or pass model_config={'api_key': ...} "
                "(or run offline on the embedded engine with RTAGENT_BACKEND=local)."
            )
        self._secret = Secret(key)
        guard_library_logs(key)
        self._watchdog = ResponseWatchdog(_timeout(options.get("response_timeout_s", DEFAULT_RESPONSE_TIMEOUT_S)))
        headers: dict[str, str] = {}
        if self.dialect == "beta":
            headers[names.BETA_HEADER[0]] = names.BETA_HEADER[1]
        headers.update(options.get("headers") or {})
        self._headers = headers
        self._ws = await self._open()
        self._watchdog.reset()
        self._closing = self._finished = False
        self._ready.set()
        logger.debug("connected to %s (dialect %s)", self.url, self.dialect)
        self._reader = asyncio.create_task(self._run(), name="rtagent-ws-reader")

    async def _open(self) -> ClientConnection:
        failure: RealtimeConnectionError | None = None
        try:
            return await websockets.connect(
                self.url,
                additional_headers={"Authorization": f"Bearer {self._secret.reveal() if self._secret else ''}",
                                    **self._headers},
                max_size=names.MAX_FRAME_BYTES,
                open_timeout=OPEN_TIMEOUT_S,
                ping_interval=PING_INTERVAL_S,
                ping_timeout=PING_TIMEOUT_S,
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

        Attempts count across drops until a connection completes a turn (a `response.done`), so a server that
        accepts the handshake, sends `session.created` and then drops every time still exhausts `max_attempts`
        (a connection that lasted PROVEN_ALIVE_S counts too, so idle closes an hour apart never add up).
        """
        used = 0
        while True:
            ws = self._ws
            assert ws is not None
            turns, opened = self._turns, time.monotonic()
            ended = await self._read(ws)
            if self._turns > turns or time.monotonic() - opened >= PROVEN_ALIVE_S:
                used = 0
            if ended.status == "error" or not self._policy.enabled or ended.code == TOO_BIG \
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
        self._end_message = ended.message
        self._ready.set()  # release waiting senders: they will see the connection is gone
        if ended.status != "closed":
            ended = ConnectionEvent("closed", code=ended.code, reason=ended.reason, message=ended.message)
        await self._emit(ended)

    async def _read(self, ws: ClientConnection) -> ConnectionEvent:
        watch = asyncio.create_task(self._watchdog.watch(ws, self._on_stall), name="rtagent-ws-watchdog")
        try:
            return await self._read_frames(ws)
        finally:
            watch.cancel()

    async def _on_stall(self, ws: ClientConnection, message: str) -> None:
        """No server event for too long during a response: report it and drop the connection, so the reconnect
        (and its attempt budget) takes over as for any dead connection."""
        logger.warning("%s", message)
        await self._emit(_client_error("response_timeout", message, self.dialect))
        ws.transport.abort()

    async def _read_frames(self, ws: ClientConnection) -> ConnectionEvent:
        dialect = self.dialect
        mirror = self._mirror
        mirrored = _MIRRORED_KINDS
        watchdog = self._watchdog
        try:
            while True:
                frame = await ws.recv(decode=False)  # JSON parses bytes directly: no UTF-8 decode pass
                try:
                    event = parse_server_event(frame, dialect)
                except ServerEventError as exc:
                    logger.warning("%s", exc)
                    await self._emit(_client_error("invalid_server_event", str(exc), dialect))
                    continue
                kind = event.kind
                watchdog.on_server_event(kind)
                if kind == names.RESPONSE_DONE:
                    self._turns += 1
                elif kind == names.ERROR:
                    event = ServerEvent(clean_server_text(event.data, self._key()), dialect)
                if kind in mirrored:
                    try:
                        mirror.on_server_event(kind, event.data)
                    except (TypeError, ValueError, AttributeError, KeyError) as exc:
                        message = f"Ignored a malformed {kind} event from the server: {exc}"
                        logger.warning("%s", message)
                        await self._emit(_client_error("invalid_server_event", message, dialect))
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
            return ConnectionEvent("error", message=redact(str(exc), self._secret))
        code = ws.close_code
        reason = ws.close_reason or ""
        sent = ws.protocol.close_sent
        if sent is not None and sent.code == TOO_BIG:  # we refused the server's frame (it may never answer)
            code, reason = TOO_BIG, sent.reason
        if code == TOO_BIG:
            reason = (f"a message was larger than the connection allows ({reason or 'message too big'}); "
                      "not reconnecting, as the replay would carry it again")
        return ConnectionEvent("closed", code=code if code is not None else names.CLOSE_ABNORMAL, reason=reason)

    def _key(self) -> str | None:
        return self._secret.reveal() if self._secret else None

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
            self._watchdog.reset()
            self._ws = ws
            self._ready.set()
            await self._emit(ConnectionEvent("reconnected", attempt=attempt))
            return None, attempt
        why = last or "the server kept dropping the connection"
        message = f"Gave up reconnecting after {self._policy.max_attempts} attempts: {why}"
        return ConnectionEvent("failed", code=names.CLOSE_ABNORMAL, message=message), self._policy.max_attempts

    async def send_event(self, event: ClientEvent) -> None:
        """Send one event; while reconnecting, wait for the new connection (the replay goes first)."""
        if self._ws is None and not self._finished:
            raise RealtimeConnectionError("Not connected: enter the session (`async with session:`) first.")
        try:
            payload = orjson.dumps(to_wire(event, self.dialect))
        except TypeError as exc:  # e.g. text with lone surrogates (undecodable bytes read from a terminal)
            raise UserError(f"This {event['type']} event cannot be sent as JSON: {exc}.") from None
        if len(payload) > names.MAX_FRAME_BYTES:
            raise UserError(f"This {event['type']} event is {len(payload) / 1e6:.1f} MB; the realtime connection "
                            f"carries at most {names.MAX_FRAME_BYTES / 1e6:.1f} MB per event: send less at once.")
        while True:  # bounded: each lost socket waits for the reconnect loop, whose attempts are bounded
            await self._wait_ready()
            ws = self._ws
            if ws is None or self._finished:
                raise RealtimeConnectionError(self._end_message or "The connection is closed.")
            try:
                await ws.send(payload, text=True)
            except websockets.ConnectionClosed as exc:
                if not self._policy.enabled or self._closing:
                    code = exc.rcvd.code if exc.rcvd else names.CLOSE_ABNORMAL
                    raise RealtimeConnectionError(f"The connection is closed ({code}).") from None
                if self._ws is ws and not self._finished:
                    # the reader has not replaced this socket yet: wait for it to; if it already has (or gave
                    # up), clearing now would hide the new connection from this sender until the budget ends
                    self._ready.clear()
                continue
            except (AttributeError, RuntimeError) as exc:  # a socket torn down under us (websockets internals)
                raise RealtimeConnectionError(f"The connection is closed ({type(exc).__name__}).") from None
            self._watchdog.on_client_event(event["type"])
            self._mirror.on_client_event(event)
            return

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


def _client_error(code: str, message: str, dialect: names.Dialect) -> ServerEvent:
    """An `error` event the client raises itself (the session shows it as any other error)."""
    return ServerEvent({"type": "error", "error": {"type": "client_error", "code": code, "message": message,
                                                   "param": None, "event_id": None}}, dialect)


def _timeout(value: Any) -> float | None:
    if value is None or value is False:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise UserError("model_config.response_timeout_s: use a number of seconds >= 0 (0 or None turns it off)")
    return float(value) or None
