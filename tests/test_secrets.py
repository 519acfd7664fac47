"""Secrets never reach logs, recordings, error messages, reprs or CLI output (DESIGN.md house rule).

Each key is a distinctive string; a test fails if it appears anywhere we can look. The keys come in two shapes:
one like an OpenAI key (`sk-…`, caught by the redaction patterns) and one not (caught only as a known secret).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import subprocess
import sys
import traceback
from collections.abc import Iterator
from http import HTTPStatus
from pathlib import Path
from typing import Any

import pytest
import websockets

from realtime_cli import RealtimeAgent, RealtimeRunner
from realtime_cli.cli.logging_setup import REDACTED, RedactingFilter, configure_logging
from realtime_cli.protocol.errors import RealtimeConnectionError
from support.scripted_server import ScriptedConnection, ScriptedServer
from support.server_events import Events

ROOT = Path(__file__).resolve().parents[1]
ENV_KEY = "sk-envKEY0000leakcheck1111aaaa"
CFG_KEY = "sk-proj-cfgKEY2222leakcheck3333bbbb"
PLAIN_KEY = "plainKEY-4444-not-sk-shaped-5555"  # only a known-secret list can catch this one
KEYS = (ENV_KEY, CFG_KEY, PLAIN_KEY)
E = Events("ga")


def assert_no_secret(text: str | bytes, *keys: str) -> None:
    blob = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    for key in keys or KEYS:
        assert key not in blob, f"secret {key[:10]}… leaked in:\n{blob[-3000:]}"
        assert key[3:] not in blob, f"secret {key[:10]}… (without its prefix) leaked in:\n{blob[-3000:]}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def error_text(exc: BaseException, *, chain: bool = False) -> str:
    """What an exception shows: str, repr, args and the formatted traceback (which honours `from None`).

    With `chain`, also every exception it still references through __cause__/__context__, suppressed or not
    (what a debugger, an error reporter or `exc.__context__` in a handler can reach).
    """
    parts = [str(exc), repr(exc), repr(exc.args), "".join(traceback.format_exception(exc))]
    seen = {id(exc)}
    current = exc.__cause__ or exc.__context__ if chain else None
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        parts += [str(current), repr(current), repr(current.args), "".join(traceback.format_exception(current))]
        current = current.__cause__ or current.__context__
    return "\n".join(parts)


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


# --- the redacting filter -----------------------------------------------------------------------------------


@pytest.mark.usefixtures("restore_logging")
def test_debug_logs_redact_known_secrets_in_messages_args_and_exceptions(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(True, [PLAIN_KEY])
    log = logging.getLogger("realtime_cli.test")
    log.debug("key in the message %s", PLAIN_KEY)
    log.debug("headers %r", {"Authorization": f"Bearer {PLAIN_KEY}"})
    try:
        raise RuntimeError(f"failed with {PLAIN_KEY}")
    except RuntimeError:
        log.exception("boom")
    log.debug("ordinary text stays")
    err = capsys.readouterr().err
    assert_no_secret(err)
    assert err.count(REDACTED) >= 3 and "ordinary text stays" in err and "RuntimeError: failed with" in err


@pytest.mark.parametrize("line", [
    f"> Authorization: Bearer {PLAIN_KEY}",
    f"('Authorization', 'Bearer {PLAIN_KEY}')",
    f"authorization=Basic {PLAIN_KEY}",
    f"sent key {ENV_KEY} and {CFG_KEY}",
    f"headers={{'Authorization': 'Bearer {ENV_KEY}'}}",
])
def test_patterns_catch_bearer_tokens_authorization_values_and_sk_keys(line: str) -> None:
    redacted = RedactingFilter().redact(line)  # no known secrets: the patterns alone
    assert_no_secret(redacted)
    assert REDACTED in redacted


def test_a_known_secret_in_a_header_is_redacted_exactly_once() -> None:
    redactor = RedactingFilter([ENV_KEY, PLAIN_KEY])
    assert redactor.redact(f"> Authorization: Bearer {ENV_KEY}") == "> Authorization: Bearer [redacted]"
    assert redactor.redact(f"Authorization: {PLAIN_KEY}") == "Authorization: [redacted]"


def test_patterns_leave_ordinary_text_alone() -> None:
    text = "connected to ws://127.0.0.1:8080/v1/realtime?model=gpt-realtime (dialect ga); task-runner ok"
    assert RedactingFilter().redact(text) == text


def test_very_short_secrets_are_ignored_rather_than_redacting_everything() -> None:
    assert RedactingFilter(["x", ""]).redact("max index") == "max index"


@pytest.mark.usefixtures("restore_logging")
def test_configure_logging_twice_keeps_one_handler_and_sets_the_level() -> None:
    root = logging.getLogger()
    before = len(root.handlers)
    configure_logging(True, [PLAIN_KEY])
    configure_logging(False, [PLAIN_KEY])
    assert len(root.handlers) == before + 1
    assert root.level == logging.WARNING
    filters = [f for h in root.handlers for f in h.filters if isinstance(f, RedactingFilter)]
    assert len(filters) == 1


@pytest.mark.usefixtures("restore_logging")
async def test_websockets_debug_logs_of_a_real_handshake_are_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    """`websockets` logs every request header at DEBUG; the handler's filter must catch the Authorization one."""
    redactor = configure_logging(True, [])
    redactor.add_secret(PLAIN_KEY)  # a key learned after logging was set up

    async def script(c: ScriptedConnection) -> None:
        await c.send(E.session_created())
        await c.expect("session.update")
        await c.close()

    async with ScriptedServer(script) as server:
        session = await RealtimeRunner(RealtimeAgent(name="A")).run(
            model_config={"url": server.url, "api_key": PLAIN_KEY, "reconnect": False})
        async with session:
            async for _ in session:
                pass
    err = capsys.readouterr().err
    assert server.connections[0].headers["authorization"] == f"Bearer {PLAIN_KEY}"
    assert "> Authorization: Bearer [redacted]" in err  # the library did log the header; we redacted it
    assert_no_secret(err)


# --- exceptions -----------------------------------------------------------------------------------------------


async def _connect(url: str, api_key: str | None = None) -> BaseException:
    config: dict[str, Any] = {"url": url, "reconnect": False}
    if api_key is not None:
        config["api_key"] = api_key
    session = await RealtimeRunner(RealtimeAgent(name="A")).run(model_config=config)  # type: ignore[arg-type]
    with pytest.raises(RealtimeConnectionError) as info:
        async with session:
            pass
    return info.value


@pytest.mark.parametrize("source", ["config", "env"])
async def test_refused_connection_error_has_no_key(source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"ws://127.0.0.1:{free_port()}/v1/realtime"
    if source == "env":
        monkeypatch.setenv("OPENAI_API_KEY", ENV_KEY)
    exc = await _connect(url, CFG_KEY if source == "config" else None)
    assert "Could not connect" in str(exc)
    assert_no_secret(error_text(exc, chain=True))


class _Rejecting:
    """A WebSocket server that answers every handshake 401 and echoes the credential it got (as some do)."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.url = ""

    def process_request(self, connection: Any, request: Any) -> Any:
        auth = request.headers.get("Authorization", "")
        self.seen.append(auth)
        return connection.respond(HTTPStatus.UNAUTHORIZED, f"Incorrect API key provided: {auth}\n")

    async def __aenter__(self) -> _Rejecting:
        self._server = await websockets.serve(lambda ws: ws.close(), "127.0.0.1", 0,
                                              process_request=self.process_request)
        self.url = f"ws://127.0.0.1:{self._server.sockets[0].getsockname()[1]}/v1/realtime"
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._server.close()
        await self._server.wait_closed()


@pytest.mark.parametrize("key", [CFG_KEY, PLAIN_KEY])
async def test_handshake_rejected_with_401_error_has_no_key(key: str) -> None:
    async with _Rejecting() as server:
        exc = await _connect(server.url, key)
    assert server.seen == [f"Bearer {key}"]
    assert "401" in str(exc)
    assert_no_secret(error_text(exc))


async def test_handshake_rejected_with_401_error_chain_retains_no_key() -> None:
    async with _Rejecting() as server:
        exc = await _connect(server.url, PLAIN_KEY)
    assert_no_secret(error_text(exc, chain=True), PLAIN_KEY)


# --- reprs of the objects that hold the key -------------------------------------------------------------------


async def _session(key: str) -> Any:
    runner = RealtimeRunner(RealtimeAgent(name="A"))
    session = await runner.run(model_config={"url": "ws://127.0.0.1:9/v1/realtime", "api_key": key})
    return runner, session


async def _connected_session(key: str) -> tuple[Any, Any, ScriptedServer]:
    """A session connected to a scripted server that stays open, so the model holds its live key and headers."""
    async def script(c: ScriptedConnection) -> None:
        await c.send(E.session_created())
        await c.ws.wait_closed()

    server = ScriptedServer(script)
    await server.__aenter__()
    runner = RealtimeRunner(RealtimeAgent(name="A"))
    session = await runner.run(model_config={"url": server.url, "api_key": key, "reconnect": False})
    await session.enter()
    return runner, session, server


async def test_reprs_of_runner_session_and_model_have_no_key() -> None:
    runner, session, server = await _connected_session(PLAIN_KEY)
    try:
        for obj in (runner, session, session.model):
            assert_no_secret(repr(obj))
            assert_no_secret(str(obj))
        describe = getattr(session.model, "describe", None)
        if describe is not None:
            assert_no_secret(repr(describe()))
    finally:
        await session.close()
        await server.__aexit__()


async def test_shallow_vars_of_session_and_model_have_no_key() -> None:
    runner, session, server = await _connected_session(PLAIN_KEY)
    try:
        for obj in (runner, session, session.model):
            for name, value in vars(obj).items():
                assert_no_secret(f"{name}={value!r}", PLAIN_KEY)
    finally:
        await session.close()
        await server.__aexit__()


# --- the CLI: --debug output and --record files ---------------------------------------------------------------

SCRIPT = "steps:\n  - say: what is the weather in paris\n"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "RTAGENT_"))}
    env.update(extra)
    return env


def _recorded(folder: Path) -> bytes:
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    assert any(p.name == "events.jsonl" for p in files), files
    return b"\n".join(p.read_bytes() for p in files)


@pytest.mark.slow
def test_cli_local_backend_debug_and_record_have_no_env_key(tmp_path: Path) -> None:
    script = tmp_path / "demo.yaml"
    script.write_text(SCRIPT, encoding="utf-8")
    record = tmp_path / "rec"
    proc = subprocess.run([sys.executable, "-m", "realtime_cli.cli.app", "talk", "--agent", "configs/assistant.yaml",
                           "--script", str(script), "--backend", "local", "--record", str(record), "--debug"],
                          cwd=ROOT, env=_env(OPENAI_API_KEY=ENV_KEY), capture_output=True, timeout=180)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output.decode(errors="replace")[-3000:]
    assert_no_secret(output, ENV_KEY)
    assert_no_secret(_recorded(record), ENV_KEY)


async def _run_cli(*args: str, env: dict[str, str], timeout: float = 120) -> tuple[int, bytes]:
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "realtime_cli.cli.app", *args, cwd=ROOT,
                                                env=env, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.STDOUT)
    try:
        out, _ = await asyncio.wait_for(proc.communicate(), timeout)
    except asyncio.TimeoutError:
        proc.kill()
        out, _ = await proc.communicate()
    return int(proc.returncode if proc.returncode is not None else -1), out


async def _answer_one_turn(c: ScriptedConnection) -> None:
    await c.send(E.session_created())
    await c.expect("session.update")
    await c.expect("conversation.item.create")
    await c.expect("response.create")
    await c.send(*E.assistant_turn("resp_1", "item_1", "It is sunny in Paris.", b"\x00\x01" * 2400))
    await c.ws.wait_closed()


@pytest.mark.slow
async def test_cli_openai_backend_debug_output_and_record_have_no_key(tmp_path: Path) -> None:
    script = tmp_path / "demo.yaml"
    script.write_text(SCRIPT, encoding="utf-8")
    record = tmp_path / "rec"
    async with ScriptedServer(_answer_one_turn) as server:
        code, output = await _run_cli("talk", "--agent", "configs/assistant.yaml", "--script", str(script),
                                      "--backend", "openai", "--record", str(record), "--debug",
                                      env=_env(OPENAI_API_KEY=ENV_KEY, RTAGENT_REALTIME_URL=server.url))
    text = output.decode(errors="replace")
    assert server.connections, text[-3000:]
    assert server.connections[0].headers["authorization"] == f"Bearer {ENV_KEY}"  # the key really was sent
    assert code == 0, text[-3000:]
    assert_no_secret(_recorded(record), ENV_KEY)
    assert_no_secret(output, ENV_KEY)


@pytest.mark.slow
async def test_cli_openai_backend_record_has_no_key(tmp_path: Path) -> None:
    """The recording alone (without --debug, so this holds whatever the logging does)."""
    script = tmp_path / "demo.yaml"
    script.write_text(SCRIPT, encoding="utf-8")
    record = tmp_path / "rec"
    async with ScriptedServer(_answer_one_turn) as server:
        code, output = await _run_cli("talk", "--agent", "configs/assistant.yaml", "--script", str(script),
                                      "--backend", "openai", "--record", str(record),
                                      env=_env(OPENAI_API_KEY=ENV_KEY, RTAGENT_REALTIME_URL=server.url))
    assert code == 0, output.decode(errors="replace")[-3000:]
    assert server.connections[0].headers["authorization"] == f"Bearer {ENV_KEY}"
    assert_no_secret(output, ENV_KEY)
    assert_no_secret(_recorded(record), ENV_KEY)


@pytest.mark.slow
@pytest.mark.parametrize("server_kind", [
    "refused",
    "401",
])
async def test_cli_connection_failures_with_debug_traceback_have_no_key(server_kind: str) -> None:
    """With --debug the CLI re-raises, so the whole traceback is printed: it must not carry the key."""
    async def run(url: str) -> tuple[int, bytes]:
        return await _run_cli("talk", "--agent", "configs/assistant.yaml", "--text", "--backend", "openai",
                              "--debug", env=_env(OPENAI_API_KEY=ENV_KEY, RTAGENT_REALTIME_URL=url))

    if server_kind == "refused":
        code, output = await run(f"ws://127.0.0.1:{free_port()}/v1/realtime")
    else:
        async with _Rejecting() as server:
            code, output = await run(server.url)
        assert server.seen == [f"Bearer {ENV_KEY}"]
    text = output.decode(errors="replace")
    assert code != 0 and "Could not connect" in text, text[-3000:]
    assert_no_secret(output, ENV_KEY)
