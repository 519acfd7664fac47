"""Secret redaction and control-character neutralizing for text that may be logged or shown.

One filter instance guards the library loggers (ours and `websockets`) as soon as a key is used, so an SDK user
who turns on DEBUG logging never sees `Authorization: Bearer …`; the CLI installs the same filter on its handler.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

from ..protocol.secret import REDACTED

_MIN_SECRET_LENGTH = 4  # shorter "secrets" (e.g. "x") would redact ordinary text, not protect anything
# the loggers that can carry a request header or a server's words: records logged on them pass the filter
GUARDED_LOGGERS = ("websockets.client", "websockets", "realtime_cli", "realtime_cli.transport",
                   "realtime_cli.session", "realtime_cli.cli")

_PATTERNS = (
    # A Bearer credential, in a header line, a repr'd header tuple or prose: keep the scheme, drop the token.
    re.compile(r"(?i)(\bbearer\s+)(?!\[redacted\])[^\s'\",;)\]}]+"),
    # An Authorization header with any other scheme (Basic …): drop the whole value.
    re.compile(r"(?i)(\bauthorization['\"]?\s*[:=,]\s*['\"]?)(?!bearer\b|\[redacted\])[^\s'\",;)\]}][^'\"\r\n]*"),
    # Anything shaped like an OpenAI key (sk-…, sk-proj-…), wherever it appears.
    re.compile(r"()\bsk-[A-Za-z0-9_\-]{8,}"),
)
# C0 controls except tab and newline, DEL, and C1 controls: a terminal would act on them (ANSI escapes)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def neutralize(text: str) -> str:
    """`text` with terminal control characters shown as `\\xNN` instead of acted on."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (and its formatted exception and stack) with secrets replaced.

    On a handler it sees records propagated from every library logger; on a logger, those logged on it.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets: list[str] = []
        for secret in secrets:
            self.add_secret(secret)

    def add_secret(self, secret: str | None) -> None:
        """Also redact this exact string (a key learned after logging was configured)."""
        if secret and len(secret) >= _MIN_SECRET_LENGTH and secret not in self._secrets:
            self._secrets.append(secret)
            self._secrets.sort(key=len, reverse=True)  # a longer secret first, in case one contains another

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        for pattern in _PATTERNS:
            text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: show the template and args, still redacted
            message = f"{record.msg!r} % {record.args!r}"
        record.msg = self.redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


LIBRARY_FILTER = RedactingFilter()


def guard_library_logs(secret: str | None) -> None:
    """Redact `secret` (and key-shaped text) from every record logged on the library's loggers."""
    LIBRARY_FILTER.add_secret(secret)
    for name in GUARDED_LOGGERS:
        log = logging.getLogger(name)
        if LIBRARY_FILTER not in log.filters:
            log.addFilter(LIBRARY_FILTER)


def clean_server_text(value: Any, secret: str | None) -> Any:
    """A server's error payload with the key (and key-shaped text) redacted and control characters neutralized,
    strings inside dicts and lists included; other values are returned as they are."""
    if isinstance(value, str):
        text = value.replace(secret, REDACTED) if secret else value
        return neutralize(LIBRARY_FILTER.redact(text))
    if isinstance(value, dict):
        return {k: clean_server_text(v, secret) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_server_text(v, secret) for v in value]
    return value
