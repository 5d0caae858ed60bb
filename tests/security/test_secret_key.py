"""A served instance never signs cookies with a public key (ASVS V11.3, V13.3).

Without SECRET_KEY in the environment, a development instance makes a random key on its first start
in its instance folder and reads it on later starts; production refuses to start without one.
"""

from __future__ import annotations

import stat
from concurrent.futures import ThreadPoolExecutor

import pytest
from itsdangerous import BadSignature, URLSafeTimedSerializer

from app import create_app
from app.security.secret_key import FILE_NAME, instance_secret_key


@pytest.fixture(autouse=True)
def no_key_in_the_environment(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)


def _development_app(folder):
    return create_app("development", instance_path=str(folder), SQLALCHEMY_DATABASE_URI="sqlite://")


def test_each_instance_makes_its_own_random_key_and_keeps_it(tmp_path):
    first = _development_app(tmp_path / "one").config["SECRET_KEY"]
    second = _development_app(tmp_path / "two").config["SECRET_KEY"]
    assert first != second
    assert len(first) == 64 and int(first, 16)  # 256 random bits, as hex
    assert _development_app(tmp_path / "one").config["SECRET_KEY"] == first  # the next start reads it back
    assert (tmp_path / "one" / FILE_NAME).read_text() == first


def test_the_key_file_is_for_its_owner_only(tmp_path):
    _development_app(tmp_path)
    assert stat.S_IMODE((tmp_path / FILE_NAME).stat().st_mode) == 0o600


def test_a_key_file_others_can_read_is_closed_again(tmp_path):
    key = _development_app(tmp_path).config["SECRET_KEY"]
    (tmp_path / FILE_NAME).chmod(0o644)
    assert _development_app(tmp_path).config["SECRET_KEY"] == key
    assert stat.S_IMODE((tmp_path / FILE_NAME).stat().st_mode) == 0o600


def test_an_empty_key_file_stops_the_start(tmp_path):
    (tmp_path / FILE_NAME).write_text("")
    (tmp_path / FILE_NAME).chmod(0o600)
    with pytest.raises(RuntimeError, match="no usable key"):
        _development_app(tmp_path)


def test_the_environment_still_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "e" * 40)
    assert _development_app(tmp_path).config["SECRET_KEY"] == "e" * 40
    assert not (tmp_path / FILE_NAME).exists()


def test_a_cookie_signed_with_the_old_public_key_is_refused(tmp_path):
    """The key that used to be the development default is public: a cookie signed with it must not pass."""
    app = _development_app(tmp_path)
    forged = URLSafeTimedSerializer("dev-only-not-secret", salt="cookie-session").dumps({"_user_id": "x"})
    serializer = app.session_interface.get_signing_serializer(app)
    with pytest.raises(BadSignature):
        serializer.loads(forged)


def test_two_instances_starting_at_once_agree_on_one_key(tmp_path):
    with ThreadPoolExecutor(max_workers=8) as pool:
        keys = set(pool.map(lambda _: instance_secret_key(tmp_path), range(16)))
    assert keys == {(tmp_path / FILE_NAME).read_text()}
    assert [p.name for p in tmp_path.iterdir()] == [FILE_NAME]  # no drafts left behind
