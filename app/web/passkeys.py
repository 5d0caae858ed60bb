"""The web half of a passkey ceremony, shared by every blueprint that asks for one.

The server's options go to the page (data-passkey-options, read by app/static/js/passkeys.js); the
ceremony's challenge stays in the signed session, for that one ceremony, until its answer comes back.
A fresh check (app.services.logins.fresh_check) is one such ceremony, asked for on the user's own
pages, the administrator's and the confirm page of an account change alike: fresh_check_offer()
builds what its block on the page needs (templates/macros/forms.html `fresh_check`), fresh_proof()
turns the posted hidden field back into a passkeys.Proof.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app, request, session

from app import dates
from app.models import User
from app.services import passkeys

# The challenge of each passkey ceremony (by purpose), for that one ceremony: taken out when the
# answer comes, so it is used once. Not a secret: it only has to be unpredictable and fresh.
PASSKEY_SESSION_KEY = "passkey_challenges"
PASSKEY_CEREMONY_SECONDS = 300
# Every fresh check shares one purpose: a page asks for one check at a time, whichever form posts it.
FRESH = "fresh"


def relying_party() -> passkeys.RelyingParty:
    """This site for WebAuthn: the host asked for, unless configured (behind a proxy)."""
    origin = current_app.config["WEBAUTHN_ORIGIN"] or request.host_url.rstrip("/")
    rp_id = current_app.config["WEBAUTHN_RP_ID"] or urlsplit(origin).hostname or request.host
    return passkeys.RelyingParty(id=rp_id, origin=origin, name=current_app.config["WEBAUTHN_RP_NAME"])


def passkey_options(purpose: str, ceremony: passkeys.Ceremony) -> str:
    """Keep the ceremony's challenge for its answer; the options go to the page."""
    kept = session.get(PASSKEY_SESSION_KEY)
    kept = dict(kept) if isinstance(kept, dict) else {}
    kept[purpose] = {"challenge": ceremony.challenge.hex(), "at": int(dates.now().timestamp())}
    session[PASSKEY_SESSION_KEY] = kept
    return ceremony.options_json


def take_challenge(purpose: str) -> bytes | None:
    """The challenge of this purpose's ceremony, once, while it is fresh; else None."""
    kept = session.get(PASSKEY_SESSION_KEY)
    if not isinstance(kept, dict) or not isinstance(kept.get(purpose), dict):
        return None
    kept = dict(kept)
    entry = kept.pop(purpose)
    session[PASSKEY_SESSION_KEY] = kept
    age = dates.now().timestamp() - entry.get("at", 0)
    try:
        return bytes.fromhex(entry.get("challenge", "")) if 0 <= age <= PASSKEY_CEREMONY_SECONDS else None
    except (TypeError, ValueError):
        return None


def proof(response: str | None, purpose: str) -> passkeys.Proof | None:
    """The browser's answer with the challenge it answers; None when no passkey answered."""
    if not response:
        return None
    return passkeys.Proof(rp=relying_party(), challenge=take_challenge(purpose), response=response)


@dataclass(frozen=True)
class FreshCheckOffer:
    """What the fresh-check block of a page offers this user: the app's code, a passkey, or both.

    A user with neither (only possible where the role needs no second factor) is shown the code field,
    as before: the check then refuses, and says what to type.
    """

    passkey_options: str | None  # the options for the "check with passkey" button; None without passkeys
    has_app: bool

    @property
    def code(self) -> bool:
        return self.has_app or self.passkey_options is None


def fresh_check_offer(user: User) -> FreshCheckOffer:
    """One passkey ceremony for the page's fresh checks (its forms share the challenge: one posts)."""
    options = passkey_options(FRESH, passkeys.authentication_ceremony(user, relying_party())) if user.passkeys else None
    return FreshCheckOffer(passkey_options=options, has_app=user.two_factor_enabled)


def fresh_proof(form) -> passkeys.Proof | None:
    """The passkey answer a FreshCheckForm (app.web.forms) carries, if any."""
    return proof(form.fresh_passkey.data, FRESH)
