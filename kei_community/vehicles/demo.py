"""Demo garage trucks for `manage.py seed_demo` (idempotent)."""

from __future__ import annotations

from typing import Any

from kei_community.users.models import User
from kei_community.vehicles.models import ChassisCode, GarageTruck
from kei_community.vehicles.services import catalog_load, garage_truck_create

DEMO_TRUCKS = [
    ("farmer@demo.kei", "DA63T", "DA63T-112233", 2004, 6, "Old Blue"),
    ("builder@demo.kei", "HA4", "HA4-2104455", 1996, 3, "Rusty"),
    ("campus@demo.kei", "S510P", "S510P-0099887", 2016, 9, "Grounds #3"),
    ("importer@demo.kei", "DD51T", "DD51T-480011", 1998, 11, ""),
]


def seed_trucks(stdout: Any) -> None:
    if not ChassisCode.objects.exists():
        catalog_load()
    created = 0
    for email, code, frame, year, month, nickname in DEMO_TRUCKS:
        owner = User.objects.filter(email=email).first()
        if owner is None or GarageTruck.objects.filter(frame_number=frame).exists():
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
        )
        created += 1
    stdout.write(f"Demo garage trucks: {created} created.")
