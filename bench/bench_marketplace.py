"""`make bench-marketplace`: marketplace pages under load beside the baseline view, on two data sizes.

Size "10k": 10,000 listings on a SQLite file under var/. Size "100k": 100,000 listings on PostgreSQL
(skipped when PostgreSQL is not reachable). Each size is served by gunicorn (2 sync workers, DEBUG off,
BENCH_ENABLED) and loaded with wrk (16 connections, 10 s, loopback) through bench/harness.py: the
baseline, then each page anonymously (whole-page cache) and signed in (uncached):
search with a keyword and three facets, search by ZIP + radius, listing detail.

    .venv/bin/python bench/bench_marketplace.py [--sizes 10k,100k] [--seconds 10]

Listings are generated straight into the table (bulk_create, derived fields computed the way the
service does), so a run takes a minute or two.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (  # noqa: E402
    CACHE_URL,
    ROOT,
    TARGETS,
    call_step,
    latency_line,
    load_pages,
    main,
    postgres_database_ready,
    prepare_size,
)

PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_URL = os.environ.get("BENCH_MARKETPLACE_PG_URL", "postgres://postgres@127.0.0.1:5432/kei_bench_market")
PG_1M_URL = os.environ.get("BENCH_MARKETPLACE_PG_1M_URL", "postgres://postgres@127.0.0.1:5432/kei_bench_market_1m")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "")
SIZES = {
    "10k": {"listings": 10_000, "db": f"sqlite:///{ROOT / 'var' / 'bench_market.sqlite3'}"},
    "100k": {"listings": 100_000, "db": PG_URL},
    "1m": {"listings": 1_000_000, "db": PG_1M_URL},
}
READER = "bench-buyer@bench.kei"
# The demo's mainland ZIPs plus more of Texas, so the ZIP + radius search around Austin has matches.
EXTRA_TEXAS_ZIPS = ["78613", "78745", "76101", "78205", "79901", "73301", "76501", "75701", "77840"]
SEARCH_KEYWORD = "/listings/?q=carry&make=Suzuki&drive=4WD&bed_type=dump"
SEARCH_RADIUS = "/listings/?zip=78701&radius=150&ordering=distance"


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kei_community.settings")
    import django

    django.setup()


# Description phrases, drawn with weights 1/rank: a few are in most listings, most in few (keyword search
# over common and rare words; KEYWORD_QUERIES below).
PHRASES = [
    "Runs and drives.", "Cold A/C.", "New tyres.", "Hi-lo and diff lock.", "Clean title in hand.",
    "Power steering.", "Recent import.", "Low miles.", "Some surface rust on the frame.", "Fresh timing belt.",
    "Auction sheet grade 4.", "Bed liner.", "Tow hitch.", "Headache rack.", "Mud tyres.", "New clutch.",
    "Canopy over the bed.", "Tool box.", "Roof rack.", "Radio works.", "Fresh oil and coolant.", "New battery.",
    "Garage kept.", "Farm use only.", "Plow mount.", "Sprayer tank included.", "Lift kit.", "Winch.",
    "Snorkel fitted.", "Aluminium side gates.", "Heated seats.", "Crawler gear.", "Dump bed serviced.",
    "Scissor lift rebuilt.", "Chrome bumper.", "Camper shell.", "Trailer wiring.", "Spare wheel.",
    "Backup camera.", "Cassette deck.", "Mudflaps.", "Fog lights.", "Seat covers.", "Rear ladder rack.",
    "Propane conversion.", "Electric conversion.", "Amber cab lights.", "Half tracks.", "Snow chains.",
    "Beekeeping boxes.",
]  # fmt: skip
# Twenty searches over listing text and chassis codes, from words in most listings to words in almost none.
KEYWORD_QUERIES = [
    "carry", "hijet", "acty", "drives", "cold", "tyres", "suzuki", "clutch", "rust", "timing belt",
    "DA63T", "HA4", "sambar", "minicab", "winch", "snorkel", "propane", "beekeeping", "half tracks", "tractor",
]  # fmt: skip


def _descriptions(rng: Any, count: int = 1000) -> list[tuple[str, str]]:
    from kei_community.core.markdown import render_markdown

    weights = [1 / (rank + 1) for rank in range(len(PHRASES))]
    out = []
    for _ in range(count):
        chosen = list(dict.fromkeys(rng.choices(PHRASES, weights=weights, k=rng.randint(3, 8))))
        text = " ".join(chosen)
        out.append((text, render_markdown(text)))
    return out


def generate(total: int) -> dict:
    """Fill the marketplace (idempotent: does nothing when the data is already there). PostgreSQL sizes are
    written with COPY (indexes dropped and built again after), SQLite with bulk_create."""
    _setup()
    import random
    from datetime import timedelta

    from django.db import connection, transaction
    from django.utils import timezone

    from bench.harness import copy_rows, indexes_dropped, vacuum_analyze
    from kei_community.core.us import zip_lookup
    from kei_community.users.models import User
    from kei_community.vehicles.eligibility import import_eligibility
    from kei_community.vehicles.models import ChassisCode
    from kei_community.vehicles.services import catalog_load
    from marketplace.models import Listing

    if Listing.objects.count() >= total:
        return {"generated": False, "listings": Listing.objects.count()}
    if not ChassisCode.objects.exists():
        catalog_load()
    codes = list(ChassisCode.objects.all())
    from marketplace.demo import ZIPS

    places = [zip_lookup(z) for z in [*ZIPS[:39], *EXTRA_TEXAS_ZIPS]]
    rng = random.Random(11)
    sellers = []
    for i in range(50):
        user, _ = User.objects.get_or_create(
            email=f"bench-seller-{i}@bench.kei", defaults={"display_name": f"Seller {i}"}
        )
        sellers.append(user)
    buyer, created = User.objects.get_or_create(
        email=READER, defaults={"display_name": "Bench buyer", "home_state": "TX"}
    )
    if created:
        buyer.set_password("bench-password-1")
        buyer.save()
    descriptions = _descriptions(rng)
    now = timezone.now()
    eligible = {}

    def rows() -> Any:
        for i in range(total):
            code = codes[i % len(codes)]
            year = rng.randint(code.years_from or 1990, min(code.years_to or 2024, 2024))
            month = rng.randint(1, 12)
            if (year, month) not in eligible:
                eligible[year, month] = import_eligibility(year_built=year, month_built=month).nhtsa_date
            place = places[i % len(places)]
            odo = rng.randint(5, 200) * 1000
            description, html = descriptions[rng.randrange(len(descriptions))]
            yield {
                "seller_id": sellers[i % len(sellers)].pk, "status": "active",
                "title": f"{year} {code.make} {code.model} {code.code} #{i}",
                "slug": f"{year}-{code.make}-{code.model}-{code.code}-{i}".lower().replace(" ", "-"),
                "make": code.make, "model": code.model, "chassis_code_id": code.pk, "year_built": year,
                "month_built": month, "import_eligible_on": eligible[year, month], "odometer": odo,
                "odometer_unit": "km", "odometer_km": odo,
                "transmission": rng.choice(["manual", "automatic", "cvt"]), "drive": rng.choice(["2WD", "4WD"]),
                "bed_type": rng.choice(["flat", "dump", "scissor", "jumbo", "panel_van"]),
                "title_status": rng.choice(["clean", "import_docs", "bill_of_sale", "offroad"]),
                "location_status": "us", "zip_code": place["zip"], "city": place["city"], "state": place["state"],
                "lat": place["lat"], "lng": place["lng"], "price": rng.randint(20, 200) * 100,
                "description": description, "description_html": html,
                "published_at": now - timedelta(minutes=i), "expires_at": now + timedelta(days=60),
            }  # fmt: skip

    if connection.vendor == "postgresql":
        table = Listing._meta.db_table
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"TRUNCATE {table} RESTART IDENTITY CASCADE")
            with indexes_dropped(table):
                copy_rows(Listing, rows())
        vacuum_analyze(table)
    else:
        with transaction.atomic():
            Listing.objects.all().delete()
            batch = []
            for row in rows():
                batch.append(Listing(**row))
                if len(batch) >= 2000:
                    Listing.objects.bulk_create(batch)
                    batch = []
            Listing.objects.bulk_create(batch)
    return {"generated": True, "listings": Listing.objects.count()}


def paths_and_cookie() -> dict:
    _setup()
    from bench.harness import session_cookie_for
    from marketplace.models import Listing

    listing = Listing.objects.filter(make="Suzuki").order_by("-published_at").first()
    return {
        "pages": [
            ("search: keyword + 3 facets", SEARCH_KEYWORD),
            ("search: ZIP + 150 mi radius", SEARCH_RADIUS),
            ("listing detail", listing.get_absolute_url()),
        ],
        "cookie": session_cookie_for(READER),
    }


# Searches timed cold (in-process, every cache region off): ZIP + radius with and without facets and sorts.
COLD_SEARCHES = [
    "zip=78701&radius=150&ordering=distance", "zip=78701&radius=150", "zip=78701&radius=50&ordering=price",
    "zip=78701&radius=150&make=Suzuki&drive=4WD", "zip=78701&radius=300&bed_type=dump&ordering=distance",
    "zip=97201&radius=100", "zip=97201&radius=250&ordering=distance", "zip=60601&radius=200&title_status=clean",
    "zip=30303&radius=150&transmission=manual", "zip=78701&radius=150&state=TX", "zip=80202&radius=100",
    "zip=10001&radius=100", "zip=98101&radius=200&make=Honda", "zip=85004&radius=150&ordering=-price",
    "make=Suzuki&drive=4WD&bed_type=dump", "chassis_code=DA63T&price_max=8000", "state=OR&ordering=price",
    "make=Honda&year_min=2000", "zip=78701&radius=25", "zip=64106&radius=150&ordering=distance",
]  # fmt: skip


def search_latency() -> dict:
    """Each search in COLD_SEARCHES and each word in KEYWORD_QUERIES once, in-process, with every cache region
    off (the driver sets CACHE_REGIONS_DISABLED=*): the whole listing_search, page rows included."""
    _setup()
    import time

    from django.http import QueryDict

    from bench.harness import latency_summary
    from marketplace.filters import parse_search_params
    from marketplace.selectors import listing_search

    def timed(queries: list[str]) -> dict:
        timings = []
        for query in queries:
            params, _ = parse_search_params(QueryDict(query))
            start = time.perf_counter()
            listing_search(params=params)
            timings.append((time.perf_counter() - start) * 1000)
        return latency_summary(timings)

    timed(["make=Honda"])  # connect and warm the process
    # The first pass reads the index pages PostgreSQL may not hold in memory yet; the second shows the same
    # searches with them in memory (every cache region still off). Both are printed.
    keywords = [f"q={q}" for q in KEYWORD_QUERIES]
    first = {"cold": timed(COLD_SEARCHES), "keyword": timed(keywords)}
    return {**first, "cold_again": timed(COLD_SEARCHES), "keyword_again": timed(keywords)}


def writer(seconds: str) -> dict:
    """Update 5 listings a second through marketplace.services (as their sellers would: a price change), for
    `seconds`: every write fires the cache tags the pages under load depend on."""
    _setup()
    import random
    import time

    from marketplace.models import Listing
    from marketplace.services import listing_update

    rng = random.Random(3)
    newest = list(Listing.objects.filter(status="active").order_by("-published_at").values_list("pk", flat=True)[:2000])
    end, writes = time.monotonic() + float(seconds), 0
    while time.monotonic() < end:
        tick = time.monotonic()
        for listing in Listing.objects.select_related("seller").filter(pk__in=rng.sample(newest, 5)):
            listing_update(actor=listing.seller, listing=listing, data={"price": rng.randint(20, 200) * 100})
            writes += 1
        time.sleep(max(0.0, 1.0 - (time.monotonic() - tick)))
    return {"writes": writes}


def _pg_available(database_url: str) -> bool:
    return postgres_database_ready(PG_ADMIN, database_url)


def run_size(label: str, seconds: int) -> None:
    spec = SIZES[label]
    if spec["db"].startswith("postgres") and not _pg_available(spec["db"]):
        return
    env, target = prepare_size(
        __file__, label=label, database_url=spec["db"], rows=spec["listings"], noun="listings", redis_url=REDIS_URL,
        cache_url=CACHE_URL,
    )  # fmt: skip
    search = call_step(__file__, {**env, "CACHE_REGIONS_DISABLED": "*"}, "search")
    load_pages(env, target, seconds=seconds, script=__file__)
    print()
    cold, words = (
        f"Cold searches (ZIP + radius, facets; {len(COLD_SEARCHES)} searches",
        f"Keyword searches ({len(KEYWORD_QUERIES)} common and rare words",
    )
    print(latency_line(f"{cold}, first pass)", search["cold"]))
    print(latency_line(f"{cold}, again)", search["cold_again"]))
    print(latency_line(f"{words}, first pass)", search["keyword"]))
    print(latency_line(f"{words}, again)", search["keyword_again"]))
    print(TARGETS)


if __name__ == "__main__":
    main(
        __doc__ or "",
        sizes="10k,100k",
        sizes_help="10k, 100k",
        steps={
            "generate": lambda total: generate(int(total)),
            "paths": paths_and_cookie,
            "search": search_latency,
            "writer": writer,
        },
        run_size=run_size,
    )
