"""What the session and plan forms post when filled in as a care worker would; override any field."""

from __future__ import annotations

import re
from datetime import date, timedelta


def session_form(**overrides):
    """A typical session: two moments, a focus, a summary."""
    data = {
        "held_on": date.today().isoformat(),
        "duration_minutes": "60",
        "kind": "home_visit",
        "focuses": ["parent"],
        "summary": "Bedtime went better this week.",
        "agreements": "Mother tries the bedtime song every night.",
        "moments-0-kind": "positive",
        "moments-0-description": "Mother saw Emma was tired and held her.",
        "moments-0-child_id": "0",
        "moments-0-tags": ["responded_to_signal", "took_feelings_seriously"],
        "moments-0-video_time": "",
        "moments-1-kind": "difficult",
        "moments-1-description": "Emma threw her plate when dinner was late.",
        "moments-1-child_id": "0",
        "moments-1-tags": ["irritable"],
        "moments-1-video_time": "",
        "new_stress-kind": "",
        "new_stress-severity": "moderate",
        "new_stress-status": "open",
        "submit": "1",
    }
    data.update(overrides)
    return data


def plan_form(**overrides):
    data = {
        "review_on": (date.today() + timedelta(days=90)).isoformat(),
        "goals-0-focus": "parent",
        "goals-0-title": "Bedtime is calm",
        "goals-0-looks_like": "Emma falls asleep without crying.",
        "goals-0-start_score": "3",
        "goals-0-target_score": "8",
        "goals-0-status": "active",
        "goals-0-skills": ["signals"],
        "goals-0-agreements-0-party": "parent",
        "goals-0-agreements-0-who": "Anouk",
        "goals-0-agreements-0-what": "Sings the bedtime song every night",
        "goals-0-agreements-1-party": "worker",
        "goals-0-agreements-1-what": "Films a bedtime next month",
        "goals-1-focus": "stress",
        "goals-1-title": "A plan for the debts",
        "goals-1-start_score": "2",
        "goals-1-target_score": "7",
        "goals-1-status": "active",
        "goals-1-agreements-0-party": "other",
        "goals-1-agreements-0-who": "Debt counselling",
        "goals-1-agreements-0-what": "Makes a payment plan",
        "submit": "1",
    }
    data.update(overrides)
    return data


def agreement_form(goal_ids=(), token="", **overrides):
    """A parent's agreement in person today, to every goal; `token` from the form (agreement_token)."""
    data = {
        "kind": "response",
        "token": token,
        "member": "0",
        "name": "Anouk",
        "party": "parent",
        "way": "in_person",
        "agreed_on": date.today().isoformat(),
        "response": "agrees",
        "words": "",
        "submit": "1",
    }
    for n, goal_id in enumerate(goal_ids):
        data[f"goals-{n}-goal_id"] = str(goal_id)
        data[f"goals-{n}-response"] = ""
        data[f"goals-{n}-words"] = ""
    data.update(overrides)
    return data


def hidden_value(html: str, name: str) -> str:
    """A hidden field's value as the page drew it (an edit version, a form's one-time key)."""
    match = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    assert match, f"no field {name} in page"
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


def opened(client, url: str, name: str = "version") -> str:
    """Open the form page as a user would, and give back the hidden field the post must carry."""
    return hidden_value(client.get(url).get_data(as_text=True), name)
