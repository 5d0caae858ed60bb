"""The shape of the benchmark's data: its scales, the size of a team and its accounts.

Read by the data (app.bench.data), the bench-data command and the load generator (bench/locustfile.py, through
app.bench), so that they agree on who can log in and how.
"""

from __future__ import annotations

import base64
import hashlib

BENCH_PASSWORD = "attune-bench-password-2026"  # noqa: S105 - throwaway benchmark accounts
SCALES = {"S": 1, "M": 10, "L": 30}  # teams; every team has a lead and 10 care workers
WORKERS_PER_TEAM = 10
FAMILIES_PER_TEAM = 333  # ~33 per care worker: 10,000 families at scale L


def lead_email(team: int) -> str:
    return f"lead{team:02d}@bench.example"


def worker_email(team: int, worker: int) -> str:
    return f"worker{team:02d}-{worker:02d}@bench.example"


def bench_totp_secret(email: str) -> str:
    """The one place that knows a bench account's TOTP secret (base32), for a second login step.

    Deterministic, so the load generator computes the same secret without reading the database.
    """
    digest = hashlib.sha256(f"attune-bench-totp:{email}".encode()).digest()
    return base64.b32encode(digest[:20]).decode()
