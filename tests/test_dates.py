"""The app's clock (app.dates) is the one time-machine moves: tests fix it with time_machine.travel."""

from __future__ import annotations

from datetime import UTC, date, datetime

import time_machine

from app import dates
from app.db.types import utcnow


@time_machine.travel(datetime(2026, 2, 28, 23, 30, tzinfo=UTC), tick=False)
def test_today_and_now_follow_the_fixed_clock():
    assert dates.now() == datetime(2026, 2, 28, 23, 30, tzinfo=UTC)
    assert dates.now().tzinfo is UTC
    assert utcnow() == dates.now()  # the column default reads the same clock
    assert dates.today() == datetime.now().date()


def test_the_clock_moves_within_a_test():
    with time_machine.travel(datetime(2024, 2, 29, 12, tzinfo=UTC), tick=False) as traveller:
        assert dates.today() == date(2024, 2, 29)
        traveller.shift(86400)
        assert dates.today() == date(2024, 3, 1)
