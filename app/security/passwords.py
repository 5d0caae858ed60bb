"""Password hashing with argon2id (RFC 9106 low-memory profile: t=3, m=64 MiB, p=4)."""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping, Sequence

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


# The app's own name: on an Attune server, "Attune2026!" is among the first guesses.
APP_NAME = "Attune"
# Letters people put in for look-alike digits and signs ("S@nne", "V1ries"), undone before comparing.
_LOOK_ALIKES = str.maketrans({"@": "a", "4": "a", "3": "e", "1": "i", "!": "i", "0": "o", "$": "s", "5": "s", "7": "t"})
# Shorter parts ("de", "li") would be found inside too many ordinary words.
_MIN_PART = 3


def _letters(text: str) -> str:
    """The letters only, lower case: digits, spaces and punctuation never make a password personal or not."""
    return "".join(re.findall(r"[^\W\d_]+", text.lower()))


def personal_words(*texts: str | None) -> dict[str, str]:
    """Words a password must not be built from, each with what it is: "app" (APP_NAME),
    "organisation" (ORGANISATION_NAME), "name" (the person's name) or "email" (a text with an @).

    Each text as a whole and its parts of three letters or more; of an e-mail address the part
    before the @ and the domain's names without its last one (.nl, .org): "sanne.devries@jeugdzorg-
    utrecht.nl" gives sanne, devries, jeugdzorg and utrecht. When two kinds share a word, the first
    in the order above names it.
    """
    words: dict[str, str] = {}

    def add(text: str, kind: str) -> None:
        text = text.strip().lower()
        if text:
            for word in (text, *re.split(r"[\W\d_]+", text)):
                if len(word) >= _MIN_PART:
                    words.setdefault(word, kind)

    add(APP_NAME, "app")
    if has_app_context():
        add(current_app.config.get("TOTP_ISSUER") or "", "app")  # the name authenticator apps show
        add(current_app.config.get("ORGANISATION_NAME") or "", "organisation")
    for text in texts:
        if text and "@" not in text:
            add(text, "name")
    for text in texts:
        if text and "@" in text:
            local, _, domain = text.partition("@")
            words.setdefault(text.strip().lower(), "email")
            add(local, "email")
            for label in domain.split(".")[:-1]:
                add(label, "email")
    return words


def _judge(text: str, user_inputs: Sequence[str] = ()):
    # zxcvbn keeps the user inputs in a module-level dictionary: callers hold _zxcvbn_lock.
    return zxcvbn(text[:_JUDGED_LENGTH], user_inputs=list(user_inputs), max_length=_JUDGED_LENGTH)


def built_from(password: str, words: Mapping[str, str]) -> str | None:
    """The kind of personal word a password is built from: one of `words` is in it, and without
    those words, digits and punctuation, what is left would not pass on its own. Else None.

    "Sanne de Vries 2026!" leaves "" and the organisation's name plus a year leaves "": refused.
    "Sanne's seven orange kites sing" leaves "sevenorangekitessing": accepted. Look-alike digits
    and signs are also read as the letters they stand for ("S@nne").
    """
    lower = password[:_JUDGED_LENGTH].lower()
    by_length = sorted(((_letters(word), kind) for word, kind in words.items()), key=lambda wk: -len(wk[0]))
    for variant in dict.fromkeys((lower, lower.translate(_LOOK_ALIKES))):
        rest, found = _letters(variant), None
        for letters, kind in by_length:
            if len(letters) >= _MIN_PART and letters in rest:
                rest = rest.replace(letters, " ")
                found = found or kind
        rest = " ".join(rest.split())
        if found and (not rest or _judge(rest)["score"] < MIN_SCORE):
            return found
    return None


def weakness(password: str, user_inputs: Mapping[str, str] | Sequence[str] = ()) -> str | None:
    """None for a strong enough password; otherwise why not: "personal:<kind>" when it is built
    from personal_words() (see built_from), "personal" when zxcvbn found one of them, or zxcvbn's
    English warning (may be "").

    No composition rules (ASVS 6.2.5): what counts is how easy the password is to guess.
    """
    kinds = dict(user_inputs) if isinstance(user_inputs, Mapping) else dict.fromkeys(user_inputs, "personal")
    with _zxcvbn_lock:
        kind = built_from(password, kinds)
        result = _judge(password, list(kinds)) if kind is None else None
    if kind is not None:
        return "personal" if kind == "personal" else f"personal:{kind}"
    assert result is not None
    if result["score"] >= MIN_SCORE:
        return None
    if any(match.get("dictionary_name") == "user_inputs" for match in result["sequence"]):
        return "personal"
    return result["feedback"]["warning"] or ""
