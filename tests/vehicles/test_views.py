import pytest

from kei_community.core import registry
from tests.factories import GarageTruckFactory

pytestmark = pytest.mark.django_db


def test_garage_truck_page_shows_hook_results_and_masks_frame(client):
    truck = GarageTruckFactory(frame_number="DA63T-123456", nickname="Blue")

    def threads(t):
        return [{"title": f"Build of {t.nickname}", "url": "/forum/t/1/", "subtitle": "3 posts"}]

    registry.register("truck_threads", threads)
    try:
        response = client.get(f"/garage/{truck.pk}/")
    finally:
        registry._hooks["truck_threads"] = [h for h in registry._hooks["truck_threads"] if h[1] is not threads]
    body = response.content.decode()
    assert response.status_code == 200
    assert "Build of Blue" in body
    assert "DA63T-****56" in body and "DA63T-123456" not in body


def test_owner_sees_full_frame_number(client):
    truck = GarageTruckFactory(frame_number="DA63T-123456")
    client.force_login(truck.owner)
    assert "DA63T-123456" in client.get(f"/garage/{truck.pk}/").content.decode()


def test_add_truck_through_the_form(client, user, catalog):
    from kei_community.vehicles.models import ChassisCode, GarageTruck

    client.force_login(user)
    code = ChassisCode.objects.get(code="DA63T")
    response = client.post(
        "/garage/new/",
        {
            "chassis_code": code.pk,
            "make": "",
            "model": "",
            "frame_number": "ZZ1-99",
            "year_built": 2004,
            "month_built": 5,
        },
    )
    truck = GarageTruck.objects.get(owner=user)
    assert response.status_code == 302 and response.url == truck.get_absolute_url()
    assert truck.make == "Suzuki"


def test_other_member_cannot_edit_or_delete_a_truck(client, other_user):
    truck = GarageTruckFactory()
    client.force_login(other_user)
    assert client.get(f"/garage/{truck.pk}/edit/").status_code == 404
    assert client.post(f"/garage/{truck.pk}/delete/").status_code == 404


def test_catalog_page_marks_unverified_rows(client, catalog):
    body = client.get("/garage/catalog/?make=suzuki").content.decode()
    assert "DA63T" in body and "unverified" in body and "HA4" not in body


def test_garage_list_query_count_is_constant(client, user, django_assert_max_num_queries):
    client.force_login(user)
    for _ in range(3):
        GarageTruckFactory(owner=user)
    with django_assert_max_num_queries(8):
        assert client.get("/garage/").status_code == 200
    for _ in range(20):
        GarageTruckFactory(owner=user)
    with django_assert_max_num_queries(8):
        assert client.get("/garage/").status_code == 200
