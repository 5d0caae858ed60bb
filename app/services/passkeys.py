"""Passkeys (WebAuthn, with py_webauthn) as a second factor beside the authenticator app.

The views keep each ceremony's challenge in the signed session, for one ceremony only, and pass
it here with the browser's answer; this module decides and logs. Flushes, never commits.

User verification is *required*: a tablet goes into families' homes and may be lost or shared,
so the passkey must prove who holds it (fingerprint, face or the device PIN), not only that
someone touched it. A passkey is then two factors in one touch; the password stays the first.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from app import audit, dates
from app.extensions import db
from app.models import Passkey, User
from app.models.passkeys import NAME_LENGTH
from app.services import login_sessions, two_factor

TIMEOUT_MS = 120_000  # a nurse on a sofa with a tablet: two minutes to touch the sensor
_TRANSPORTS = {t.value for t in AuthenticatorTransport}


@dataclass(frozen=True)
class RelyingParty:
    """This site as WebAuthn knows it: the host (RP id) and the origin the browser reports."""

    id: str
    origin: str
    name: str = "Attune"


@dataclass(frozen=True)
class Ceremony:
    """Options for the browser (JSON, base64url) and the challenge to keep for the answer."""

    options_json: str
    challenge: bytes


@dataclass(frozen=True)
class PasskeyAdded:
    passkey: Passkey | None = None
    error: str | None = None  # "invalid", "known"
    recovery_codes: list[str] = field(default_factory=list)  # made when this is the first factor


def _descriptors(user: User) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(
            id=base64url_to_bytes(p.credential_id),
            transports=[AuthenticatorTransport(t) for t in p.transports.split(",") if t in _TRANSPORTS] or None,
        )
        for p in user.passkeys
    ]


def registration_ceremony(user: User, rp: RelyingParty) -> Ceremony:
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        # Not the e-mail address: the handle is stored on the device. The id carries nothing personal.
        user_id=f"attune-user-{user.id}".encode(),
        user_name=user.email,
        user_display_name=user.name,
        timeout=TIMEOUT_MS,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
        exclude_credentials=_descriptors(user),  # the same device twice is refused by the browser
    )
    return Ceremony(options_to_json(options), options.challenge)


def authentication_ceremony(user: User, rp: RelyingParty) -> Ceremony:
    options = generate_authentication_options(
        rp_id=rp.id,
        timeout=TIMEOUT_MS,
        allow_credentials=_descriptors(user),
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return Ceremony(options_to_json(options), options.challenge)


def default_name(user_agent: str | None) -> str:
    """A name the user recognises the device by, from the browser's User-Agent; they may change it."""
    agent = user_agent or ""
    for pattern, name in (
        (r"iPad", "iPad"),
        (r"iPhone", "iPhone"),
        (r"Android.*Mobile", "Android phone"),
        (r"Android", "Android tablet"),
        (r"Windows", "Windows"),
        (r"Macintosh|Mac OS X", "Mac"),
        (r"CrOS", "Chromebook"),
        (r"Linux", "Linux"),
    ):
        if re.search(pattern, agent):
            return name
    return "Passkey"


def _clean_name(name: str | None, fallback: str) -> str:
    name = re.sub(r"\s+", " ", name or "").strip()[:NAME_LENGTH]
    return name or fallback[:NAME_LENGTH]


def add(user: User, rp: RelyingParty, challenge: bytes | None, response: str, name: str | None) -> PasskeyAdded:
    """Register the browser's new credential. The caller has made sure a fresh check was passed
    when the user already has a factor."""
    if challenge is None:
        audit.record_refused("passkey_add", user=user, detail="no ceremony", outcome="failed")
        return PasskeyAdded(error="invalid")
    try:
        verified = verify_registration_response(
            credential=response,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:  # garbage is refused, never a 500
        audit.record_refused("passkey_add", user=user, detail=f"invalid: {str(error)[:120]}", outcome="failed")
        return PasskeyAdded(error="invalid")
    credential_id = bytes_to_base64url(verified.credential_id)
    if db.session.execute(select(Passkey.id).where(Passkey.credential_id == credential_id)).first():
        audit.record_refused("passkey_add", user=user, detail="already registered", outcome="failed")
        return PasskeyAdded(error="known")
    first_factor = not user.has_second_factor
    passkey = Passkey(
        credential_id=credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=",".join(_transports(response)),
        name=_clean_name(name, "Passkey"),
    )
    user.passkeys.append(passkey)
    db.session.flush()
    codes = two_factor.new_recovery_codes(user) if first_factor else []
    if user.login_token is not None:  # this login now counts as one with a second factor
        login_sessions.mark_second_factor(user.login_token)
    user.login_second_factor = True
    # A new factor: logins elsewhere that never used it end (ASVS 7.4.3), as for the app.
    login_sessions.end_all(user, reason="second_factor", keep_token=user.login_token)
    audit.record("passkey_add", obj=passkey, user=user, detail=passkey.name)
    return PasskeyAdded(passkey=passkey, recovery_codes=codes)


def _transports(response: str) -> list[str]:
    try:
        found = json.loads(response).get("response", {}).get("transports") or []
    except (ValueError, AttributeError):
        return []
    return [t for t in found if isinstance(t, str) and t in _TRANSPORTS][:6]


def _credential_id(response: str) -> str | None:
    try:
        value = json.loads(response).get("id")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) and len(value) <= 1400 else None


@dataclass(frozen=True)
class Proof:
    """A passkey assertion offered as a check: the browser's answer to the challenge kept for it."""

    rp: RelyingParty
    challenge: bytes | None
    response: str


@dataclass(frozen=True)
class PasskeyCheck:
    passkey: Passkey | None = None
    error: str | None = None  # "unknown" (not one of this user's passkeys), "invalid"


def check(user: User, rp: RelyingParty, challenge: bytes | None, response: str, purpose: str) -> PasskeyCheck:
    """Whether the browser's assertion proves this user holds one of their passkeys. Used (the
    counter and the time stored) or refused, on file either way under passkey_use."""
    credential_id = _credential_id(response) if challenge is not None else None
    passkey = next((p for p in user.passkeys if p.credential_id == credential_id), None)
    if passkey is None or challenge is None:
        reason = "no ceremony" if challenge is None else "not registered"
        audit.record_refused("passkey_use", user=user, detail=f"{purpose}: {reason}", outcome="failed")
        return PasskeyCheck(error="unknown" if challenge is not None else "invalid")
    try:
        verified = verify_authentication_response(
            credential=response,
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        detail = f"{purpose}: {passkey.name}: {str(error)[:100]}"
        audit.record_refused("passkey_use", user=user, detail=detail, outcome="failed")
        return PasskeyCheck(error="invalid")
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = dates.now()
    audit.record("passkey_use", obj=passkey, user=user, detail=f"{purpose}: {passkey.name}")
    return PasskeyCheck(passkey=passkey)


def owned(user: User, passkey_id: int | None) -> Passkey | None:
    return next((p for p in user.passkeys if p.id == passkey_id), None)


def rename(user: User, passkey_id: int | None, name: str) -> Passkey | None:
    passkey = owned(user, passkey_id)
    if passkey is None:
        audit.record_refused("passkey_rename", user=user, detail=f"passkey {passkey_id}", outcome="refused")
        return None
    old, passkey.name = passkey.name, _clean_name(name, passkey.name)
    audit.record("passkey_rename", obj=passkey, user=user, detail=f"{old} -> {passkey.name}")
    return passkey


def can_remove(user: User, passkey: Passkey) -> bool:
    """Not the last second factor of a user whose role needs one."""
    others = user.two_factor_enabled or len(user.passkeys) > 1
    return others or not two_factor.required_for(user)


def remove(user: User, passkey: Passkey) -> None:
    """Remove one passkey (the caller has passed the fresh check). Other logins end; without any
    factor left the recovery codes go too, as when the app is turned off."""
    name = passkey.name
    user.passkeys.remove(passkey)
    db.session.flush()
    if not user.has_second_factor:
        two_factor.disable(user)
    login_sessions.end_all(user, reason="second_factor", keep_token=user.login_token)
    audit.record("passkey_remove", obj=user, user=user, detail=name)


def remove_all(user: User) -> int:
    """Every passkey of the user (an administrator's second-factor reset)."""
    count = len(user.passkeys)
    user.passkeys.clear()
    db.session.flush()
    return count
