"""Passkey ceremonies checked for real by py_webauthn, with a software authenticator."""

import json

from app.extensions import db
from app.models import Passkey, RecoveryCode, Role, User
from app.services import passkeys
from tests.helpers.audit import audit_events
from tests.helpers.passkeys import SoftAuthenticator

RP = passkeys.RelyingParty(id="localhost", origin="http://localhost")


def _registered(app, make, role=Role.WORKER, device=None):
    device = device or SoftAuthenticator()
    with app.app_context():
        user = db.session.get(User, make.user(role, two_factor=False).id)
        ceremony = passkeys.registration_ceremony(user, RP)
        added = passkeys.add(user, RP, ceremony.challenge, device.register(json.loads(ceremony.options_json)), "Tab")
        db.session.commit()
        return user.id, added, device


def test_a_registered_passkey_signs_in_and_its_counter_moves_on(app, make):
    user_id, added, device = _registered(app, make)
    assert added.passkey is not None and len(added.recovery_codes) == 10  # the first factor brings codes
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.has_second_factor and not user.two_factor_enabled
        ceremony = passkeys.authentication_ceremony(user, RP)
        options = json.loads(ceremony.options_json)
        assert options["userVerification"] == "required"
        assert [c["id"] for c in options["allowCredentials"]] == [device.id]
        answer = device.assertion(options)
        checked = passkeys.check(user, RP, ceremony.challenge, answer, "login")
        assert checked.passkey is not None and checked.passkey.sign_count == 1 and checked.passkey.last_used_at
        # The same answer again (a replay): its counter is no longer ahead of the stored one.
        assert passkeys.check(user, RP, ceremony.challenge, answer, "login").passkey is None
        db.session.commit()
    actions = [(e.action, e.outcome) for e in audit_events(app)]
    assert (
        ("passkey_add", "ok") in actions and ("passkey_use", "ok") in actions and ("passkey_use", "failed") in actions
    )


def test_an_answer_to_another_challenge_origin_or_without_verification_is_refused(app, make):
    user_id, _, device = _registered(app, make)
    with app.app_context():
        user = db.session.get(User, user_id)
        ceremony = passkeys.authentication_ceremony(user, RP)
        other = passkeys.authentication_ceremony(user, RP)
        options = json.loads(ceremony.options_json)
        assert passkeys.check(user, RP, other.challenge, device.assertion(options), "login").error == "invalid"
        phishing = passkeys.RelyingParty(id="localhost", origin="http://localhost:8000")
        assert passkeys.check(user, phishing, ceremony.challenge, device.assertion(options), "login").passkey is None
        device.user_verified = False  # only touched, not the owner's finger or face
        assert passkeys.check(user, RP, ceremony.challenge, device.assertion(options), "login").passkey is None
        assert passkeys.check(user, RP, None, device.assertion(options), "login").passkey is None  # no ceremony


def test_a_passkey_of_someone_else_or_unknown_is_not_registered_for_this_user(app, make):
    _, _, device = _registered(app, make)
    other_id, _, _ = _registered(app, make)
    with app.app_context():
        other = db.session.get(User, other_id)
        ceremony = passkeys.authentication_ceremony(other, RP)
        answer = device.assertion(json.loads(ceremony.options_json))
        assert passkeys.check(other, RP, ceremony.challenge, answer, "login").error == "unknown"
        assert passkeys.check(other, RP, ceremony.challenge, "not json", "login").error == "unknown"


def test_registration_refuses_garbage_a_wrong_challenge_and_the_same_device_twice(app, make):
    _, _, device = _registered(app, make)
    with app.app_context():
        user = db.session.get(User, make.user(two_factor=False).id)
        ceremony = passkeys.registration_ceremony(user, RP)
        options = json.loads(ceremony.options_json)
        assert passkeys.add(user, RP, ceremony.challenge, "{}", None).error == "invalid"
        assert passkeys.add(user, RP, b"other challenge", device.register(options), None).error == "invalid"
        assert passkeys.add(user, RP, ceremony.challenge, device.register(options), None).error == "known"
        assert user.passkeys == []


def test_removing_the_last_factor_takes_the_recovery_codes_and_the_reset_takes_every_passkey(app, make):
    user_id, _, _ = _registered(app, make)
    with app.app_context():
        user = db.session.get(User, user_id)
        second = SoftAuthenticator()
        ceremony = passkeys.registration_ceremony(user, RP)
        assert passkeys.add(user, RP, ceremony.challenge, second.register(json.loads(ceremony.options_json)), "")
        assert [p.name for p in user.passkeys] == ["Tab", "Passkey"]  # an empty name: a default one
        passkeys.remove(user, user.passkeys[0])
        assert db.session.query(RecoveryCode).filter_by(user_id=user_id).count() == 10  # one factor left
        passkeys.remove(user, user.passkeys[0])
        assert not user.has_second_factor
        assert db.session.query(RecoveryCode).filter_by(user_id=user_id).count() == 0
        assert db.session.query(Passkey).count() == 0


def test_a_required_role_cannot_remove_its_last_factor(app, make):
    user_id, _, _ = _registered(app, make, role=Role.LEAD)
    with app.app_context():
        user = db.session.get(User, user_id)
        assert not passkeys.can_remove(user, user.passkeys[0])


def test_default_names_come_from_the_device():
    tablet = "Mozilla/5.0 (Linux; Android 14; SM-X710) AppleWebKit/537.36 Chrome/130.0 Safari/537.36"
    assert passkeys.default_name(tablet) == "Android tablet"
    assert passkeys.default_name("Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X)") == "iPad"
    assert passkeys.default_name(None) == "Passkey"
