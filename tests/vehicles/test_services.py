from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kei_community.vehicles.eligibility import (
    TOO_NEW_WARNING,
    eligible_in_words,
    import_eligibility,
    import_warning,
    too_new_for_the_us,
)
from kei_community.vehicles.frame import (
    VIN_WARNING,
    frame_number_warnings,
    looks_like_vin,
    mask_frame_number,
    normalize_frame_number,
)
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


# --- the countdown in years and months, never days; the too-new warning; a VIN typed as a frame number ---


@pytest.mark.parametrize(
    ("when", "today", "words"),
    [
        (date(2043, 4, 1), date(2041, 12, 5), "in 1 year 4 months — April 2043"),
        (date(2043, 4, 1), date(2042, 4, 30), "in 1 year — April 2043"),
        (date(2027, 3, 1), date(2026, 12, 5), "in 3 months — March 2027"),
        (date(2026, 3, 1), date(2026, 2, 28), "next month — March 2026"),
        (date(2028, 2, 1), date(2026, 1, 1), "in 2 years 1 month — February 2028"),
        (date(2026, 3, 1), date(2026, 3, 1), "now"),
    ],
)
def test_eligible_in_words_counts_years_and_months(when, today, words):
    assert eligible_in_words(when, today=today) == words


def test_summary_of_a_young_truck_gives_years_and_months_not_days():
    e = import_eligibility(year_built=2018, month_built=4, today=date(2026, 12, 5))
    assert e.summary == "Import-eligible in 16 years 4 months — April 2043."
    assert e.eligible_in == "in 16 years 4 months — April 2043" and "days" not in e.summary
    assert e.as_dict()["eligible_in"] == "in 16 years 4 months — April 2043"


def test_eligible_in_filter_uses_the_same_words():
    from django.template import Context, Template

    when = date(date.today().year + 2, 1, 1)
    html = Template("{% load eligibility %}{{ when|eligible_in }}|{{ nothing|eligible_in }}").render(
        Context({"when": when, "nothing": None})
    )
    assert html == f"{eligible_in_words(when)}|"


def test_a_truck_too_new_said_to_be_in_the_us_is_warned():
    kwargs = {"year_built": 2010, "month_built": 5, "us_market": False, "today": date(2026, 12, 5)}
    assert import_warning(in_us=True, **kwargs) == TOO_NEW_WARNING
    assert TOO_NEW_WARNING.startswith("Too new to have been imported legally under the 25-year rule")
    assert import_warning(in_us=False, **kwargs) == ""  # still in Japan: not an illegal import


def test_the_warning_counts_25_years_from_the_build_month():
    june_2001 = {"year_built": 2001, "month_built": 6, "us_market": False, "in_us": True}
    assert too_new_for_the_us(today=date(2026, 5, 31), **june_2001) is True
    assert too_new_for_the_us(today=date(2026, 6, 1), **june_2001) is False


def test_the_warning_assumes_december_without_a_month_and_spares_us_market_trucks():
    assert too_new_for_the_us(year_built=2001, month_built=None, us_market=False, in_us=True, today=date(2026, 11, 30))
    assert not too_new_for_the_us(year_built=2024, month_built=1, us_market=True, in_us=True, today=date(2026, 1, 1))
    assert not too_new_for_the_us(year_built=None, month_built=None, us_market=False, in_us=True)


def test_a_17_character_vin_gets_the_vin_warning_and_is_kept_whole():
    assert frame_number_warnings("JS3TD62V1Y4100000", known_codes={"DA63T"}) == [VIN_WARNING]
    assert frame_number_warnings("jhmfa16586s-012345", known_codes={"DA63T"}) == [VIN_WARNING]
    assert normalize_frame_number("jhmfa16586s012345") == "JHMFA16586S012345"  # not split like a frame number
    assert normalize_frame_number("da63t123456") == "DA63T-123456"
    assert not looks_like_vin("DA63T-123456") and not looks_like_vin("IOQ4567890123456X")


# --- the truck's equipment, odometer and colour (issue 12: "Sell this truck" prefills them) ---------


def test_garage_truck_keeps_transmission_bed_odometer_and_colour(user):
    truck = garage_truck_create(
        owner=user, make="Suzuki", transmission="cvt", bed_type="scissor", odometer=88000, odometer_unit="mi",
        colour="White",
    )  # fmt: skip
    truck.refresh_from_db()
    assert (truck.transmission, truck.bed_type, truck.odometer, truck.odometer_unit, truck.colour) == (
        "cvt", "scissor", 88000, "mi", "White",
    )  # fmt: skip


def test_garage_truck_equipment_is_optional_and_the_odometer_reads_in_km_by_default(user):
    truck = garage_truck_create(owner=user, make="Suzuki")
    assert (truck.transmission, truck.bed_type, truck.odometer, truck.odometer_unit, truck.colour) == (
        "", "", None, "km", "",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("transmission", "semi-auto"),
        ("bed_type", "tipper"),
        ("odometer_unit", "furlong"),
        ("odometer", 2_000_001),
        ("colour", "x" * 41),
    ],
)
def test_garage_truck_refuses_values_the_listing_would_not_take(user, field, value):
    with pytest.raises(ValidationError) as exc:
        garage_truck_create(owner=user, make="Suzuki", **{field: value})
    assert field in exc.value.message_dict


def test_garage_truck_equipment_cannot_be_changed_by_another_member(other_user):
    truck = GarageTruckFactory(transmission="manual", odometer=1000, colour="Red")
    with pytest.raises(PermissionDenied):
        garage_truck_update(actor=other_user, truck=truck, transmission="automatic", odometer=5, colour="Blue")
    truck.refresh_from_db()
    assert (truck.transmission, truck.odometer, truck.colour) == ("manual", 1000, "Red")


def test_garage_truck_equipment_is_changed_by_its_owner():
    truck = GarageTruckFactory(transmission="manual", bed_type="flat")
    garage_truck_update(actor=truck.owner, truck=truck, bed_type="dump", odometer=120, odometer_unit="mi")
    truck.refresh_from_db()
    assert (truck.transmission, truck.bed_type, truck.odometer, truck.odometer_unit) == ("manual", "dump", 120, "mi")


def test_demo_trucks_record_their_equipment_and_older_demo_trucks_get_it_once(catalog):
    import io

    from kei_community.vehicles.demo import seed_trucks
    from kei_community.vehicles.models import GarageTruck
    from tests.factories import UserFactory

    farmer, builder = UserFactory(email="farmer@demo.kei"), UserFactory(email="builder@demo.kei")
    older = garage_truck_create(owner=builder, make="Honda", frame_number="HA4-2104455", odometer=70000)
    seed_trucks(io.StringIO())
    blue = GarageTruck.objects.get(owner=farmer)
    assert (blue.transmission, blue.bed_type, blue.odometer, blue.colour) == ("manual", "flat", 48200, "Blue")
    older.refresh_from_db()
    assert (older.bed_type, older.colour, older.odometer) == ("dump", "White", 70000)  # the owner's reading stays
    out = io.StringIO()
    seed_trucks(out)
    assert GarageTruck.objects.count() == 2 and "0 created." in out.getvalue()
