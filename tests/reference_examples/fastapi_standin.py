"""What the reference web app takes from FastAPI, reduced to what its event handling needs (FastAPI is not a
dependency here): the app object's decorators register nothing, and the test supplies the WebSocket."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

WebSocket = Any


class WebSocketDisconnect(Exception):
    """The browser went away."""


class FileResponse:
    def __init__(self, path: Any) -> None:
        self.path = path


class StaticFiles:
    def __init__(self, **options: Any) -> None:
        self.options = options


class FastAPI:
    def __init__(self, **options: Any) -> None:
        self.options = options

    def websocket(self, path: str) -> Callable[[Any], Any]:
        return lambda func: func

    def get(self, path: str) -> Callable[[Any], Any]:
        return lambda func: func

    def mount(self, path: str, app: Any, name: str | None = None) -> None:
        return None
