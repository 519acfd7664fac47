"""`python -m realtime_cli.local`: the engine in a process of its own, for a client that started it (rtagent talk).

Prints its ws:// URL on the first line of stdout, then serves until its stdin closes (the parent exited, however it
exited) or it is sent SIGTERM; its log goes to stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys
import threading

from .server import LocalRealtimeServer


def _watch_stdin(loop: asyncio.AbstractEventLoop, done: asyncio.Event) -> None:
    """On a thread: wait for the parent's end of stdin to close, then end the engine."""
    with contextlib.suppress(Exception):
        while sys.stdin.buffer.read(4096):
            pass
    with contextlib.suppress(RuntimeError):  # (the loop already ended)
        loop.call_soon_threadsafe(done.set)


async def serve(greet_after_ms: int | None) -> None:
    done = asyncio.Event()
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError, RuntimeError):
        loop.add_signal_handler(signal.SIGTERM, done.set)
    server = LocalRealtimeServer(greet_after_ms=greet_after_ms)
    url = await server.start()
    print(url, flush=True)
    threading.Thread(target=_watch_stdin, args=(loop, done), name="rtagent-parent", daemon=True).start()
    try:
        await done.wait()
    finally:
        await server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m realtime_cli.local", description=__doc__.splitlines()[0])
    parser.add_argument("--greet-after-ms", type=int, default=None)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.greet_after_ms))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
