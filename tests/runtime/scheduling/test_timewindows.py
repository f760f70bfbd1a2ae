"""Time windows: the cheapest start hour before the deadline."""

from __future__ import annotations

import pytest

from runtime.scheduling import average_multiplier, cheapest_start

# cheap from 02:00 to 06:00 UTC
NIGHT = [1.0, 1.0, 0.5, 0.5, 0.5, 0.5] + [1.0] * 18


def test_average_multiplier_integrates_fractional_hours() -> None:
    # 1.5 h from 01:00: one hour at 1.0, half an hour at 0.5 -> 1.25 / 1.5
    assert float(average_multiplier(NIGHT, 1.0, 1.5)) == pytest.approx(1.25 / 1.5)
    # wraps past midnight: 23:00 for 4 h -> 1.0, 1.0, 1.0, 0.5
    assert float(average_multiplier(NIGHT, 23.0, 4.0)) == pytest.approx(3.5 / 4)


def test_cheapest_start_waits_for_the_cheap_hours() -> None:
    assert cheapest_start(NIGHT, 3.0, now_hour=0.0, deadline_hours=24) == (2, pytest.approx(0.5))


def test_cheapest_start_respects_the_deadline() -> None:
    # must end by 4 h from now: start at most 1 h from now -> [1,4) = (1 + 0.5 + 0.5) / 3
    delay, mult = cheapest_start(NIGHT, 3.0, now_hour=0.0, deadline_hours=4)
    assert delay == 1 and mult == pytest.approx(2 / 3)


def test_cheapest_start_rejects_a_run_longer_than_the_deadline() -> None:
    with pytest.raises(ValueError, match="cannot end within the deadline"):
        cheapest_start(NIGHT, 5.0, deadline_hours=4)


def test_average_multiplier_needs_24_values() -> None:
    with pytest.raises(ValueError, match="24 hourly values"):
        average_multiplier([1.0] * 23, 0.0, 1.0)
