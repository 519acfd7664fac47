"""Logging for the CLI: one stderr handler whose filter redacts secrets from every record, ours and libraries'.

`--debug` turns on DEBUG everywhere (the `websockets` library logs request headers there); the filter replaces
known secrets, `Authorization: Bearer …` values and `sk-…` looking tokens with `[redacted]` before formatting.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

from ..protocol.secret import REDACTED
from ..transport.redaction import RedactingFilter

__all__ = ["REDACTED", "RedactingFilter", "configure_logging"]


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
