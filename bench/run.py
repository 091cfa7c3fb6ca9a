"""Benchmark the app at the scale of a real office, served by gunicorn, loaded from outside.

    .venv/bin/python bench/run.py                       # SQLite, full scale
    .venv/bin/python bench/run.py --database postgres   # PostgreSQL (BENCH_DATABASE_URL)
    .venv/bin/python bench/run.py --contacts 10000 --organizations 2000 --interactions 100000

Loads `flask crm seed-scale` into a fresh database (unless --reuse), has the database write
out its log, starts gunicorn, signs in as an officer and measures, from this separate process
with concurrent clients, the latency (p50/p95/p99) and throughput of each page, next to a bare
endpoint (/health) as the ceiling. Then the calendar feed cold and with If-None-Match (304),
and three CSV exports of every contact after one to warm up (time and rows per second of the
median one, and how much the server's memory grew). Writes the figures to
bench/results/<database>.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
HOST, PORT = "127.0.0.1", 5057
QUERIES = (
    "nunez tijuana",
    "consulado san",
    "fiscalia baja",
    "garcia lopez",
    "cons san",
    "task force",
    "person1234",
    "664 555",
    "trata",
    "director",
)
OFFICER = ("staff0@scale.example", "liaison-scale-2026")
# A request slower than this counts as an error (gunicorn's worker timeout is the same).
TIMEOUT = 60


@dataclass
class Figures:
    name: str
    requests: int
    seconds: float
    p50: float
    p95: float
    p99: float
    errors: int

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def flask(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(VENV / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env, check=True)


def sign_in(cookie_jar: dict[str, str]) -> str:
    """A session cookie for the officer, through the real login form."""
    connection = http.client.HTTPConnection(HOST, PORT)
    connection.request("GET", "/login")
    response = connection.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    body = urllib.parse.urlencode(
        {"email": OFFICER[0], "password": OFFICER[1], "csrf_token": token.group(1) if token else ""}
    )
    connection.request(
        "POST",
        "/login",
        body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    response = connection.getresponse()
    response.read()
    session = response.getheader("Set-Cookie", "").split(";")[0]
    if response.status != 302 or not session:
        raise SystemExit(f"could not sign in: {response.status}")
    cookie_jar["session"] = session
    return session


# wrk drives the load: one thread of its own (a C event loop, so the load takes little of the
# cores the server shares), the paths in turn, and a count of every answer that is not the one
# expected. Latencies are in microseconds.
WRK_SCRIPT = """
local paths, expect = {%s}, %d
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) n = 0; unexpected = 0 end
function request()
  n = n + 1
  return wrk.format("GET", paths[n %% #paths + 1])
end
function response(status) if status ~= expect then unexpected = unexpected + 1 end end
function done(summary, latency)
  local e = summary.errors
  local bad = e.connect + e.read + e.write + e.timeout
  for _, t in ipairs(threads) do bad = bad + t:get("unexpected") end
  io.write(string.format("RESULT %%d %%f %%f %%f %%f %%d\\n", summary.requests,
    summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(95) / 1e3,
    latency:percentile(99) / 1e3, bad))
end
"""


def load(
    name: str,
    paths: list[str],
    cookie: str,
    seconds: float,
    concurrency: int,
    headers: dict[str, str] | None = None,
    expect: int = 200,
) -> Figures:
    """Hit the paths in turn from ``concurrency`` keep-alive connections for ``seconds``."""
    if not shutil.which("wrk"):
        sys.exit("bench/run.py needs wrk, the HTTP load generator (apt-get install wrk)")
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(WRK_SCRIPT % (", ".join(json.dumps(p) for p in paths), expect))
        script.flush()
        command = ["wrk", "-t1", f"-c{concurrency}", f"-d{max(1, round(seconds))}s"]
        command += ["--timeout", f"{TIMEOUT}s", "-s", script.name]
        for header, value in {"Cookie": cookie, **(headers or {})}.items():
            if value:
                command += ["-H", f"{header}: {value}"]
        output = subprocess.run(
            [*command, f"http://{HOST}:{PORT}{paths[0]}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    fields = re.search(r"^RESULT (.*)$", output, re.MULTILINE).group(1).split()
    requests, elapsed, p50, p95, p99, errors = fields
    return Figures(
        name, int(requests), float(elapsed), float(p50), float(p95), float(p99), int(errors)
    )


def worker_memory(master: int) -> dict[str, int]:
    """Each gunicorn worker's private resident memory (kB): RssAnon, its own heap. Pages of
    the database file that SQLite reads through memory mapping are the operating system's
    file cache, shared by every process, and are not counted."""
    sizes = {}
    for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split():
        status = Path(f"/proc/{pid}/status").read_text()
        sizes[pid] = int(re.search(r"RssAnon:\s+(\d+)", status).group(1))
    return sizes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--organizations", type=int, default=20_000)
    parser.add_argument("--interactions", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=10.0, help="per page")
    parser.add_argument("--concurrency", type=int, default=8)
    # One per core: the app's work is CPU-bound (SQLite runs in the process, PostgreSQL on the
    # same machine), and more processes than cores gave longer tails and less throughput.
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--threads", type=int, default=1, help="per worker")
    parser.add_argument("--reuse", action="store_true", help="keep the loaded database")
    args = parser.parse_args()

    data = ROOT / "bench" / ".data"
    data.mkdir(parents=True, exist_ok=True)
    if args.database == "sqlite":
        url = f"sqlite:///{data / 'bench.sqlite3'}"
    else:
        url = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/crm_bench")
    args.url = url
    env = {
        **os.environ,
        "CRM_CONFIG": "production",
        "SECRET_KEY": "benchmark-only-not-secret",
        "DATABASE_URL": url,
        "CRM_INSTANCE_PATH": str(data),
        "CRM_SESSION_COOKIE_SECURE": "false",
        "CRM_RATELIMIT_ENABLED": "false",
        # A window that gives the office feed about five thousand events at this scale.
        "CRM_CALENDAR_FEED_PAST_DAYS": str(max(1, round(14 * 1_000_000 / args.interactions))),
        "CRM_CALENDAR_FEED_FUTURE_DAYS": str(max(1, round(7 * 1_000_000 / args.interactions))),
    }
    if not args.reuse:
        if args.database == "sqlite":
            for suffix in ("", "-journal", "-wal", "-shm"):
                (data / f"bench.sqlite3{suffix}").unlink(missing_ok=True)
        else:
            name = urllib.parse.urlsplit(url).path.lstrip("/")
            admin = url.rsplit("/", 1)[0] + "/postgres"
            for sql in (f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"):
                subprocess.run(["psql", admin, "-qc", sql], check=True)
        started = time.perf_counter()
        flask(env, "db", "upgrade")
        flask(env, "crm", "init")
        flask(
            env,
            "crm",
            "seed-scale",
            "--contacts",
            str(args.contacts),
            "--organizations",
            str(args.organizations),
            "--interactions",
            str(args.interactions),
        )
        print(f"loaded in {time.perf_counter() - started:.0f} s")
    settle(args.database, url, data)

    server = subprocess.Popen(
        [
            str(VENV / "gunicorn"),
            "-w",
            str(args.workers),
            "--threads",
            str(args.threads),
            "--timeout",
            str(TIMEOUT),
            "-b",
            f"{HOST}:{PORT}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection(HOST, PORT, timeout=1).request("GET", "/health")
                break
            except OSError:
                time.sleep(0.2)
        results = run_pages(args)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    write(args, results)


def settle(database: str, url: str, data: Path) -> None:
    """Write out what loading left in the database's log, and the files to disk, before
    measuring. Otherwise PostgreSQL's checkpointer writes a fresh load out in the background
    for minutes, and the first figures may measure that as well as the app."""
    if database == "sqlite":
        with closing(sqlite3.connect(data / "bench.sqlite3")) as connection:
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    else:
        subprocess.run(["psql", url, "-qc", "CHECKPOINT"], check=True)
    os.sync()


def run_pages(args: argparse.Namespace) -> dict[str, object]:
    cookie = sign_in({})
    busiest = busiest_contact(args.url)
    pages = {
        "bare endpoint (/health)": ["/health"],
        "dashboard": ["/"],
        "organizations, page 1": ["/organizations/"],
        "organizations, page 500": ["/organizations/?page=500"],
        "contact with a long timeline": [f"/contacts/{busiest}"],
        "global search (10 queries)": [
            "/search/?" + urllib.parse.urlencode({"q": q}) for q in QUERIES
        ],
    }
    figures = []
    for name, paths in pages.items():
        load(name, paths, cookie, 1.0, args.concurrency)  # warm up
        figures.append(load(name, paths, cookie, args.seconds, args.concurrency))
        print(report_line(figures[-1], figures[0]))
    feed_path, events, first_build = make_feed(cookie)
    every_worker_built(feed_path, args.concurrency)
    cold = load("calendar feed, cold", [feed_path], "", args.seconds, args.concurrency)
    connection = http.client.HTTPConnection(HOST, PORT)
    connection.request("GET", feed_path)
    etag = connection.getresponse().getheader("ETag", "")
    warm = load(
        "calendar feed, 304",
        [feed_path],
        "",
        args.seconds,
        args.concurrency,
        headers={"If-None-Match": etag},
        expect=304,
    )
    # One calendar client revalidating on its own: the latency of a single 304.
    alone = load(
        "calendar feed, 304, one client",
        [feed_path],
        "",
        args.seconds,
        1,
        headers={"If-None-Match": etag},
        expect=304,
    )
    figures += [cold, warm, alone]
    # A feed of the same meetings, as after a change anywhere in the office: a new version,
    # written whole again, its meetings already written once by every server process. Last,
    # as making it changes every feed's version.
    _path, _events, rewrite = make_feed(cookie, "Bench, again")
    print(f"calendar feed, first build: {first_build * 1000:.0f} ms ({events} events)")
    print(f"calendar feed, a new version of the same meetings: {rewrite * 1000:.0f} ms")
    for line in (cold, warm, alone):
        print(report_line(line, figures[0]))
    # One export first, as each page is warmed up before it is measured: the tables only the
    # export reads may have left the operating system's file cache while the pages ran.
    warm_up = measure_export(cookie)
    print("warm-up", json.dumps(warm_up))
    runs = []
    for _ in range(EXPORT_RUNS):
        runs.append(measure_export(cookie))
        print(json.dumps(runs[-1]))
    export = {
        **sorted(runs, key=lambda run: run["rows_per_second"])[len(runs) // 2],
        "runs": [run["rows_per_second"] for run in runs],
        "warm_up": warm_up["rows_per_second"],
        # The most any export grew the serving process, the warm-up included.
        "server_memory_growth_mb": max(run["server_memory_growth_mb"] for run in (warm_up, *runs)),
    }
    return {
        "figures": figures,
        "export": export,
        "events": events,
        "first_build": first_build,
        "rewrite": rewrite,
        "contact": busiest,
    }


def busiest_contact(url: str) -> int:
    """The contact with the longest timeline, read from the benchmark database."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import func, select

    from config import database_url
    from crm import create_app
    from crm.extensions import db
    from crm.models import InteractionContact

    app = create_app("production", SECRET_KEY="x", SQLALCHEMY_DATABASE_URI=database_url(url))
    with app.app_context():
        return db.session.scalar(
            select(InteractionContact.contact_id)
            .group_by(InteractionContact.contact_id)
            .order_by(func.count().desc())
            .limit(1)
        )


def make_feed(cookie: str, name: str = "Bench") -> tuple[str, int, float]:
    """A new office feed through the calendar page; its path, its events, and how long its
    first fetch took (the one real build: later fetches of the same version are reused)."""
    connection = http.client.HTTPConnection(HOST, PORT)
    connection.request("GET", "/calendar/", headers={"Cookie": cookie})
    page = connection.getresponse().read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "scope": "office", "name": name})
    connection.request(
        "POST",
        "/calendar/feeds",
        body=body,
        headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
    )
    page = connection.getresponse().read().decode()
    address = re.search(r'id="feed-https" type="text" readonly value="([^"]+)"', page).group(1)
    path = urllib.parse.urlsplit(address).path
    started = time.perf_counter()
    connection.request("GET", path)
    events = connection.getresponse().read().count(b"BEGIN:VEVENT")
    return path, events, time.perf_counter() - started


def every_worker_built(path: str, concurrency: int) -> None:
    """Fetch the feed from ``concurrency`` clients at once, waiting for every answer, until
    two rounds in a row are quick: each server process has then built this version once.
    (A timed warm-up would end with builds still running, and the figures would wait on
    them.)"""

    def fetch(times: list[float]) -> None:
        connection = http.client.HTTPConnection(HOST, PORT, timeout=TIMEOUT)
        started = time.perf_counter()
        connection.request("GET", path)
        connection.getresponse().read()
        times.append(time.perf_counter() - started)

    quick = 0
    for _ in range(20):
        times: list[float] = []
        clients = [threading.Thread(target=fetch, args=(times,)) for _ in range(concurrency)]
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        quick = quick + 1 if max(times) < 0.5 else 0
        if quick == 2:
            return


# The export is measured this many times (a single download varies by a sixth here).
EXPORT_RUNS = 3


def measure_export(cookie: str) -> dict[str, float]:
    master = int(
        subprocess.run(
            ["pgrep", "-o", "-f", f"gunicorn.*{PORT}"], capture_output=True, text=True
        ).stdout.split()[0]
    )
    before = worker_memory(master)
    peak = dict(before)
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            for pid, size in worker_memory(master).items():
                peak[pid] = max(peak.get(pid, 0), size)
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    connection = http.client.HTTPConnection(HOST, PORT, timeout=600)
    started = time.perf_counter()
    connection.request("GET", "/exports/contacts?format=csv", headers={"Cookie": cookie})
    response = connection.getresponse()
    rows = -1
    while chunk := response.read(1 << 16):
        rows += chunk.count(b"\r\n")
    elapsed = time.perf_counter() - started
    done.set()
    watcher.join()
    return {
        "rows": rows,
        "seconds": round(elapsed, 2),
        "rows_per_second": round(rows / elapsed),
        # The most any one worker grew (the one that served the export).
        "server_memory_growth_mb": round(
            max(peak[pid] - before.get(pid, peak[pid]) for pid in peak) / 1024, 1
        ),
    }


def report_line(figures: Figures, ceiling: Figures) -> str:
    ratio = figures.throughput / ceiling.throughput if ceiling.throughput else 0
    return (
        f"{figures.name:34} p50 {figures.p50:7.1f} ms  p95 {figures.p95:7.1f} ms  "
        f"p99 {figures.p99:7.1f} ms  {figures.throughput:7.1f} req/s  "
        f"{ratio:6.1%} of ceiling  errors {figures.errors}"
    )


def write(args: argparse.Namespace, results: dict[str, object]) -> None:
    lines = [
        f"# Benchmark: {args.database}",
        "",
        f"{args.contacts:,} contacts, {args.organizations:,} organizations, "
        f"{args.interactions:,} interactions; gunicorn {args.workers} workers x {args.threads} "
        f"thread{'s' if args.threads != 1 else ''} each; "
        f"{args.concurrency} concurrent clients, {args.seconds:.0f} s per page; "
        f"{time.strftime('%Y-%m-%d')}.",
        "",
        "| page | p50 ms | p95 ms | p99 ms | req/s | of ceiling | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    ceiling = results["figures"][0]  # type: ignore[index]
    for f in results["figures"]:  # type: ignore[attr-defined]
        ratio = f.throughput / ceiling.throughput if ceiling.throughput else 0
        lines.append(
            f"| {f.name} | {f.p50:.1f} | {f.p95:.1f} | {f.p99:.1f} | "
            f"{f.throughput:.1f} | {ratio:.1%} | {f.errors} |"
        )
    export: dict[str, Any] = results["export"]  # type: ignore[assignment]
    lines += [
        "",
        f"Calendar feed: {results['events']} events; its first fetch, the one real build, took "
        f"{results['first_build'] * 1000:,.0f} ms; a new version of the same meetings (as after "
        f"any change in the office) took {results['rewrite'] * 1000:,.0f} ms, each meeting "
        'being written once per server process. "Cold" fetches send no If-None-Match, and '
        "each server process serves a feed it has already built for an unchanged version from "
        'memory. "One client" is a single calendar client revalidating on its own. Contact '
        "page: the contact with the most interactions (its newest page of the timeline).",
        "",
        f"CSV export of every contact, {len(export['runs'])} times: {export['rows']:,} rows "
        f"in {export['seconds']} s ({export['rows_per_second']:,} rows/s) at the median, "
        f"{', '.join(f'{r:,}' for r in export['runs'])} rows/s in turn, after one to warm up "
        f"({export['warm_up']:,} rows/s); the server's private memory grew by "
        f"{export['server_memory_growth_mb']} MB at most, the warm-up included.",
        "",
    ]
    out = ROOT / "bench" / "results" / f"{args.database}.md"
    out.write_text("\n".join(lines))
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
