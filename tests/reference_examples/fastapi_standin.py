"""What the reference web app and SIP server take from FastAPI, reduced to what their event handling needs
(FastAPI is not a dependency here): the app object's decorators register nothing, and the test supplies the
WebSocket."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

WebSocket = Any


Request = Any


class WebSocketDisconnect(Exception):
    """The browser went away."""


class HTTPException(Exception):
    def __init__(self, status_code: int, detail: Any = None) -> None:
        super().__init__(status_code, detail)
        self.status_code, self.detail = status_code, detail


class Response:
    def __init__(self, content: Any = None, status_code: int = 200) -> None:
        self.content, self.status_code = content, status_code


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

    def post(self, path: str) -> Callable[[Any], Any]:
        return lambda func: func

    def mount(self, path: str, app: Any, name: str | None = None) -> None:
        return None
