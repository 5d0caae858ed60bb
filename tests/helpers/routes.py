"""The access table of every route (ROUTES), the URL of a route for a family (url_for_family), and the
`access_world` fixture that gives every family a member, a session, a trashed session, a stress item, a plan
and a destruction request: shared by the tests that walk every route (access, audit, fuzzing, safe methods,
the accessibility sweep)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

# rule: who may open it
#   public      anyone, logged in or not
#   user        any logged-in user
#   case        care workers and team leads (their own caseload pages)
#   family      care workers assigned to the family, and the lead of its team
#   family_lead only the lead of the family's team
#   lead        team leads
#   admin       administrators
#   decider     team leads and administrators (account changes: each sees only their own, see access_world)
#   setting_up  only a logged-in user in the middle of setting up two-step verification
ROUTES: dict[str, tuple[str, str, str]] = {
    "main.index": ("GET", "/", "user"),
    "main.healthz": ("GET", "/healthz", "public"),
    "main.favicon": ("GET", "/favicon.ico", "public"),
    "main.set_language": ("POST", "/language", "public"),
    "auth.login": ("GET", "/login", "public"),
    "auth.logout": ("POST", "/logout", "user"),
    "auth.account": ("GET", "/account", "user"),
    "families.index": ("GET", "/families/", "case"),
    "families.create": ("GET", "/families/new", "case"),
    "families.detail": ("GET", "/families/{family}", "family"),
    "families.edit": ("GET", "/families/{family}/edit", "family"),
    "families.add_member": ("GET", "/families/{family}/members/new", "family"),
    "families.edit_member": ("GET", "/families/{family}/members/{member}/edit", "family"),
    "families.remove_member": ("POST", "/families/{family}/members/{member}/remove", "family"),
    "families.restore_member": ("POST", "/families/{family}/members/{member}/restore", "family"),
    "families.assign_workers": ("GET", "/families/{family}/workers", "family_lead"),
    "care_sessions.create": ("GET", "/families/{family}/sessions/new", "family"),
    "care_sessions.detail": ("GET", "/families/{family}/sessions/{session}", "family"),
    "care_sessions.edit": ("GET", "/families/{family}/sessions/{session}/edit", "family"),
    "care_sessions.delete": ("GET", "/families/{family}/sessions/{session}/delete", "family"),  # asks first
    "care_sessions.restore": ("POST", "/families/{family}/sessions/{trashed}/restore", "family_lead"),
    "care_sessions.trash": ("GET", "/families/{family}/sessions/trash", "family"),
    "care_sessions.consent": ("GET", "/families/{family}/consent", "family"),
    "care_sessions.add_stress": ("GET", "/families/{family}/stress/new", "family"),
    "care_sessions.edit_stress": ("GET", "/families/{family}/stress/{stress}", "family"),
    "plans.show": ("GET", "/families/{family}/plan", "family"),
    "plans.version": ("GET", "/families/{family}/plan/versions/1", "family"),
    "plans.edit": ("GET", "/families/{family}/plan/edit", "family"),
    "plans.agreement": ("GET", "/families/{family}/plan/agreement", "family"),
    "plans.close": ("GET", "/families/{family}/close", "family"),
    "families.reopen": ("GET", "/families/{family}/reopen", "family_lead"),
    "plans.print_page": ("GET", "/families/{family}/plan/print?lang=nl", "family"),
    "plans.print_pdf": ("GET", "/families/{family}/plan/print.pdf?lang=en", "family"),
    # Privacy: requests to destroy a family's record (the team lead's)
    "destruction.new": ("GET", "/families/{family}/destruction/new", "family_lead"),
    "destruction.show": ("GET", "/families/{family}/destruction/{request}", "family_lead"),
    "destruction.confirm": ("POST", "/families/{family}/destruction/{request}/confirm", "family_lead"),
    "destruction.close": ("POST", "/families/{family}/destruction/{request}/close", "family_lead"),
    "overview.index": ("GET", "/overview", "lead"),
    "trash.team": ("GET", "/trash", "lead"),
    "overview.export": ("GET", "/overview/export.csv", "lead"),
    "overview.export_xlsx": ("GET", "/overview/export.xlsx", "lead"),
    "admin.users": ("GET", "/admin/", "admin"),
    "admin.create_user_page": ("GET", "/admin/users/new", "admin"),
    "admin.edit_user": ("GET", "/admin/users/{user}", "admin"),
    "admin.reset_password": ("POST", "/admin/users/{user}/password", "admin"),
    "admin.teams": ("GET", "/admin/teams", "admin"),
    "admin.edit_team": ("GET", "/admin/teams/{team}", "admin"),
    "admin.signal_settings": ("GET", "/admin/settings", "admin"),
    # auth: two-step login, the user's own second factor, and the administrator's buttons for it
    "auth.verify": ("GET", "/login/verify", "public"),
    "auth.setup": ("GET", "/setup", "public"),
    # account changes waiting for a second person (access_world's: a new worker in team A, asked by the admin)
    "account_changes.index": ("GET", "/account-changes/", "decider"),
    "account_changes.show": ("GET", "/account-changes/{change}", "decider"),
    "account_changes.confirm": ("POST", "/account-changes/{change}/confirm", "lead"),  # not the asker
    "account_changes.refuse": ("POST", "/account-changes/{change}/refuse", "lead"),
    "account_changes.cancel": ("POST", "/account-changes/{change}/cancel", "admin"),  # only the asker
    "account_changes.renew_second_half": ("POST", "/account-changes/{change}/second-half", "its_confirmer"),
    "auth.two_factor_setup": ("GET", "/account/two-factor/setup", "user"),
    "auth.two_factor_qr": ("GET", "/account/two-factor/qr.svg", "setting_up"),
    "auth.two_factor_disable": ("POST", "/account/two-factor/disable", "user"),
    "auth.recovery_codes": ("POST", "/account/two-factor/recovery-codes", "user"),
    "auth.verify_passkey": ("POST", "/login/verify/passkey", "public"),
    "auth.add_factor_check": ("POST", "/account/two-factor/check", "user"),
    "auth.passkey_add": ("POST", "/account/passkeys/add", "user"),
    "auth.passkey_rename": ("POST", "/account/passkeys/rename", "user"),
    "auth.passkey_remove": ("POST", "/account/passkeys/remove", "user"),
    "admin.reset_two_factor": ("POST", "/admin/users/{user}/two-factor/reset", "admin"),
    "admin.end_sessions": ("POST", "/admin/users/{user}/sessions/end", "admin"),
    # auditlog: the access log, record exports (admin_2fa: administrators, whose login always passes a second factor here)
    "access_log.family_log": ("GET", "/families/{family}/access-log", "family_lead"),
    "access_log.admin_log": ("GET", "/admin/log", "admin_2fa"),
    "access_log.admin_log_export": ("GET", "/admin/log/export.csv", "admin_2fa"),
    "access_log.admin_log_export_xlsx": ("GET", "/admin/log/export.xlsx", "admin_2fa"),
    "exports.access_request": ("GET", "/families/{family}/access-request", "family_lead"),
    "exports.access_request_download": ("GET", "/families/{family}/access-request/export?format=json", "family_lead"),
    "exports.analysis_page": ("GET", "/overview/analysis", "lead"),
    "exports.analysis": ("GET", "/overview/analysis.json", "lead"),
    # the coming days, and the calendar feed (public: its secret address is the key; access_world's is worker A's)
    "week.index": ("GET", "/week", "case"),
    "week.feed_file": ("GET", "/calendar/{feed}.ics", "public"),
    "week.new_link": ("POST", "/account/calendar", "case"),
    "week.stop_link": ("POST", "/account/calendar/stop", "case"),
}


def url_for_family(template: str, world, family) -> str:
    def id_of(kind):
        obj = getattr(world, f"{kind}_of_{family}", None)
        return obj.id if obj else 0

    return template.format(
        family=getattr(world, family).id,
        member=id_of("member"),
        session=id_of("session"),
        trashed=id_of("trashed"),
        stress=id_of("stress"),
        request=id_of("request"),
        user=world.worker_a.id,
        team=world.team_a.id,
        change=world.account_change.id if getattr(world, "account_change", None) else 0,
        feed=getattr(world, "feed_token", "no-such-feed"),
    )


@pytest.fixture
def access_world(world, make):
    for name in ("family_a", "family_a2", "family_b"):
        family = getattr(world, name)
        setattr(world, f"member_of_{name}", make.member(family))
        setattr(world, f"session_of_{name}", make.care_session(family))
        setattr(world, f"trashed_of_{name}", make.care_session(family, deleted_at=datetime.now(UTC)))
        setattr(world, f"stress_of_{name}", make.stress_item(family))
        make.plan(family)
        setattr(world, f"request_of_{name}", make.destruction_request(family, getattr(world, f"member_of_{name}")))
    world.account_change = make.account_change(world.admin, team=world.team_a)
    world.feed_token = make.calendar_feed(world.worker_a)
    return world
