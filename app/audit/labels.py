"""Readable names for the access log's action codes; an unknown code is shown as it is."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ACTION_LABELS = {
    "view": _l("Opened"),
    "list": _l("Listed families"),
    "search": _l("Searched"),
    "overview": _l("Opened the team overview"),
    "seen_in_list": _l("Seen in the family list"),
    "seen_in_overview": _l("Seen in the team overview"),
    "seen_in_export": _l("Included in an export"),
    "seen_in_trash": _l("Seen in the team's trash"),
    "team_trash": _l("Opened the team's trash"),
    "week": _l("Opened the coming appointments"),
    "seen_in_week": _l("Seen in the coming appointments"),
    "calendar_feed": _l("Calendar feed read by a calendar app"),
    "seen_in_calendar": _l("Appointment in a calendar feed"),
    "calendar_feed_new": _l("Made a calendar feed address"),
    "calendar_feed_revoke": _l("Stopped a calendar feed address"),
    "create": _l("Registered the family"),
    "update": _l("Changed the family"),
    "add_member": _l("Added a member"),
    "update_member": _l("Changed a member"),
    "remove_member": _l("Removed a member"),
    "restore_member": _l("Restored a member"),
    "reassign": _l("Assigned care workers"),
    "create_session": _l("Logged a session"),
    "update_session": _l("Changed a session"),
    "delete_session": _l("Moved a session to the trash"),
    "restore_session": _l("Restored a session"),
    "record_consent": _l("Recorded consent"),
    "add_stress": _l("Added family stress"),
    "update_stress": _l("Changed family stress"),
    "create_plan": _l("Made the plan"),
    "update_plan": _l("Changed the plan"),
    "record_plan_agreement": _l("Recorded agreement to the plan"),
    "close_family": _l("Closed the help"),
    "reopen_family": _l("Reopened the help"),
    "print_plan": _l("Printed the plan"),
    "download_plan": _l("Downloaded the plan as PDF"),
    "export": _l("Exported"),
    "export_record": _l("Exported the record (access request)"),
    "export_analysis": _l("Exported pseudonymised data for analysis"),
    "view_access_log": _l("Opened the access log"),
    "view_log": _l("Opened the access log"),
    "search_log": _l("Searched the access log"),
    "export_log": _l("Exported the access log"),
    "purge_family": _l("Record destroyed, its log removed"),
    "purge_expired": _l("Removed log entries past the retention period"),
    "login": _l("Logged in"),
    "logout": _l("Logged out"),
    "change_password": _l("Changed own password"),
    "open_page": _l("Opened a page"),
    "create_user": _l("Created an account"),
    "update_user": _l("Changed an account"),
    "reset_password": _l("Asked for a password reset (set-up code)"),
    "request_account_change": _l("Asked for an account change (waits for a second person)"),
    "confirm_account_change": _l("Confirmed an account change"),
    "refuse_account_change": _l("Refused an account change"),
    "cancel_account_change": _l("Cancelled an account change"),
    "expire_account_change": _l("Account change expired unconfirmed"),
    "open_account_change": _l("Opened an account change"),
    "redeem_setup_code": _l("Set own password with a set-up code"),
    "create_team": _l("Created a team"),
    "update_team": _l("Changed a team"),
    "update_settings": _l("Changed the settings"),
    "login_password": _l("Password correct, code asked"),
    "login_verify": _l("Typed the login code"),
    "renew_setup_code": _l("Made a new second half of a set-up code"),
    "void_password": _l("Password chosen by an administrator made void (a set-up code is needed)"),
    "lock_account": _l("Account locked after failed passwords or codes"),
    "use_recovery_code": _l("Used a recovery code"),
    "two_factor_setup": _l("Set up two-step verification"),
    "two_factor_disable": _l("Turned off two-step verification"),
    "recovery_codes": _l("Made new recovery codes"),
    "reset_two_factor": _l("Asked to reset someone's two-step verification"),
    "passkey_add": _l("Added a passkey"),
    "passkey_rename": _l("Renamed a passkey"),
    "passkey_remove": _l("Removed a passkey"),
    "passkey_use": _l("Used a passkey"),
    "add_second_factor": _l("Confirmed it is them before adding a second factor"),
    "end_sessions": _l("Ended someone's logins"),
    "destruction_request": _l("Recorded a request to destroy the record"),
    "view_destruction_request": _l("Opened a request to destroy the record"),
    "confirm_destruction": _l("Destroyed the record on request"),
    "close_destruction_request": _l("Closed a request to destroy the record"),
    "destruction_request_refused": _l("Refused a request to destroy the record"),
    "destruction_request_withdrawn": _l("Marked a request to destroy the record as withdrawn"),
}

OUTCOME_LABELS = {
    "ok": _l("done"),
    "refused": _l("refused"),
    "failed": _l("failed"),
}

OBJECT_LABELS = {
    "Family": _l("family"),
    "FamilyMember": _l("member"),
    "CareSession": _l("session"),
    "StressItem": _l("family stress"),
    "ConsentRecord": _l("consent"),
    "Plan": _l("plan"),
    "User": _l("account"),
    "Passkey": _l("passkey"),
    "Team": _l("team"),
    "AccountChange": _l("account change"),
}


def action_label(code: str) -> str:
    label = ACTION_LABELS.get(code)
    return str(label) if label is not None else code


def outcome_label(code: str) -> str:
    """'failed 409' reads as 'failed (409)': the status says why the request failed."""
    head, _, rest = code.partition(" ")
    label = OUTCOME_LABELS.get(head)
    if label is None:
        return code
    return f"{label} ({rest})" if rest else str(label)


def object_label(object_type: str | None, object_id: int | None) -> str:
    if not object_type:
        return ""
    name = OBJECT_LABELS.get(object_type)
    name = str(name) if name is not None else object_type
    return f"{name} #{object_id}" if object_id is not None else name


def role_label(code: str | None) -> str:
    from app.models import Role

    if code is not None and code in Role._value2member_map_:
        return Role(code).label
    return code or ""
