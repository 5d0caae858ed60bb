"""docs/benchmarks.md from docs/benchmarks.json: the generated part sits between two markers,
so the hand-written notes around it (what each change bought) survive a rerun."""

from __future__ import annotations

from pathlib import Path

START, END = "<!-- bench:start (written by make bench) -->", "<!-- bench:end -->"
PAGES = ["floor", "my families", "family page", "save session", "team overview", "CSV export"]
LIMITS = {"team overview": 8}  # times the floor's median; every other page 5
# A floor this slow means the server was saturated: every page waited in gunicorn's queue, so the
# ratios and growth compare queueing, not pages. Those targets are then not judged.
SATURATED_MS = 500
SATURATED = "⚠️ saturated"


def _saturated(run: dict) -> bool:
    return run["pages"].get("floor", {}).get("median_ms", 0) > SATURATED_MS


def _ok(flag: bool | None) -> str:
    return "–" if flag is None else ("✅" if flag else "❌")


def _writes(run: dict) -> str:
    total = sum(page["rps"] for page in run["pages"].values())
    saved = run["pages"].get("save session", {}).get("rps", 0)
    return f" Saving a session was {saved / total:.0%} of the requests." if total else ""


def _run_table(run: dict) -> list[str]:
    lines = [
        f"### {run['database']}, scale {run['scale']}",
        "",
        f"{run['build']} (the command took {run['build_seconds']} s). {run['users']} users for {run['seconds']} s after "
        f"the last login; peak resident memory of a worker: **{run['worker_peak_rss_mb']} MB** "
        f"{_ok(run['worker_peak_rss_mb'] < 250)} (target < 250 MB).{_writes(run)}",
        "",
        "| Page | Median ms | p95 ms | req/s | Errors | SQL per request | × floor | Target |",
        "| --- | ---: | ---: | ---: | ---: | --- | ---: | --- |",
    ]
    for name in PAGES + sorted(set(run["pages"]) - set(PAGES)):
        page = run["pages"].get(name)
        if not page:
            continue
        q = page.get("queries")
        queries = "" if not q else (f"{q['min']}" if q["min"] == q["max"] else f"{q['min']}–{q['max']}")
        ratio = page.get("ratio_to_floor")
        limit = LIMITS.get(name, 5)
        target = "" if name in ("floor", "login", "login form", "session form") else f"{_ok(ratio <= limit)} ≤ {limit}×"
        if target and _saturated(run):
            target = SATURATED
        lines.append(
            f"| {name} | {page['median_ms']:.0f} | {page['p95_ms']:.0f} | {page['rps']} | {page['errors']} | "
            f"{queries} | {ratio if ratio is not None else ''} | {target} |"
        )
    pdf = run.get("plan_pdf") or {}
    if pdf:
        lines += [
            "",
            f"Plan PDF (5 goals, a year of scores), one user: median **{pdf['median_ms']:.0f} ms**, "
            f"p95 {pdf['p95_ms']:.0f} ms, {pdf['errors']} errors {_ok(pdf['median_ms'] < 1000)} (target < 1 s).",
        ]
    return lines + [""]


def _growth(runs: dict) -> list[str]:
    lines = []
    for database in sorted({r["database"] for r in runs.values()}):
        small, large = runs.get(f"{database}/S"), runs.get(f"{database}/L")
        if not (small and large):
            continue
        lines += [
            f"### Growth from S to L, {database}",
            "",
            "| Page | S median ms | L median ms | L ÷ S | Target | SQL per request S → L (median) |",
            "| --- | ---: | ---: | ---: | --- | --- |",
        ]
        for name, limit in (("my families", 1.5), ("family page", 1.5), ("team overview", 2.0)):
            s, m = small["pages"].get(name), large["pages"].get(name)
            if not (s and m and s["median_ms"]):
                continue
            growth = round(m["median_ms"] / s["median_ms"], 2)
            qs, ql = s.get("queries"), m.get("queries")
            # The median request: now and then one also writes the login's last-seen time (the max).
            queries = f"{qs['median']:g} → {ql['median']:g}" if qs and ql else ""
            verdict = SATURATED if _saturated(small) or _saturated(large) else f"{_ok(growth <= limit)} ≤ {limit}×"
            lines.append(f"| {name} | {s['median_ms']:.0f} | {m['median_ms']:.0f} | {growth} | {verdict} | {queries} |")
        lines.append("")
    return lines


def generated(results: dict) -> str:
    m = results["machine"]
    lines = [
        START,
        "",
        f"Machine: {m['cpus']} CPUs ({m['cpu']}), {m['ram_gb']} GB RAM, {m['os']}; Python {m['python']}, "
        f"SQLite {m['sqlite']}, PostgreSQL {m['postgresql']}. Load average when the last run started: "
        f"{', '.join(map(str, m['load_average_at_start']))}"
        + (" (the machine was busy: the figures are noisy)." if max(m["load_average_at_start"]) > 1.5 else "."),
        "",
    ]
    runs = results["runs"]
    for key in sorted(runs, key=lambda k: (runs[k]["database"], "SML".index(runs[k]["scale"]))):
        lines += _run_table(runs[key])
    lines += _growth(runs)
    lines.append(END)
    return "\n".join(lines)


def write_markdown(results: dict, path: Path) -> None:
    text = path.read_text() if path.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    path.write_text(before + generated(results) + after)
