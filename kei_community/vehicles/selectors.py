"""Reads for the catalog and the garage."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from kei_community.vehicles.models import ChassisCode, GarageTruck


def chassis_code_list(*, make: str = "", q: str = "") -> QuerySet[ChassisCode]:
    qs = ChassisCode.objects.all()
    if make:
        qs = qs.filter(make__iexact=make)
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(model__icontains=q) | Q(make__icontains=q) | Q(engine__icontains=q))
    return qs.order_by("make", "model", "years_from", "code")


def known_chassis_codes() -> set[str]:
    return set(ChassisCode.objects.values_list("code", flat=True))


def _photos() -> Prefetch:
    from kei_community.media.models import Photo

    return Prefetch("photos", queryset=Photo.objects.order_by("position", "id"))


def garage_trucks_for(*, owner: Any) -> QuerySet[GarageTruck]:
    return GarageTruck.objects.filter(owner=owner).select_related("chassis_code", "owner").prefetch_related(_photos())


def garage_truck_get(*, pk: int) -> GarageTruck | None:
    return GarageTruck.objects.select_related("owner", "chassis_code").prefetch_related(_photos()).filter(pk=pk).first()
