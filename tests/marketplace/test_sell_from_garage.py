"""'Sell this truck' from the garage (issue 12): every step offers what the garage truck knows, and the place
step the ZIP of the member's profile (city and state follow from it)."""

from __future__ import annotations

import pytest

from marketplace.models import Listing
from tests.factories import ChassisCodeFactory, GarageTruckFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def truck(user):
    user.zip_code = "97201"  # Portland, OR
    user.home_state = "OR"
    user.save()
    code = ChassisCodeFactory(code="DA52T", drive="4WD", years_from=1999, years_to=2002)
    return GarageTruckFactory(
        owner=user,
        chassis_code=code,
        year_built=2001,
        month_built=3,
        transmission="automatic",
        bed_type="dump",
        odometer=31000,
        odometer_unit="mi",
        colour="Silver",
    )


def _truck_step_post(initial: dict) -> dict:
    """What the browser sends back from the first step when the seller keeps every prefilled value."""
    data = {k: ("on" if v is True else v) for k, v in initial.items() if v not in (None, "", False)}
    data["nav"] = "next"
    return data


def test_the_garage_truck_page_links_to_the_sell_flow_with_the_truck(client, user, truck):
    client.force_login(user)
    assert f'href="/listings/new/?truck={truck.pk}"' in client.get(truck.get_absolute_url()).content.decode()


def test_sell_this_truck_prefills_the_truck_step_with_transmission_and_bed(client, user, truck):
    client.force_login(user)
    form = client.get(f"/listings/new/?truck={truck.pk}").context["form"]
    assert form["transmission"].value() == "automatic"
    assert form["bed_type"].value() == "dump"
    assert form["drive"].value() == "4WD"  # from the chassis code
    assert (form["make"].value(), form["model"].value(), form["frame_number"].value()) == (
        "Suzuki",
        "Carry",
        truck.frame_number,
    )


def test_sell_this_truck_prefills_odometer_colour_and_the_profile_zip_through_to_the_listing(client, user, truck):
    client.force_login(user)
    initial = client.get(f"/listings/new/?truck={truck.pk}").context["form"].initial
    response = client.post("/listings/new/", _truck_step_post(initial))
    listing = Listing.objects.get(seller=user)
    assert response.status_code == 302 and listing.truck == truck
    assert (listing.transmission, listing.bed_type, listing.drive) == ("automatic", "dump", "4WD")

    condition = client.get(f"/listings/{listing.pk}/sell/condition/").context["form"]
    assert condition["odometer"].value() == 31000
    assert condition["odometer_unit"].value() == "mi"
    assert condition["colour"].value() == "Silver"
    client.post(
        f"/listings/{listing.pk}/sell/condition/",
        {"odometer": "31000", "odometer_unit": "mi", "colour": "Silver", "title_status": "clean", "nav": "next"},
    )

    response = client.get(f"/listings/{listing.pk}/sell/place/")
    assert response.context["form"]["zip_code"].value() == "97201"
    assert "From your profile" in response.content.decode()
    client.post(f"/listings/{listing.pk}/sell/place/", {"price": "6500", "zip_code": "97201", "nav": "next"})
    listing.refresh_from_db()
    assert (listing.odometer, listing.odometer_unit, listing.colour) == (31000, "mi", "Silver")
    assert (listing.zip_code, listing.city, listing.state) == ("97201", "Portland", "OR")


def test_the_condition_step_keeps_what_the_seller_already_entered(client, user, truck):
    listing = Listing.objects.create(
        seller=user, truck=truck, title="x", make="Suzuki", year_built=2001, odometer=40000, colour="Red"
    )
    client.force_login(user)
    form = client.get(f"/listings/{listing.pk}/sell/condition/").context["form"]
    assert (form["odometer"].value(), form["odometer_unit"].value(), form["colour"].value()) == (40000, "km", "Red")


def test_a_truck_without_equipment_prefills_the_listings_defaults(client, user):
    bare = GarageTruckFactory(owner=user)
    client.force_login(user)
    form = client.get(f"/listings/new/?truck={bare.pk}").context["form"]
    assert form["transmission"].value() == ""
    assert form["bed_type"].value() == Listing.BedType.FLAT


def test_the_garage_choices_store_the_listings_values():
    from django.core.validators import MaxValueValidator as MaxValue

    from kei_community.vehicles import models as vehicles

    assert vehicles.Transmission.choices == Listing.Transmission.choices
    assert vehicles.BedType.choices == Listing.BedType.choices
    assert vehicles.OdometerUnit.choices == Listing.OdometerUnit.choices

    def highest(model):  # type: ignore[no-untyped-def]
        return min(v.limit_value for v in model._meta.get_field("odometer").validators if isinstance(v, MaxValue))

    assert highest(vehicles.GarageTruck) == highest(Listing)  # every garage reading fits a listing
    assert vehicles.GarageTruck._meta.get_field("colour").max_length == Listing._meta.get_field("colour").max_length
