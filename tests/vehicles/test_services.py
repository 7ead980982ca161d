from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kei_community.vehicles.eligibility import import_eligibility
from kei_community.vehicles.frame import frame_number_warnings, mask_frame_number, normalize_frame_number
from kei_community.vehicles.models import ChassisCode
from kei_community.vehicles.services import catalog_load, garage_truck_create, garage_truck_update
from tests.factories import GarageTruckFactory

pytestmark = pytest.mark.django_db


def test_catalog_load_is_idempotent_and_keyed_on_code():
    created, _ = catalog_load()
    assert created == ChassisCode.objects.count() >= 50
    created_again, updated_again = catalog_load()
    assert (created_again, updated_again) == (0, 0)
    carry = ChassisCode.objects.get(code="DA63T")
    assert (carry.make, carry.model, carry.years_from, carry.years_to, carry.verified) == (
        "Suzuki",
        "Carry",
        2002,
        2013,
        True,
    )
    assert ChassisCode.objects.get(code="DA16T").years_to is None


def test_catalog_load_marks_unverified_rows_and_keeps_moderator_verification():
    catalog_load()
    row = ChassisCode.objects.get(code="DA41T")
    assert row.verified is False
    row.verified = True
    row.engine = "F6A corrected"
    row.save()
    catalog_load()
    row.refresh_from_db()
    assert row.verified is True and row.engine == "F6A corrected"


def test_reference_data_command_loads_catalog(capsys):
    from django.core.management import call_command

    call_command("load_reference_data")
    assert ChassisCode.objects.filter(code="S510P").exists()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("da63t-123456", "DA63T-123456"), (" DA63T 123456 ", "DA63T-123456"), ("DA63T—123456", "DA63T-123456"),
     ("da63t123456", "DA63T-123456"), ("HA4_2104455", "HA4-2104455"), ("", "")],
)  # fmt: skip
def test_frame_number_is_normalised(raw, expected):
    assert normalize_frame_number(raw) == expected


def test_frame_number_warnings_are_loose():
    assert frame_number_warnings("DA63T-123456", known_codes={"DA63T"}) == []
    warnings = frame_number_warnings("ZZ99T-123456", known_codes={"DA63T"})
    assert len(warnings) == 1 and "not a chassis code in our catalog" in warnings[0]
    assert frame_number_warnings("JS3TD62V1Y4100000", known_codes={"DA63T"})  # a VIN: warned, not blocked


def test_frame_number_mask_keeps_code_and_last_two():
    assert mask_frame_number("DA63T-123456") == "DA63T-****56"


def test_garage_truck_create_fills_from_chassis_code_and_normalises(user, catalog):
    truck = garage_truck_create(
        owner=user,
        chassis_code=ChassisCode.objects.get(code="HA4"),
        make="",
        frame_number="ha4 2104455",
        year_built=1996,
    )
    assert (truck.make, truck.model, truck.frame_number) == ("Honda", "Acty", "HA4-2104455")
    assert truck.get_absolute_url() == f"/garage/{truck.pk}/"


def test_garage_truck_create_with_unknown_frame_prefix_is_not_blocked(user):
    truck = garage_truck_create(owner=user, make="Polaris", model="Ranger EV", frame_number="XYZ-12", us_market=True)
    assert truck.pk and truck.chassis_code is None


def test_garage_truck_rejects_bad_month(user):
    with pytest.raises(ValidationError) as exc:
        garage_truck_create(owner=user, make="Suzuki", year_built=1995, month_built=13)
    assert "month_built" in exc.value.message_dict


def test_garage_truck_update_by_other_member_is_denied(other_user):
    truck = GarageTruckFactory()
    with pytest.raises(PermissionDenied):
        garage_truck_update(actor=other_user, truck=truck, nickname="mine now")


# --- eligibility: 25 years from the month of manufacture (NHTSA), 21 calendar years (EPA) ---------


def test_eligible_from_first_day_of_the_month_25_years_on():
    e = import_eligibility(year_built=2001, month_built=3, today=date(2026, 3, 1))
    assert e.nhtsa_eligible is True and e.nhtsa_date == date(2026, 3, 1)


def test_not_eligible_the_last_day_of_the_previous_month():
    e = import_eligibility(year_built=2001, month_built=3, today=date(2026, 2, 28))
    assert e.nhtsa_eligible is False and e.days_until == 1
    assert "March 2026" in e.summary


def test_later_month_same_year_is_not_yet_eligible():
    e = import_eligibility(year_built=2001, month_built=11, today=date(2026, 6, 15))
    assert e.nhtsa_eligible is False and e.nhtsa_date == date(2026, 11, 1)


def test_unknown_month_assumes_december():
    e = import_eligibility(year_built=2001, month_built=None, today=date(2026, 11, 30))
    assert e.nhtsa_eligible is False and e.nhtsa_date == date(2026, 12, 1)
    assert "December assumed" in e.summary


def test_epa_counts_calendar_years():
    e = import_eligibility(year_built=2005, month_built=12, today=date(2026, 1, 2))
    assert e.epa_eligible is True and e.epa_year == 2026 and e.nhtsa_eligible is False


def test_us_market_trucks_are_not_subject_to_the_import_rule():
    e = import_eligibility(year_built=2024, month_built=1, us_market=True)
    assert e.applies is False and e.nhtsa_eligible is None
