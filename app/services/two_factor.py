"""TOTP second factor (RFC 6238) and single-use recovery codes.

A code is accepted once: the time step of the last accepted code is stored, and a code from
that step or an earlier one is refused. The check and the store are one UPDATE, so two app
processes cannot both accept the same code.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime
from typing import Any, cast

import pyotp
import qrcode
import qrcode.image.svg
from flask import current_app
from sqlalchemy import CursorResult, delete, func, or_, select, update

from app import dates
from app.extensions import db
from app.models import RecoveryCode, User

RECOVERY_CODE_COUNT = 10
# Crockford's base32: no i, l, o or u to misread. 24 characters carry 120 random bits.
_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_RECOVERY_LENGTH = 24
_MISREAD = str.maketrans({"i": "1", "l": "1", "o": "0"})


def required_for(user: User) -> bool:
    return user.role.value in current_app.config["TWO_FACTOR_REQUIRED_ROLES"]


def new_secret() -> str:
    return pyotp.random_base32()  # 160 bits from the secrets module


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=current_app.config["TOTP_ISSUER"])


def qr_svg(text: str) -> str:
    """The QR code as SVG markup: no style attributes, so a strict CSP lets it through."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathFillImage, border=4)
    return image.to_string(encoding="unicode")


def grouped(text: str, size: int = 4) -> str:
    return " ".join(text[i : i + size] for i in range(0, len(text), size))


def matching_step(secret: str, code: str, at: datetime | None = None) -> int | None:
    """The time step whose code this is, within the allowed window around now; else None."""
    code = re.sub(r"\s", "", code or "")
    if not re.fullmatch(r"\d{6}", code):
        return None
    totp = pyotp.TOTP(secret)
    now = totp.timecode(at or dates.now())
    window = current_app.config["TOTP_VALID_WINDOW"]
    for step in range(now - window, now + window + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def accept_totp(user: User, code: str) -> bool:
    secret = user.totp_secret
    step = matching_step(secret, code) if user.two_factor_enabled and secret is not None else None
    if step is None:
        return False
    claimed = cast(  # an UPDATE's result: a CursorResult, with rowcount
        "CursorResult[Any]",
        db.session.execute(
            update(User)
            .where(User.id == user.id, or_(User.totp_last_counter.is_(None), User.totp_last_counter < step))
            .values(totp_last_counter=step)
            .execution_options(synchronize_session=False)
        ),
    )
    db.session.expire(user, ["totp_last_counter"])
    return claimed.rowcount == 1


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _normalise_recovery(code: str) -> str:
    return re.sub(r"[\s-]", "", (code or "").lower()).translate(_MISREAD)


def use_recovery_code(user: User, code: str) -> bool:
    code = _normalise_recovery(code)
    if len(code) != _RECOVERY_LENGTH:
        return False
    used = cast(  # an UPDATE's result: a CursorResult, with rowcount
        "CursorResult[Any]",
        db.session.execute(
            update(RecoveryCode)
            .where(
                RecoveryCode.user_id == user.id, RecoveryCode.code_hash == _hash(code), RecoveryCode.used_at.is_(None)
            )
            .values(used_at=dates.now())
            .execution_options(synchronize_session=False)
        ),
    )
    return used.rowcount == 1


def check_login_code(user: User, code: str) -> str | None:
    """'totp' or 'recovery code' when the code lets this user in (and is used up); else None."""
    if re.fullmatch(r"\d{6}", re.sub(r"\s", "", code or "")):
        return "totp" if accept_totp(user, code) else None
    return "recovery code" if user.has_second_factor and use_recovery_code(user, code) else None


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes; the plain codes are returned once, to show."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = ["".join(secrets.choice(_ALPHABET) for _ in range(_RECOVERY_LENGTH)) for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(code)) for code in codes)
    return ["-".join(code[i : i + 4] for i in range(0, _RECOVERY_LENGTH, 4)) for code in codes]


def unused_recovery_codes(user: User) -> int:
    return db.session.execute(
        select(func.count(RecoveryCode.id)).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).scalar_one()


def enable(user: User, secret: str, step: int) -> None:
    user.totp_secret = secret
    user.totp_enabled_at = dates.now()
    user.totp_last_counter = step  # the code that confirmed the set-up is used up too


def disable(user: User) -> None:
    """The app no longer counts; the recovery codes go with the last factor (a passkey may remain)."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_counter = None
    if not user.passkeys:
        db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
