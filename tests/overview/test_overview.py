from app.models import FamilyStatus
from tests.conftest import login


def test_lead_sees_caseload_per_worker_of_own_team_only(client, world, make):
    make.family(world.team_a, world.worker_a, status=FamilyStatus.INTAKE)
    make.family(world.team_a, None, display_name="Family Waiting")
    login(client, world.lead_a)
    html = client.get("/overview").get_data(as_text=True)
    assert "Worker A" in html and "Colleague A" in html
    assert "Worker B" not in html
    assert "Family Waiting" in html  # open family without a worker
    row = html[html.index("Worker A") : html.index("</tr>", html.index("Worker A"))]
    # active 1, intake 1, paused 0, closed 0, open total 2
    cells = [c.split("<")[0] for c in row.split('<td class="text-end')[1:]]
    assert [c.split(">")[-1] for c in cells] == ["1", "1", "0", "0", "2"]
