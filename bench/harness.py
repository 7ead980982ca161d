"""Shared load-test harness for `make bench-marketplace` and `make bench-forum`.

Serves the project with gunicorn (2 sync workers, DEBUG off, BENCH_ENABLED so /bench/baseline/
exists) on 127.0.0.1 only, loads each page and the baseline with wrk (16 connections, 10 s) in the
same run, and prints req/s, p50, p99 and the ratio to the baseline. Traffic never leaves loopback and
every run is bounded in time.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
HOST = "127.0.0.1"


@dataclass
class Result:
    label: str
    mode: str
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    timeouts: int = 0

    def row(self, baseline_rps: float) -> str:
        ratio = self.rps / baseline_rps if baseline_rps else 0.0
        return (
            f"| {self.label} | {self.mode} | {self.rps:,.0f} | {self.p50_ms:.1f} | {self.p99_ms:.1f} | "
            f"{ratio:.3f} | {self.non_2xx} | {self.timeouts} |"
        )


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def bench_env(database_url: str, redis_url: str = "", cache_url: str = "") -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "kei_community.settings",
            "DJANGO_ENV": "development",
            "DJANGO_DEBUG": "false",
            "BENCH_ENABLED": "true",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            # The cache shared by the server's workers and the writer (tasks stay eager without REDIS_URL).
            "CACHE_URL": cache_url,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
            "API_THROTTLE_ANON": "100000000/hour",
            "API_THROTTLE_USER": "100000000/hour",
        }
    )
    env.pop("TESTING", None)
    return env


@contextlib.contextmanager
def gunicorn(env: dict[str, str], workers: int = 2) -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "kei_community.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    base = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{base}/bench/baseline/", timeout=2) as r:  # noqa: S310 - loopback
                    if r.status == 200:
                        break
            except OSError:
                time.sleep(0.3)
        else:
            raise RuntimeError("gunicorn did not start within 30 s")
        yield base
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    match = re.match(r"([\d.]+)(us|ms|s)", text)
    if not match:
        return float("nan")
    return float(match.group(1)) * _UNITS[match.group(2)]


def wrk(url: str, *, label: str, mode: str, cookie: str = "", seconds: int = 10, connections: int = 16) -> Result:
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install -y wrk")
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, timeout=seconds + 30).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    non2xx_match = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    timeout_match = re.search(r"timeout (\d+)", out)  # requests not answered within wrk's 5 s
    return Result(
        label, mode, rps, p50, p99, int(non2xx_match.group(1)) if non2xx_match else 0,
        int(timeout_match.group(1)) if timeout_match else 0,
    )  # fmt: skip


def session_cookie_for(email: str) -> str:
    """A logged-in session for email, made in-process (settings from the current environment)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    user = get_user_model().objects.get(email=email)
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "kei_community.users.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


HEADER = [
    "| page | mode | req/s | p50 ms | p99 ms | ratio to baseline | non-2xx | timeouts |",
    "|---|---|---:|---:|---:|---:|---:|---:|",
]


def run_table(
    base: str,
    pages: list[tuple[str, str]],
    *,
    cookie: str,
    seconds: int = 10,
    writer: Callable[[int], contextlib.AbstractContextManager[Any]] | None = None,
) -> tuple[Result, list[Result]]:
    """Load the baseline, then each page anonymously (whole-page cache) and signed in (the shared result and
    fragment caches, per-reader parts filled in); with `writer`, each page signed in again while the writer
    changes data (its context manager runs the writes for the given seconds)."""
    results: list[Result] = []
    baseline = wrk(f"{base}/bench/baseline/", label="baseline", mode="anonymous", seconds=seconds)
    results.append(baseline)
    for label, path in pages:
        # Warm the caches once so the run measures what a busy site serves.
        with contextlib.suppress(OSError):
            urllib.request.urlopen(f"{base}{path}", timeout=30).read()  # noqa: S310 - loopback
        results.append(wrk(f"{base}{path}", label=label, mode="anonymous (cached)", seconds=seconds))
        results.append(wrk(f"{base}{path}", label=label, mode="signed in", cookie=cookie, seconds=seconds))
    if writer is not None:
        with writer(len(pages) * (seconds + 2) + 5):
            for label, path in pages:
                results.append(
                    wrk(f"{base}{path}", label=label, mode="signed in + writer", cookie=cookie, seconds=seconds)
                )
    return baseline, results


def run_cold(base: str, pages: list[tuple[str, str]], *, cookie: str, seconds: int = 10) -> list[Result]:
    """Each page anonymously and signed in on a server with every cache region off (CACHE_REGIONS_DISABLED=*):
    every request builds its page, its search and its fragments, as right after a write. Two connections,
    one per worker: the latency is what a page costs, not the queue 16 connections would build."""
    results = []
    for label, path in pages:
        for mode, cookie_ in (("anonymous (cold)", ""), ("signed in (cold)", cookie)):
            results.append(wrk(f"{base}{path}", label=label, mode=mode, cookie=cookie_, seconds=seconds, connections=2))
    return results


def latency_summary(timings_ms: list[float]) -> dict[str, float]:
    """Median, p95 (nearest rank) and max of in-process timings."""
    import math
    import statistics

    ordered = sorted(timings_ms)
    p95 = ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
    return {"median_ms": statistics.median(ordered), "p95_ms": p95, "max_ms": ordered[-1], "n": len(ordered)}


def latency_line(what: str, summary: dict[str, float]) -> str:
    return (
        f"{what}: median {summary['median_ms']:.1f} ms, p95 {summary['p95_ms']:.1f} ms, "
        f"max {summary['max_ms']:.1f} ms ({summary['n']} queries, in-process, caches off)"
    )


def call_step(script: str, env: dict[str, str], step: str, *extra: str) -> dict:
    """Run `script --step STEP` in a fresh interpreter (settings load once per process); return its JSON."""
    import json

    out = subprocess.run(
        [str(BIN / "python"), script, "--step", step, *extra], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if out.returncode != 0:
        sys.exit(f"{step} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def postgres_database_ready(admin_url: str, database_url: str) -> bool:
    """Create the bench database if needed; False (with the reason printed) when PostgreSQL is absent."""
    try:
        import psycopg

        with psycopg.connect(admin_url, autocommit=True, connect_timeout=2) as conn:
            name = database_url.rsplit("/", 1)[1]
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
        return True
    except Exception as exc:  # reported, the PostgreSQL size is skipped
        print(f"PostgreSQL not reachable ({exc}); skipping the PostgreSQL size.")
        return False


def postgres_setting(database_url: str, name: str) -> str:
    """A PostgreSQL server setting as SHOW prints it ("128MB")."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(database_url, connect_timeout=2) as conn:
        row = conn.execute(sql.SQL("SHOW {}").format(sql.Identifier(name))).fetchone()
    return str(row[0]) if row else "?"


TARGETS = (
    "Targets: signed-in ratio >= 0.10 with p99 < 150 ms; anonymous (cached) ratio >= 0.5; cold searches and "
    "keyword/full-text search p95 < 100 ms (in-process)."
)
# The Redis database the server's workers and the writer share (the writer's invalidations must reach the
# server). Empty: each process caches in its own memory and the writer mode is skipped.
CACHE_URL = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/13")


# --- generating data on PostgreSQL with COPY (in a step's process, Django set up) ------------------------


def copy_rows(model: Any, rows: Iterable[dict[str, Any]]) -> int:
    """COPY rows (dicts by column name) into the model's table: ~20x faster than bulk_create at a million
    rows. A column a row leaves out takes its field's default (auto_now fields: now; nullable: NULL);
    JSON values are given as JSON text."""
    import json

    from django.db import connection
    from django.utils import timezone

    now = timezone.now()
    columns: list[str] = []
    defaults: dict[str, Any] = {}
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        columns.append(f.column)
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            defaults[f.column] = now
        elif f.has_default():
            value = f.get_default()
            defaults[f.column] = json.dumps(value) if f.get_internal_type() == "JSONField" else value
        else:  # NULL, or "" for a text column without a default (Field.get_default)
            defaults[f.column] = f.get_default()
    for column, value in defaults.items():  # TextChoices members as their plain values
        if isinstance(value, str):
            defaults[column] = str.__str__(value)
    sql = f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN"
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row([row[c] if c in row else defaults[c] for c in columns])
            count += 1
    return count


@contextlib.contextmanager
def indexes_dropped(table: str) -> Iterator[None]:
    """Drop the table's plain indexes (not those behind constraints) for a bulk load, and build them again
    afterwards (one sort each instead of a million inserts into each); then VACUUM ANALYZE."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            [table],
        )
        found = cursor.fetchall()
        for name, _ in found:
            cursor.execute(f'DROP INDEX "{name}"')
    yield  # on an error the transaction rolls back, the dropped indexes with it
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # check the deferred foreign keys now
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for _, definition in found:
            cursor.execute(definition)


def vacuum_analyze(*tables: str) -> None:
    """VACUUM (so index-only scans see an all-visible map) and ANALYZE, outside any transaction."""
    from django.db import connection

    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"VACUUM ANALYZE {table}")


def prepare_size(
    script: str, *, label: str, database_url: str, rows: int, noun: str, redis_url: str = "", cache_url: str = ""
) -> tuple:
    """Migrate a size's database, generate (or reuse) its data with the script's "generate" step and
    print the size's heading. Returns (env, the "paths" step's pages and cookie)."""
    env = bench_env(database_url, redis_url, cache_url if flush_cache(cache_url) else "")
    subprocess.run([str(BIN / "python"), "manage.py", "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
    started = time.monotonic()
    info = call_step(script, env, "generate", str(rows))
    engine = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    if engine == "PostgreSQL":  # the server's buffer pool decides whether a first query reads from memory
        engine += f", shared_buffers {postgres_setting(database_url, 'shared_buffers')}"
    print(f"\n## {label} {noun} ({engine}): {info[noun]:,} {noun}, data "
          f"{'generated' if info['generated'] else 'reused'} in {time.monotonic() - started:.0f} s")  # fmt: skip
    return env, call_step(script, env, "paths")


def load_pages(env: dict[str, str], target: dict, *, seconds: int, script: str = "") -> None:
    """Serve with gunicorn and print the table for the "paths" step's pages: cached, signed in, signed in while
    the script's "writer" step writes (when the cache is shared: CACHE_URL), then cold (every cache region off)."""
    pages = [tuple(p) for p in target["pages"]]
    writer = None
    if script and env.get("CACHE_URL"):

        @contextlib.contextmanager
        def writer(duration: int) -> Iterator[None]:
            proc = subprocess.Popen(
                [str(BIN / "python"), script, "--step", "writer", str(duration)],
                env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            )  # fmt: skip
            try:
                yield
            finally:
                proc.terminate()
                out, err = proc.communicate(timeout=30)
                if proc.returncode not in (0, -signal.SIGTERM):
                    print(f"(the writer failed: {err[-500:]})")

    with gunicorn(env) as base:
        baseline, results = run_table(base, pages, cookie=target["cookie"], seconds=seconds, writer=writer)
    with gunicorn({**env, "CACHE_REGIONS_DISABLED": "*"}) as base:
        results += run_cold(base, pages, cookie=target["cookie"], seconds=seconds)
    print("\n".join([*HEADER, *(r.row(baseline.rps) for r in results)]))
    if writer is None:
        print("(No shared cache (BENCH_CACHE_URL empty): the writer mode was skipped.)")


def flush_cache(cache_url: str) -> bool:
    """Empty the bench's Redis database before a size, so no size reads another's parts. False when there
    is none, or it cannot be reached."""
    if not cache_url:
        return False
    import redis

    try:
        redis.Redis.from_url(cache_url, socket_connect_timeout=2).flushdb()
    except redis.RedisError as exc:
        print(f"Redis at {cache_url} not reachable ({exc}): caching in each process's memory.")
        return False
    return True


def main(doc: str, *, sizes: str, sizes_help: str, steps: dict, run_size: Callable[[str, int], None]) -> None:
    """The scripts' command line: `--step NAME [extra]` runs one in-process step and prints its JSON
    (the driver calls these through call_step); otherwise each size in `--sizes` is run."""
    import argparse
    import json

    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=sizes, help=sizes_help)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--step", choices=sorted(steps))
    parser.add_argument(
        "--no-write", action="store_true", help=f"print only; do not replace this script's section of {DOCS_FILE.name}"
    )
    parser.add_argument("extra", nargs="*")
    args = parser.parse_args()
    if args.step:
        print(json.dumps(steps[args.step](*args.extra)))
        return
    tee = _Tee(sys.stdout)
    with contextlib.redirect_stdout(tee):  # type: ignore[type-var]
        for label in args.sizes.split(","):
            run_size(label.strip(), args.seconds)
    if not args.no_write:
        write_section(Path(sys.argv[0]).stem, tee.text(), sizes=args.sizes, seconds=args.seconds)
        print(f"\nWrote these tables into {DOCS_FILE.relative_to(ROOT)}.")


DOCS_FILE = ROOT / "docs" / "benchmarks.md"


class _Tee:
    """Print through, and keep a copy for docs/benchmarks.md."""

    def __init__(self, out: object) -> None:
        self.out = out
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return self.out.write(text)  # type: ignore[attr-defined]

    def flush(self) -> None:
        self.out.flush()  # type: ignore[attr-defined]

    def text(self) -> str:
        return "".join(self.parts)


def write_section(name: str, text: str, *, sizes: str, seconds: int) -> None:
    """Replace the script's own section of docs/benchmarks.md (between its markers) with this run's output,
    so the tables in the docs are always the ones a script printed, never pasted by hand."""
    begin, end = f"<!-- BEGIN {name} (written by bench/{name}.py) -->", f"<!-- END {name} -->"
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    body = (
        f"{begin}\n_Run {stamp} on commit `{commit.stdout.strip() or '?'}`, {os.cpu_count()} cores, "
        f"`--sizes {sizes} --seconds {seconds}`._\n\n{text.strip()}\n{end}"
    )
    current = DOCS_FILE.read_text() if DOCS_FILE.exists() else "# Benchmarks\n"
    if begin in current and end in current:
        head, rest = current.split(begin, 1)
        current = head + body + rest.split(end, 1)[1]
    else:
        current = current.rstrip("\n") + "\n\n" + body + "\n"
    DOCS_FILE.write_text(current)
