"""`make bench-marketplace`: load-test listing search and detail against the baseline view.

Sizes: 10,000 listings on SQLite (the embedded default) and, when PostgreSQL answers on
127.0.0.1:5432, 10,000 and 100,000 listings on PostgreSQL. Each size is served by gunicorn
(2 sync workers, DEBUG off) and loaded with wrk (16 connections, 10 s, loopback only) together
with /bench/baseline/ in the same run. Prints one Markdown table per size.

    .venv/bin/python bench/bench_marketplace.py [--sizes sqlite:10000,postgres:10000,postgres:100000] [--seconds 10]
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import BIN, bench_env, gunicorn, run_table  # noqa: E402

PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
ZIPS = ["78701", "97201", "98101", "27601", "48104", "30303", "80202", "85004", "37203", "64105",
        "55401", "53703", "43215", "19103", "02108", "33602", "70112", "84101", "83702", "59601",
        "73102", "68508", "50309", "63101", "40202", "29201", "35203", "39201", "72201", "96813"]  # fmt: skip
WORDS = ["clean", "rust-free", "cold A/C", "new tyres", "farm truck", "dump bed", "4x4", "hi-lo", "diff lock",
         "low km", "one owner", "jumbo cab", "scissor lift", "service records", "garage kept"]  # fmt: skip


def database_url(kind: str, size: int) -> str:
    if kind == "sqlite":
        return f"sqlite:///{ROOT / 'var' / f'bench_marketplace_{size}.sqlite3'}"
    return f"postgres://postgres@127.0.0.1:5432/kei_bench_marketplace_{size}"


def postgres_available() -> bool:
    try:
        import psycopg

        psycopg.connect(PG_ADMIN, connect_timeout=2).close()
        return True
    except Exception:
        return False


def run_django(db_url: str, code: str) -> str:
    env = bench_env(db_url)
    out = subprocess.run([str(BIN / "python"), "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(out.stderr[-4000:])
    return out.stdout


def ensure_postgres_database(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


GENERATE = r'''
import django, random, sys, time
django.setup()
from django.core.management import call_command
from django.utils import timezone
from datetime import timedelta
call_command("migrate", verbosity=0)
call_command("load_reference_data", verbosity=0, stdout=open("/dev/null", "w"))
from kei_community.users.models import User
from kei_community.vehicles.models import ChassisCode
from marketplace.models import Listing
from marketplace import services
SIZE = int(sys.argv[1]) if len(sys.argv) > 1 else {size}
have = Listing.objects.count()
if have >= SIZE:
    print(f"{{have}} listings already there")
    raise SystemExit(0)
rng = random.Random(25)
sellers = []
for i in range(200):
    u, _ = User.objects.get_or_create(email=f"bench-seller{{i}}@bench.kei", defaults={{"display_name": f"Seller {{i}}"}})
    sellers.append(u)
User.objects.get_or_create(email="bench-reader@bench.kei", defaults={{"display_name": "Bench reader", "home_state": "TX", "zip_code": "78701"}})
codes = list(ChassisCode.objects.all())
zips = {zips!r}
words = {words!r}
now = timezone.now()
batch = []
start = time.time()
for n in range(have, SIZE):
    code = rng.choice(codes)
    year = rng.randint(max(code.years_from or 1985, 1985), min(code.years_to or 2024, 2024))
    listing = Listing(seller=rng.choice(sellers), status="active")
    services._apply(listing, {{
        "title": f"{{year}} {{code.make}} {{code.model}} {{code.code}} " + " ".join(rng.sample(words, 2)),
        "chassis_code": code, "year_built": year, "month_built": rng.randint(1, 12),
        "odometer": rng.randint(5_000, 180_000), "transmission": rng.choice(["manual", "automatic"]),
        "drive": rng.choice(["2WD", "4WD"]), "bed_type": rng.choice(["flat", "dump", "scissor", "flat"]),
        "zip_code": rng.choice(zips), "price": rng.randint(25, 160) * 100,
        "description": "Kei truck in good shape. " + ", ".join(rng.sample(words, 5)) + ".",
    }})
    listing.published_at = now - timedelta(minutes=n)
    listing.expires_at = now + timedelta(days=60)
    batch.append(listing)
    if len(batch) == 2000:
        Listing.objects.bulk_create(batch)
        batch = []
if batch:
    Listing.objects.bulk_create(batch)
from django.db import connection
if connection.vendor == "postgresql":
    with connection.cursor() as c:
        c.execute("ANALYZE")
print(f"generated {{SIZE - have}} listings in {{time.time() - start:.0f}} s")
'''

URLS = r'''
import django
django.setup()
from marketplace.models import Listing
from bench.harness import session_cookie_for
listing = Listing.objects.filter(status="active").order_by("-published_at")[50]
print(listing.get_absolute_url())
print(session_cookie_for("bench-reader@bench.kei"))
'''


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="")
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    if args.sizes:
        sizes = [(k, int(n)) for k, n in (item.split(":") for item in args.sizes.split(","))]
    else:
        sizes = [("sqlite", 10_000)]
        if postgres_available():
            sizes += [("postgres", 10_000), ("postgres", 100_000)]
        else:
            print("PostgreSQL is not reachable on 127.0.0.1:5432: only the SQLite size runs.")

    for kind, size in sizes:
        db_url = database_url(kind, size)
        if kind == "postgres":
            ensure_postgres_database(f"kei_bench_marketplace_{size}")
        started = time.time()
        print(run_django(db_url, GENERATE.format(size=size, zips=ZIPS, words=WORDS)).strip())
        detail_path, cookie = run_django(db_url, URLS).split()
        print(f"data ready in {time.time() - started:.0f} s")
        pages = [
            ("search: keyword + 3 facets", "/listings/?q=carry&drive=4WD&transmission=manual&bed_type=dump"),
            ("search: ZIP 78701 + 150 mi", "/listings/?zip=78701&radius=150"),
            ("listing detail", detail_path),
        ]
        with gunicorn(bench_env(db_url)) as base:
            lines = run_table(base, pages, cookie=cookie, seconds=args.seconds)
        print(f"\n### {size:,} listings on {kind} (gunicorn 2 sync workers, wrk 16 connections, {args.seconds} s)\n")
        print("\n".join(lines))
        print(flush=True)
    random.seed()
    os.environ.pop("BENCH_ENABLED", None)


if __name__ == "__main__":
    main()
