"""An error that repeats is logged once per interval, then counted: an outage fails every request the same
way, and a traceback per request (6.4 MB in 40 s with the database read-only) buries what happened first.

The first occurrence of an error goes to the log whole. The same error again (same exception type and
message, raised from the same place) within ERROR_LOG_REPEAT_SECONDS is only counted; after the interval
one line says how often it came. The count is written with the next record the app logs after the
interval, the same error's next occurrence or any other (no timer thread in a web worker). While the error
goes on, that is a line per interval; an error seen again after a quiet interval is logged whole once more.
Records without an exception (the access-log rows the database could not take) always pass: each is a fact.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import traceback
import weakref
from dataclasses import dataclass

from flask import Flask, current_app, has_app_context

Key = tuple[tuple[str, str, tuple[tuple[str, int | None], ...]], ...]
MAX_CAUSES = 5  # of an exception's chain, enough to tell errors apart
APP_DIR = os.path.dirname(os.path.abspath(__file__)).rpartition(os.sep)[0] + os.sep
ROOT_DIR = os.path.dirname(APP_DIR.rstrip(os.sep))


@dataclass
class _Window:
    opened_at: float
    where: str
    repeats: int = 0


class RepeatedErrors(logging.Filter):
    """Of one app: Flask's app.logger is the same logger for every app of the process (the tests make many)."""

    def __init__(self, app: Flask, interval_seconds: float) -> None:
        super().__init__()
        self.app = weakref.ref(app)
        self.interval = interval_seconds
        self._windows: dict[Key, _Window] = {}
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "repeat_count", None) is not None:  # the count below, on its way out
            return True
        if not has_app_context() or current_app._get_current_object() is not self.app():  # type: ignore[attr-defined]
            return True
        error = record.exc_info[1] if record.exc_info else getattr(record, "error", None)
        # time.time, not monotonic: time-machine moves it in tests, and a clock step changes one window at most.
        now = time.time()
        with self._lock:
            counts = self._close_windows(now)
            passes = True
            if isinstance(error, BaseException):
                key = _key(error)
                window = self._windows.get(key)
                if window is None:
                    self._windows[key] = _Window(now, _where(error))
                else:
                    window.repeats += 1
                    passes = False
        for window, elapsed in counts:
            self._log_count(record, window, elapsed)
        return passes

    def _close_windows(self, now: float) -> list[tuple[_Window, float]]:
        """The windows whose interval is over: those that counted repeats are reported, and while the error
        goes on a new window opens without its traceback; the others are forgotten."""
        closed = []
        for key, window in list(self._windows.items()):
            if now - window.opened_at < self.interval:
                continue
            if window.repeats:
                closed.append((window, now - window.opened_at))
                self._windows[key] = _Window(now, window.where, repeats=0)
            else:
                del self._windows[key]
        return closed

    def _log_count(self, record: logging.LogRecord, window: _Window, elapsed: float) -> None:
        logger = logging.getLogger(record.name)
        count = logger.makeRecord(
            record.name,
            logging.ERROR,
            __file__,
            0,
            "%s: repeated %d times in the last %d s",
            (window.where, window.repeats, round(elapsed)),
            None,
            extra={"repeat_count": window.repeats},
        )
        logger.handle(count)


def _key(error: BaseException) -> Key:
    """Type, message and frames of the error and of what caused it: a 503 raised over a read-only database
    and the same 503 over a refused row are two errors."""
    key: Key = ()
    seen: BaseException | None = error
    for _ in range(MAX_CAUSES):
        if seen is None:
            break
        frames = tuple((frame.filename, frame.lineno) for frame in traceback.extract_tb(seen.__traceback__))
        key += ((type(seen).__qualname__, str(seen), frames),)
        seen = seen.__cause__ or seen.__context__
    return key


def _where(error: BaseException) -> str:
    """The error's type and the app's line that raised it (else the last line): the message may quote what
    was typed, so it stays out of the count."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [frame for frame in frames if frame.filename.startswith(APP_DIR)]
    if not (ours or frames):
        return type(error).__qualname__
    frame = (ours or frames)[-1]
    return f"{type(error).__qualname__} at {os.path.relpath(frame.filename, ROOT_DIR)}:{frame.lineno} in {frame.name}"


def install(app: Flask) -> None:
    """On the app's logger (Flask's log of unhandled exceptions and the error pages' own); 0 turns it off."""
    for gone in [f for f in app.logger.filters if isinstance(f, RepeatedErrors) and f.app() is None]:
        app.logger.removeFilter(gone)
    seconds = float(app.config.get("ERROR_LOG_REPEAT_SECONDS") or 0)
    if seconds > 0:
        app.logger.addFilter(RepeatedErrors(app, seconds))
