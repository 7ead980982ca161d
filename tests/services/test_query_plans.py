"""Searches are planned for their own values on PostgreSQL, never run as prepared statements (kei_community.core.db):
a prepared statement may switch to one generic plan for every value, which at a million listings turned a
0.3 s ZIP search into 4.4 s."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import QueryDict

from kei_community.core.db import planned_each_time
from marketplace.models import Listing
from tests.factories import ForumPostFactory, ListingFactory

pytestmark = pytest.mark.django_db


def _prepared(fragment: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", [f"%{fragment}%"])
        return int(cursor.fetchone()[0])


def test_a_query_run_often_becomes_a_prepared_statement_outside_the_block():
    """The control: the connection does prepare statements (server-side binding), so the tests below can fail."""
    for price in range(12):
        Listing.objects.filter(price__gte=price, odometer_km__lte=999_999).count()
    assert _prepared('"odometer_km" <=') >= 1


def test_inside_planned_each_time_a_query_is_never_prepared():
    with planned_each_time(Listing):
        for price in range(12):
            Listing.objects.filter(price__gte=price, odometer_km__lte=888_888).count()
    assert _prepared('"odometer_km" <=') == 0
    assert connection.connection.prepare_threshold is not None  # restored after the block


def test_zip_radius_searches_are_never_prepared(settings):
    from marketplace.filters import parse_search_params
    from marketplace.selectors import listing_search

    settings.CACHE_REGIONS_DISABLED = ["*"]
    ListingFactory()
    for radius in range(50, 350, 25):
        params, _ = parse_search_params(QueryDict(f"zip=78701&radius={radius}&ordering=distance"))
        listing_search(params=params)
    assert _prepared("POWER(SIN") == 0


def test_forum_searches_are_never_prepared():
    from forum.selectors import search_posts

    ForumPostFactory(body="The idle air control valve was sticking.")
    for word in ["idle", "valve", "air", "control", "sticking", "carry", "hijet", "brake", "clutch", "rust", "belt"]:
        search_posts(q=word, limit=20)
    assert _prepared("ts_rank") == 0 and _prepared("@@") == 0


def test_the_planner_knows_how_many_listings_a_box_around_a_place_holds():
    """Listings sit on ZIP centroids, so latitude and longitude are not independent: without the extended
    statistics on (lat, lng) (marketplace migration 0010) PostgreSQL multiplies the shares of the two bands and
    misjudges a radius search's box (at a million listings it then read the table through bitmaps, or sorted
    a whole box where walking the newest listings would have stopped early)."""
    from marketplace.selectors import bounding_box

    columns = ", ".join(connection.ops.quote_name(f.column) for f in Listing._meta.concrete_fields if not f.primary_key)
    for zip_code, count in {"78701": 100, "32202": 150, "67202": 150}.items():  # Austin; Jacksonville; Wichita
        first = ListingFactory(zip_code=zip_code)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO marketplace_listing ({columns}) SELECT {columns} FROM marketplace_listing, "  # noqa: S608 - column names only
                "generate_series(2, %s) WHERE id = %s",
                [count, first.pk],
            )
    lat_min, lat_max, lng_min, lng_max = bounding_box(30.27, -97.74, 50)  # Austin's box: its band holds
    with connection.cursor() as cursor:  # Jacksonville too, its longitudes Wichita
        cursor.execute("ANALYZE marketplace_listing")
        cursor.execute(
            "EXPLAIN (FORMAT JSON) SELECT id FROM marketplace_listing "
            "WHERE lat BETWEEN %s AND %s AND lng BETWEEN %s AND %s",
            [lat_min, lat_max, lng_min, lng_max],
        )
        estimate = cursor.fetchone()[0][0]["Plan"]["Plan Rows"]
    assert Listing.objects.filter(lat__range=(lat_min, lat_max), lng__range=(lng_min, lng_max)).count() == 100
    assert 90 <= estimate <= 110  # independent bands would say 400 x 250/400 x 250/400 = 156
