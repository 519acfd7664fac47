"""A credential that never shows itself: `repr`/`str` are redacted, so a debugger, `vars()` or a `%r` log of
an object holding one prints no key. Call it (or `reveal()`) where the value must really be sent.
"""

from __future__ import annotations

REDACTED = "[redacted]"


class Secret:
    """Wraps one secret string. Callable, so it fits `model_config["api_key"]`, which accepts a callable."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        """The real value: only for the Authorization header and for redacting it from text."""
        return self._value

    def __call__(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return f"Secret('{REDACTED}')"

    __str__ = __repr__

