"""What a seller is warned about while listing a truck: shown on the listing form, the photos page (before
publishing) and after an edit, never blocking a save. The rules are kei_community.vehicles' (the 25-year
import rule, the garage's frame-number checks); the blocking rules are in marketplace.listing_fields."""

from __future__ import annotations

from typing import Any

from kei_community.vehicles.eligibility import import_warning
from kei_community.vehicles.frame import frame_number_warnings
from kei_community.vehicles.selectors import known_chassis_codes
from marketplace.models import IN_US_LOCATIONS, Listing


def seller_warnings(
    *, year_built: int | None, month_built: int | None, us_market: bool, location_status: str, frame_number: str
) -> list[str]:
    """The import warning (a truck too new for the 25-year rule said to be in the US) and the garage form's
    frame-number warnings (a 17-character VIN, an unexpected shape, a chassis code not in the catalog)."""
    found = []
    in_us = (location_status or Listing.LocationStatus.US) in IN_US_LOCATIONS  # the form's empty value: "us"
    if text := import_warning(year_built=year_built, month_built=month_built, us_market=us_market, in_us=in_us):
        found.append(text)
    if frame_number:
        found.extend(frame_number_warnings(frame_number, known_codes=known_chassis_codes()))
    return found


def listing_seller_warnings(listing: Listing) -> list[str]:
    return seller_warnings(
        year_built=listing.year_built,
        month_built=listing.month_built,
        us_market=listing.us_market,
        location_status=listing.location_status,
        frame_number=listing.frame_number,
    )


def form_seller_warnings(data: dict[str, Any], instance: Listing | None = None) -> list[str]:
    """From a listing form's cleaned data: a garage truck fills what the form leaves empty, as the service does,
    and a field the form does not have (a step of the sell flow) keeps the listing's value."""

    def value(name: str) -> Any:
        return data[name] if name in data else getattr(instance, name, None)

    truck = value("truck")
    return seller_warnings(
        year_built=value("year_built") or getattr(truck, "year_built", None),
        month_built=value("month_built") or getattr(truck, "month_built", None),
        us_market=bool(value("us_market")),
        location_status=value("location_status") or "",
        frame_number=value("frame_number") or getattr(truck, "frame_number", "") or "",
    )
