"""Price comps: asking and sold prices by chassis family and year band, and the comps search by name."""

from __future__ import annotations

import re
import statistics
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Max,
    Min,
    Q,
    Value,
    When,
)

from kei_community.core import caching
from kei_community.vehicles.models import ChassisCode
from marketplace.models import PUBLIC_STATUSES, Listing

_CODE_RE = re.compile(r"\b([A-Z]{1,3}\d{1,3}[A-Z]{0,2})\b")


def chassis_family(code: str | None, rebadge_of: str | None) -> str:
    if rebadge_of:
        match = _CODE_RE.search(rebadge_of)
        if match:
            return match.group(1)
    return code or ""


def year_band(year: int) -> str:
    start = year - year % 5
    return f"{start}–{start + 4}"


def _stats(values: list[int]) -> dict | None:
    if not values:
        return None
    values = sorted(values)
    q1: float
    med: float
    q3: float
    if len(values) == 1:
        q1 = med = q3 = values[0]
    else:
        q1, med, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return {
        "count": len(values),
        "min": values[0],
        "q1": round(q1),
        "median": round(med),
        "q3": round(q3),
        "max": values[-1],
    }


class _Quartiles(Aggregate):
    """PostgreSQL: the quartiles of a group in one sort, interpolated as statistics.quantiles(method="inclusive")."""

    function = "percentile_cont"
    template = "%(function)s(ARRAY[0.25, 0.5, 0.75]) WITHIN GROUP (ORDER BY %(expressions)s)"


def price_comps(
    *, family: str | None = None, band: str | None = None, families: Collection[str] | None = None
) -> list[dict]:
    """Median and quartiles of asking (active/pending) and sold prices by chassis family and year band: one
    GROUP BY with percentile_cont on PostgreSQL (the families of the few chassis codes named in a CASE), a
    pass in Python on SQLite. `family` or `families`: only those chassis families (all without either)."""
    wanted = {family} if family else set(families) if families is not None else None
    if connection.vendor == "postgresql":
        return _price_comps_sql(wanted=wanted, band=band)
    rows = Listing.objects.filter(
        status__in=PUBLIC_STATUSES, hidden=False, held_for_review=False, chassis_code__isnull=False
    ).values_list("chassis_code__code", "chassis_code__rebadge_of", "year_built", "status", "price", "sold_price")
    groups: dict[tuple[str, str], dict[str, list[int]]] = {}
    for code, rebadge, year, status, price, sold_price in rows:
        if price is None:  # only drafts lack a price, and they are never public
            continue
        key = (chassis_family(code, rebadge), year_band(year))
        if (wanted is not None and key[0] not in wanted) or (band and key[1] != band):
            continue
        bucket = groups.setdefault(key, {"asking": [], "sold": []})
        if status == Listing.Status.SOLD:
            bucket["sold"].append(sold_price or price)
        else:
            bucket["asking"].append(price)
    out = []
    for (fam, yb), bucket in sorted(groups.items()):
        out.append({"family": fam, "year_band": yb, "asking": _stats(bucket["asking"]), "sold": _stats(bucket["sold"])})
    return out


def _price_comps_sql(*, wanted: set[str] | None, band: str | None) -> list[dict]:
    from django.contrib.postgres.fields import ArrayField
    from django.db.models.functions import Coalesce

    families = {
        pk: chassis_family(code, rebadge)
        for pk, code, rebadge in ChassisCode.objects.values_list("id", "code", "rebadge_of")
    }
    families = {pk: fam for pk, fam in families.items() if wanted is None or fam in wanted}
    if not families:
        return []
    qs = Listing.objects.filter(
        status__in=PUBLIC_STATUSES, hidden=False, held_for_review=False, chassis_code_id__in=list(families)
    )
    if band:
        start = band.split("–")[0]
        if not start.isdigit():
            return []
        qs = qs.filter(year_built__gte=int(start), year_built__lte=int(start) + 4)
    sold = Q(status=Listing.Status.SOLD)
    rows = (
        qs.annotate(
            family=Case(*(When(chassis_code_id=pk, then=Value(fam)) for pk, fam in families.items())),
            band_start=F("year_built") - F("year_built") % 5,
            is_sold=ExpressionWrapper(sold, output_field=BooleanField()),
            value=Case(When(sold, then=Coalesce("sold_price", "price")), default=F("price")),
        )
        .values("family", "band_start", "is_sold")
        .annotate(n=Count("id"), lo=Min("value"), hi=Max("value"))
        .annotate(quartiles=_Quartiles("value", output_field=ArrayField(FloatField())))
        .order_by()
    )
    groups: dict[tuple[str, str], dict[str, dict | None]] = {}
    for row in rows:
        key = (row["family"], f"{row['band_start']}–{row['band_start'] + 4}")
        q1, median, q3 = row["quartiles"]
        stats = {"count": row["n"], "min": row["lo"], "q1": round(q1), "median": round(median), "q3": round(q3)}
        stats["max"] = row["hi"]
        groups.setdefault(key, {"asking": None, "sold": None})["sold" if row["is_sold"] else "asking"] = stats
    return [{"family": fam, "year_band": yb, **bucket} for (fam, yb), bucket in sorted(groups.items())]


# Comps move slowly: cached in region "marketplace.comps" (10 minutes) without tags; a new sale shows by then.


def comps_for_listing(*, listing: Listing) -> dict | None:
    """The comps of the listing's chassis family and year band, cached per family and band."""
    code = listing.chassis_code if listing.chassis_code_id else None
    if code is None:
        return None
    fam, band = chassis_family(code.code, code.rebadge_of), year_band(listing.year_built)
    found = caching.get_or_build("marketplace.comps", f"{fam}:{band}", lambda: price_comps(family=fam, band=band))
    return found[0] if found else None


def price_comps_cached(*, families: Collection[str] | None = None) -> list[dict]:
    """price_comps for the comps page and API (all families, or those of a CompsMatch), cached like
    comps_for_listing."""
    wanted = sorted(set(families)) if families is not None else None
    name = "page:" + (",".join(wanted) if wanted is not None else "*")
    return caching.get_or_build("marketplace.comps", name, lambda: price_comps(families=wanted)) or []


@dataclass(frozen=True)
class CompsMatch:
    """What a comps search matched in the catalog: a make, a model or a chassis code, and its chassis families."""

    kind: str  # "make", "model" or "chassis code"
    name: str  # as the catalog spells it: "Suzuki", "Suzuki Carry", "DA63T"
    families: tuple[str, ...]


def _comps_catalog() -> dict[str, dict[str, list[Any]]]:
    """The catalog as comps look it up, by kind and casefolded name: [name, families]. Primitives (cached)."""
    found: dict[str, dict[str, list[Any]]] = {"chassis code": {}, "model": {}, "make": {}}
    rows = ChassisCode.objects.order_by("make", "model", "code").values_list("make", "model", "code", "rebadge_of")
    for make, model, code, rebadge in rows:
        family = chassis_family(code, rebadge)
        for kind, name in (
            ("chassis code", code), ("chassis code", family), ("model", model), ("model", f"{make} {model}"),
            ("make", make),
        ):  # fmt: skip
            entry = found[kind].setdefault(" ".join(name.split()).casefold(), [name, []])
            if family not in entry[1]:
                entry[1].append(family)
    return found


def comps_lookup(text: str) -> CompsMatch | None:
    """A make ("Suzuki"), a model ("Carry", "Suzuki Carry") or a chassis code ("da63t"), any case, as the
    catalog has it (a chassis code first, then a model, then a make); None when nothing matches. The catalog
    is read once per 10 minutes (region "marketplace.comps")."""
    key = " ".join((text or "").split()).casefold()
    if not key:
        return None
    catalog = caching.get_or_build("marketplace.comps", "catalog", _comps_catalog) or {}
    for kind in ("chassis code", "model", "make"):
        if entry := catalog.get(kind, {}).get(key):
            return CompsMatch(kind=kind, name=entry[0], families=tuple(sorted(entry[1])))
    return None


def comps_unknown_message(text: str) -> str:
    return (
        f"No make, model or chassis code matches “{text[:40]}”. Try a make (Suzuki), a model (Carry, Hijet) "
        "or a chassis code (DA63T)."
    )
