"""The stored facts of each goal's live scores (GoalProgress), kept in step with the scores.

Every change to which scores count goes through here: a session's scores saved (plans.save_session_scores), the
final scores given at closing (plans.close_family), a session moved to the trash or back (care_sessions.soft_delete
/ restore); destroying a family deletes its rows.
The facts come from app.outcomes.assess.facts_from_readings, the same function the family page uses on the full
series, so the lists and the page cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import groupby

from sqlalchemy import delete, insert, or_, select

from app.extensions import db
from app.models import CareSession, GoalProgress, GoalScore
from app.outcomes.assess import GoalFacts, Scoring, facts_from_readings

BATCH = 5_000
# The facts GoalProgress keeps: those of GoalFacts beyond the goal's own words and numbers (app.outcomes.assess).
FACT_COLUMNS = tuple(name for name in GoalFacts._fields if name not in ("key", "title", "start", "target"))


def _live_scorings(family_id: int | None = None):
    query = (
        select(
            GoalScore.family_id, GoalScore.goal_key, GoalScore.scored_on, GoalScore.worker_score, GoalScore.parent_score
        )
        .outerjoin(CareSession, CareSession.id == GoalScore.session_id)
        # Those of live sessions and the final ones given at closing, as the family page's charts count them.
        .where(or_(GoalScore.session_id.is_(None), CareSession.live))
        .order_by(GoalScore.family_id, GoalScore.goal_key, GoalScore.scored_on, GoalScore.id)
    )
    return query if family_id is None else query.where(GoalScore.family_id == family_id)


def _rows(scorings: Iterable) -> Iterator[dict]:
    for (family_id, key), group in groupby(scorings, key=lambda row: (row[0], row[1])):
        readings = [Scoring(on, worker, parent) for _f, _k, on, worker, parent in group]
        readings = [r for r in readings if r.worker is not None or r.parent is not None]
        if not readings:
            continue
        facts = facts_from_readings(key, "", 0, 0, readings)
        yield {"family_id": family_id, "goal_key": key, **{name: getattr(facts, name) for name in FACT_COLUMNS}}


def refresh(family_id: int) -> None:
    """Work out one family's goal facts again from its live scores (in the open transaction)."""
    db.session.flush()  # the scores and trash changes of this request first
    db.session.execute(delete(GoalProgress).where(GoalProgress.family_id == family_id))
    rows = list(_rows(db.session.execute(_live_scorings(family_id))))
    if rows:
        db.session.execute(insert(GoalProgress), rows)


def rebuild_all() -> int:
    """All of it again from the scores, streamed: after bulk loads (demo, bench) or to repair. Returns the rows.

    The scores are read to the end before anything is written (one row per goal is small; a cursor left open
    under the inserts is not something both databases' drivers agree on)."""
    db.session.execute(delete(GoalProgress))
    rows = list(_rows(db.session.execute(_live_scorings().execution_options(yield_per=BATCH))))
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(GoalProgress), rows[start : start + BATCH])
    return len(rows)
