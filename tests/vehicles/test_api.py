import pytest

from tests.factories import GarageTruckFactory

pytestmark = pytest.mark.django_db


def test_chassis_codes_filter_by_make_any_case(api_client, catalog):
    data = api_client.get("/api/v1/catalog/chassis-codes/?make=honda").json()
    assert data["count"] == 8
    assert {r["make"] for r in data["results"]} == {"Honda"}


def test_chassis_code_detail_by_code(api_client, catalog):
    data = api_client.get("/api/v1/catalog/chassis-codes/DA63T/").json()
    assert data["model"] == "Carry" and data["verified"] is True


def test_garage_create_and_list_own(api_client, user, catalog):
    api_client.force_authenticate(user)
    response = api_client.post(
        "/api/v1/garage/",
        {"chassis_code": "HA4", "frame_number": "ha4 2104455", "year_built": 1996, "month_built": 3},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["frame_number"] == "HA4-2104455"
    assert response.json()["page_url"] == f"/garage/{response.json()['id']}/"
    assert response.json()["eligibility"]["nhtsa_eligible"] is True
    assert api_client.get("/api/v1/garage/").json()["count"] == 1


def test_garage_rejects_unknown_fields(api_client, user):
    api_client.force_authenticate(user)
    response = api_client.post("/api/v1/garage/", {"make": "Suzuki", "vin": "X"}, format="json")
    assert response.status_code == 400 and "vin" in response.json()["errors"]


def test_garage_other_member_cannot_patch_or_delete(api_client, other_user):
    truck = GarageTruckFactory()
    api_client.force_authenticate(other_user)
    assert api_client.patch(f"/api/v1/garage/{truck.pk}/", {"nickname": "x"}, format="json").status_code == 403
    assert api_client.delete(f"/api/v1/garage/{truck.pk}/").status_code == 403
    assert api_client.get(f"/api/v1/garage/{truck.pk}/").json()["frame_number"].count("*") > 0


def test_garage_list_query_count_constant(api_client, user, django_assert_max_num_queries):
    api_client.force_authenticate(user)
    GarageTruckFactory.create_batch(3, owner=user)
    with django_assert_max_num_queries(6):
        api_client.get("/api/v1/garage/")
    GarageTruckFactory.create_batch(25, owner=user)
    with django_assert_max_num_queries(6):
        assert api_client.get("/api/v1/garage/").status_code == 200


def test_garage_api_takes_and_returns_equipment_odometer_and_colour(api_client, user):
    api_client.force_authenticate(user)
    payload = {
        "make": "Honda", "transmission": "manual", "bed_type": "scissor", "odometer": 61000, "odometer_unit": "mi",
        "colour": "White",
    }  # fmt: skip
    response = api_client.post("/api/v1/garage/", payload, format="json")
    assert response.status_code == 201, response.json()
    body = api_client.get(f"/api/v1/garage/{response.json()['id']}/").json()
    assert {k: body[k] for k in payload} == payload


def test_garage_api_defaults_and_refuses_bad_equipment(api_client, user):
    api_client.force_authenticate(user)
    body = api_client.post("/api/v1/garage/", {"make": "Suzuki"}, format="json").json()
    assert (body["transmission"], body["bed_type"], body["odometer"], body["odometer_unit"], body["colour"]) == (
        "", "", None, "km", "",
    )  # fmt: skip
    for bad in ({"transmission": "semi"}, {"bed_type": "tipper"}, {"odometer": -1}, {"odometer_unit": "ly"}):
        response = api_client.patch(f"/api/v1/garage/{body['id']}/", bad, format="json")
        assert response.status_code == 400 and next(iter(bad)) in response.json()["errors"]


def test_garage_api_other_member_cannot_change_equipment(api_client, other_user):
    truck = GarageTruckFactory(transmission="manual", odometer=1000, colour="Red")
    api_client.force_authenticate(other_user)
    response = api_client.patch(
        f"/api/v1/garage/{truck.pk}/", {"transmission": "cvt", "odometer": 1, "colour": "Blue"}, format="json"
    )
    assert response.status_code == 403
    truck.refresh_from_db()
    assert (truck.transmission, truck.odometer, truck.colour) == ("manual", 1000, "Red")
