"""Team figures withhold counts below 5, and whatever would give one back from the total."""

from __future__ import annotations

import itertools

from app.services.small_counts import SMALL, WITHHELD, cell, partition


def _possible_values(shown: dict, total: int, key: str) -> set[int]:
    """What an onlooker who knows the total and the markers can still think a withheld cell holds."""
    hidden = [k for k, v in shown.items() if isinstance(v, str)]
    rest = total - sum(v for v in shown.values() if isinstance(v, int))
    ranges = [range(5) if shown[k] == SMALL else range(5, rest + 1) for k in hidden]
    return {combo[hidden.index(key)] for combo in itertools.product(*ranges) if sum(combo) == rest}


def test_counts_below_5_show_as_fewer_than_5_and_the_rest_as_they_are():
    assert partition({"a": 12, "b": 9, "c": 7}) == {"a": 12, "b": 9, "c": 7}
    assert cell(4) == SMALL and cell(0) == SMALL and cell(5) == 5


def test_a_single_small_cell_takes_a_larger_one_with_it():
    shown = partition({"active": 20, "paused": 9, "closed": 2})
    assert shown == {"active": 20, "paused": WITHHELD, "closed": SMALL}
    assert _possible_values(shown, 31, "closed") == {0, 1, 2, 3, 4}  # the total no longer tells


def test_the_cell_taken_along_is_large_enough_to_hide_the_small_one():
    # 5 would give it away (closed = 5 + 0 - 5 = 0): the smallest cell that hides it is 9.
    shown = partition({"active": 30, "paused": 5, "review": 9, "closed": 0})
    assert shown["closed"] == SMALL and shown["review"] == WITHHELD and shown["paused"] == 5
    assert _possible_values(shown, 44, "closed") == {0, 1, 2, 3, 4}


def test_several_small_cells_that_hide_each_other_stay_alone():
    shown = partition({"active": 10, "intake": 2, "paused": 1, "closed": 2})
    assert shown == {"active": 10, "intake": SMALL, "paused": SMALL, "closed": SMALL}
    assert _possible_values(shown, 15, "paused") == {0, 1, 2, 3, 4}


def test_small_cells_that_would_still_be_narrowed_down_take_a_larger_one_along():
    # 4 + 4 = 8 of a total 20: both must be 4. The 12 is withheld too.
    shown = partition({"active": 12, "intake": 4, "closed": 4})
    assert shown == {"active": WITHHELD, "intake": SMALL, "closed": SMALL}
    assert _possible_values(shown, 20, "intake") == {0, 1, 2, 3, 4}


def test_a_row_without_a_cell_large_enough_is_withheld_whole():
    assert partition({"planned": 3}) == {"planned": SMALL}
    assert partition({"planned": 3, "early": 5}) == {"planned": SMALL, "early": WITHHELD}
