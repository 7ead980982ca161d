"""The one owner of a listing's field rules: which fields a seller writes, the number ranges (year, month,
odometer, price, sold price), the length of the frame number, what a listing needs before it is published and
the build year against the chassis code.

Everything else derives from here: the model's validators (`marketplace.models`), the listing and sold forms
(`marketplace.forms`, and through `ListingForm` the sell flow's step forms), the API's write serializer
(`marketplace.api.serializers.ListingWriteSerializer`) and the write services
(`marketplace.services.listings`). The field-rules tests in `tests/marketplace/test_services.py` fail if one
of them drifts.

This module imports no marketplace module, so the models can import it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone

from kei_community.vehicles.frame import normalize_frame_number

if TYPE_CHECKING:
    from kei_community.vehicles.models import ChassisCode

# The fields a seller writes (forms, the API, listing_create / listing_update); the rest is derived.
LISTING_FIELDS = (
    "title", "truck", "seller_type", "make", "model", "chassis_code", "frame_number", "show_full_frame_number",
    "year_built", "month_built", "us_market", "registered_as", "odometer", "odometer_unit", "transmission",
    "drive", "hi_lo", "diff_lock", "bed_type", "air_conditioning", "power_steering", "colour",
    "condition_notes", "title_status", "location_status", "zip_code", "price", "negotiable", "description",
)  # fmt: skip


def this_year() -> int:
    return timezone.now().year


@dataclass(frozen=True)
class NumberRange:
    """Whole numbers from `low` to `high` (a number, or a function for a bound that moves, such as this year).
    `too_low` / `too_high` may name {low} and {high}."""

    low: int
    high: int | Callable[[], int]
    too_low: str
    too_high: str

    @property
    def upper(self) -> int:
        return self.high() if callable(self.high) else self.high

    def error(self, value: Any) -> str:
        """ "" when `value` (None: not given) is within the range, else the message."""
        if value is None:
            return ""
        number, upper = int(value), self.upper
        if number < self.low:
            return self.too_low.format(low=self.low, high=upper)
        if number > upper:
            return self.too_high.format(low=self.low, high=upper)
        return ""

    def validators(self) -> list[Any]:
        """Django validators with these messages (the forms' and the serializer's fields; evaluated when built,
        so a moving bound is read per form or serializer)."""
        upper = self.upper
        return [
            MinValueValidator(self.low, message=self.too_low.format(low=self.low, high=upper)),
            MaxValueValidator(upper, message=self.too_high.format(low=self.low, high=upper)),
        ]


MAX_PRICE = 500_000
MAX_ODOMETER = 2_000_000
YEAR_BUILT_MIN = 1960
_YEARS = "Year built must be between {low} and {high}."
_MONTHS = "Month built must be between {low} and {high}."

NUMBER_RANGES: dict[str, NumberRange] = {
    "year_built": NumberRange(YEAR_BUILT_MIN, this_year, _YEARS, _YEARS),
    "month_built": NumberRange(1, 12, _MONTHS, _MONTHS),
    "odometer": NumberRange(
        0, MAX_ODOMETER, "The odometer cannot be negative.", "Odometer readings above {high:,} are not accepted."
    ),
    "price": NumberRange(
        1, MAX_PRICE, "Enter a price above $0.", "Prices above ${high:,} are not accepted for kei trucks."
    ),
    "sold_price": NumberRange(
        1, MAX_PRICE, "Enter the sold price in whole dollars above $0.", "Enter a sold price up to ${high:,}."
    ),
}


def model_validators(name: str) -> list[Any]:
    """The model field's validators for a range: its fixed bounds (a moving bound is checked by the services
    and the forms; a migration cannot hold it), and no lower bound of 0 (the positive field's own). Plain
    limits, so migrations do not change with the wording."""
    rule = NUMBER_RANGES[name]
    found: list[Any] = [MinValueValidator(rule.low)] if rule.low > 0 else []
    if not callable(rule.high):
        found.append(MaxValueValidator(rule.high))
    return found


def range_errors(values: dict[str, Any]) -> dict[str, list[str]]:
    """{field: [message]} for the values out of their range (fields without a range are ignored)."""
    return {
        name: [message]
        for name, value in values.items()
        if name in NUMBER_RANGES and (message := NUMBER_RANGES[name].error(value))
    }


def limit_field(field: Any, name: str) -> None:
    """Give a form field (django.forms.IntegerField) or a serializer field (rest_framework IntegerField) the
    range of `name`: min/max, the validators with the rule's messages and, on a form, the input's min/max."""
    rule = NUMBER_RANGES[name]
    field.min_value, field.max_value = rule.low, rule.upper
    field.validators = [
        v for v in field.validators if not isinstance(v, (MinValueValidator, MaxValueValidator))
    ] + rule.validators()
    widget = getattr(field, "widget", None)
    if widget is not None:
        widget.attrs.update({"min": rule.low, "max": rule.upper})


# The frame number: the Japanese `<chassis code>-<serial>` (kei_community.vehicles.frame), stored normalised
# (upper case, one dash; a 17-character VIN kept whole), at most FRAME_NUMBER_MAX_LENGTH characters. A VIN,
# an unexpected shape or an unknown chassis code only warns (marketplace.warnings), never blocks.
FRAME_NUMBER_MAX_LENGTH = 20


def clean_frame_number(value: str | None) -> str:
    return normalize_frame_number(value or "")


# What a listing needs before it goes live (drafts may lack them): {field: message}.
PUBLISH_REQUIRED = {
    "title": "Give the listing a title.",
    "make": "Enter the make.",
    "year_built": "Enter the year built.",
    "drive": "Choose the drive (2WD or 4WD).",
    "transmission": "Choose the transmission.",
    "price": "Enter the price.",
    "zip_code": "Enter the ZIP code where the truck is.",
}
# Of those, the ones a listing that is no longer a draft may never lose (listing_update), and which the
# listing form therefore always asks for.
KEEP_AFTER_PUBLISH = ("price", "zip_code")


CHASSIS_YEAR_SLACK = 1  # sources disagree on the first and last model year of a chassis code by about a year


def chassis_year_error(*, code: ChassisCode | None, year_built: Any) -> str:
    """The one rule for a listing's build year against its chassis code's production years (the catalog's
    years_from-years_to, give or take CHASSIS_YEAR_SLACK): "" when they agree, else the message. The write
    service refuses a write with it; the listing form shows it with its other errors and the API answers 400."""
    if code is None or not code.years_from or year_built in (None, ""):
        return ""
    year = int(year_built)
    last = code.years_to or this_year()
    if code.years_from - CHASSIS_YEAR_SLACK <= year <= last + CHASSIS_YEAR_SLACK:
        return ""
    return (
        f"The {code.make} {code.model} {code.code} was built {code.years_label}, so a truck built in {year} "
        f"cannot be a {code.code}. Check the year built and the chassis code."
    )
