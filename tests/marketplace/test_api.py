from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from marketplace import services
from marketplace.models import Listing
from tests.factories import ListingFactory, UserFactory, listing_data
from tests.marketplace.conftest import make_listings
from tests.media.images import heic_bytes, jpeg_bytes

pytestmark = pytest.mark.django_db


def _json_data(**overrides):
    data = listing_data(**overrides)
    return data


def test_list_carries_page_url_eligibility_and_outlook(api_client, states):
    listing = ListingFactory(zip_code="78701")
    data = api_client.get("/api/v1/listings/").json()
    [row] = data["results"]
    assert row["page_url"] == listing.get_absolute_url()
    assert row["eligibility"]["nhtsa_eligible"] is True and row["eligibility"]["nhtsa_eligible_on"] == "2023-06-01"
    assert row["registration_outlook"]["state_code"] == "TX" and row["registration_outlook"]["status"] == "road_legal"
    assert row["photos"] == [] and data["count"] == 1 and data["facets"]


def test_filters_take_the_values_users_see(api_client, catalog):
    from kei_community.vehicles.models import ChassisCode

    wanted = ListingFactory(
        chassis_code=ChassisCode.objects.get(code="DA63T"), year_built=2004, drive="4WD", zip_code="97201"
    )
    ListingFactory(make="Honda", model="Acty", drive="2WD")
    data = api_client.get("/api/v1/listings/?make=SUZUKI&chassis_code=DA63T&drive=4WD&state=OR").json()
    assert [r["id"] for r in data["results"]] == [wanted.pk]


def test_zip_radius_and_distance_ordering(api_client):
    near = ListingFactory(zip_code="78613")
    far = ListingFactory(zip_code="77002")
    data = api_client.get("/api/v1/listings/?zip=78701&radius=200&ordering=distance").json()
    assert [r["id"] for r in data["results"]] == [near.pk, far.pk]
    assert data["results"][1]["distance_miles"] == pytest.approx(147, abs=2)


@pytest.mark.parametrize(
    ("query", "field", "text"),
    [("zip=99999", "zip", "not a US ZIP"), ("radius=20", "radius", "Enter a ZIP"), ("drive=AWD", "drive", "Unknown value"),
     ("price_min=-5", "price_min", "whole number"), ("colour=red", "colour", "Unknown filter"), ("ordering=best", "ordering", "Unknown sort")],
)  # fmt: skip
def test_bad_filters_are_400_with_message(api_client, query, field, text):
    response = api_client.get(f"/api/v1/listings/?{query}")
    assert response.status_code == 400
    assert text in response.json()["errors"][field][0]


def test_create_without_status_publishes(api_client, user):
    api_client.force_authenticate(user)
    response = api_client.post("/api/v1/listings/", _json_data(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (
        body["status"] == "active"
        and body["city"] == "Austin"
        and body["page_url"].startswith(f"/listings/{body['id']}-")
    )


def test_create_as_draft(api_client, user):
    api_client.force_authenticate(user)
    response = api_client.post("/api/v1/listings/", _json_data(status="draft"), format="json")
    assert response.json()["status"] == "draft"


@pytest.mark.parametrize(
    ("field", "value"),
    [("price", 0), ("price", 10_000_000), ("year_built", 1955), ("month_built", 0), ("odometer", -10), ("zip_code", "12"),
     ("drive", "AWD")],
)  # fmt: skip
def test_create_bad_input_is_400(api_client, user, field, value):
    api_client.force_authenticate(user)
    response = api_client.post("/api/v1/listings/", _json_data(**{field: value}), format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Listing.objects.exists()


def test_create_rejects_unknown_fields(api_client, user):
    api_client.force_authenticate(user)
    response = api_client.post("/api/v1/listings/", _json_data(vin="JS3TD"), format="json")
    assert response.status_code == 400 and response.json()["errors"]["vin"] == ["Unknown field."]


def test_anonymous_cannot_create(api_client):
    assert api_client.post("/api/v1/listings/", _json_data(), format="json").status_code in (401, 403)


def test_owner_patches_price_and_status(api_client, user):
    listing = ListingFactory(seller=user)
    api_client.force_authenticate(user)
    assert api_client.patch(f"/api/v1/listings/{listing.pk}/", {"price": 7000}, format="json").json()["price"] == 7000
    body = api_client.patch(
        f"/api/v1/listings/{listing.pk}/", {"status": "sold", "sold_price": 6800}, format="json"
    ).json()
    assert body["status"] == "sold" and body["sold_price"] == 6800


def test_illegal_status_change_is_400(api_client, user):
    listing = ListingFactory(seller=user, publish=False)
    api_client.force_authenticate(user)
    response = api_client.patch(f"/api/v1/listings/{listing.pk}/", {"status": "sold"}, format="json")
    assert response.status_code == 400 and "status" in response.json()["errors"]


def test_other_member_cannot_patch_or_delete(api_client, other_user):
    listing = ListingFactory()
    api_client.force_authenticate(other_user)
    assert api_client.patch(f"/api/v1/listings/{listing.pk}/", {"price": 1}, format="json").status_code == 403
    assert api_client.delete(f"/api/v1/listings/{listing.pk}/").status_code == 403
    assert Listing.objects.filter(pk=listing.pk, price=8500).exists()


def test_drafts_are_404_for_others_and_visible_to_owner(api_client, other_user):
    draft = ListingFactory(publish=False)
    assert api_client.get(f"/api/v1/listings/{draft.pk}/").status_code == 404
    api_client.force_authenticate(other_user)
    assert api_client.get(f"/api/v1/listings/{draft.pk}/").status_code == 404
    assert api_client.delete(f"/api/v1/listings/{draft.pk}/").status_code == 404
    assert draft.pk not in [r["id"] for r in api_client.get("/api/v1/listings/").json()["results"]]
    api_client.force_authenticate(draft.seller)
    assert api_client.get(f"/api/v1/listings/{draft.pk}/").status_code == 200


def test_owner_deletes(api_client, user):
    listing = ListingFactory(seller=user)
    api_client.force_authenticate(user)
    assert api_client.delete(f"/api/v1/listings/{listing.pk}/").status_code == 204
    assert not Listing.objects.exists()


def test_photos_upload_reorder_cover_delete(api_client, user, other_user):
    listing = ListingFactory(seller=user)
    api_client.force_authenticate(user)
    url = f"/api/v1/listings/{listing.pk}/photos/"
    a = api_client.post(url, {"file": SimpleUploadedFile("a.jpg", jpeg_bytes())}, format="multipart")
    b = api_client.post(url, {"file": SimpleUploadedFile("b.heic", heic_bytes())}, format="multipart")
    assert a.status_code == 201 and b.status_code == 201, b.json()
    a_id, b_id = a.json()["id"], b.json()["id"]
    response = api_client.patch(url, {"order": [b_id, a_id], "cover": b_id}, format="json")
    assert [p["id"] for p in response.json()] == [b_id, a_id] and response.json()[0]["is_cover"]
    api_client.force_authenticate(other_user)
    assert (
        api_client.post(url, {"file": SimpleUploadedFile("c.jpg", jpeg_bytes())}, format="multipart").status_code == 403
    )
    assert api_client.delete(f"{url}{a_id}/").status_code == 403
    api_client.force_authenticate(user)
    assert api_client.delete(f"{url}{a_id}/").status_code == 204
    assert [p["id"] for p in api_client.get(f"/api/v1/listings/{listing.pk}/").json()["photos"]] == [b_id]


def test_photo_upload_bad_file_is_400(api_client, user):
    listing = ListingFactory(seller=user)
    api_client.force_authenticate(user)
    response = api_client.post(
        f"/api/v1/listings/{listing.pk}/photos/", {"file": SimpleUploadedFile("a.jpg", b"nope")}, format="multipart"
    )
    assert response.status_code == 400 and response.json()["detail"]


def test_too_many_photos_is_400(api_client, user, settings):
    settings.PHOTO_MAX_PER_OBJECT = 1
    listing = ListingFactory(seller=user)
    api_client.force_authenticate(user)
    url = f"/api/v1/listings/{listing.pk}/photos/"
    api_client.post(url, {"file": SimpleUploadedFile("a.jpg", jpeg_bytes())}, format="multipart")
    response = api_client.post(url, {"file": SimpleUploadedFile("b.jpg", jpeg_bytes())}, format="multipart")
    assert response.status_code == 400 and "at most 1" in response.json()["detail"]


def _upload_two(api_client, seller):
    listing = ListingFactory(seller=seller, description="Careful text")
    api_client.force_authenticate(seller)
    url = f"/api/v1/listings/{listing.pk}/photos/"
    first = api_client.post(url, {"file": SimpleUploadedFile("a.jpg", jpeg_bytes())}, format="multipart")
    assert first.status_code == 201
    return listing, api_client.post(url, {"file": SimpleUploadedFile("b.jpg", jpeg_bytes())}, format="multipart")


def test_new_account_photo_cap_is_400_with_the_reason(api_client, settings):
    settings.NEW_ACCOUNT_LIMITS_ENABLED = True
    settings.NEW_ACCOUNT_DAILY_CAPS = {"image": 1}
    listing, response = _upload_two(api_client, UserFactory())
    assert response.status_code == 400 and "New accounts can add up to 1 photo a day" in response.json()["detail"]
    listing.refresh_from_db()
    assert listing.photos.count() == 1 and listing.description == "Careful text"


def test_old_account_photo_upload_is_not_capped(api_client, settings):
    settings.NEW_ACCOUNT_LIMITS_ENABLED = True
    settings.NEW_ACCOUNT_DAILY_CAPS = {"image": 1}
    listing, response = _upload_two(api_client, UserFactory(date_joined=timezone.now() - timedelta(days=30)))
    assert response.status_code == 201 and listing.photos.count() == 2


def test_photo_upload_not_capped_when_new_account_limits_are_off(api_client, settings):
    settings.NEW_ACCOUNT_LIMITS_ENABLED = False
    settings.NEW_ACCOUNT_DAILY_CAPS = {"image": 1}
    listing, response = _upload_two(api_client, UserFactory())
    assert response.status_code == 201 and listing.photos.count() == 2


def test_favorite_post_and_delete(api_client, user):
    listing = ListingFactory()
    api_client.force_authenticate(user)
    assert api_client.post(f"/api/v1/listings/{listing.pk}/favorite/").json() == {
        "is_favorite": True,
        "favorites_count": 1,
    }
    assert api_client.get("/api/v1/listings/").json()["results"][0]["is_favorite"] is True
    assert api_client.delete(f"/api/v1/listings/{listing.pk}/favorite/").json()["favorites_count"] == 0


def test_saved_searches_are_private(api_client, user, other_user):
    api_client.force_authenticate(user)
    created = api_client.post(
        "/api/v1/saved-searches/", {"name": "Dumps", "query": "bed_type=dump", "frequency": "immediate"}, format="json"
    )
    assert created.status_code == 201
    bad = api_client.post("/api/v1/saved-searches/", {"name": "x", "query": "radius=10"}, format="json")
    assert bad.status_code == 400
    api_client.force_authenticate(other_user)
    assert api_client.get("/api/v1/saved-searches/").json()["count"] == 0
    assert api_client.delete(f"/api/v1/saved-searches/{created.json()['id']}/").status_code == 404


def test_conversations_private_to_the_two_parties(api_client, user, other_user):
    listing = ListingFactory()
    api_client.force_authenticate(user)
    created = api_client.post("/api/v1/conversations/", {"listing": listing.pk, "body": "Available?"}, format="json")
    assert created.status_code == 201
    cid = created.json()["id"]
    api_client.force_authenticate(listing.seller)
    assert api_client.get("/api/v1/conversations/").json()["results"][0]["has_unread"] is True
    reply = api_client.post(f"/api/v1/conversations/{cid}/messages/", {"body": "Yes!"}, format="json")
    assert reply.status_code == 201
    api_client.force_authenticate(other_user)
    assert api_client.get(f"/api/v1/conversations/{cid}/").status_code == 404
    assert api_client.get(f"/api/v1/conversations/{cid}/messages/").status_code == 404
    assert api_client.post(f"/api/v1/conversations/{cid}/messages/", {"body": "hi"}, format="json").status_code == 404
    assert api_client.get("/api/v1/conversations/").json()["count"] == 0


def test_message_flood_is_429_in_the_error_shape_with_retry_after(api_client, user, settings):
    settings.MESSAGE_RATE_PER_MINUTE = 10
    settings.MESSAGE_RATE_PER_DAY = 200
    api_client.force_authenticate(user)
    created = api_client.post("/api/v1/conversations/", {"listing": ListingFactory().pk, "body": "1"}, format="json")
    url = f"/api/v1/conversations/{created.json()['id']}/messages/"
    statuses = [api_client.post(url, {"body": f"{n}"}, format="json").status_code for n in range(2, 12)]
    assert statuses == [201] * 9 + [429]
    refused = api_client.post(url, {"body": "still too fast"}, format="json")
    assert refused.status_code == 429
    body = refused.json()
    assert set(body) == {"detail", "errors"} and "up to 10 a minute" in body["detail"]
    assert 1 <= int(refused["Retry-After"]) <= 60
    # Starting a conversation about another listing counts too.
    other = api_client.post("/api/v1/conversations/", {"listing": ListingFactory().pk, "body": "hi"}, format="json")
    assert other.status_code == 429


def test_cannot_message_own_listing_via_api(api_client, user):
    listing = ListingFactory(seller=user)
    api_client.force_authenticate(user)
    response = api_client.post("/api/v1/conversations/", {"listing": listing.pk, "body": "hi"}, format="json")
    assert response.status_code == 400 and "yourself" in response.json()["detail"]


def test_public_question_via_api(api_client, user):
    listing = ListingFactory()
    api_client.force_authenticate(user)
    assert (
        api_client.post(f"/api/v1/listings/{listing.pk}/questions/", {"body": "Rust?"}, format="json").status_code
        == 201
    )
    assert api_client.get(f"/api/v1/listings/{listing.pk}/").json()["questions"][0]["body"] == "Rust?"


@pytest.mark.parametrize("count", [3, 30])
def test_list_query_budget(api_client, user, count, django_assert_max_num_queries, states):
    listings = make_listings(count)
    for listing in listings[:3]:
        services.listing_photo_add(
            actor=listing.seller, listing=listing, upload=SimpleUploadedFile("a.jpg", jpeg_bytes())
        )
    api_client.force_authenticate(user)
    url = "/api/v1/listings/?q=truck&make=suzuki&zip=78701&radius=100&registrable_in=TX&page_size=50"
    api_client.get(url)  # warm the state guide cache
    with django_assert_max_num_queries(6):
        response = api_client.get(url)
    assert response.json()["count"] == count


@pytest.mark.parametrize("count", [3, 30])
def test_detail_query_budget(api_client, user, count, django_assert_max_num_queries, states):
    target = make_listings(count)[0]
    for i in range(3):
        services.question_ask(asker=UserFactory(), listing=target, body=f"Q{i}")
    api_client.force_authenticate(user)
    api_client.get(f"/api/v1/listings/{target.pk}/")
    with django_assert_max_num_queries(6):
        assert api_client.get(f"/api/v1/listings/{target.pk}/").status_code == 200


@pytest.mark.parametrize("count", [3, 30])
def test_conversations_query_budget(api_client, user, count, django_assert_max_num_queries):
    for listing in make_listings(count):
        services.conversation_start(buyer=user, listing=listing, body="hi")
    api_client.force_authenticate(user)
    with django_assert_max_num_queries(4):
        assert api_client.get("/api/v1/conversations/").status_code == 200


# --- import eligibility: the too-new warning, the import_eligible filter and facet, the year vs chassis rule ---


def test_list_and_detail_carry_the_import_warning(api_client):
    from kei_community.vehicles.eligibility import TOO_NEW_WARNING

    too_new = ListingFactory(year_built=timezone.now().year - 4, location_status="us")
    old = ListingFactory(year_built=1998)
    rows = {row["id"]: row for row in api_client.get("/api/v1/listings/").json()["results"]}
    assert rows[too_new.pk]["import_warning"] == TOO_NEW_WARNING and rows[old.pk]["import_warning"] == ""
    detail = api_client.get(f"/api/v1/listings/{too_new.pk}/").json()
    assert detail["import_warning"] == TOO_NEW_WARNING
    assert detail["eligibility"]["eligible_in"].startswith("in ") and "days" not in detail["eligibility"]["summary"]


def test_import_eligible_filter_and_facet_over_the_api(api_client):
    seller = UserFactory()
    old = ListingFactory(seller=seller, year_built=1998)
    ListingFactory(seller=seller, year_built=timezone.now().year - 4)
    data = api_client.get("/api/v1/listings/?import_eligible=true").json()
    assert [row["id"] for row in data["results"]] == [old.pk]
    facet = next(f for f in data["facets"] if f["name"] == "import_eligible")
    assert facet["values"] == [{"value": "true", "label": "Import-eligible now", "count": 1}]
    everything = api_client.get("/api/v1/listings/").json()
    facet = next(f for f in everything["facets"] if f["name"] == "import_eligible")
    assert {v["value"]: v["count"] for v in facet["values"]} == {"true": 1, "false": 1}


def test_import_eligible_with_another_value_is_a_400(api_client):
    response = api_client.get("/api/v1/listings/?import_eligible=soon")
    assert response.status_code == 400
    assert response.json()["errors"]["import_eligible"] == ["“soon” is not true or false."]


def test_schema_declares_the_import_warning_and_the_import_eligible_filter(api_client):
    schema = api_client.get("/api/v1/schema/?format=json").json()
    assert "import_warning" in schema["components"]["schemas"]["Listing"]["properties"]
    assert "import_warning" in schema["components"]["schemas"]["ListingDetail"]["properties"]
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/listings/"]["get"]["parameters"]}
    assert parameters["import_eligible"]["schema"]["type"] == "boolean"


def test_build_year_against_the_chassis_code_is_a_400_on_the_field(api_client, user, catalog):
    api_client.force_authenticate(user)
    response = api_client.post(
        "/api/v1/listings/", _json_data(chassis_code="DA63T", year_built=1995, make="", model=""), format="json"
    )
    assert response.status_code == 400
    assert "DA63T was built 2002–2013" in response.json()["errors"]["year_built"][0]
    assert not Listing.objects.exists()
    ok = api_client.post(
        "/api/v1/listings/", _json_data(chassis_code="DA63T", year_built=2003, status="draft"), format="json"
    )
    assert ok.status_code == 201, ok.json()


# --- the sell flow over the API (issue 12, part 4): drafts step by step, the publishing rule -------------


def test_api_draft_step_by_step_then_publish_needs_a_ready_photo(api_client, user, settings):
    settings.LISTING_MIN_READY_PHOTOS = 1
    api_client.force_authenticate(user)
    truck = {"status": "draft", "make": "Suzuki", "model": "Carry", "year_built": 1998, "drive": "4WD"}
    created = api_client.post("/api/v1/listings/", truck, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["price"] is None and created.json()["status"] == "draft"
    step = api_client.patch(f"/api/v1/listings/{pk}/", {"price": 6100, "zip_code": "78701"}, format="json")
    assert step.status_code == 200
    response = api_client.patch(f"/api/v1/listings/{pk}/", {"status": "active"}, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "processed" in errors["photos"][0] and errors["transmission"] == ["Choose the transmission."]
    assert Listing.objects.get(pk=pk).status == Listing.Status.DRAFT


def test_api_create_published_at_once_without_photos_is_400(api_client, user, settings):
    settings.LISTING_MIN_READY_PHOTOS = 1
    api_client.force_authenticate(user)
    response = api_client.post("/api/v1/listings/", _json_data(), format="json")
    assert response.status_code == 400 and "photos" in response.json()["errors"]
    assert not Listing.objects.filter(seller=user).exists()  # nothing half-made is left


def test_api_publish_with_a_ready_photo(api_client, user, settings, django_capture_on_commit_callbacks):
    from tests.factories import make_photo

    settings.LISTING_MIN_READY_PHOTOS = 1
    listing = ListingFactory(seller=user, publish=False)
    with django_capture_on_commit_callbacks(execute=True):
        make_photo(owner=listing, uploader=user)
    api_client.force_authenticate(user)
    response = api_client.patch(f"/api/v1/listings/{listing.pk}/", {"status": "active"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "active"


def test_api_another_member_cannot_publish_a_draft(api_client, user, other_user):
    listing = ListingFactory(seller=user, publish=False)
    api_client.force_authenticate(other_user)
    response = api_client.patch(f"/api/v1/listings/{listing.pk}/", {"status": "active"}, format="json")
    assert response.status_code in (403, 404)
    listing.refresh_from_db()
    assert listing.status == Listing.Status.DRAFT


def test_schema_declares_the_publishing_rule(api_client):
    schema = api_client.get("/api/v1/schema/?format=json").json()
    for path, method in (("/api/v1/listings/", "post"), ("/api/v1/listings/{id}/", "patch")):
        refused = schema["paths"][path][method]["responses"]["400"]
        assert "errors.photos" in refused["description"] and "LISTING_MIN_READY_PHOTOS" in refused["description"]


def test_a_capped_keyword_count_says_so(api_client, monkeypatch):
    from django.db import connection

    from marketplace.selectors import search as search_selectors

    monkeypatch.setattr(search_selectors, "SEARCH_CANDIDATES", 2)
    for _ in range(3):
        ListingFactory(description="Snorkel fitted.")
    data = api_client.get("/api/v1/listings/?q=snorkel").json()
    assert data["count_is_capped"] is (connection.vendor == "postgresql")
    assert {facet["capped"] for facet in data["facets"]} == {connection.vendor == "postgresql"}
    assert api_client.get("/api/v1/listings/?make=Nobody").json()["count_is_capped"] is False


# --- the declared search (issue 11 part 3); states by name, comps by make, model or chassis code (issue 12 part 3) ---


def test_schema_documents_every_declared_search_filter(api_client):
    """Fails when a filter is declared in marketplace.search without its query parameter in the schema."""
    from marketplace.search import SEARCH_FILTERS

    schema = api_client.get("/api/v1/schema/?format=json").json()
    parameters = {p["name"]: p for p in schema["paths"]["/api/v1/listings/"]["get"]["parameters"]}
    for f in SEARCH_FILTERS:
        assert f.param in parameters, f.param
        declared = parameters[f.param]["schema"]
        assert declared["type"] == {"int": "integer", "bool": "boolean"}.get(f.kind, "string"), f.param
        if f.kind == "choice":
            assert sorted(declared["enum"]) == sorted(str(value) for value, _ in f.choices), f.param
    assert "name" in parameters["state"]["description"] and "name" in parameters["registrable_in"]["description"]


def test_api_takes_state_names_or_codes(api_client, states):
    texan = ListingFactory(zip_code="78701")
    ListingFactory(zip_code="97201")
    for value in ("Texas", "texas", "TX", "tx"):
        data = api_client.get(f"/api/v1/listings/?state={value}").json()
        assert [r["id"] for r in data["results"]] == [texan.pk], value
    data = api_client.get("/api/v1/listings/?registrable_in=texas").json()
    assert {r["viewer_registration_outlook"]["state_code"] for r in data["results"]} == {"TX"}


def test_api_bad_state_is_a_400_with_the_message(api_client):
    response = api_client.get("/api/v1/listings/?state=Texass")
    assert response.status_code == 400
    assert response.json()["errors"]["state"] == [
        "“Texass” is not a US state (use its name or two-letter code, e.g. Oregon or OR)."
    ]


def _comps_listings():
    from kei_community.vehicles.models import ChassisCode

    ListingFactory(chassis_code=ChassisCode.objects.get(code="DA63T"), year_built=2005, price=5000)
    ListingFactory(chassis_code=ChassisCode.objects.get(code="HA8"), year_built=2012, price=6000, make="Honda")


@pytest.mark.parametrize(
    ("q", "kind", "name"),
    [("Suzuki", "make", "Suzuki"), ("CARRY", "model", "Carry"), ("da63t", "chassis code", "DA63T")],
)  # fmt: skip
def test_comps_by_make_model_or_chassis_code(api_client, catalog, q, kind, name):
    _comps_listings()
    data = api_client.get(f"/api/v1/listings/comps/?q={q}").json()
    assert data["q"] == q and data["matched"]["kind"] == kind and data["matched"]["name"] == name
    assert "DA63T" in data["matched"]["families"]
    [row] = data["results"]
    assert row["family"] == "DA63T" and row["year_band"] == "2005–2009" and row["asking"]["median"] == 5000


def test_comps_without_q_are_every_family(api_client, catalog):
    _comps_listings()
    data = api_client.get("/api/v1/listings/comps/").json()
    assert data["matched"] is None and {row["family"] for row in data["results"]} == {"DA63T", "HA8"}


def test_comps_of_an_unknown_name_are_a_400_with_a_message(api_client, catalog):
    response = api_client.get("/api/v1/listings/comps/?q=Lamborghini")
    assert response.status_code == 400
    assert "No make, model or chassis code matches “Lamborghini”" in response.json()["errors"]["q"][0]


def test_listing_search_refuses_a_keyword_of_only_common_words(api_client):
    response = api_client.get("/api/v1/listings/", {"q": "the"})
    assert response.status_code == 400
    assert "too common to search for" in response.json()["errors"]["q"][0]
