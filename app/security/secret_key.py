"""The signing key of a development instance: random, made on its first start, kept in its instance folder.

A fixed development key is public (it is in the repository), and whoever knows it can forge a session
cookie. So an instance without SECRET_KEY in the environment makes its own key once, in
`instance/secret_key` (mode 0600, git-ignored, like the instance's database), and reads it on every
later start. Production never gets here: it refuses to start without SECRET_KEY (config.py).
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import stat
from pathlib import Path

FILE_NAME = "secret_key"
_log = logging.getLogger("attune")


def instance_secret_key(instance_path: str | os.PathLike[str]) -> str:
    """The key kept in the instance folder, made (64 hex characters, 256 bits) when there is none yet."""
    path = Path(instance_path) / FILE_NAME
    if not path.exists():
        _make(path)
    return _read(path)


def _make(path: Path) -> None:
    """Written aside, then linked into place: of two processes starting at once, both read the one key that
    won, and neither can read a file that is still empty."""
    draft = path.with_name(f".{FILE_NAME}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_hex(32))
        with contextlib.suppress(FileExistsError):  # another process was first: its key stays
            os.link(draft, path)
    finally:
        draft.unlink()


def _read(path: Path) -> str:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        _log.warning("%s could be read by other users (mode %o): set to 0600", path, mode)
        path.chmod(0o600)
    key = path.read_text().strip()
    if len(key) < 32:
        raise RuntimeError(f"{path} holds no usable key (fewer than 32 characters): remove it to make a new one")
    return key
