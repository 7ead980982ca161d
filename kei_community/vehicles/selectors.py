"""Reads for the catalog and the garage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from kei_community.core.registry import call_hooks
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


# --- a truck's history (build threads and listings from other apps, through hooks) ------------------


@dataclass(frozen=True)
class HistoryEvent:
    """One entry of a truck's history timeline."""

    kind: str  # "thread", "listed", "sold", or the kind another hook gives
    label: str  # "Build thread started", "Listed for sale", "Sold"
    title: str
    url: str
    date: datetime | None  # None for hook items without a date (listed last)
    actor: str = ""
    actor_url: str = ""
    detail: str = ""  # "3 replies", "asking $8,500", "for $7,900"
    badge: str = ""  # "SOLD", "Sale pending"

    @property
    def iso(self) -> str:
        return timezone.localtime(self.date).isoformat(timespec="seconds") if self.date else ""


@dataclass(frozen=True)
class TruckHistory:
    events: list[HistoryEvent]  # oldest first
    for_sale: list[dict]  # listing items still open (active, sale pending, or a card without a status)
    listings: list[dict]  # raw "truck_listings" items
    threads: list[dict]  # raw "truck_threads" items


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return timezone.make_aware(value) if timezone.is_naive(value) else value
    if isinstance(value, date):
        return timezone.make_aware(datetime.combine(value, time.min))
    return None


def _events_for(item: dict) -> list[HistoryEvent]:
    kind = str(item.get("kind") or "")
    common = {
        "title": str(item.get("title") or ""),
        "url": str(item.get("url") or ""),
        "actor": str(item.get("author") or ""),
        "actor_url": str(item.get("author_url") or ""),
    }
    when = _as_datetime(item.get("date"))
    if kind == "thread":
        replies = item.get("replies")
        detail = "" if replies is None else ("1 reply" if replies == 1 else f"{int(replies)} replies")
        return [HistoryEvent(kind="thread", label="Build thread started", date=when, detail=detail, **common)]
    if kind == "listing":
        price = item.get("price")
        sold_at = _as_datetime(item.get("sold_at")) if item.get("sold") else None
        badge = ""
        if item.get("sold") and sold_at is None:  # sold, but no date recorded: mark the listing itself
            badge = "SOLD"
        elif item.get("status") == "pending":
            badge = "Sale pending"
        events = [
            HistoryEvent(
                kind="listed",
                label="Listed for sale",
                date=when,
                detail=f"asking ${int(price):,}" if price else "",
                badge=badge,
                **common,
            )
        ]
        if sold_at is not None:
            sold_price = item.get("sold_price")
            events.append(
                HistoryEvent(
                    kind="sold",
                    label="Sold",
                    date=sold_at,
                    detail=f"for ${int(sold_price):,}" if sold_price else "",
                    badge="SOLD",
                    **common,
                )
            )
        return events
    return [HistoryEvent(kind=kind, label="", date=when, detail=str(item.get("subtitle") or ""), **common)]


def truck_history(*, truck: GarageTruck) -> TruckHistory:
    """The truck's build threads and listings (hooks "truck_threads" and "truck_listings") as one timeline,
    oldest first. Each hook runs once, so the query count does not grow with the number of items;
    visibility (hidden threads, drafts, held listings) is the providing app's job."""
    listings: list[dict] = [item for items in call_hooks("truck_listings", truck) for item in (items or [])]
    threads: list[dict] = [item for items in call_hooks("truck_threads", truck) for item in (items or [])]
    events = [event for item in listings + threads for event in _events_for(item)]
    dated = sorted(((e.date, n, e) for n, e in enumerate(events) if e.date is not None), key=lambda t: t[:2])
    undated = [e for e in events if e.date is None]
    for_sale = [i for i in listings if i.get("status", "active") in ("active", "pending")]  # no status: a plain card
    return TruckHistory(
        events=[e for _, _, e in dated] + undated, for_sale=for_sale, listings=listings, threads=threads
    )
