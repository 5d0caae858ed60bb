"""Access follows who the user is now: a worker moved to another team loses the old team's families at once."""

from app.extensions import db
from app.models import User
from tests.helpers.auth import login
from tests.helpers.db import query


def test_a_worker_moved_to_another_team_no_longer_sees_the_old_teams_families(app, world, client):
    login(client, world.worker_a)
    assert client.get(f"/families/{world.family_a.id}").status_code == 200

    def move():
        db.session.get(User, world.worker_a.id).team_id = world.team_b.id
        db.session.commit()

    query(app, move)
    assert client.get(f"/families/{world.family_a.id}").status_code == 404
