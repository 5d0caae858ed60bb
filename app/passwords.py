"""Password hashing with argon2id (RFC 9106 low-memory profile: t=3, m=64 MiB, p=4)."""

from __future__ import annotations

import re
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

_hasher = PasswordHasher()

# Verified against when the e-mail is unknown, so that answer takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("attune-timing-equaliser")

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
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return _hasher.check_needs_rehash(password_hash)
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


def weakness(password: str, user_inputs: list[str] = ()) -> str | None:
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
