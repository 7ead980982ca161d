"""Search parameters shared by the page and the API: the values users see, clear errors for bad ones."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from kei_community.core.ids import MAX_ID, parse_int
from kei_community.core.us import US_STATES, zip_lookup
from marketplace.models import Listing

NEWEST_ORDER: tuple[str, ...] = ("-published_at", "-id")
# SQL order per `ordering` value; "distance" is sorted in Python after the exact distance is known.
ORDERINGS: dict[str, tuple[str, ...] | None] = {
    "newest": NEWEST_ORDER,
    "price": ("price", "-id"),
    "-price": ("-price", "-id"),
    "year": ("year_built", "-id"),
    "-year": ("-year_built", "-id"),
    "mileage": ("odometer_km", "-id"),
    "distance": None,
}
ORDERING_LABELS = {
    "newest": "Newest", "price": "Price: low to high", "-price": "Price: high to low",
    "year": "Year: oldest first", "-year": "Year: newest first", "mileage": "Mileage: lowest", "distance": "Distance",
}  # fmt: skip
CHOICE_FILTERS = {
    "drive": Listing.Drive,
    "transmission": Listing.Transmission,
    "bed_type": Listing.BedType,
    "title_status": Listing.TitleStatus,
    "location_status": Listing.LocationStatus,
    "seller_type": Listing.SellerType,
}
INT_FILTERS = ("year_min", "year_max", "price_min", "price_max", "odometer_max", "radius")
TEXT_FILTERS = ("q", "make", "model", "chassis_code")
BOOL_FILTERS = ("import_eligible",)
TRUE_VALUES, FALSE_VALUES = ("true", "1", "yes", "on"), ("false", "0", "no", "off")
ALL_PARAMS = (
    *TEXT_FILTERS, *INT_FILTERS, *CHOICE_FILTERS, *BOOL_FILTERS, "state", "zip", "registrable_in", "ordering", "page"
)  # fmt: skip
MAX_RADIUS = 3000


def _choice(enum: Any, raw: str) -> str | None:
    raw = raw.strip()
    for value, label in enum.choices:
        if raw.lower() in (str(value).lower(), str(label).lower()):
            return value
    return None


def parse_search_params(query: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """QueryDict -> (clean params, errors by param). Empty values are ignored."""
    params: dict[str, Any] = {}
    errors: dict[str, str] = {}
    get = (lambda k: (query.get(k) or "").strip()) if hasattr(query, "get") else (lambda k: "")
    for key in TEXT_FILTERS:
        if value := get(key)[:100]:
            params[key] = value
    this_year = timezone.now().year
    for key in INT_FILTERS:
        raw = get(key).replace(",", "").replace("$", "")
        if not raw:
            continue
        number = parse_int(raw)
        if number is None:
            errors[key] = f"“{raw[:40]}” is not a whole number."
            continue
        if number > MAX_ID:
            errors[key] = "That number is too large."
            continue
        params[key] = number
    for key in ("year_min", "year_max"):
        if key in params and not 1960 <= params[key] <= this_year:
            errors[key] = f"Years run from 1960 to {this_year}."
            params.pop(key)
    if "radius" in params and not 1 <= params["radius"] <= MAX_RADIUS:
        errors["radius"] = f"Radius must be between 1 and {MAX_RADIUS} miles."
        params.pop("radius")
    for key, enum in CHOICE_FILTERS.items():
        if raw := get(key):
            value = _choice(enum, raw)
            if value is None:
                allowed = ", ".join(str(label) for _, label in enum.choices)
                errors[key] = f"Unknown value “{raw}”. Use one of: {allowed}."
            else:
                params[key] = value
    for key in BOOL_FILTERS:
        if raw := get(key).lower():
            if raw in TRUE_VALUES or raw in FALSE_VALUES:
                params[key] = raw in TRUE_VALUES
            else:
                errors[key] = f"“{raw[:40]}” is not true or false."
    for key in ("state", "registrable_in"):
        if raw := get(key).upper():
            if raw in US_STATES:
                params[key] = raw
            else:
                errors[key] = f"“{raw}” is not a US state code (use two letters, e.g. OR)."
    if raw := get("zip"):
        place = zip_lookup(raw)
        if place is None:
            errors["zip"] = f"“{raw}” is not a US ZIP code we know."
        else:
            params["zip"] = place["zip"]
            params["origin"] = place
    if "radius" in params and "zip" not in params and "zip" not in errors:
        errors["radius"] = "Enter a ZIP code to search within a radius."
    if "zip" in params and "radius" not in params:
        params["radius"] = 100 if "radius" not in errors else None
        if params["radius"] is None:
            params.pop("radius")
    if raw := get("ordering"):
        if raw not in ORDERINGS:
            errors["ordering"] = f"Unknown sort “{raw}”. Use one of: {', '.join(ORDERINGS)}."
        elif raw == "distance" and "zip" not in params:
            errors["ordering"] = "Enter a ZIP code to sort by distance."
        else:
            params["ordering"] = raw
    if raw := get("page"):
        params["page"] = parse_int(raw, minimum=1) or 1
    return params, errors
