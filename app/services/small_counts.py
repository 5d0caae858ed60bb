"""Team figures that do not point at a family: counts below 5 are withheld, and so is whatever would give them back.

Primary suppression: a count below THRESHOLD (0 included: "nobody ended early" is a fact about every
family) is shown as "<5".

Complementary suppression: the cells of a partition (every family in exactly one status) add up to a
total that is shown, or can be counted from another table, so one "<5" alone is total minus the rest.
So, as statistical offices do, more cells are withheld ("withheld": 5 or more) until no small cell can
be narrowed down from the total: with W the sum of the withheld cells and m the number of withheld
cells of 5 or more, a small cell can be anything from 0 to 4 when W - 5m >= 4 (m >= 1); with small
cells only (m = 0), when 4 <= W <= 4(k - 1) for k small cells. The cell added is the smallest that
makes the row safe; when none does, the whole row is withheld.

Not covered: tables are protected one by one (a cell withheld in one table is not looked for in
another), and a total below 5 is itself "<5" with every cell of its rows.
"""

from __future__ import annotations

from collections.abc import Mapping

THRESHOLD = 5
SMALL = "<5"
WITHHELD = "withheld"

Cell = int | str


def _safe(withheld: Mapping[str, int]) -> bool:
    if not withheld:
        return True
    small = [v for v in withheld.values() if v < THRESHOLD]
    large = len(withheld) - len(small)
    total = sum(withheld.values())
    if large:
        return total - THRESHOLD * large >= THRESHOLD - 1
    return len(small) >= 2 and THRESHOLD - 1 <= total <= (THRESHOLD - 1) * (len(small) - 1)


def _cells_to_withhold(counts: Mapping[str, int]) -> set[str]:
    withheld = {k for k, v in counts.items() if v < THRESHOLD}
    if not withheld:
        return withheld
    while not _safe({k: counts[k] for k in withheld}):
        rest = sorted((v, k) for k, v in counts.items() if k not in withheld)
        if not rest:
            break
        # The smallest cell that makes the row safe on its own, else the smallest: the least information lost.
        enough = [(v, k) for v, k in rest if _safe({**{k2: counts[k2] for k2 in withheld}, k: v})]
        withheld.add((enough or rest)[0][1])
    return withheld


def partition(counts: Mapping[str, int]) -> dict[str, Cell]:
    """Cells that add up to a known total (each family counted once): primary and complementary suppression."""
    withheld = _cells_to_withhold(counts)
    return {k: (SMALL if v < THRESHOLD else WITHHELD) if k in withheld else v for k, v in counts.items()}


def cell(count: int) -> Cell:
    """A count on its own (not part of a sum that is shown): only a count below the threshold is withheld."""
    return SMALL if count < THRESHOLD else count
