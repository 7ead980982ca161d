"""The API contract's shared pieces: the schema's error responses, pagination, nullable and blank values,
strict JSON types (kei_community/core/api). The whole-schema schemathesis run is tests/services/test_api_contract.py."""

from __future__ import annotations

import pytest

from tests.factories import ForumThreadFactory, ListingFactory, UserFactory

SCHEMA = "/api/v1/schema/?format=json"


@pytest.fixture(scope="module")
def schema(django_db_blocker):  # type: ignore[no-untyped-def]
    from drf_spectacular.generators import SchemaGenerator

    with django_db_blocker.unblock():
        return SchemaGenerator().get_schema(request=None, public=True)


def _operations(schema):  # type: ignore[no-untyped-def]
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            yield path, method.upper(), operation


def _component(schema, name):  # type: ignore[no-untyped-def]
    return schema["components"]["schemas"][name]


def _ref(response) -> str:  # type: ignore[no-untyped-def]
    return response["content"]["application/json"]["schema"]["$ref"]


# --- error responses ----------------------------------------------------------


def test_every_error_response_is_the_one_error_shape(schema):
    error = _component(schema, "Error")
    assert set(error["properties"]) == {"detail", "errors"} and set(error["required"]) == {"detail", "errors"}
    for _path, _method, operation in _operations(schema):
        for code, response in operation["responses"].items():
            if code.startswith("4"):
                assert _ref(response) == "#/components/schemas/Error"


def test_every_throttled_operation_declares_429_and_every_authenticated_one_401(schema):
    for path, method, operation in _operations(schema):
        codes = set(operation["responses"])
        assert "429" in codes, f"{method} {path}"
        if path != "/api/v1/auth/token/":  # the token exchange reads no credentials
            assert "401" in codes, f"{method} {path}"


def test_every_write_declares_400_and_403_and_every_path_id_404(schema):
    for path, method, operation in _operations(schema):
        codes = set(operation["responses"])
        if method in {"POST", "PUT", "PATCH", "DELETE"}:
            assert {"400", "403"} <= codes, f"{method} {path}"
        if "{" in path:
            assert "404" in codes, f"{method} {path}"


def test_reads_with_query_parameters_declare_400_and_moderator_reads_403(schema):
    listings = schema["paths"]["/api/v1/listings/"]["get"]["responses"]
    reports = schema["paths"]["/api/v1/moderation/reports/"]["get"]["responses"]
    me = schema["paths"]["/api/v1/me/"]["get"]["responses"]
    assert "400" in listings and {"400", "403"} <= set(reports)
    assert "400" not in me and "403" not in me


# --- pagination ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "component"),
    [("/api/v1/forum/threads/", "PaginatedThreadList"), ("/api/v1/forum/threads/{id}/posts/", "PaginatedPostList")],
)
def test_hand_written_forum_lists_are_declared_paginated(schema, path, component):
    operation = schema["paths"][path]["get"]
    assert _ref(operation["responses"]["200"]) == f"#/components/schemas/{component}"
    assert {"count", "next", "previous", "results"} <= set(_component(schema, component)["properties"])
    params = {p["name"]: p["schema"] for p in operation["parameters"]}
    assert params["page"]["minimum"] == 1
    assert params["page_size"] == {"type": "integer", "minimum": 1, "maximum": 100}


def test_listing_search_is_declared_as_the_object_it_returns(schema):
    response = schema["paths"]["/api/v1/listings/"]["get"]["responses"]["200"]
    component = _component(schema, _ref(response).rsplit("/", 1)[1])
    assert {"count", "page", "num_pages", "next", "previous", "facets", "ranges", "results"} <= set(
        component["properties"]
    )


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["page_size=null", "page_size=0", "page_size=101", "page=abc", "page=0", "page=-1"])
def test_invalid_page_or_page_size_is_refused_with_400(api_client, query):
    ForumThreadFactory()
    response = api_client.get(f"/api/v1/forum/threads/?{query}")
    assert response.status_code == 400
    name = query.split("=")[0]
    assert response.json()["errors"] == {name: [response.json()["errors"][name][0]]}


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["page_size=null", "page_size=0", "page_size=101", "page=abc"])
def test_listing_search_refuses_invalid_page_or_page_size_with_400(api_client, query):
    ListingFactory()
    response = api_client.get(f"/api/v1/listings/?{query}")
    assert response.status_code == 400
    assert query.split("=")[0] in response.json()["errors"]


@pytest.mark.django_db
def test_page_size_within_range_is_used_and_a_page_past_the_end_is_404(api_client):
    ForumThreadFactory()
    ForumThreadFactory()
    body = api_client.get("/api/v1/forum/threads/?page_size=1").json()
    assert body["count"] == 2 and len(body["results"]) == 1 and "page=2" in body["next"]
    assert api_client.get("/api/v1/forum/threads/?page_size=1&page=3").status_code == 404


# --- nullable and blank values --------------------------------------------------


@pytest.mark.parametrize(
    ("component", "field"),
    [
        ("Listing", "distance_miles"),
        ("Listing", "chassis_code"),
        ("StateList", "speed"),
        ("StateDetail", "protected_until"),
        ("StateDetail", "verified_by"),
        ("Revision", "author"),
        ("Revision", "max_road_speed_mph"),
        ("RevisionSummary", "author"),
    ],
)
def test_fields_that_can_be_null_are_declared_nullable(schema, component, field):
    assert _component(schema, component)["properties"][field].get("nullable") is True


@pytest.mark.parametrize(("component", "field"), [("Listing", "transmission"), ("Listing", "drive")])
def test_read_only_choices_that_can_be_blank_declare_the_blank_value(schema, component, field):
    refs = [one["$ref"] for one in _component(schema, component)["properties"][field]["oneOf"]]
    assert "#/components/schemas/BlankEnum" in refs


# --- strict JSON types -----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [({"bio": 0}, "bio"), ({"display_name": ["x"]}, "display_name"), ({"home_state": 5}, "home_state")],
)
def test_a_string_field_refuses_other_json_types(api_client, body, field):
    member = UserFactory(bio="unchanged")
    api_client.force_authenticate(member)
    response = api_client.patch("/api/v1/me/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {field: ["Must be a string."]}
    member.refresh_from_db()
    assert member.bio == "unchanged"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"price": "9000"}, "price", "Must be a whole number."),
        ({"price": 9000.5}, "price", "Must be a whole number."),
        ({"negotiable": "yes"}, "negotiable", "Must be true or false."),
        ({"hi_lo": 1}, "hi_lo", "Must be true or false."),
    ],
)
def test_numbers_and_booleans_refuse_other_json_types(api_client, body, field, message):
    listing = ListingFactory()
    api_client.force_authenticate(listing.seller)
    response = api_client.patch(f"/api/v1/listings/{listing.pk}/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {field: [message]}


@pytest.mark.django_db
def test_list_items_are_checked_too(api_client):
    thread = ForumThreadFactory()
    api_client.force_authenticate(thread.author)
    response = api_client.patch(f"/api/v1/forum/threads/{thread.pk}/", {"tags": ["ok", 7]}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"tags": ["Every item: must be a string."]}


@pytest.mark.django_db
def test_form_bodies_keep_their_string_values(api_client):
    member = UserFactory()
    api_client.force_authenticate(member)
    response = api_client.patch("/api/v1/me/", {"bio": "Carry owner"}, format="multipart")
    assert response.status_code == 200 and response.json()["bio"] == "Carry owner"


# --- references in a body ------------------------------------------------------


@pytest.mark.django_db
def test_starting_a_conversation_about_a_missing_listing_is_a_400_on_the_field(api_client):
    draft = ListingFactory(publish=False)
    api_client.force_authenticate(UserFactory())
    for listing_id in (draft.pk, draft.pk + 1000):
        response = api_client.post("/api/v1/conversations/", {"listing": listing_id, "body": "Hi"}, format="json")
        assert response.status_code == 400
        assert response.json()["errors"] == {"listing": ["No such listing."]}


# --- NUL characters in the address ------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/search/?q=a%00b", "/api/v1/forum/threads/?category=a%00"])
def test_a_nul_character_in_an_api_query_string_is_a_400_in_the_error_shape(client, url):
    response = client.get(url)
    assert response.status_code == 400
    name = url.split("?")[1].split("=")[0]
    assert response.json() == {
        "detail": f"{name}: Remove the NUL character (%00) from this value.",
        "errors": {name: ["Remove the NUL character (%00) from this value."]},
    }


@pytest.mark.django_db
def test_a_nul_character_in_a_page_query_string_is_a_400(client):
    assert client.get("/listings/?q=a%00").status_code == 400


@pytest.mark.django_db
def test_a_nul_character_in_the_path_is_a_404(client):
    response = client.get("/api/v1/catalog/chassis-codes/DA%0063T/")
    assert response.status_code == 404
    assert set(response.json()) == {"detail", "errors"}


@pytest.mark.django_db
def test_site_search_api_groups_carry_count_and_more_url(client):
    from tests.factories import ListingFactory, StatePageFactory, UserFactory

    seller = UserFactory()
    for _ in range(12):
        ListingFactory(seller=seller, title="Tipper truck", description="")
    for code in ("NY", "NJ", "NM"):
        StatePageFactory(code=code)
    data = client.get("/api/v1/search/", {"q": "dump bed"}).json()  # the glossary: dump = tipper
    groups = {g["label"]: g for g in data["groups"]}
    listings = groups["Listings"]
    assert len(listings["results"]) == 10 and listings["count"] == 12 and listings["count_capped"] is False
    assert listings["noun"] == "listing" and listings["more_url"] == "/listings/?q=dump+bed"
    assert groups["Forum threads"]["count"] == 0 and groups["Forum threads"]["more_url"] == "/forum/search/?q=dump+bed"
    from stategide.hooks import site_search

    states = site_search("new", 2)
    assert len(states["results"]) == 2 and states["count"] == 3 and states["more_url"] == "/states/"


@pytest.mark.django_db
def test_site_search_api_refuses_only_common_words(api_client):
    response = api_client.get("/api/v1/search/", {"q": "The"})
    assert response.status_code == 400
    assert "too common to search for" in response.json()["errors"]["q"][0]
    assert api_client.get("/api/v1/search/", {"q": "the dump"}).status_code == 200
