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
        seller=seller, chassis_code=ChassisCode.objects.get(code="DA63T"), drive="4WD", zip_code="97201"
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
