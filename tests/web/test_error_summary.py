"""The error summary lists every problem in words, nested rows included, each linked to its field."""

import re

from tests.helpers.form_data import agreement_form, plan_form


def _summary(html):
    return html.split('id="error-summary"', 1)[1].split("</div>", 1)[0]


def test_the_close_forms_missing_final_scores_are_listed_by_row(app, world, make, worker_client):
    make.plan(world.family_a, goals=[("Calm bedtimes", 3, 8), ("Playing together", 4, 9)])
    page = worker_client.get(f"/families/{world.family_a.id}/close").get_data(as_text=True)
    keys = re.findall(r'name="scores-(\d+)-goal_key"[^>]*value="([^"]+)"', page) or re.findall(
        r'value="([^"]+)"[^>]*name="scores-(\d+)-goal_key"', page
    )
    data = {"closure_type": "planned", "end_date": "2026-01-01"}
    for n, key in keys if keys and keys[0][0].isdigit() else [(b, a) for a, b in keys]:
        data[f"scores-{n}-goal_key"] = key
    summary = _summary(worker_client.post(f"/families/{world.family_a.id}/close", data=data).get_data(as_text=True))
    assert "{" not in summary and "worker_score'" not in summary  # no program internals
    # Each row named as its fieldset is: by its goal's title.
    assert '<a href="#scores-0-worker_score" class="alert-link">Calm bedtimes – Final score</a>' in summary
    assert '<a href="#scores-1-worker_score" class="alert-link">Playing together – Final score</a>' in summary
    dutch = worker_client.post(
        f"/families/{world.family_a.id}/close", data=data, headers={"Accept-Language": "nl"}
    ).get_data(as_text=True)
    assert 'lang="nl"' in dutch and "Eindscore" in _summary(dutch)


def test_a_goals_missing_words_are_in_the_agreements_summary(app, world, worker_client):
    assert worker_client.post(f"/families/{world.family_a.id}/plan/edit", data=plan_form()).status_code == 302
    url = f"/families/{world.family_a.id}/plan/agreement"
    html = worker_client.get(url).get_data(as_text=True)
    token = re.search(r'name="token" type="hidden" value="([^"]*)"', html).group(1)
    goal_ids = re.findall(r'name="goals-\d+-goal_id" type="hidden" value="(\d+)"', html)
    data = agreement_form(goal_ids, token, **{"goals-1-response": "disagrees"})
    summary = _summary(worker_client.post(url, data=data).get_data(as_text=True))
    assert '<a href="#goals-1-words" class="alert-link">Goal 2 – In their own words</a>' in summary
    assert "Write down, in their own words, what they disagree with." in summary
