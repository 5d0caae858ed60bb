"""`make bench`: build data, serve it as in production, load it with locust, write the table.

For each database (BENCH_DATABASES: sqlite,postgresql) and scale (BENCH_SCALES: S,L):
a fresh database, `flask bench-data`, gunicorn (2 workers, the bench config: production with
plain-http cookies and an X-Query-Count header) on 127.0.0.1, locust headless with BENCH_USERS
users for BENCH_SECONDS seconds once all are logged in, then one user downloading the plan PDF.
Writes docs/benchmarks.md and docs/benchmarks.json (figures of earlier runs of other
database/scale pairs are kept, so a subset can be rerun).
"""

# ruff: noqa: S603, S607, SIM115 (our own commands; log files live as long as the process)
from __future__ import annotations

import csv
import json
import os
import platform
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
DOCS = ROOT / "docs"
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_DB = "attune_bench"
SCALE_TEAMS = {"S": 1, "M": 10, "L": 30}
PAGES = ["floor", "my families", "family page", "save session", "team overview", "CSV export"]
PORT = int(os.environ.get("BENCH_PORT", "8765"))


def log(message: str) -> None:
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


def database_url(kind: str, workdir: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'bench.db'}"
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB}")
    return PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{PG_DB}"


def drop_pg() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


def flask(env: dict, *args: str) -> str:
    result = subprocess.run([BIN / "flask", "--app", "app", *args], env=env, cwd=ROOT, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


class MemorySampler(threading.Thread):
    """Peak resident memory of any gunicorn worker, sampled twice a second."""

    def __init__(self, master_pid: int):
        super().__init__(daemon=True)
        self.master = psutil.Process(master_pid)
        self.peak = 0
        self.running = True

    def run(self):
        while self.running:
            try:
                for child in self.master.children():
                    self.peak = max(self.peak, child.memory_info().rss)
            except psutil.Error:
                pass
            time.sleep(0.5)


def serve(env: dict) -> subprocess.Popen:
    server = subprocess.Popen(
        [BIN / "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{PORT}", "--timeout", "120", "app:create_app()"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=open(Path(env["BENCH_WORKDIR"]) / "gunicorn.log", "w"),
        start_new_session=True,
    )
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=2)
            return server
        except OSError:
            time.sleep(0.5)
    raise SystemExit("gunicorn did not start: see gunicorn.log")


def locust(env: dict, prefix: Path, users: int, seconds: int, pdf_only: bool = False) -> dict:
    run_env = {
        **env,
        "BENCH_USERS": str(users),
        "BENCH_SECONDS": str(seconds),
        "BENCH_QUERIES_OUT": f"{prefix}_queries.json",
    }
    if pdf_only:
        run_env["BENCH_PDF_ONLY"] = "1"
    finished = subprocess.run(
        [
            BIN / "locust",
            "-f",
            ROOT / "bench" / "locustfile.py",
            "--headless",
            "-u",
            str(users),
            "-r",
            "10",
            "-t",
            f"{seconds + 600}s",  # a safety net: the run ends BENCH_SECONDS after the last login
            "-H",
            f"http://127.0.0.1:{PORT}",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        env=run_env,
        cwd=ROOT,
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=open(f"{prefix}_locust.log", "w"),
    )
    if finished.returncode == 3:
        raise SystemExit(f"a simulated user could not log in: see {prefix}_locust.log")
    stats = {}
    with open(f"{prefix}_stats.csv") as f:
        for row in csv.DictReader(f):
            if row["Name"] == "Aggregated" or not int(row["Request Count"]):
                continue
            stats[row["Name"]] = {
                "requests": int(row["Request Count"]),
                "errors": int(row["Failure Count"]),
                "median_ms": _number(row["50%"]),
                "p95_ms": _number(row["95%"]),
                "rps": round(float(row["Requests/s"]), 2),
            }
    try:
        queries = json.loads(Path(f"{prefix}_queries.json").read_text())
    except FileNotFoundError:
        queries = {}
    for name, counts in queries.items():
        if name in stats and counts:
            stats[name]["queries"] = {"min": min(counts), "max": max(counts), "median": statistics.median(counts)}
    return stats


def _number(cell: str) -> float:
    try:
        return float(cell)
    except ValueError:  # N/A: no requests
        return 0.0


def run_one(kind: str, scale: str, users: int, seconds: int) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix=f"attune-bench-{kind}-{scale}-"))
    env = {
        **os.environ,
        "FLASK_APP": "app",
        "DATABASE_URL": database_url(kind, workdir),
        "ATTUNE_CONFIG": "bench",
        "SECRET_KEY": secrets.token_hex(32),
        "BENCH_TEAMS": str(SCALE_TEAMS[scale]),
        "BENCH_WORKDIR": str(workdir),
    }
    try:
        log(f"{kind} {scale}: migrating and generating data")
        flask(env, "db", "upgrade")
        started = time.monotonic()
        summary = flask(env, "bench-data", "--scale", scale).splitlines()[0]
        build_seconds = round(time.monotonic() - started)
        log(f"{kind} {scale}: {summary}")
        server = serve(env)
        sampler = MemorySampler(server.pid)
        sampler.start()
        try:
            log(f"{kind} {scale}: {users} users, {seconds} s after the last login")
            pages = locust(env, workdir / "load", users, seconds)
            log(f"{kind} {scale}: plan PDF, one user")
            pdf = locust(env, workdir / "pdf", 1, min(seconds, 20), pdf_only=True).get("plan PDF", {})
        finally:
            sampler.running = False
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        floor = pages.get("floor", {}).get("median_ms") or None
        for figures in pages.values():
            figures["ratio_to_floor"] = round(figures["median_ms"] / floor, 1) if floor else None
        return {
            "database": kind,
            "scale": scale,
            "users": users,
            "seconds": seconds,
            "build": summary,
            "build_seconds": build_seconds,
            "pages": pages,
            "plan_pdf": pdf,
            "worker_peak_rss_mb": round(sampler.peak / 2**20),
        }
    finally:
        if kind == "postgresql":
            drop_pg()
        if not os.environ.get("BENCH_KEEP"):
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            log(f"kept {workdir}")


def machine() -> dict:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "unknown"
    )
    pg = subprocess.run(["psql", PG_ADMIN, "-tAc", "show server_version"], capture_output=True, text=True)
    import sqlite3

    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "ram_gb": round(psutil.virtual_memory().total / 2**30),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": pg.stdout.strip() or "not reachable",
        "os": platform.platform(),
        "load_average_at_start": [round(x, 1) for x in os.getloadavg()],
    }


def main() -> None:
    databases = os.environ.get("BENCH_DATABASES", "sqlite,postgresql").split(",")
    scales = os.environ.get("BENCH_SCALES", "S,L").split(",")
    users = int(os.environ.get("BENCH_USERS", "50"))
    seconds = int(os.environ.get("BENCH_SECONDS", "60"))
    out = DOCS / "benchmarks.json"
    results = json.loads(out.read_text()) if out.exists() else {"runs": {}}
    results["machine"] = machine()
    for kind in databases:
        for scale in scales:
            run = run_one(kind, scale, users, seconds)
            run["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
            results["runs"][f"{kind}/{scale}"] = run
            out.write_text(json.dumps(results, indent=2) + "\n")
    from bench.report import write_markdown

    write_markdown(results, DOCS / "benchmarks.md")
    log(f"wrote {out} and docs/benchmarks.md")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
