"""Shared test setup: the `tests/` folder on sys.path for the `support` helpers; no network keys leak in."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(autouse=True)
def _no_real_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("RTAGENT_REALTIME_URL", raising=False)
    monkeypatch.delenv("RTAGENT_BACKEND", raising=False)
