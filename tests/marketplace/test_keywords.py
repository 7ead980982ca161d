"""The keyword search (marketplace.keywords): glossary synonyms, stemming, structured fields, misspellings.

Both paths run in CI: PostgreSQL full text (`make test`) and the SQLite substring fallback (the fast pass);
a test asserts the behaviour of the database it runs on where the two differ.
"""

import re

import pytest
from django.db import connection
from django.http import QueryDict

from marketplace.filters import parse_search_params
from marketplace.keywords import corrections, keyword_filter, keyword_terms
from marketplace.models import Listing
from marketplace.selectors import listing_search
from tests.factories import ListingFactory, UserFactory

pytestmark = pytest.mark.django_db

POSTGRESQL = "postgresql"


def search_ids(q: str) -> set[int]:
    """Ids of the listings matching `q` through the listings page's search (params parsed as the page does)."""
    params, errors = parse_search_params(QueryDict(f"q={q}"))
    assert errors == {}
    return {o.pk for o in listing_search(params=params, page_size=50).listings}


def names(fleet: dict[str, Listing], q: str) -> set[str]:
    ids = search_ids(q)
    return {name for name, listing in fleet.items() if listing.pk in ids}


@pytest.fixture
def fleet(db):
    """Five trucks whose words do not overlap, so each search names exactly what it finds."""
    seller = UserFactory()
    common = {"seller": seller, "condition_notes": "", "hi_lo": False}
    return {
        "carry": ListingFactory(
            **common, title="Mule", make="Suzuki", model="Carry", bed_type="dump", drive="2WD",
            transmission="manual", colour="white", zip_code="78701", title_status="clean", description="Runs well.",
        ),
        "hijet": ListingFactory(
            **common, title="Daihatsu S510P", make="Daihatsu", model="Hijet", bed_type="scissor", drive="4WD",
            transmission="automatic", colour="red", zip_code="97201", title_status="offroad", description="Clean.",
        ),
        "acty": ListingFactory(
            **common, title="Honda", make="Honda", model="Acty", bed_type="jumbo", drive="2WD",
            transmission="cvt", colour="blue", zip_code="98101", title_status="clean", description="Roomy.",
        ),
        "sambar": ListingFactory(
            **common, title="Subaru", make="Subaru", model="Sambar", bed_type="flat", drive="4WD",
            transmission="manual", colour="green", zip_code="27601", title_status="clean", description="Solid.",
        ),
        "minicab": ListingFactory(
            **common, title="Mitsubishi", make="Mitsubishi", model="", bed_type="flat", drive="2WD",
            transmission="manual", colour="silver", zip_code="30303", title_status="clean",
            description="Fitted with a tipper body.",
        ),
    }  # fmt: skip


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("dump", {"carry", "minicab"}),  # the bed type, and "tipper" in a description
        ("tipper", {"carry", "minicab"}),
        ("dump+bed", {"carry", "minicab"}),
        ("dumps", {"carry", "minicab"}),  # stemming
        ("scissor", {"hijet"}),
        ("scissor+lift", {"hijet"}),
        ("scissor-lift", {"hijet"}),
        ("lifts", {"hijet"}),  # "Scissor / hydraulic lift", stemmed
        ("4wd", {"hijet", "sambar"}),
        ("4x4", {"hijet", "sambar"}),
        ("four+wheel+drive", {"hijet", "sambar"}),
        ("2wd", {"carry", "acty", "minicab"}),
        ("jumbo", {"acty"}),
        ("extended+cab", {"acty"}),
        ("hijet", {"hijet"}),
        ("daihatsu", {"hijet"}),
        ("minicab", {"minicab"}),  # the model field is empty: found by its make
        ("every", {"carry"}),  # Suzuki's van name finds Suzuki trucks
        ("farm", {"hijet"}),  # off-road / OHV title
        ("automatic", {"hijet"}),
        ("auto", {"hijet"}),
        ("cvt", {"acty"}),
        ("red", {"hijet"}),  # colour
        ("oregon", {"hijet"}),  # state name
        ("OR", {"hijet"}),  # state code in capitals
        ("tx", {"carry"}),
        ("seattle", {"acty"}),  # city
        ("s510p", {"hijet"}),
        ("4x4+scissor", {"hijet"}),  # every term must match
        ("4x4+dump", set()),
        ("trucks+in+texas", set()),  # no listing says "truck"
        ("in+texas", {"carry"}),  # a stop word does not empty the search
        ("nothingmatchesthis", set()),
    ],
)
def test_keyword_search_finds_what_people_type(fleet, q, expected):
    assert names(fleet, q) == expected


def test_chassis_code_and_prefix(catalog):
    from kei_community.vehicles.models import ChassisCode

    seller = UserFactory()
    ListingFactory(
        seller=seller,
        title="Truck",
        make="Suzuki",
        model="Carry",
        year_built=2005,
        chassis_code=ChassisCode.objects.get(code="DA63T"),
    )
    ListingFactory(seller=seller, title="Other truck", make="Honda", model="Acty")
    assert [o.make for o in keyword_filter(Listing.objects.all(), "da63t")] == ["Suzuki"]
    assert [o.make for o in keyword_filter(Listing.objects.all(), "DA63")] == ["Suzuki"]  # the start of a code


def test_a_misspelt_make_or_model_is_corrected_on_postgresql(fleet, catalog):
    if connection.vendor == POSTGRESQL:
        assert names(fleet, "hijat") == {"hijet"}
        assert names(fleet, "suzki") == {"carry"}
        assert names(fleet, "hijat+4x4") == {"hijet"}
        assert corrections("hijat 4x4") == {"hijat": "hijet"}
    else:  # the SQLite fallback does not correct
        assert names(fleet, "hijat") == set()
        assert corrections("hijat") == {}
    assert corrections("hijet") == {}
    assert names(fleet, "snorkle") == set()  # not like any make or model: nothing to correct


def test_a_word_some_listing_has_is_not_corrected(fleet):
    named = ListingFactory(title="A truck named Hijat", make="Honda", model="Acty", description="")
    assert search_ids("hijat") == {named.pk}


def test_glossary_phrases_are_one_term():
    terms = keyword_terms("Scissor-lift 4x4 trucks in Texas")
    assert [t.typed for t in terms] == ["scissor lift", "4x4", "trucks", "in", "texas"]
    assert "scissor" in terms[0].anywhere and "4wd" in terms[1].anywhere
    assert terms[3].state == ""  # "in" in lower case is a word, "IN" is Indiana
    assert keyword_terms("IN")[0].state == "IN"
    assert keyword_terms("hijet")[0].identity == ("daihatsu",)


@pytest.mark.parametrize(
    "q", ["a & b", "dump | !carry", "carry:*", "'", "\\", "dump:*A", "((", "<->", "&|!", "a'b\\c & ! | :*", "ü & é"]
)
def test_query_syntax_in_what_is_typed_is_only_text(client, api_client, fleet, q):
    from urllib.parse import urlencode

    assert client.get("/listings/?" + urlencode({"q": q})).status_code == 200
    assert api_client.get("/api/v1/listings/?" + urlencode({"q": q})).status_code == 200
    assert client.get("/search/?" + urlencode({"q": q})).status_code == 200
    assert api_client.get("/api/v1/search/?" + urlencode({"q": q})).status_code == 200


def test_operators_are_separators(fleet):
    assert names(fleet, "carry%20%26%20!hijet") == set()  # "carry" AND "hijet": no truck is both
    assert names(fleet, "dump%7C") == {"carry", "minicab"}  # "dump|" is the word dump
    assert names(fleet, "%26%7C!") == set()  # no word at all: nothing


def test_search_vector_follows_creates_and_updates():
    listing = ListingFactory(title="Snorkel fitted", description="")
    qs = Listing.objects.all()
    assert list(keyword_filter(qs, "snorkel")) == [listing]
    Listing.objects.filter(pk=listing.pk).update(title="Periscope fitted")
    assert list(keyword_filter(qs, "periscope")) == [listing]
    assert list(keyword_filter(qs, "snorkel")) == []
    listing.refresh_from_db()
    listing.colour = "purple"
    listing.save()
    assert list(keyword_filter(qs, "purple")) == [listing]
    vector = Listing.objects.values_list("search_vector", flat=True).get(pk=listing.pk)
    if connection.vendor == POSTGRESQL:
        assert re.search(r"'periscop':\d+B", vector) and "'purpl'" in vector  # the title weighs B
        # A write that changes none of the vector's fields keeps it (a stale value sent back is ignored).
        Listing.objects.filter(pk=listing.pk).update(views_count=5, search_vector=None)
        assert Listing.objects.values_list("search_vector", flat=True).get(pk=listing.pk) == vector
    else:
        assert vector is None  # SQLite: the column is unused


def test_the_page_and_the_api_say_what_was_searched_instead(client, api_client, fleet):
    page = client.get("/listings/?q=hijat+4x4").content.decode()
    data = api_client.get("/api/v1/listings/?q=hijat+4x4").json()
    if connection.vendor == POSTGRESQL:
        assert "Showing results for <strong>hijet 4x4</strong> instead of “hijat 4x4”" in page
        assert data["q_corrected"] == "hijet 4x4" and data["count"] == 1
    else:
        assert "Showing results for" not in page
        assert data["q_corrected"] == "" and data["count"] == 0
    assert api_client.get("/api/v1/listings/?q=hijet").json()["q_corrected"] == ""
    assert "Showing results for" not in client.get("/listings/?q=hijet").content.decode()
