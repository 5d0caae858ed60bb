"""Password hashing with argon2id (RFC 9106 low-memory profile: t=3, m=64 MiB, p=4)."""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from zxcvbn import zxcvbn

# Every configuration hashes with the RFC 9106 profile (above ASVS's argon2id minimum of t=2,
# m=19 MiB), except TestingConfig: the suite logs in about a thousand times, at a third of a
# second each. ProductionConfig refuses any other profile.
HASHING_PROFILES = {
    "rfc9106-low-memory": PasswordHasher(),  # argon2id, t=3, m=64 MiB, p=4
    "tests-only-fast": PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1),
}
DEFAULT_PROFILE = "rfc9106-low-memory"
# Verified against when the e-mail is unknown, so that answer takes as long as a wrong password.
_DUMMY_HASHES = {name: hasher.hash("attune-timing-equaliser") for name, hasher in HASHING_PROFILES.items()}


def _profile() -> str:
    return current_app.config.get("PASSWORD_HASHING", DEFAULT_PROFILE) if has_app_context() else DEFAULT_PROFILE


MIN_LENGTH = 15
MAX_LENGTH = 128
# zxcvbn's score from 0 to 4; below this a password is refused as too easy to guess.
MIN_SCORE = 3
# zxcvbn's time grows steeply with length (seconds for 72 random characters): only the first
# 64 are judged. Characters after them can only make a password stronger.
_JUDGED_LENGTH = 64
# zxcvbn keeps the user inputs in a module-level dictionary: one call at a time.
_zxcvbn_lock = threading.Lock()


def hash_password(password: str) -> str:
    return HASHING_PROFILES[_profile()].hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    profile = _profile()
    try:
        return HASHING_PROFILES[profile].verify(password_hash or _DUMMY_HASHES[profile], password) and bool(
            password_hash
        )
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return HASHING_PROFILES[_profile()].check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def personal_words(*texts: str | None) -> list[str]:
    """Words from a name and e-mail address that a password should not lean on."""
    words = {"attune"}
    for text in texts:
        if text:
            words.add(text.lower())
            words.update(w for w in re.split(r"[^\w]+", text.lower()) if len(w) >= 3)
    return sorted(words)


def weakness(password: str, user_inputs: Sequence[str] = ()) -> str | None:
    """None for a strong enough password; otherwise zxcvbn's English warning (may be "").

    No composition rules (ASVS 6.2.5): what counts is how easy the password is to guess.
    """
    with _zxcvbn_lock:
        result = zxcvbn(password[:_JUDGED_LENGTH], user_inputs=list(user_inputs), max_length=_JUDGED_LENGTH)
    if result["score"] >= MIN_SCORE:
        return None
    if any(match.get("dictionary_name") == "user_inputs" for match in result["sequence"]):
        return "personal"
    return result["feedback"]["warning"] or ""
