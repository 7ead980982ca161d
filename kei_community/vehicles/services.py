"""Writes for the catalog and the garage."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from kei_community.core import cache_tags
from kei_community.vehicles.frame import normalize_frame_number
from kei_community.vehicles.models import ChassisCode, GarageTruck

CATALOG_CSV = Path(__file__).resolve().parent / "data" / "kei_catalog.csv"

TRUCK_FIELDS = (
    "chassis_code", "make", "model", "frame_number", "year_built", "month_built",
    "transmission", "bed_type", "odometer", "odometer_unit", "colour",
    "nickname", "notes", "us_market", "registered_as",
)  # fmt: skip


def _int_or_none(value: str) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


def catalog_load(*, path: Path = CATALOG_CSV, stdout: Any = None) -> tuple[int, int]:
    """Load the kei catalog keyed on chassis code (idempotent). Returns (created, updated)."""
    created = updated = 0
    with open(path, newline="", encoding="utf-8") as fh, transaction.atomic():
        for row in csv.DictReader(fh):
            code = row["chassis_code"].strip().upper()
            if not code:
                continue
            drive = row["drive"].strip()
            values = {
                "make": row["make"].strip(),
                "model": row["model"].strip(),
                "body": row.get("body", "truck").strip() or "truck",
                "drive": drive if drive in {"2WD", "4WD"} else "both",
                "years_from": _int_or_none(row["years_from"]),
                "years_to": _int_or_none(row["years_to"]),
                "engine": row["engine"].strip(),
                "displacement_cc": _int_or_none(row["displacement_cc"]),
                "rebadge_of": row["rebadge_of"].strip(),
                "verified": row["verified"].strip().lower() == "yes",
                "source": row["source"].strip()[:300],
            }
            obj = ChassisCode.objects.filter(code=code).first()
            if obj is None:
                ChassisCode.objects.create(code=code, **values)
                created += 1
            else:
                # A moderator may have verified or corrected a row in the admin: never downgrade it.
                if obj.verified:
                    values.pop("verified")
                changed = [k for k, v in values.items() if getattr(obj, k) != v]
                if changed and not obj.verified:
                    for key in changed:
                        setattr(obj, key, values[key])
                    obj.save(update_fields=[*changed, "updated_at"])
                    updated += 1
    if stdout is not None:
        stdout.write(f"Kei catalog: {created} chassis codes created, {updated} updated.")
    return created, updated


def load_reference_data(stdout: Any) -> None:
    catalog_load(stdout=stdout)


def _apply_chassis_code(truck: GarageTruck) -> None:
    code = truck.chassis_code
    if code is not None:
        truck.make = truck.make or code.make
        truck.model = truck.model or code.model


def garage_truck_create(*, owner, **data: Any) -> GarageTruck:
    unknown = set(data) - set(TRUCK_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}")
    if not owner or not owner.is_authenticated:
        raise PermissionDenied("Sign in to add a truck to your garage.")
    truck = GarageTruck(owner=owner, **data)
    truck.frame_number = normalize_frame_number(truck.frame_number)
    _apply_chassis_code(truck)
    truck.full_clean()
    truck.save()
    return truck


def garage_truck_changed(model: Any, pk: int) -> None:
    """What other pages show of a truck changed (its name, its photos: registered with media.registry): fire its
    tag, now and on commit (a build thread's truck link and cover)."""
    cache_tags.invalidate(cache_tags.truck(pk))


def garage_truck_update(*, actor, truck: GarageTruck, **data: Any) -> GarageTruck:
    if actor is None or (actor.pk != truck.owner_id and not getattr(actor, "is_staff", False)):
        raise PermissionDenied("Only the owner can change this truck.")
    unknown = set(data) - set(TRUCK_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown fields: {', '.join(sorted(unknown))}")
    for key, value in data.items():
        setattr(truck, key, value)
    truck.frame_number = normalize_frame_number(truck.frame_number)
    _apply_chassis_code(truck)
    truck.full_clean()
    truck.save()
    garage_truck_changed(GarageTruck, truck.pk)
    return truck


def garage_truck_can_manage(actor: Any, truck: GarageTruck) -> bool:
    """Its owner today manages a truck (and its photos: registered with kei_community.media.registry).
    After garage_truck_transfer the old owner has no say, whoever took the photos."""
    return getattr(actor, "is_authenticated", False) and actor.pk == truck.owner_id


def garage_truck_delete(*, actor, truck: GarageTruck) -> None:
    if actor is None or actor.pk != truck.owner_id:
        raise PermissionDenied("Only the owner can delete this truck.")
    pk = truck.pk
    truck.delete()
    garage_truck_changed(GarageTruck, pk)


def garage_truck_transfer(*, actor, truck: GarageTruck, new_owner) -> GarageTruck:
    """Hand a truck (and so its history) to a new owner, e.g. when a listing is sold."""
    if actor is None or actor.pk != truck.owner_id:
        raise PermissionDenied("Only the owner can transfer this truck.")
    truck.owner = new_owner
    truck.save(update_fields=["owner", "updated_at"])
    return truck
