"""The local engine's WebSocket server: `/v1/realtime?model=…`, one EngineSession per connection, dialect chosen
by the `OpenAI-Beta: realtime=v1` header; guarded by an optional token, an Origin check, a connection cap and an
idle timeout. Start and stop it in-process, or serve forever.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import threading
import weakref
from concurrent.futures import Future, ThreadPoolExecutor
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson
import websockets
from websockets.asyncio.server import Server, ServerConnection
from websockets.http11 import Request, Response

from ..protocol import names
from .asr import shared_recognizer
from .engine import EngineSession
from .faults import FaultPlan, FaultyLink, stall_handshake
from .speech import synthesizer
from .tts import DEFAULT_VOICE
from .wire import ClientGone

logger = logging.getLogger("realtime_cli.local")
PATH = "/v1/realtime"
MAX_CONNECTIONS = 128  # concurrent sessions; one more gets HTTP 503
IDLE_TIMEOUT_S = 15 * 60.0  # a connection whose client sends nothing this long is closed (1001, going away)
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})


_warm_guard = threading.Lock()
_warm_pool: ThreadPoolExecutor | None = None


def warm_engine() -> None:
    """Load whisper and the default voice and run each once (their first runs are several times slower than the
    next). Blocks; a model that cannot be loaded is left to the sessions to report."""
    try:
        speech = synthesizer(DEFAULT_VOICE).synthesize("Hello, how can I help you today?")
        shared_recognizer().transcribe(speech, "")
    except Exception as exc:  # the session that needs it reports it; warming is only a head start
        logger.debug("engine warm-up skipped: %s", exc)


def start_warming() -> Future[None] | None:
    """Warm the engine once per process on its own thread: its future, or None when that was already started."""
    global _warm_pool
    with _warm_guard:
        if _warm_pool is not None:
            return None
        _warm_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rtagent-warm")
        return _warm_pool.submit(warm_engine)


def _origin_host(origin: str) -> str:
    host = urlsplit(origin).netloc.rsplit("@", 1)[-1]
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.split(":", 1)[0].lower()


class LocalRealtimeServer:
    """An embedded realtime engine. `url = await server.start()`; `await server.stop()`; or `async with`."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, *, greet_after_ms: int | None = None,
                 faults: FaultPlan | None = None, token: str | None = None,
                 max_connections: int = MAX_CONNECTIONS, idle_timeout_s: float | None = IDLE_TIMEOUT_S,
                 allowed_origins: tuple[str, ...] = (), warm: bool = True) -> None:
        """`greet_after_ms`: when set, a session whose client says nothing for that long after its first
        session.update gets a spoken greeting, as an agent that opens the conversation would give.
        `faults`: how connections misbehave (see FaultPlan); for tests of clients and `rtagent serve` drills.
        `token`: when set, a client must send `Authorization: Bearer <token>` (its API key) or gets HTTP 401.
        A request with an `Origin` header (a web page) is refused with 403 unless the origin is a loopback
        host or in `allowed_origins`, so a page in the user's browser cannot drive the engine.
        `warm`: load and run whisper and the default voice once on a worker thread at start (once per process),
        so that the first turn does not wait for them.
        """
        self.host = host
        self.port = port
        self.greet_after_ms = greet_after_ms
        self.faults = faults
        self.token = token
        self.max_connections = max_connections
        self.idle_timeout_s = idle_timeout_s
        self.allowed_origins = frozenset(o.rstrip("/").lower() for o in allowed_origins)
        self.warm = warm
        self._open = 0
        self.connections_served = 0  # connections that asked for the realtime path, faulty ones included
        self._server: Server | None = None
        self.sessions: set[EngineSession] = set()
        self._calls: dict[str, tuple[EngineSession, ServerConnection]] = {}  # attached as ?call_id=
        self._links: set[FaultyLink] = set()
        self._index: weakref.WeakKeyDictionary[ServerConnection, int] = weakref.WeakKeyDictionary()
        self._stopping = asyncio.Event()

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"ws://{host}:{self.port}{PATH}"

    async def start(self) -> str:
        self._stopping = asyncio.Event()
        stall = self.faults is not None and self.faults.handshake_stall
        self._server = await websockets.serve(
            self._handle, self.host, self.port, process_request=self._check_path,
            max_size=names.MAX_FRAME_BYTES, ping_interval=None, compression=None,
            open_timeout=None if stall else 10,
        )
        self.port = self._server.sockets[0].getsockname()[1]
        if self.warm:
            start_warming()
        logger.info("local realtime engine listening on %s", self.url)
        return self.url

    async def stop(self) -> None:
        if self._server is not None:
            self._stopping.set()
            for link in list(self._links):
                if link.stalled:
                    link.abort()
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)
            self._server = None

    @property
    def calls(self) -> dict[str, EngineSession]:
        """The sessions attached to a call (`?call_id=`, the Realtime Calls API's way), by call id."""
        return {call_id: session for call_id, (session, _) in self._calls.items()}

    async def hang_up(self, call_id: str) -> bool:
        """End the call attached as `?call_id=call_id`: its connection closes normally (1000), as the service's
        does when the caller hangs up. False when no such call is attached."""
        attached = self._calls.get(call_id)
        if attached is None:
            return False
        await attached[1].close(1000, "call ended")
        return True

    async def __aenter__(self) -> LocalRealtimeServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def serve_forever(self) -> None:
        if self._server is None:
            await self.start()
        assert self._server is not None
        await self._server.serve_forever()

    async def _check_path(self, connection: ServerConnection, request: Request) -> Response | None:
        if urlsplit(request.path).path.rstrip("/") != PATH:
            return connection.respond(HTTPStatus.NOT_FOUND, f"Unknown path; connect to {PATH}?model=...\n")
        refusal = self._refusal(request)
        if refusal is not None:
            logger.warning("refused a connection: %s", refusal[1].strip())
            return connection.respond(*refusal)
        index = self._index[connection] = self.connections_served
        self.connections_served += 1
        if self.faults is not None and self.faults.handshake_stall and self.faults.applies_to(index):
            await stall_handshake(self._stopping)
            return connection.respond(HTTPStatus.SERVICE_UNAVAILABLE, "The server is shutting down.\n")
        return None

    def _refusal(self, request: Request) -> tuple[HTTPStatus, str] | None:
        origin = request.headers.get("Origin")
        if origin is not None and origin.rstrip("/").lower() not in self.allowed_origins \
                and _origin_host(origin) not in _LOOPBACK_HOSTS:
            return HTTPStatus.FORBIDDEN, "Connections from web pages are not accepted.\n"
        if self.token is not None:
            sent = request.headers.get("Authorization", "")
            expected = f"Bearer {self.token}"
            if not hmac.compare_digest(sent.encode(), expected.encode()):
                return HTTPStatus.UNAUTHORIZED, "Missing or wrong token: send it as the API key.\n"
        if self._open >= self.max_connections:
            return HTTPStatus.SERVICE_UNAVAILABLE, f"Too many connections (at most {self.max_connections}).\n"
        return None

    async def _recv(self, ws: ServerConnection) -> bytes | str:
        """The next client frame; after `idle_timeout_s` of silence the connection is closed (1001)."""
        if self.idle_timeout_s is None:
            return await ws.recv(decode=False)
        try:
            return await asyncio.wait_for(ws.recv(decode=False), self.idle_timeout_s)
        except asyncio.TimeoutError:
            await ws.close(1001, f"idle for {self.idle_timeout_s:g} s")
            raise ClientGone() from None

    async def _handle(self, ws: ServerConnection) -> None:
        self._open += 1
        try:
            await self._session(ws)
        finally:
            self._open -= 1

    async def _session(self, ws: ServerConnection) -> None:
        request = ws.request
        headers = request.headers if request is not None else {}
        beta = headers.get(names.BETA_HEADER[0]) == names.BETA_HEADER[1]
        query = parse_qs(urlsplit(request.path).query) if request is not None else {}
        model = (query.get("model") or [names.DEFAULT_MODEL])[0]
        call_id: str | None = next(iter(query.get("call_id") or []), None)

        async def send(event: dict[str, Any]) -> None:
            await ws.send(orjson.dumps(event), text=True)

        plan, index = self.faults, self._index.pop(ws, 0)
        link = FaultyLink(plan, ws, index) if plan is not None and plan.applies_to(index) else None
        raw_send = link.send if link else send

        async def guarded_send(event: dict[str, Any]) -> None:
            try:
                await raw_send(event)
            except websockets.ConnectionClosed:
                raise ClientGone() from None

        session = EngineSession(guarded_send, "beta" if beta else "ga", model,
                                greet_after_ms=self.greet_after_ms)
        self.sessions.add(session)
        if call_id is not None:  # the engine holds no phone calls: any call id attaches to a new conversation
            self._calls[call_id] = (session, ws)
        if link is not None:
            self._links.add(link)
        try:
            if link is not None:
                await link.start()
            await session.start()
            while True:
                frame = await self._recv(ws)
                if link is not None:
                    await link.hold()
                await session.handle_frame(frame)
        except (websockets.ConnectionClosed, ClientGone):
            pass
        except Exception:  # one broken session must never take the server down
            logger.exception("session %s failed", session.session_id)
            with contextlib.suppress(Exception):
                await ws.close(1011, "internal error")
        finally:
            await session.close()
            self.sessions.discard(session)
            if call_id is not None and self._calls.get(call_id, (None,))[0] is session:
                del self._calls[call_id]
            if link is not None:
                link.finish()
                self._links.discard(link)
