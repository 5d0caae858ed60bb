"""`make security`: scan a throwaway Attune with sqlmap and wapiti, logged in as each role.

Starts gunicorn on 127.0.0.1 with a temporary SQLite database holding the demo organisation, in
the `security-scan` configuration (production settings, but cookies that work over plain HTTP).
For each role it logs in through the real login form (CSRF token, and the second step with the
demo TOTP secret when the app asks for it) and hands the session cookie to the scanners:

- sqlmap: the GET parameters of the list and filter pages and the text fields of the main POST
  forms, with a fresh CSRF token for every request (--csrf-token);
- wapiti: crawls from / (never /logout, so it stays logged in) with the injection, XSS, redirect,
  CSRF and header modules.

The findings go into the generated section of docs/security.md. Not part of CI (it takes minutes).
Usage: .venv/bin/python scripts/security_scan.py --scanners .venv-security/bin [--minutes 14]
"""

from __future__ import annotations

import argparse
import datetime as dt
import html.parser
import http.cookiejar
import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "security.md"
START, END = "<!-- scan results: start (written by scripts/security_scan.py) -->", "<!-- scan results: end -->"
ROLES = [
    ("care worker", "joris@attune.example"),
    ("team lead", "sanne@attune.example"),
    ("administrator", "admin@attune.example"),
]
WAPITI_MODULES = "xss,permanentxss,sql,exec,file,redirect,csrf,crlf,http_headers,csp,cookieflags"
NEVER = ("/logout", "/language")  # would end the login or only switch the language


# ---------------------------------------------------------------------------------------------
# A tiny browser: cookies, CSRF tokens, forms
# ---------------------------------------------------------------------------------------------


class FormParser(html.parser.HTMLParser):
    """The POST forms of a page: action and default field values (as a browser would send them)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "get").lower() == "post":
            self._form = {"action": a.get("action") or "", "fields": [], "text": []}
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self._form["fields"].append((name, a.get("value", "on")))
            elif kind not in ("submit", "button", "file"):
                self._form["fields"].append((name, a.get("value", "")))
                if kind in ("text", "search", "email"):
                    self._form["text"].append(name)
        elif tag == "textarea" and name:
            self._textarea = name
            self._form["fields"].append((name, ""))
            self._form["text"].append(name)
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and ("selected" in a or not self._has(self._select)):
            self._form["fields"] = [(n, v) for n, v in self._form["fields"] if n != self._select]
            self._form["fields"].append((self._select, a.get("value", "")))

    def _has(self, name: str) -> bool:
        return any(n == name for n, _ in self._form["fields"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


class Browser:
    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[str, str]:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.geturl(), response.read().decode("utf-8", "replace")

    def post(self, path: str, fields: dict) -> tuple[str, str]:
        data = urllib.parse.urlencode(fields).encode()
        with self.opener.open(self.base + path, data=data, timeout=30) as response:
            return response.geturl(), response.read().decode("utf-8", "replace")

    def cookie(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def log_in(self, email: str, password: str) -> None:
        _, page = self.get("/login")
        url, page = self.post("/login", {"csrf_token": csrf_token(page), "email": email, "password": password})
        if "/login/verify" in url:
            url, page = self.post("/login/verify", {"csrf_token": csrf_token(page), "code": totp_code(email)})
        if "/login" in urllib.parse.urlsplit(url).path:
            raise SystemExit(f"logging in as {email} failed (ended on {url})")

    def logged_in(self) -> bool:
        url, _ = self.get("/account")
        return "/login" not in urllib.parse.urlsplit(url).path

    def main_form(self, path: str) -> tuple[str, list[tuple[str, str]], list[str]]:
        """(action, default fields, text field names) of the page's main POST form."""
        _, page = self.get(path)
        parser = FormParser()
        parser.feed(page)
        for form in parser.forms:
            action = form["action"] or path
            if not action.startswith(NEVER):
                return action, form["fields"], form["text"]
        raise SystemExit(f"no form on {path}")


def csrf_token(page: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    if not match:
        raise SystemExit("no CSRF token on the page")
    return match.group(1)


def totp_code(email: str) -> str:
    """The current code for a demo account's second factor (the auth branch's demo secret)."""
    sys.path.insert(0, str(ROOT))
    try:
        import pyotp

        from app.cli.demo import demo_totp_secret
    except ImportError as error:
        raise SystemExit(
            f"the login asks for a second factor, but {error.name} is missing: this needs pyotp and "
            "app.cli.demo.demo_totp_secret (the two-factor login)"
        ) from None
    secret = demo_totp_secret(email)
    if not secret:
        raise SystemExit(f"no demo TOTP secret for {email}")
    return pyotp.TOTP(secret).now()


# ---------------------------------------------------------------------------------------------
# The throwaway server
# ---------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(workdir: Path, port: int) -> tuple[subprocess.Popen, dict]:
    env = dict(
        os.environ,
        ATTUNE_CONFIG="security-scan",
        SECRET_KEY=secrets.token_hex(32),
        DATABASE_URL=f"sqlite:///{workdir / 'scan.db'}",
        FLASK_APP="app",
    )
    bin_dir = ROOT / ".venv" / "bin"
    for command in (["flask", "db", "upgrade"], ["flask", "seed-demo"]):
        subprocess.run([str(bin_dir / command[0]), *command[1:]], cwd=ROOT, env=env, check=True, capture_output=True)
    log = open(workdir / "server.log", "w")  # noqa: SIM115 (lives as long as the server)
    server = subprocess.Popen(
        [
            str(bin_dir / "gunicorn"),
            "--workers",
            "2",
            "--threads",
            "4",
            "--bind",
            f"127.0.0.1:{port}",
            "app:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    for _ in range(60):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).close()
            return server, env
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("the scan server did not start; see " + str(workdir / "server.log"))


# ---------------------------------------------------------------------------------------------
# The scanners
# ---------------------------------------------------------------------------------------------


@dataclass
class RoleResult:
    role: str
    email: str
    sqlmap: list[tuple[str, str]] = field(default_factory=list)  # (target, outcome)
    wapiti: dict = field(default_factory=dict)
    still_logged_in: bool = True
    notes: list[str] = field(default_factory=list)


def targets_for(
    browser: Browser, role: str
) -> tuple[list[tuple[str, list[str]]], list[tuple[str, str, str, list[str]]]]:
    """GET targets (url, parameters) and POST targets (page, action, body, parameters) for a role."""
    gets: list[tuple[str, list[str]]] = []
    posts: list[tuple[str, str, str, list[str]]] = []
    form_pages: list[str] = []
    if role == "administrator":
        _, page = browser.get("/admin/")
        user = re.search(r'href="(/admin/users/\d+)"', page)
        team = re.search(r'href="(/admin/teams/\d+)"', page) or re.search(
            r"(/admin/teams/\d+)", browser.get("/admin/teams")[1]
        )
        form_pages += ["/admin/users/new", "/admin/teams", "/admin/settings"]
        form_pages += [p.group(1) for p in (user, team) if p]
    else:
        _, page = browser.get("/families/")
        family = re.search(r'href="/families/(\d+)"', page)
        fid = family.group(1) if family else "1"
        gets += [
            ("/families/?q=bakker&status=open&page=1", ["q", "status", "page"]),
            (f"/families/{fid}?focus=parent&moments=positive&page=1", ["focus", "moments", "page"]),
            (f"/families/{fid}/plan/print?lang=nl&moment=1&version=1", ["lang", "moment", "version"]),
        ]
        form_pages += ["/families/new", f"/families/{fid}/members/new", f"/families/{fid}/consent"]
        form_pages += [f"/families/{fid}/stress/new", f"/families/{fid}/sessions/new"]
        if role == "team lead":
            gets.append(
                (
                    "/overview?q=a&worker=1&status=open&signal=not_seen&focus=parent&from=2024-01-01&to=2030-01-01&page=1",
                    ["q", "worker", "status", "signal", "focus", "from", "to", "page"],
                )
            )
            form_pages.append(f"/families/{fid}/workers")
    for path in form_pages:
        action, fields, text = browser.main_form(path)
        filled = [(n, v or ("Scan" if n in text else v)) for n, v in fields]
        if "/sessions/new" in path:
            filled.append(("focuses", "parent"))
        body = urllib.parse.urlencode([(n, v) for n, v in filled if n != "csrf_token"] + [("csrf_token", "x")])
        params = [n for n in text if not n.endswith(("video_time", "email"))] or [
            n for n, _ in fields if n != "csrf_token"
        ]
        posts.append((path, action, body, params[:3]))
    return gets, posts


def run_sqlmap(scanners: Path, base: str, cookie: str, workdir: Path, result: RoleResult, gets, posts, deadline):
    common = [
        str(scanners / "sqlmap"),
        "--batch",
        "--disable-coloring",
        f"--cookie={cookie}",
        "--technique=BEU",
        "--level=1",
        "--risk=1",
        "--smart",
        f"--output-dir={workdir / 'sqlmap'}",
        "--flush-session",
    ]
    jobs = []
    for page, action, body, params in posts:  # the forms first: they write to the database
        jobs.append(
            (
                f"POST {action} ({', '.join(params)})",
                [
                    "-u",
                    base + action,
                    f"--data={body}",
                    "--csrf-token=csrf_token",
                    f"--csrf-url={base + page}",
                    "-p",
                    ",".join(params),
                ],
            )
        )
    # --threads is refused together with --csrf-token, so only the GET targets get it.
    jobs += [(url, ["-u", base + url, "-p", ",".join(params), "--threads=4"]) for url, params in gets]
    for target, args in jobs:
        left = deadline - time.monotonic()
        if left < 20:
            result.sqlmap.append((target, "not run: out of time"))
            continue
        try:
            run = subprocess.run(common + args, capture_output=True, text=True, timeout=min(60, left))
            output = run.stdout + run.stderr
        except subprocess.TimeoutExpired as error:
            output = (error.stdout or b"").decode() if isinstance(error.stdout, bytes) else (error.stdout or "")
            output += "\n[timed out]"
        result.sqlmap.append((target, summarise_sqlmap(output)))


def summarise_sqlmap(output: str) -> str:
    injectable = re.findall(r"parameter '([^']+)' (?:is|appears to be) '?([^'\n]*?)'? ?injectable", output)
    if injectable or "is vulnerable" in output:
        return "FINDING: injectable " + ", ".join(f"{p} ({t})" for p, t in injectable)
    if "all tested parameters do not appear to be injectable" in output:
        return "no injection found"
    if "[timed out]" in output:
        return "stopped at the time limit, no injection found so far"
    critical = re.findall(r"\[CRITICAL\] (.*)", output)
    return "inconclusive: " + (critical[-1][:160] if critical else output.strip().splitlines()[-1][:160])


def run_wapiti(scanners: Path, base: str, cookie: str, workdir: Path, result: RoleResult, budget: int):
    """Crawl for about a third of the budget, then each module attacks for a bounded time."""
    modules = WAPITI_MODULES.count(",") + 1
    seconds = int(budget * 0.3)
    attack = max(8, int(budget * 0.5 / modules))
    report = workdir / f"wapiti-{result.role.replace(' ', '-')}.json"
    command = [
        str(scanners / "wapiti"),
        "-u",
        base + "/",
        "--scope",
        "folder",
        "-m",
        WAPITI_MODULES,
        "-C",
        cookie,
        "--skip",
        "csrf_token",
        "-d",
        "3",
        "--max-links-per-page",
        "40",
        "--max-files-per-dir",
        "40",
        "--max-scan-time",
        str(seconds),
        "--max-attack-time",
        str(attack),
        "--flush-session",
        "--store-session",
        str(workdir / "wapiti-session"),
        "-f",
        "json",
        "-o",
        str(report),
        "--no-bugreport",
    ]
    for path in NEVER:
        command += ["-x", base + path]
    # A password reset asks for a fresh code and leaves a change waiting for a second person (one per
    # account): probing it only piles up refused fresh checks.
    command += ["-x", base + "/admin/users/*/password"]
    try:
        subprocess.run(command, capture_output=True, text=True, timeout=budget)
    except subprocess.TimeoutExpired:
        result.notes.append("wapiti was stopped at the time limit")
    if not report.exists():
        result.notes.append("wapiti wrote no report: its findings for this role are unknown")
        result.wapiti = {"missing": True}
        return
    data = json.loads(report.read_text())
    result.wapiti = {"vulnerabilities": data.get("vulnerabilities", {}), "anomalies": data.get("anomalies", {})}
    crawled = data.get("infos", {}).get("crawled_pages_nbr") or len(data.get("infos", {}).get("crawled_pages", []))
    result.notes.append(f"wapiti crawled {crawled} pages")


# ---------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------

# What a known finding means here, so the report explains instead of only listing.
EXPLAINED = {
    "Secure Flag cookie": "By design in the scan configuration only: the scan runs over plain HTTP, so the "
    "session cookie cannot be Secure. Production sets Secure and the __Host- prefix "
    "(tests/security/test_headers.py, ProductionConfig).",
    "HttpOnly Flag cookie": "Flask's session cookie is HttpOnly (SESSION_COOKIE_HTTPONLY); check the cookie it names.",
    "Cross Site Request Forgery": "False positive: the page holds two forms, each with a prefixed token "
    "(`pw-csrf_token`, ...), a name wapiti does not recognise. Flask-WTF's CSRFProtect guards every POST and "
    "refuses one without a valid token with 400 (tests/security/test_fuzz.py::"
    "test_missing_or_wrong_csrf_token_is_refused_with_400 posts to every POST endpoint without one).",
}


def tool_versions(scanners: Path) -> dict[str, str]:
    versions = {}
    for tool, args in (("sqlmap", ["--version"]), ("wapiti", ["--version"])):
        try:
            out = subprocess.run([str(scanners / tool), *args], capture_output=True, text=True, timeout=60)
            text = (out.stdout + out.stderr).strip().splitlines()
            versions[tool] = next((line for line in reversed(text) if re.search(r"\d+\.\d+", line)), "?").strip()
        except OSError:
            versions[tool] = "missing"
    return versions


def render(results: list[RoleResult], versions: dict[str, str], minutes: float) -> str:
    lines = [
        START,
        "",
        f"Generated by `make security` on {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC in {minutes:.1f} minutes, "
        f"sqlmap {versions.get('sqlmap')}, wapiti {versions.get('wapiti')}, against a throwaway instance "
        "(gunicorn, SQLite, demo data, `security-scan` configuration: production settings over plain HTTP).",
        "",
    ]
    for r in results:
        lines += [f"#### As {r.role} ({r.email})", ""]
        lines.append(
            f"Still logged in after the scans: {'yes' if r.still_logged_in else 'NO (results partly anonymous)'}."
        )
        lines += [""] + [f"- {note}" for note in r.notes] + [""]
        lines += ["sqlmap (techniques B, E, U; level 1, risk 1):", ""]
        lines += ["| Target | Outcome |", "| --- | --- |"]
        lines += [f"| `{t}` | {o} |" for t, o in r.sqlmap] or ["| – | not run |"]
        lines += ["", f"wapiti modules `{WAPITI_MODULES}`:", ""]
        found = [
            (kind, name, item)
            for kind in ("vulnerabilities", "anomalies")
            for name, items in (r.wapiti.get(kind) or {}).items()
            if isinstance(items, list)
            for item in items
        ]
        if r.wapiti.get("missing"):
            lines.append("- not known: wapiti did not finish within the time limit")
        elif not found:
            lines.append("- no vulnerabilities and no anomalies reported")
        seen = set()
        for kind, name, item in found:
            key = (name, item.get("info", "")[:80], item.get("path"))
            if key in seen:
                continue
            seen.add(key)
            where = f"{item.get('method', '')} {item.get('path', '')}".strip()
            param = f" parameter `{item['parameter']}`" if item.get("parameter") else ""
            explanation = next((text for word, text in EXPLAINED.items() if word.lower() in name.lower()), "")
            lines.append(
                f"- **{name}** ({'vulnerability' if kind == 'vulnerabilities' else 'anomaly'}) at `{where}`{param}: {item.get('info', '').strip()[:200]}"
                + (f" — {explanation}" if explanation else "")
            )
        lines.append("")
    lines.append(END)
    return "\n".join(lines)


def write_report(text: str) -> None:
    doc = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Security\n\n## Scan results\n\n"
    if START in doc and END in doc:
        doc = doc[: doc.index(START)] + text + doc[doc.index(END) + len(END) :]
    else:
        doc = doc.rstrip() + "\n\n" + text + "\n"
    DOC.write_text(doc, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scanners", type=Path, default=ROOT / ".venv-security" / "bin")
    parser.add_argument("--minutes", type=float, default=14, help="time budget for all scans together")
    parser.add_argument("--keep", action="store_true", help="keep the scan directory (reports, server log)")
    args = parser.parse_args()
    for tool in ("sqlmap", "wapiti"):
        if not (args.scanners / tool).exists():
            raise SystemExit(f"{args.scanners / tool} is missing: run `make security` (it installs the scanners)")

    sys.path.insert(0, str(ROOT))
    from config import Config

    started = time.monotonic()
    workdir = Path(tempfile.mkdtemp(prefix="attune-scan-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server, _env = start_server(workdir, port)
    results = []
    try:
        per_role = args.minutes * 60 / len(ROLES)
        for role, email in ROLES:
            role_started = time.monotonic()
            print(f"== {role}: {email}", flush=True)
            browser = Browser(base)
            browser.log_in(email, Config.DEMO_PASSWORD)
            result = RoleResult(role, email)
            gets, posts = targets_for(browser, role)
            cookie = browser.cookie()
            # Side by side: wapiti crawls and attacks while sqlmap works through its targets.
            wapiti = threading.Thread(
                target=run_wapiti, args=(args.scanners, base, cookie, workdir, result, int(per_role) - 15)
            )
            wapiti.start()
            deadline = role_started + per_role - 20
            run_sqlmap(args.scanners, base, cookie, workdir, result, gets, posts, deadline)
            print(f"   sqlmap: {sum(1 for _, o in result.sqlmap if o.startswith('FINDING'))} findings", flush=True)
            wapiti.join()
            result.still_logged_in = browser.logged_in()
            print(
                f"   wapiti: {sum(len(v) for v in result.wapiti.get('vulnerabilities', {}).values())} vulnerabilities",
                flush=True,
            )
            results.append(result)
    finally:
        server.terminate()
        server.wait(timeout=30)
    minutes = (time.monotonic() - started) / 60
    write_report(render(results, tool_versions(args.scanners), minutes))
    print(f"Wrote the scan results to {DOC.relative_to(ROOT)} ({minutes:.1f} minutes); scan files in {workdir}")
    if not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
