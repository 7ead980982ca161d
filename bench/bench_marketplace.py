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

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import ROOT, TARGETS, load_pages, main, postgres_database_ready, prepare_size  # noqa: E402

PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_URL = os.environ.get("BENCH_MARKETPLACE_PG_URL", "postgres://postgres@127.0.0.1:5432/kei_bench_market")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "")
SIZES = {
    "10k": {"listings": 10_000, "db": f"sqlite:///{ROOT / 'var' / 'bench_market.sqlite3'}"},
    "100k": {"listings": 100_000, "db": PG_URL},
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


def generate(total: int) -> dict:
    _setup()
    import random
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from kei_community.core.markdown import render_markdown
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
    html = render_markdown("Runs and drives. **Cold A/C**, new tyres, hi-lo and diff lock.")
    now = timezone.now()
    with transaction.atomic():
        Listing.objects.all().delete()
        batch = []
        for i in range(total):
            code = codes[i % len(codes)]
            year = rng.randint(code.years_from or 1990, min(code.years_to or 2024, 2024))
            month = rng.randint(1, 12)
            place = places[i % len(places)]
            odo = rng.randint(5, 200) * 1000
            batch.append(
                Listing(
                    seller=sellers[i % len(sellers)],
                    status="active",
                    title=f"{year} {code.make} {code.model} {code.code} #{i}",
                    slug=f"{year}-{code.make}-{code.model}-{code.code}-{i}".lower().replace(" ", "-"),
                    make=code.make,
                    model=code.model,
                    chassis_code=code,
                    year_built=year,
                    month_built=month,
                    import_eligible_on=import_eligibility(year_built=year, month_built=month).nhtsa_date,
                    odometer=odo,
                    odometer_unit="km",
                    odometer_km=odo,
                    transmission=rng.choice(["manual", "automatic", "cvt"]),
                    drive=rng.choice(["2WD", "4WD"]),
                    bed_type=rng.choice(["flat", "dump", "scissor", "jumbo", "panel_van"]),
                    title_status=rng.choice(["clean", "import_docs", "bill_of_sale", "offroad"]),
                    location_status="us",
                    zip_code=place["zip"],
                    city=place["city"],
                    state=place["state"],
                    lat=place["lat"],
                    lng=place["lng"],
                    price=rng.randint(20, 200) * 100,
                    description="Runs and drives. **Cold A/C**, new tyres, hi-lo and diff lock.",
                    description_html=html,
                    published_at=now - timedelta(minutes=i),
                    expires_at=now + timedelta(days=60),
                )  # fmt: skip
            )
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


def _pg_available() -> bool:
    return postgres_database_ready(PG_ADMIN, PG_URL)


def run_size(label: str, seconds: int) -> None:
    spec = SIZES[label]
    if spec["db"].startswith("postgres") and not _pg_available():
        return
    env, target = prepare_size(
        __file__, label=label, database_url=spec["db"], rows=spec["listings"], noun="listings", redis_url=REDIS_URL
    )
    load_pages(env, target, seconds=seconds)
    print(TARGETS)


if __name__ == "__main__":
    main(
        __doc__ or "",
        sizes="10k,100k",
        sizes_help="10k, 100k",
        steps={"generate": lambda total: generate(int(total)), "paths": paths_and_cookie},
        run_size=run_size,
    )
