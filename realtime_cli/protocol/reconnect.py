"""When and how soon to reconnect: which closes are worth a new connection, and capped exponential backoff
with jitter. Pure arithmetic; the transport owns the sockets and the clock.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from .errors import ConfigError
from .names import CLOSE_NORMAL


@dataclass(frozen=True)
class ReconnectPolicy:
    """`max_attempts` new connections at most (0 disables reconnecting), waiting `base_delay_s · 2^(n-1)`
    capped at `max_delay_s`, each delay scaled by a random factor in [1 - jitter, 1 + jitter]."""

    max_attempts: int = 6
    base_delay_s: float = 0.25
    max_delay_s: float = 5.0
    jitter: float = 0.2

    @property
    def enabled(self) -> bool:
        return self.max_attempts > 0

    def delay(self, attempt: int, rng: random.Random | None = None) -> float:
        """Seconds to wait before attempt number `attempt` (1-based)."""
        base = min(float(self.max_delay_s), float(self.base_delay_s) * (2.0 ** max(0, attempt - 1)))
        spread = float((rng or random).uniform(1 - self.jitter, 1 + self.jitter))
        return max(0.0, base * spread)

    def budget_s(self) -> float:
        """The longest a full round of attempts can wait in total (used to bound senders waiting meanwhile)."""
        waits = [min(float(self.max_delay_s), float(self.base_delay_s) * 2.0**i) for i in range(self.max_attempts)]
        return sum(waits) * (1 + self.jitter) + 15.0 * self.max_attempts

    @classmethod
    def from_config(cls, value: Any) -> ReconnectPolicy:
        """From the `reconnect` model_config value: None/True (defaults), False (off), or a dict of fields."""
        if value is None or value is True:
            return cls()
        if value is False:
            return cls(max_attempts=0)
        if not isinstance(value, dict):
            raise ConfigError("model_config.reconnect: use true, false, or {max_attempts, base_delay_s, max_delay_s}")
        unknown = set(value) - {"max_attempts", "base_delay_s", "max_delay_s", "jitter"}
        if unknown:
            raise ConfigError(f"model_config.reconnect: unknown key {sorted(unknown)[0]!r}; valid keys: "
                              "max_attempts, base_delay_s, max_delay_s, jitter")
        try:
            policy = cls(**value)
            if policy.max_attempts < 0 or policy.base_delay_s < 0 or policy.max_delay_s < 0:
                raise ValueError("negative")
        except (TypeError, ValueError):
            raise ConfigError("model_config.reconnect: max_attempts must be a whole number >= 0 and the delays "
                              "numbers >= 0") from None
        return policy


def should_reconnect(code: int | None, *, closed_by_us: bool) -> bool:
    """A close we did not ask for, other than a normal close, is worth a new connection (1001 included)."""
    return not closed_by_us and code != CLOSE_NORMAL
