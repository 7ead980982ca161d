"""Forms of the step-by-step sell flow (marketplace.sell): one ListingForm per step, cut down to that step's
fields, so every rule of the listing form (and of the write service behind it) applies unchanged."""

from __future__ import annotations

from typing import Any

from kei_community.core.us import zip_lookup
from kei_community.vehicles.models import GarageTruck
from marketplace.forms import ListingForm
from marketplace.models import Listing

# (slug, heading); photos and review have no listing fields of their own.
STEPS: tuple[tuple[str, str], ...] = (
    ("truck", "The truck"),
    ("condition", "Condition"),
    ("photos", "Photos"),
    ("place", "Price and place"),
    ("review", "Review"),
)
STEP_SLUGS = tuple(slug for slug, _ in STEPS)

STEP_FIELDS: dict[str, tuple[str, ...]] = {
    "truck": (
        "truck", "chassis_code", "make", "model", "year_built", "month_built", "us_market", "drive",
        "transmission", "bed_type", "hi_lo", "diff_lock", "frame_number", "show_full_frame_number",
    ),
    "condition": (
        "odometer", "odometer_unit", "colour", "air_conditioning", "power_steering", "title_status",
        "registered_as", "condition_notes", "description",
    ),
    "place": ("price", "negotiable", "location_status", "zip_code", "title", "seller_type"),
}  # fmt: skip
# Fields asked for on the truck step although the service only insists on them when publishing.
STEP_REQUIRED: dict[str, tuple[str, ...]] = {"truck": ("drive", "transmission"), "place": ("price", "zip_code")}


def step_of_field(name: str) -> str:
    """The step where a field is filled in (photos for "photos"); review for anything else."""
    if name == "photos":
        return "photos"
    return next((step for step, fields in STEP_FIELDS.items() if name in fields), "review")


class SellStepForm(ListingForm):
    """ListingForm limited to one step's fields (its clean() and the service's rules apply unchanged)."""

    def __init__(self, *args: Any, step: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.step = step
        keep = STEP_FIELDS[step]
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        for name in STEP_REQUIRED.get(step, ()):
            self.fields[name].required = True
        if "truck" in self.fields:
            self.fields["truck"].help_text = "Choosing a truck from your garage fills what it knows."
        if "zip_code" in self.fields and self.initial.get("zip_code") and not self.instance.zip_code:
            self.fields[
                "zip_code"
            ].help_text = (
                "From your profile; city and state are filled in from the ZIP. Change it if the truck is elsewhere."
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        # The ZIP is checked by the write service too; asked here as well so that it comes with the step's
        # other errors at once, not in a second round.
        zip_code = data.get("zip_code")
        if zip_code and "zip_code" not in self.errors and zip_lookup(zip_code) is None:
            self.add_error("zip_code", f"“{zip_code}” is not a US ZIP code we know.")
        return data


def initial_from_truck(*, user: Any, truck_id: int | None) -> dict[str, Any]:
    """What a garage truck of `user` knows, as the first step's initial values ({} for someone else's)."""
    if truck_id is None:
        return {}
    truck = GarageTruck.objects.select_related("chassis_code").filter(pk=truck_id, owner=user).first()
    if truck is None:
        return {}
    initial: dict[str, Any] = {
        "truck": truck.pk,
        "chassis_code": truck.chassis_code_id,
        "make": truck.make,
        "model": truck.model,
        "year_built": truck.year_built,
        "month_built": truck.month_built,
        "frame_number": truck.frame_number,
        "us_market": truck.us_market,
    }
    code = truck.chassis_code
    if code is not None and code.drive in (Listing.Drive.TWO, Listing.Drive.FOUR):
        initial["drive"] = code.drive
    # The listing's choices are the garage's (kei_community.vehicles.models): copied as they are.
    initial["transmission"] = truck.transmission
    initial["bed_type"] = truck.bed_type
    return {k: v for k, v in initial.items() if v not in (None, "")}


def _condition_from_truck(listing: Listing) -> dict[str, Any]:
    """The condition step's values the draft's garage truck knows and the draft does not have yet."""
    truck = listing.truck
    if truck is None:
        return {}
    initial: dict[str, Any] = {}
    if not listing.registered_as and truck.registered_as:
        initial["registered_as"] = truck.registered_as
    if listing.odometer is None and truck.odometer is not None:
        initial["odometer"] = truck.odometer
        initial["odometer_unit"] = truck.odometer_unit
    if not listing.colour and truck.colour:
        initial["colour"] = truck.colour
    return initial


def initial_for_step(*, step: str, listing: Listing, user: Any) -> dict[str, Any]:
    """Values a later step can offer for what the draft does not have yet (the garage truck, the profile)."""
    initial: dict[str, Any] = {}
    if step == "condition":
        initial.update(_condition_from_truck(listing))
    profile_zip: str = getattr(user, "zip_code", "") or ""
    if step == "place" and not listing.zip_code and profile_zip:
        initial["zip_code"] = profile_zip
    return initial
