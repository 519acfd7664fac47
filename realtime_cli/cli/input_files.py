"""Reading a user's text file (agent YAML, --script) defensively: regular files only, size-capped, UTF-8,
no NUL bytes — so a FIFO, /dev/zero, a binary or a huge file is one clear line, never a hang or a traceback.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_TEXT_FILE_BYTES = 1024 * 1024  # configs and scripts are small; anything bigger is not one


class InputFileError(Exception):
    """The file cannot be used as text; `line`/`column` say where when the problem is at a place in it."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def read_text_file(path: Path, limit: int = MAX_TEXT_FILE_BYTES) -> str:
    """The file's text (UTF-8, a BOM allowed); raises InputFileError with a fix for each way that can fail."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputFileError("no such file; check the path") from None
    except OSError as exc:
        raise InputFileError(f"cannot read the file ({exc.strerror or exc}); check its permissions") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputFileError("is a folder, not a file; pass a text file") from None
    if not stat.S_ISREG(info.st_mode):
        raise InputFileError("is not a regular file (a device, pipe or socket); pass a text file")
    if info.st_size > limit:
        raise InputFileError(f"is {info.st_size:,} bytes; at most {limit:,} are read, so this is not a config")
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as exc:
        raise InputFileError(f"cannot read the file ({exc.strerror or exc}); check its permissions") from None
    if len(raw) > limit:
        raise InputFileError(f"is more than {limit:,} bytes, so this is not a config")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _where(raw, exc.start)
        raise InputFileError("the file is not UTF-8 text; save it as UTF-8", line, column) from None
    nul = raw.find(b"\x00")
    if nul >= 0:
        line, column = _where(raw, nul)
        raise InputFileError("the file contains a NUL byte, so it is not a text file; remove it", line, column)
    return text


def _where(raw: bytes, offset: int) -> tuple[int, int]:
    before = raw[:offset]
    return before.count(b"\n") + 1, offset - (before.rfind(b"\n") + 1) + 1
