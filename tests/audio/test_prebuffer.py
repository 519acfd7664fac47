"""PrebufferPolicy: what the two start rules learn from arrival patterns."""

from __future__ import annotations

import pytest

from realtime_cli.audio.prebuffer import PrebufferPolicy

RATE = 24_000
DELTA = 960  # 40 ms


def feed_response(policy: PrebufferPolicy, rid: str, arrivals_ms: list[float], start: float) -> None:
    for at in arrivals_ms:
        policy.on_arrival(rid, DELTA, start + at / 1000)


def test_initial_values_hold_until_three_responses_were_measured() -> None:
    policy = PrebufferPolicy(RATE, initial_ms=100)
    assert policy.start_delay_ms == 100
    for r in range(3):
        feed_response(policy, f"r{r}", [0, 10, 20, 30], start=r * 10.0)
        assert policy.start_buffer_ms == 100
    feed_response(policy, "r3", [0], start=40.0)
    assert policy.start_buffer_ms == 40  # three early-arriving responses: the floor
    assert policy.start_delay_ms == 40


def test_lateness_of_the_worst_recent_response_sets_the_time_rule() -> None:
    policy = PrebufferPolicy(RATE, margin_ms=20)
    for r in range(4):  # deltas 40 ms apart except one 70 ms late in response 2
        late = 70 if r == 2 else 0
        feed_response(policy, f"r{r}", [0, 40, 80 + late, 120 + late], start=r * 10.0)
    feed_response(policy, "next", [0], start=50.0)
    assert policy.start_delay_ms == pytest.approx(70 + 20)


def test_buffer_rule_learns_to_wait_for_the_burst_after_a_short_first_delta() -> None:
    policy = PrebufferPolicy(RATE, margin_ms=20, max_ms=200)
    for r in range(4):  # one delta, a 100 ms hole, then four at once
        feed_response(policy, f"r{r}", [0, 100, 100, 100, 100], start=r * 10.0)
    feed_response(policy, "next", [0], start=50.0)
    assert policy.start_buffer_ms == pytest.approx(40 + 20)  # start only once more than the first delta is in


def test_in_flight_lateness_raises_the_delay_before_the_response_ends() -> None:
    policy = PrebufferPolicy(RATE, margin_ms=20)
    feed_response(policy, "r0", [0, 150], start=0.0)
    assert policy.start_delay_ms == 120  # 110 + 20 ms, clamped to the ceiling


def test_bad_bounds_are_rejected() -> None:
    with pytest.raises(ValueError):
        PrebufferPolicy(RATE, min_ms=200, max_ms=100)


def test_cover_is_off_without_a_prior_until_six_responses_were_measured() -> None:
    policy = PrebufferPolicy(RATE, margin_ms=20)
    for r in range(5):
        feed_response(policy, f"r{r}", [0, 40, 80], start=r * 10.0)
        assert policy.cover_ms is None
    feed_response(policy, "r5", [0], start=60.0)
    feed_response(policy, "r6", [0], start=70.0)
    assert policy.cover_ms == 40  # never a deficit: margin 20 ms, raised to the 40 ms floor


def test_cover_prior_holds_while_learning() -> None:
    policy = PrebufferPolicy(RATE, cover_prior_ms=200)
    feed_response(policy, "r0", [0, 40], start=0.0)
    assert policy.cover_ms == 200


def test_cover_learns_the_worst_gap_net_of_the_audio_in_hand() -> None:
    policy = PrebufferPolicy(RATE, margin_ms=20, max_ms=120)
    for r in range(6):  # one 40 ms delta, a 150 ms hole, then four at once: faster than real time overall
        feed_response(policy, f"r{r}", [0, 150, 150, 150, 150], start=r * 10.0)
    feed_response(policy, "next", [0], start=70.0)
    # Earliest safe start is 150 - 40 = 110 ms after the first delta; until then the lone delta plus the time
    # since it arrived reaches 40 + 110 = 150 ms, so the cover must exceed that.
    assert policy.cover_ms == pytest.approx(150 + 20)


def test_an_underrun_raises_the_cover_for_the_rest_of_the_response_only() -> None:
    policy = PrebufferPolicy(RATE, margin_ms=20, cover_prior_ms=100)
    feed_response(policy, "r0", [0], start=0.0)
    policy.on_arrival("r0", DELTA, 0.3)
    policy.on_underrun(0.3, DELTA, gap_ms=300)
    assert policy.cover_ms == pytest.approx(320)
    feed_response(policy, "r1", [0], start=1.0)
    assert policy.cover_ms == pytest.approx(300)  # r0 as measured (40 ms + 260 ms), without the margin floor
