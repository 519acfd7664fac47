"""StderrCapture: native writes to fd 2 are counted and kept off the terminal; sys.stderr still reaches it."""

from __future__ import annotations

import os
import sys

import pytest


def test_native_stderr_is_captured_and_python_stderr_is_not(capfd: pytest.CaptureFixture[str]) -> None:
    from realtime_cli.audio.stderr_capture import StderrCapture

    with StderrCapture(keep=2) as captured:
        os.write(2, b"ALSA lib pcm.c:8740:(snd_pcm_recover) underrun occurred\n")
        os.write(2, b"one\ntwo\npartial")
        print("ours", file=sys.stderr)
    assert captured.lines == 4
    assert list(captured.recent) == ["two", "partial"]
    err = capfd.readouterr().err
    assert "ours" in err and "underrun" not in err
    os.write(2, b"after\n")
    assert "after" in capfd.readouterr().err  # fd 2 is back
