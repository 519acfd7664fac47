"""ReconnectPolicy and should_reconnect: which closes retry, and the backoff arithmetic."""

from __future__ import annotations

import random

import pytest

from realtime_cli.protocol.errors import ConfigError
from realtime_cli.protocol.reconnect import ReconnectPolicy, should_reconnect


def test_only_unrequested_non_normal_closes_reconnect() -> None:
    assert should_reconnect(1006, closed_by_us=False)
    assert should_reconnect(1001, closed_by_us=False)  # the service's session-duration limit
    assert should_reconnect(1011, closed_by_us=False)
    assert should_reconnect(None, closed_by_us=False)
    assert not should_reconnect(1000, closed_by_us=False)
    assert not should_reconnect(1006, closed_by_us=True)


def test_delays_double_up_to_the_cap_within_the_jitter() -> None:
    policy = ReconnectPolicy(max_attempts=8, base_delay_s=0.5, max_delay_s=3.0, jitter=0.1)
    rng = random.Random(7)
    for attempt in range(1, 9):
        nominal = min(3.0, 0.5 * 2 ** (attempt - 1))
        assert nominal * 0.9 <= policy.delay(attempt, rng) <= nominal * 1.1
    assert ReconnectPolicy(jitter=0.0).delay(1) == 0.25
    assert policy.budget_s() > sum(min(3.0, 0.5 * 2**i) for i in range(8))


@pytest.mark.parametrize(("value", "attempts"), [(None, 6), (True, 6), (False, 0), ({"max_attempts": 2}, 2)])
def test_from_config(value: object, attempts: int) -> None:
    policy = ReconnectPolicy.from_config(value)
    assert policy.max_attempts == attempts and policy.enabled == (attempts > 0)


@pytest.mark.parametrize(("value", "message"), [
    ("yes", "use true, false"),
    ({"retries": 1}, "unknown key 'retries'"),
    ({"max_attempts": -1}, "whole number >= 0"),
    ({"base_delay_s": "soon"}, "numbers >= 0"),
])
def test_bad_config_is_one_clear_error(value: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        ReconnectPolicy.from_config(value)
