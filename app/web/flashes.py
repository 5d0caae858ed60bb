"""Messages with an action: the one after a change that can be taken back."""

from __future__ import annotations

from flask import flash


def flash_undo(message: str, action_url: str, back: str) -> None:
    """A message with an Undo button (base.html draws a form posting to action_url, with its CSRF token and
    `back`, where the undone page leads). Kept in the session as a small dict, like any flashed message."""
    flash({"text": message, "undo": action_url, "back": back}, "undo")  # type: ignore[arg-type]  # any JSON
