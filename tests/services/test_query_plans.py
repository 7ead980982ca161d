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
    assert _prepared("POWER(SIN") == 0 and _prepared("GROUPING") == 0


def test_forum_searches_are_never_prepared():
    from forum.selectors import search_posts

    ForumPostFactory(body="The idle air control valve was sticking.")
    for word in ["idle", "valve", "air", "control", "sticking", "carry", "hijet", "brake", "clutch", "rust", "belt"]:
        search_posts(q=word, limit=20)
    assert _prepared("ts_rank") == 0 and _prepared("@@") == 0
