"""Logging for the CLI: one stderr handler whose filter redacts secrets from every record, ours and libraries'.

`--debug` turns on DEBUG everywhere (the `websockets` library logs request headers there); the filter replaces
known secrets, `Authorization: Bearer …` values and `sk-…` looking tokens with `[redacted]` before formatting.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable

from ..protocol.secret import REDACTED

_MIN_SECRET_LENGTH = 4  # shorter "secrets" (e.g. "x") would redact ordinary text, not protect anything

_PATTERNS = (
    # A Bearer credential, in a header line, a repr'd header tuple or prose: keep the scheme, drop the token.
    re.compile(r"(?i)(\bbearer\s+)(?!\[redacted\])[^\s'\",;)\]}]+"),
    # An Authorization header with any other scheme (Basic …): drop the whole value.
    re.compile(r"(?i)(\bauthorization['\"]?\s*[:=,]\s*['\"]?)(?!bearer\b|\[redacted\])[^\s'\",;)\]}][^'\"\r\n]*"),
    # Anything shaped like an OpenAI key (sk-…, sk-proj-…), wherever it appears.
    re.compile(r"()\bsk-[A-Za-z0-9_\-]{8,}"),
)


class RedactingFilter(logging.Filter):
    """Rewrites each record's message (and its formatted exception and stack) with secrets replaced.

    Install it on a handler, not a logger: handler filters see records propagated from every library logger.
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


class _CliHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """Marks the handler this module installed, so configuring twice replaces it instead of adding one."""


def configure_logging(debug: bool, secrets: Iterable[str] = ()) -> RedactingFilter:
    """Log to stderr through a redacting filter: DEBUG everywhere with `debug`, else warnings and errors only.

    `secrets` are redacted verbatim on top of the built-in patterns. Call it again to reconfigure; returns the
    filter so a secret learned later can be added with `add_secret`.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        if isinstance(handler, _CliHandler):
            root.removeHandler(handler)
            handler.close()
    redactor = RedactingFilter(secrets)
    handler = _CliHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    handler.addFilter(redactor)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.WARNING)
    return redactor
