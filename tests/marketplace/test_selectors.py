import pytest
from django.http import QueryDict

from kei_community.core.us import zip_lookup
from marketplace import services
from marketplace.filters import parse_search_params
from marketplace.selectors import haversine_miles, listing_search, price_comps
from tests.factories import ListingFactory, UserFactory

pytestmark = pytest.mark.django_db


def search(query: str, viewer=None):
    params, errors = parse_search_params(QueryDict(query))
    assert errors == {}
    return listing_search(params=params, viewer=viewer)


@pytest.mark.parametrize(
    ("a", "b", "miles"),
    [
        ("78701", "77002", 146),
        ("97201", "98101", 145),
        ("10001", "90012", 2445),
    ],  # Austin–Houston, Portland–Seattle, NYC–LA
)
def test_haversine_matches_known_zip_distances(a, b, miles):
    pa, pb = zip_lookup(a), zip_lookup(b)
    assert haversine_miles(pa["lat"], pa["lng"], pb["lat"], pb["lng"]) == pytest.approx(miles, rel=0.02)


def test_radius_search_keeps_only_trucks_within_the_circle():
    seller = UserFactory()
    austin = ListingFactory(seller=seller, zip_code="78701", title="Austin truck")
    cedar_park = ListingFactory(seller=seller, zip_code="78613", title="Cedar Park truck")  # ~17 mi
    houston = ListingFactory(seller=seller, zip_code="77002", title="Houston truck")  # ~147 mi
    near = search("zip=78701&radius=25")
    assert {o.pk for o in near.listings} == {austin.pk, cedar_park.pk}
    wide = search("zip=78701&radius=150&ordering=distance")
    assert [o.pk for o in wide.listings] == [austin.pk, cedar_park.pk, houston.pk]
    assert wide.listings[2].distance == pytest.approx(147, abs=2)
    assert search("zip=78701&radius=140").total == 2


def test_bounding_box_corner_is_excluded_by_exact_distance():
    seller = UserFactory()
    # Dallas (75201) is ~182 mi from Austin: inside a 190 mi box, outside a 180 mi circle.
    ListingFactory(seller=seller, zip_code="75201")
    assert search("zip=78701&radius=180").total == 0
    assert search("zip=78701&radius=190").total == 1


def test_filters_use_the_values_users_see(catalog):
    from kei_community.vehicles.models import ChassisCode

    seller = UserFactory()
    carry = ListingFactory(
        seller=seller,
        chassis_code=ChassisCode.objects.get(code="DA63T"),
        year_built=2004,
        drive="4WD",
        zip_code="97201",
    )
    ListingFactory(seller=seller, make="Honda", model="Acty", drive="2WD", zip_code="78701")
    assert [o.pk for o in search("make=suzuki&chassis_code=da63t&drive=4wd&state=or").listings] == [carry.pk]
    assert search("make=Honda&drive=4WD").total == 0


def test_keyword_searches_title_description_model_and_code():
    seller = UserFactory()
    a = ListingFactory(seller=seller, title="Dump bed beauty", description="scissor lift works")
    ListingFactory(seller=seller, title="Plain flatbed", description="nothing")
    assert [o.pk for o in search("q=scissor").listings] == [a.pk]
    assert search("q=carry").total == 2


def test_ranges_odometer_price_year():
    seller = UserFactory()
    cheap = ListingFactory(seller=seller, price=3000, year_built=1990, odometer=20000)
    ListingFactory(seller=seller, price=9000, year_built=2001, odometer=150000)
    assert [o.pk for o in search("price_max=5000&year_min=1985&year_max=1995&odometer_max=30000").listings] == [
        cheap.pk
    ]


def test_sort_by_price_and_year_and_mileage():
    seller = UserFactory()
    a = ListingFactory(seller=seller, price=5000, year_built=1995, odometer=90000)
    b = ListingFactory(seller=seller, price=3000, year_built=1999, odometer=10000)
    assert [o.pk for o in search("ordering=price").listings] == [b.pk, a.pk]
    assert [o.pk for o in search("ordering=-price").listings] == [a.pk, b.pk]
    assert [o.pk for o in search("ordering=year").listings] == [a.pk, b.pk]
    assert [o.pk for o in search("ordering=mileage").listings] == [b.pk, a.pk]


def test_facets_count_matching_listings():
    seller = UserFactory()
    ListingFactory(seller=seller, make="Suzuki", bed_type="dump")
    ListingFactory(seller=seller, make="Suzuki", bed_type="flat")
    ListingFactory(seller=seller, make="Honda", model="Acty", bed_type="flat")
    facets = {f["name"]: {v["value"]: v["count"] for v in f["values"]} for f in search("").facets}
    assert facets["make"] == {"Suzuki": 2, "Honda": 1}
    assert facets["bed_type"] == {"flat": 2, "dump": 1}


def test_drafts_sold_hidden_and_held_listings_are_not_in_search(user, moderator):
    seller = UserFactory()
    live = ListingFactory(seller=seller)
    ListingFactory(seller=seller, publish=False)
    sold = ListingFactory(seller=seller)
    services.listing_mark_sold(actor=seller, listing=sold)
    hidden = ListingFactory(seller=seller)
    services.listing_hide(hidden)
    assert [o.pk for o in search("").listings] == [live.pk]


def test_registrable_in_combines_state_guide_and_eligibility(states):
    from datetime import date

    seller = UserFactory()
    this_year = date.today().year
    old = ListingFactory(seller=seller, year_built=1995)
    ListingFactory(seller=seller, year_built=this_year - 10)  # too young to import
    us_built = ListingFactory(seller=seller, year_built=this_year - 1, us_market=True, make="Mahindra")
    assert {o.pk for o in search("registrable_in=TX").listings} == {old.pk, us_built.pk}
    assert search("registrable_in=NY").total == 0


def test_pagination():
    seller = UserFactory()
    for i in range(25):
        ListingFactory(seller=seller, title=f"Truck {i}")
    params, _ = parse_search_params(QueryDict("page=2"))
    result = listing_search(params=params)
    assert result.total == 25 and result.page == 2 and len(result.listings) == 5 and not result.has_next


@pytest.mark.parametrize(
    ("query", "field"),
    [("radius=50", "radius"), ("zip=00000", "zip"), ("zip=abc", "zip"), ("price_max=cheap", "price_max"),
     ("drive=6WD", "drive"), ("state=ZZ", "state"), ("ordering=colour", "ordering"), ("year_min=1900", "year_min"),
     ("ordering=distance", "ordering"), ("radius=99999&zip=78701", "radius")],
)  # fmt: skip
def test_bad_filters_give_messages(query, field):
    _, errors = parse_search_params(QueryDict(query))
    assert field in errors and errors[field]


def test_price_comps_quartiles_by_family_and_band(catalog):
    from kei_community.vehicles.models import ChassisCode

    seller = UserFactory()
    da63t, dg63t = ChassisCode.objects.get(code="DA63T"), ChassisCode.objects.get(code="DG63T")  # Mazda rebadge
    for price in (4000, 5000, 6000, 7000):
        ListingFactory(seller=seller, chassis_code=da63t, year_built=2006, price=price)
    rebadge = ListingFactory(
        seller=seller, chassis_code=dg63t, year_built=2007, price=8000, make="Mazda", model="Scrum"
    )
    services.listing_mark_sold(actor=seller, listing=rebadge, sold_price=7500)
    [row] = price_comps(family="DA63T")
    assert row["year_band"] == "2005–2009"
    assert row["asking"]["median"] == 5500 and row["asking"]["q1"] == 4750 and row["asking"]["q3"] == 6250
    assert row["sold"] == {"count": 1, "min": 7500, "q1": 7500, "median": 7500, "q3": 7500, "max": 7500}


def test_search_matches_are_cached_until_a_listing_changes(
    django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    seller = UserFactory()
    ListingFactory(seller=seller)
    assert search("make=suzuki").total == 1
    with django_assert_max_num_queries(2):  # page rows + photos; the matches come from the cache
        assert search("make=suzuki").total == 1
    with django_capture_on_commit_callbacks(execute=True):
        ListingFactory(seller=seller)
    assert search("make=suzuki").total == 2


# --- the radius, facets and ranges in SQL (issue 15, section 6) ----------------------------------------------


def _place(listing, lat, lng):
    from marketplace.models import Listing

    Listing.objects.filter(pk=listing.pk).update(lat=lat, lng=lng)


def _destination(lat, lng, miles, bearing_deg):
    """The point `miles` from (lat, lng) on `bearing_deg` (on haversine_miles' sphere)."""
    import math

    from marketplace.selectors import EARTH_RADIUS_MI

    d, b = miles / EARTH_RADIUS_MI, math.radians(bearing_deg)
    p1, l1 = math.radians(lat), math.radians(lng)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
    return math.degrees(p2), (math.degrees(l2) + 540) % 360 - 180


@pytest.mark.parametrize("zip_code", ["78613", "77002", "76501", "75201", "97201", "10001"])
def test_sql_distance_matches_python_haversine(zip_code):
    listing = ListingFactory(seller=UserFactory(), zip_code=zip_code)
    found = search("zip=78701&radius=3000")
    origin, place = zip_lookup("78701"), zip_lookup(zip_code)
    expected = haversine_miles(origin["lat"], origin["lng"], place["lat"], place["lng"])
    assert found.distances[listing.pk] == pytest.approx(expected, abs=0.1)
    assert found.listings[0].distance == pytest.approx(expected, abs=0.1)


def test_radius_reaches_the_circles_widest_longitude_far_north():
    """At 61°N a 500-mile circle is wider than 500 / (69·cos φ) degrees of longitude: the old box cut it."""
    origin = zip_lookup("99501")  # Anchorage
    widest = max((_destination(origin["lat"], origin["lng"], 499, b / 10) for b in range(0, 1800)), key=lambda p: p[1])
    listing = ListingFactory(seller=UserFactory(), zip_code="99501")
    _place(listing, *widest)
    assert search("zip=99501&radius=500").total == 1
    assert search("zip=99501&radius=495").total == 0


def test_radius_crosses_the_antimeridian():
    """Adak, Alaska is at 177°W: a truck 150 miles west of it is at 179.x°E."""
    origin = zip_lookup("99546")
    lat, lng = _destination(origin["lat"], origin["lng"], 150, 270)
    assert lng > 0
    listing = ListingFactory(seller=UserFactory(), zip_code="99546")
    _place(listing, lat, lng)
    found = search("zip=99546&radius=200")
    assert [o.pk for o in found.listings] == [listing.pk]
    assert found.listings[0].distance == pytest.approx(150, abs=0.1)


def test_listings_without_coordinates_are_never_within_a_radius_but_are_found_otherwise():
    seller = UserFactory()
    placed = ListingFactory(seller=seller, zip_code="78701")
    unplaced = ListingFactory(seller=seller, zip_code="78701")
    _place(unplaced, None, None)
    assert [o.pk for o in search("zip=78701&radius=50").listings] == [placed.pk]
    assert {o.pk for o in search("make=Suzuki").listings} == {placed.pk, unplaced.pk}
    assert search("zip=78701&radius=3000").total == 1


def test_a_listing_on_the_circle_is_in_and_just_outside_is_out():
    origin = zip_lookup("78701")
    seller = UserFactory()
    inside = ListingFactory(seller=seller, zip_code="78701")
    outside = ListingFactory(seller=seller, zip_code="78701")
    _place(inside, *_destination(origin["lat"], origin["lng"], 99.99, 45))
    _place(outside, *_destination(origin["lat"], origin["lng"], 100.01, 45))
    assert [o.pk for o in search("zip=78701&radius=100").listings] == [inside.pk]


def _python_facets(params):
    """The facets, ranges and total as the marketplace counted them in Python before issue 15 (reference)."""
    from collections import Counter

    from marketplace import selectors
    from marketplace.selectors import FACET_FIELDS, apply_filters, listing_public_qs

    qs = apply_filters(listing_public_qs(), params)
    if "import_eligible" in FACET_FIELDS:  # a facet that is an annotation
        qs = qs.annotate(import_eligible=selectors.import_eligible_flag())
    rows = list(qs.values_list("year_built", "price", *FACET_FIELDS))
    counters = [Counter() for _ in FACET_FIELDS]
    for row in rows:
        for i, value in enumerate(row[2:]):
            if value:
                counters[i][value] += 1
    facets = {name: dict(counter) for name, counter in zip(FACET_FIELDS, counters, strict=True)}
    years, prices = [r[0] for r in rows], [r[1] for r in rows]
    ranges = {
        "year_min": min(years, default=None), "year_max": max(years, default=None),
        "price_min": min(prices, default=None), "price_max": max(prices, default=None),
    }  # fmt: skip
    return facets, ranges, len(rows)


@pytest.fixture
def facet_fixture(catalog):
    import random

    from kei_community.vehicles.models import ChassisCode

    rng = random.Random(5)
    codes = list(ChassisCode.objects.filter(code__in=["DA63T", "DA16T", "S211P", "HA7", "DS16T"]))
    sellers = [UserFactory() for _ in range(3)]
    for i in range(30):
        code = codes[i % len(codes)]
        ListingFactory(
            seller=sellers[i % 3], chassis_code=code, make=code.make, model=code.model,
            year_built=max(code.years_from or 1990, 2000) + i % 4,
            zip_code=rng.choice(["78701", "78613", "77002", "75201", "97201", "73102"]),
            drive=rng.choice(["2WD", "4WD"]), transmission=rng.choice(["manual", "automatic"]),
            bed_type=rng.choice(["flat", "dump", "scissor"]), price=rng.randint(20, 120) * 100,
        )  # fmt: skip


@pytest.mark.parametrize(
    "query", ["", "zip=78701&radius=200", "drive=4WD", "zip=78701&radius=200&bed_type=dump", "price_max=8000"]
)
def test_facets_and_ranges_equal_the_python_counts(facet_fixture, query):
    params, _ = parse_search_params(QueryDict(query))
    facets, ranges, total = _python_facets(params)
    found = search(query)
    assert found.total == total
    assert found.ranges == ranges
    for facet in found.facets:
        name = {"chassis_code": "chassis_code__code"}.get(facet["name"], facet["name"])
        expected = sorted(facets[name].items(), key=lambda kv: (-kv[1], str(kv[0])))
        assert [(v["value"], v["count"]) for v in facet["values"]] == expected


def test_state_facet_counts_every_state_under_the_other_filters(facet_fixture):
    params, _ = parse_search_params(QueryDict("zip=78701&radius=3000"))
    states = _python_facets(params)[0]["state"]
    found = search("zip=78701&radius=3000&state=TX")
    [state_facet] = [f for f in found.facets if f["name"] == "state"]
    assert {v["value"]: v["count"] for v in state_facet["values"]} == states
    assert found.total == states["TX"]


@pytest.mark.parametrize(
    "query",
    [
        "zip=78701&radius=150&ordering=distance",
        "q=carry&make=Suzuki&drive=4WD&bed_type=dump",
        "q=carry+da63t&zip=78701&radius=300&state=TX&registrable_in=TX",
    ],
)
def test_a_cold_search_costs_at_most_ten_queries(facet_fixture, django_assert_max_num_queries, query, states):
    from django.core.cache import cache

    cache.clear()
    with django_assert_max_num_queries(10):
        search(query)


def test_price_comps_in_sql_equal_the_python_statistics(facet_fixture):
    from marketplace import selectors
    from marketplace.models import Listing

    rows = list(
        Listing.objects.filter(chassis_code__isnull=False).values_list(
            "chassis_code__code", "chassis_code__rebadge_of", "year_built", "price"
        )
    )
    groups = {}
    for code, rebadge, year, price in rows:
        groups.setdefault((selectors.chassis_family(code, rebadge), selectors.year_band(year)), []).append(price)
    expected = [
        {"family": fam, "year_band": band, "asking": selectors._stats(prices), "sold": None}
        for (fam, band), prices in sorted(groups.items())
    ]
    assert price_comps() == expected
    first = expected[0]
    assert price_comps(family=first["family"], band=first["year_band"]) == [first]


def _eligibility_trio():
    from django.utils import timezone

    seller = UserFactory()
    young = timezone.now().year - 3
    old = ListingFactory(seller=seller, year_built=1998, title="Old enough")
    us_built = ListingFactory(seller=seller, year_built=young, us_market=True, make="Mahindra", title="US built")
    too_new = ListingFactory(seller=seller, year_built=young, title="Too new")
    return old, us_built, too_new


def test_import_eligible_filter_keeps_trucks_25_years_old_or_built_for_the_us():
    old, us_built, too_new = _eligibility_trio()
    assert {o.pk for o in search("import_eligible=true").listings} == {old.pk, us_built.pk}
    assert [o.pk for o in search("import_eligible=false").listings] == [too_new.pk]
    assert search("").total == 3


def test_import_eligibility_facet_counts_both_answers_under_the_other_filters():
    _eligibility_trio()
    facet = next(f for f in search("").facets if f["name"] == "import_eligible")
    assert facet["label"] == "Import eligibility"
    assert {v["value"]: (v["label"], v["count"]) for v in facet["values"]} == {
        "true": ("Import-eligible now", 2),
        "false": ("Not yet eligible", 1),
    }
    narrowed = next(f for f in search("make=suzuki").facets if f["name"] == "import_eligible")
    assert {v["value"]: v["count"] for v in narrowed["values"]} == {"true": 1, "false": 1}


@pytest.mark.parametrize(("raw", "value"), [("true", True), ("1", True), ("on", True), ("False", False), ("no", False)])
def test_import_eligible_takes_true_or_false(raw, value):
    params, errors = parse_search_params(QueryDict(f"import_eligible={raw}"))
    assert errors == {} and params["import_eligible"] is value


def test_import_eligible_refuses_other_values_with_a_message():
    params, errors = parse_search_params(QueryDict("import_eligible=maybe"))
    assert "import_eligible" not in params and errors["import_eligible"] == "“maybe” is not true or false."


def test_a_keyword_search_on_postgresql_looks_at_its_newest_candidates(monkeypatch):
    from django.db import connection

    from marketplace.selectors import search as search_selectors

    monkeypatch.setattr(search_selectors, "SEARCH_CANDIDATES", 2)
    seller = UserFactory()
    for price in (5000, 3000, 4000):
        ListingFactory(seller=seller, description=f"Snorkel fitted, asking {price}.", price=price)
    found = search("q=snorkel&ordering=price")
    prices = [o.price for o in found.listings]
    assert prices == sorted(prices)
    assert found.total == (2 if connection.vendor == "postgresql" else 3)
    assert prices == ([3000, 4000] if connection.vendor == "postgresql" else [3000, 4000, 5000])


def test_a_capped_keyword_total_is_flagged_as_a_floor(monkeypatch):
    from django.db import connection

    from marketplace.selectors import search as search_selectors

    monkeypatch.setattr(search_selectors, "SEARCH_CANDIDATES", 2)
    seller = UserFactory()
    for price in (5000, 3000, 4000):
        ListingFactory(seller=seller, description=f"Snorkel fitted, asking {price}.", price=price)
    assert search("q=snorkel").total_capped is (connection.vendor == "postgresql")
    assert search("q=nothingmatchesthis").total_capped is False
    assert search("make=Nobody").total_capped is False


def test_a_search_on_postgresql_counts_its_first_matches_in_the_order_asked(monkeypatch):
    from django.db import connection

    from marketplace.selectors import search as search_selectors

    monkeypatch.setattr(search_selectors, "SEARCH_CANDIDATES", 2)
    seller = UserFactory()
    for price in (3000, 5000, 4000):  # the newest is the dearest but one
        ListingFactory(seller=seller, make="Suzuki", price=price)
    found = search("ordering=price")
    postgresql = connection.vendor == "postgresql"
    assert [o.price for o in found.listings] == ([3000, 4000] if postgresql else [3000, 4000, 5000])
    assert (found.total, found.total_capped) == ((2, True) if postgresql else (3, False))
    [make] = [f for f in found.facets if f["name"] == "make"]
    assert make["values"][0]["count"] == found.total and make["capped"] is postgresql
    assert found.ranges["price_max"] == (4000 if postgresql else 5000)  # the ranges are of the same matches


def test_a_radius_search_counts_the_nearest_matches_when_sorted_by_distance(monkeypatch):
    from django.db import connection

    from marketplace.selectors import search as search_selectors

    monkeypatch.setattr(search_selectors, "SEARCH_CANDIDATES", 2)
    seller = UserFactory()
    houston = ListingFactory(seller=seller, zip_code="77002")
    austin = ListingFactory(seller=seller, zip_code="78701")
    cedar_park = ListingFactory(seller=seller, zip_code="78613")
    found = search("zip=78701&radius=150&ordering=distance")
    expected = (
        [austin.pk, cedar_park.pk] if connection.vendor == "postgresql" else [austin.pk, cedar_park.pk, houston.pk]
    )
    assert [o.pk for o in found.listings] == expected
    assert found.distances[austin.pk] == pytest.approx(0, abs=0.5)


@pytest.mark.parametrize("counted", [1, 2, 3, 4, 6])
def test_a_distance_sort_finds_the_same_nearest_matches_ring_by_ring(monkeypatch, counted):
    """PostgreSQL looks within growing rings (an eighth of the radius first): whatever ring holds enough matches,
    the first ones are those of the whole radius sorted by distance."""
    from django.db import connection

    from marketplace.selectors import search as search_selectors

    seller = UserFactory()
    for zip_code in ("78701", "78701", "78613", "78745", "76501", "77002"):  # 0, 0, ~17, ~6, ~65, ~147 miles
        ListingFactory(seller=seller, zip_code=zip_code)
    every = [o.pk for o in search("zip=78701&radius=150&ordering=distance").listings]
    monkeypatch.setattr(search_selectors, "SEARCH_CANDIDATES", counted)
    found = [o.pk for o in search("zip=78701&radius=150&ordering=distance").listings]
    assert found == (every[:counted] if connection.vendor == "postgresql" else every)


def test_exactly_as_many_matches_as_counted_is_not_capped(monkeypatch):
    from marketplace.selectors import search as search_selectors

    monkeypatch.setattr(search_selectors, "SEARCH_CANDIDATES", 3)
    seller = UserFactory()
    for _ in range(3):
        ListingFactory(seller=seller, description="Snorkel fitted.")
    for query in ("", "q=snorkel"):
        found = search(query)
        assert (found.total, found.total_capped) == (3, False)
        assert all(facet["capped"] is False for facet in found.facets)


def test_a_capped_state_facet_says_so_under_a_state_filter(monkeypatch):
    from django.db import connection

    from marketplace.selectors import search as search_selectors

    monkeypatch.setattr(search_selectors, "SEARCH_CANDIDATES", 2)
    seller = UserFactory()
    for zip_code in ("78701", "77002", "73102"):  # Texas twice, Oklahoma
        ListingFactory(seller=seller, zip_code=zip_code)
    found = search("state=TX")
    [state_facet] = [f for f in found.facets if f["name"] == "state"]
    assert (found.total, found.total_capped) == (2, False)
    assert state_facet["capped"] is (connection.vendor == "postgresql")
    assert sum(v["count"] for v in state_facet["values"]) == (2 if connection.vendor == "postgresql" else 3)


def test_a_capped_state_facet_of_a_distance_sort_counts_the_nearest_matches(monkeypatch):
    from django.db import connection

    from marketplace.selectors import search as search_selectors

    monkeypatch.setattr(search_selectors, "SEARCH_CANDIDATES", 2)
    seller = UserFactory()
    for zip_code in ("73102", "78701", "77002"):  # Oklahoma City (~360 mi), Austin, Houston (~147 mi)
        ListingFactory(seller=seller, zip_code=zip_code)
    found = search("zip=78701&radius=500&state=TX&ordering=distance")
    [state_facet] = [f for f in found.facets if f["name"] == "state"]
    counts = {v["value"]: v["count"] for v in state_facet["values"]}
    assert counts == ({"TX": 2} if connection.vendor == "postgresql" else {"TX": 2, "OK": 1})


def test_facets_of_many_matches_equal_the_python_counts(facet_fixture, monkeypatch):
    """The facets count every match the search reads, not only the MAX_CACHED_IDS ids it keeps."""
    from marketplace.selectors import search as search_selectors

    monkeypatch.setattr(search_selectors, "MAX_CACHED_IDS", 3)
    params, _ = parse_search_params(QueryDict("zip=78701&radius=3000"))
    facets, ranges, total = _python_facets(params)
    found = search("zip=78701&radius=3000")
    assert (found.total, found.ranges) == (total, ranges)
    [make] = [f for f in found.facets if f["name"] == "make"]
    assert {v["value"]: v["count"] for v in make["values"]} == facets["make"]


# --- the declared search (marketplace.search, issue 11 part 3) and state names, comps by name (issue 12 part 3) ---


@pytest.mark.parametrize(
    ("raw", "code"),
    [("Texas", "TX"), ("texas", "TX"), ("TX", "TX"), ("tx", "TX"), ("District of Columbia", "DC"),
     ("  new   york ", "NY"), ("dc", "DC")],
)  # fmt: skip
def test_state_filters_take_a_name_or_a_code_in_any_case(raw, code):
    params, errors = parse_search_params({"state": raw, "registrable_in": raw})
    assert errors == {} and params["state"] == code and params["registrable_in"] == code


@pytest.mark.parametrize("raw", ["Texass", "XX", "Ontario", "T"])
def test_a_state_that_is_not_one_is_a_clear_error(raw):
    params, errors = parse_search_params({"state": raw, "registrable_in": raw})
    for key in ("state", "registrable_in"):
        assert key not in params
        assert errors[key] == f"“{raw}” is not a US state (use its name or two-letter code, e.g. Oregon or OR)."


def test_a_state_name_filters_like_its_code():
    ListingFactory(zip_code="78701", title="Austin truck")
    ListingFactory(zip_code="97201", title="Portland truck")
    assert [o.title for o in search("state=texas").listings] == ["Austin truck"]
    assert [o.title for o in search("state=TX").listings] == ["Austin truck"]


def test_every_declared_filter_is_parsed_and_filters():
    """A declared filter with neither a lookup nor an apply function (nor the keyword) would be parsed and
    silently ignored: this fails when one is added that way."""
    from marketplace.search import SEARCH_FILTERS

    for f in SEARCH_FILTERS:
        assert f.kind in ("keyword", "ordering") or f.lookup or f.apply or f.param == "radius", f.param


def test_facets_follow_the_declaration():
    from marketplace.search import FACETS
    from marketplace.selectors import FACET_FIELDS

    ListingFactory(drive="4WD")
    result = search("")
    assert tuple(facet.column for _, facet in FACETS) == FACET_FIELDS
    assert [(f["name"], f["label"]) for f in result.facets] == [(f.param, facet.label) for f, facet in FACETS]
    drive = next(f for f in result.facets if f["name"] == "drive")
    assert drive["values"] == [{"value": "4WD", "label": "4WD", "count": 1}]


@pytest.mark.parametrize(
    ("text", "kind", "name", "family"),
    [("Suzuki", "make", "Suzuki", "DA63T"), ("carry", "model", "Carry", "DA63T"),
     ("suzuki carry", "model", "Suzuki Carry", "DA63T"), ("da63t", "chassis code", "DA63T", "DA63T"),
     ("Hijet", "model", "Hijet", None), ("DG63T", "chassis code", "DG63T", "DA63T")],
)  # fmt: skip
def test_comps_lookup_takes_a_make_a_model_or_a_chassis_code(catalog, text, kind, name, family):
    from marketplace.selectors import comps_lookup

    match = comps_lookup(text)
    assert match is not None and (match.kind, match.name) == (kind, name) and match.families
    if family:
        assert family in match.families
    if kind == "chassis code":
        assert match.families == (family,)  # a rebadge (Mazda's DG63T) compares with its original


def test_comps_lookup_of_an_unknown_name_is_none(catalog):
    from marketplace.selectors import comps_lookup, comps_unknown_message

    assert comps_lookup("Lamborghini") is None and comps_lookup("   ") is None
    assert "No make, model or chassis code matches “Lamborghini”" in comps_unknown_message("Lamborghini")


def test_price_comps_of_a_make_are_its_families_only(catalog):
    from kei_community.vehicles.models import ChassisCode
    from marketplace.selectors import comps_lookup, price_comps_cached

    ListingFactory(chassis_code=ChassisCode.objects.get(code="DA63T"), year_built=2006, price=5000)
    ListingFactory(chassis_code=ChassisCode.objects.get(code="HA8"), year_built=2012, price=6000, make="Honda")
    suzuki = comps_lookup("suzuki")
    assert [row["family"] for row in price_comps_cached(families=suzuki.families)] == ["DA63T"]
    assert [row["family"] for row in price_comps_cached(families=comps_lookup("Acty").families)] == ["HA8"]
    assert {row["family"] for row in price_comps_cached()} == {"DA63T", "HA8"}


def test_a_saved_search_that_no_longer_parses_matches_no_listing():
    from marketplace.models import SavedSearch
    from marketplace.selectors import listing_matches_saved_search

    listing = ListingFactory(title="Carry for the farm")
    owner = UserFactory()
    kept = SavedSearch.objects.create(user=owner, name="Carry", query="q=carry")
    refused_now = SavedSearch.objects.create(user=owner, name="Old", query="q=for+the")  # saved before the rule
    assert listing_matches_saved_search(listing=listing, saved_search=kept)
    assert not listing_matches_saved_search(listing=listing, saved_search=refused_now)
