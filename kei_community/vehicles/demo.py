"""Demo garage trucks for `manage.py seed_demo` (idempotent)."""

from __future__ import annotations

from typing import Any

from kei_community.users.models import User
from kei_community.vehicles.models import BedType, ChassisCode, GarageTruck, OdometerUnit, Transmission
from kei_community.vehicles.services import catalog_load, garage_truck_create, garage_truck_update

DEMO_TRUCKS = [
    ("farmer@demo.kei", "DA63T", "DA63T-112233", 2004, 6, "Old Blue"),
    ("builder@demo.kei", "HA4", "HA4-2104455", 1996, 3, "Rusty"),
    ("campus@demo.kei", "S510P", "S510P-0099887", 2016, 9, "Grounds #3"),
    ("importer@demo.kei", "DD51T", "DD51T-480011", 1998, 11, ""),
]

# What each demo truck's owner recorded of it (by frame number), so "Sell this truck" has it to prefill.
DEMO_EQUIPMENT: dict[str, dict[str, Any]] = {
    "DA63T-112233": {
        "transmission": Transmission.MANUAL, "bed_type": BedType.FLAT, "odometer": 48200,
        "odometer_unit": OdometerUnit.KM, "colour": "Blue",
    },
    "HA4-2104455": {
        "transmission": Transmission.MANUAL, "bed_type": BedType.DUMP, "odometer": 61300,
        "odometer_unit": OdometerUnit.KM, "colour": "White",
    },
    "S510P-0099887": {
        "transmission": Transmission.AUTOMATIC, "bed_type": BedType.FLAT, "odometer": 9800,
        "odometer_unit": OdometerUnit.MI, "colour": "Silver",
    },
    "DD51T-480011": {
        "transmission": Transmission.MANUAL, "bed_type": BedType.SCISSOR, "odometer": 37500,
        "odometer_unit": OdometerUnit.KM, "colour": "White",
    },
}  # fmt: skip


def seed_trucks(stdout: Any) -> None:
    if not ChassisCode.objects.exists():
        catalog_load()
    created = completed = 0
    for email, code, frame, year, month, nickname in DEMO_TRUCKS:
        owner = User.objects.filter(email=email).first()
        if owner is None:
            continue
        equipment = DEMO_EQUIPMENT.get(frame, {})
        existing = GarageTruck.objects.filter(frame_number=frame).first()
        if existing is not None:
            # A database seeded before trucks recorded their equipment gets it once (nothing the owner set is replaced).
            if existing.owner_id == owner.pk and not (existing.transmission or existing.bed_type or existing.colour):
                if existing.odometer is not None:
                    equipment = {k: v for k, v in equipment.items() if k not in ("odometer", "odometer_unit")}
                garage_truck_update(actor=owner, truck=existing, **equipment)
                completed += 1
            continue
        garage_truck_create(
            owner=owner,
            chassis_code=ChassisCode.objects.filter(code=code).first(),
            make="",
            frame_number=frame,
            year_built=year,
            month_built=month,
            nickname=nickname,
            notes="Demo truck.",
            **equipment,
        )
        created += 1
    stdout.write(f"Demo garage trucks: {created} created" + (f", {completed} completed." if completed else "."))
