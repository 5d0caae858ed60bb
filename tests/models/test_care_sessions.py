"""A session keeps its moments counted by kind (the team overview adds the counts up): however the moments
change, the counts follow."""

from sqlalchemy import select

from app.extensions import db
from app.models import CareSession, Moment, MomentKind
from tests.helpers.db import moment_counts_off, query

POSITIVE, DIFFICULT = MomentKind.POSITIVE, MomentKind.DIFFICULT


def _counts(app, session_id):
    return query(
        app,
        lambda: tuple(
            db.session.execute(
                select(CareSession.positive_moments, CareSession.difficult_moments).where(CareSession.id == session_id)
            ).one()
        ),
    )


def test_counts_follow_moments_added_changed_and_removed(app, world, make):
    care_session = make.care_session(
        world.family_a, moments=[(POSITIVE, "Laughed", []), (POSITIVE, "Hugged", []), (DIFFICULT, "Cried", [])]
    )
    assert _counts(app, care_session.id) == (2, 1)

    with app.app_context():
        moments = db.session.execute(select(Moment).order_by(Moment.position)).scalars().all()
        moments[0].kind = DIFFICULT  # a kind changed in place
        db.session.delete(moments[1])  # a moment removed on its own
        db.session.add(Moment(session_id=care_session.id, kind=POSITIVE, description="Played", position=5))
        db.session.commit()
    assert _counts(app, care_session.id) == (1, 2)

    with app.app_context():
        saved = db.session.get(CareSession, care_session.id)
        saved.moments = [Moment(kind=POSITIVE, description="Read a book")]  # the list replaced, as the form does
        db.session.commit()
    assert _counts(app, care_session.id) == (1, 0)
    assert moment_counts_off(app) == []


def test_taking_away_every_moment_counts_none(app, world, make):
    care_session = make.care_session(world.family_a, moments=[(POSITIVE, "Laughed", []), (DIFFICULT, "Cried", [])])
    with app.app_context():
        db.session.get(CareSession, care_session.id).moments = []
        db.session.commit()
    assert _counts(app, care_session.id) == (0, 0)


def test_a_moment_moved_to_another_session_is_counted_there_and_not_here(app, world, make):
    first = make.care_session(world.family_a, moments=[(POSITIVE, "Laughed", []), (DIFFICULT, "Cried", [])])
    second = make.care_session(world.family_a)
    with app.app_context():
        moment = db.session.execute(select(Moment).where(Moment.kind == DIFFICULT)).scalar_one()
        moment.session_id = second.id
        db.session.commit()
    assert _counts(app, first.id) == (1, 0) and _counts(app, second.id) == (0, 1)


def test_recounting_is_not_an_edit(app, world, make):
    """The counts follow the moments; when and by whom the session was last changed stays as it was."""
    care_session = make.care_session(world.family_a, moments=[(POSITIVE, "Laughed", [])])
    before = query(app, lambda: db.session.get(CareSession, care_session.id))
    with app.app_context():
        db.session.add(Moment(session_id=care_session.id, kind=DIFFICULT, description="Cried", position=1))
        db.session.commit()
    after = query(app, lambda: db.session.get(CareSession, care_session.id))
    assert (after.positive_moments, after.difficult_moments) == (1, 1)
    assert (after.updated_at, after.version) == (before.updated_at, before.version)


def test_a_loaded_session_reads_its_new_counts_after_a_flush(app, world, make):
    care_session = make.care_session(world.family_a, moments=[(POSITIVE, "Laughed", [])])
    with app.app_context():
        saved = db.session.get(CareSession, care_session.id)
        assert saved.positive_moments == 1
        saved.moments.append(Moment(kind=DIFFICULT, description="Cried"))
        db.session.flush()
        assert (saved.positive_moments, saved.difficult_moments) == (1, 1)
        db.session.rollback()
