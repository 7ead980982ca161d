"""Reads for "Can I register this truck here?": one state's guide put together with one truck.

Nothing here claims more than the guide's data: an empty field stays "not known yet", an unclear state
stays unclear, and the page's confidence and verification come with every answer. The truck comes
from a garage truck (kei_community.vehicles) or from a chassis code and build date typed in or passed
by a listing's link; the marketplace and the forum are never imported (forum threads come through the
"state_threads" hook).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils import timezone

from kei_community.core.registry import call_hooks
from kei_community.vehicles.eligibility import Eligibility, import_eligibility
from stategide import selectors
from stategide.models import LawEvent, Revision, StatePage, Status

CHASSIS_CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{0,19}$")
MIN_YEAR = 1960

# The papers a buyer should ask for with an imported kei truck (what each one proves).
IMPORT_PAPERS: tuple[tuple[str, str], ...] = (
    (
        "CBP Form 7501 (entry summary)",
        "Proves the truck was imported through US Customs and the duty was paid. DMVs ask for it to title an import.",
    ),
    (
        "NHTSA HS-7 declaration",
        "Declares the truck exempt from the federal safety standards (FMVSS) as at least 25 years old (box 1).",
    ),
    (
        "EPA Form 3520-1",
        "Declares the truck exempt from EPA emissions rules: code E, at least 21 years old, original configuration.",
    ),
    (
        "Japanese export certificate, with an English translation",
        "The export deregistration certificate shows the frame number, the date of first registration and the "
        "manufacture date; the translation is what the DMV reads.",
    ),
    (
        "Bill of sale",
        "From each seller since import, with the frame number (not a 17-character VIN) and the price.",
    ),
)

ANSWERS = {
    Status.ROAD_LEGAL: "The guide says {state} titles and registers kei trucks for ordinary road use.",
    Status.RESTRICTED: "The guide says {state} registers kei trucks, with limits on roads, speed or plates.",
    Status.FARM_OR_OFFROAD_ONLY: "The guide says {state} allows kei trucks only for farm use or off public roads.",
    Status.NOT_ALLOWED: "The guide says {state} does not register kei trucks for road use.",
    Status.UNCLEAR: "Unclear: we have not found a law, a DMV notice or a court ruling that settles it in {state}.",
}


class ChecklistInputError(ValueError):
    """Bad truck details: `errors` maps a parameter to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class TruckFacts:
    label: str
    chassis_code: str
    year_built: int | None
    month_built: int | None
    us_market: bool = False
    catalog: Any = None  # kei_community.vehicles.ChassisCode or None
    catalog_note: str = ""
    garage_truck: Any = None


@dataclass(frozen=True)
class Checklist:
    page: StatePage
    revision: Revision | None
    answer: str
    status: str
    status_label: str
    confidence: str
    confidence_label: str
    verified_on: date | None
    verified_by: str
    truck: TruckFacts | None
    eligibility: Eligibility | None
    import_papers: tuple[tuple[str, str], ...]
    steps: list[str]
    documents: list[str]
    sections: list[tuple[str, str]]  # (heading, text or "" for not known yet)
    unknowns: list[str]
    upcoming: list[LawEvent]
    unclear: bool
    threads: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        truck = self.truck
        return {
            "state_code": self.page.code,
            "state_name": self.page.name,
            "status": self.status,
            "status_label": self.status_label,
            "answer": self.answer,
            "confidence": self.confidence,
            "last_verified": self.verified_on.isoformat() if self.verified_on else None,
            "verified_by": self.verified_by or None,
            "truck": None
            if truck is None
            else {
                "name": truck.label,
                "chassis_code": truck.chassis_code or None,
                "year_built": truck.year_built,
                "month_built": truck.month_built,
                "in_catalog": truck.catalog is not None,
                "catalog_note": truck.catalog_note,
            },
            "eligibility": self.eligibility.as_dict() if self.eligibility else None,
            "import_papers": [{"name": name, "why": why} for name, why in self.import_papers],
            "registration_steps": self.steps,
            "required_documents": self.documents,
            "sections": [{"heading": h, "text": t or None} for h, t in self.sections],
            "unknowns": self.unknowns,
            "upcoming_events": [
                {"date": e.date.isoformat(), "kind": e.kind, "title": e.title, "source_url": e.citation_url}
                for e in self.upcoming
            ],
            "unclear": self.unclear,
            "forum_threads": [{"title": t.get("title", ""), "url": t.get("url", "")} for t in self.threads],
            "page_url": self.page.get_absolute_url(),
        }


def clean_truck_params(params: Any, *, today: date | None = None) -> dict[str, Any]:
    """`chassis_code`, `year_built`, `month_built` from a query string: all optional; ChecklistInputError if bad."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    code = (params.get("chassis_code") or "").strip().upper()
    if code and not CHASSIS_CODE_RE.match(code):
        errors["chassis_code"] = "A chassis code is letters and digits, like DA63T or S500P."
    year: int | None = None
    raw_year = (params.get("year_built") or "").strip()
    if raw_year:
        if not raw_year.isascii() or not raw_year.isdigit() or not MIN_YEAR <= int(raw_year) <= today.year:
            errors["year_built"] = f"Give the year built as a number from {MIN_YEAR} to {today.year}."
        else:
            year = int(raw_year)
    month: int | None = None
    raw_month = (params.get("month_built") or "").strip()
    if raw_month:
        if not raw_month.isascii() or not raw_month.isdigit() or not 1 <= int(raw_month) <= 12:
            errors["month_built"] = "Give the month built as a number from 1 to 12."
        else:
            month = int(raw_month)
    if month is not None and year is None and "year_built" not in errors:
        errors["year_built"] = "Give the year built too."
    if errors:
        raise ChecklistInputError(errors)
    return {"chassis_code": code, "year_built": year, "month_built": month}


def truck_from_params(*, chassis_code: str, year_built: int | None, month_built: int | None) -> TruckFacts | None:
    """Typed-in truck details (or a listing's link); the chassis code is looked up in the catalog."""
    if not chassis_code and year_built is None:
        return None
    from kei_community.vehicles.models import ChassisCode

    catalog = ChassisCode.objects.filter(code=chassis_code).first() if chassis_code else None
    return _facts(
        catalog=catalog, chassis_code=chassis_code, year_built=year_built, month_built=month_built, us_market=False
    )


def truck_from_garage(truck_id: Any) -> TruckFacts | None:
    from kei_community.core.ids import parse_id
    from kei_community.vehicles.selectors import garage_truck_get

    pk = parse_id(truck_id)
    truck = garage_truck_get(pk=pk) if pk is not None else None
    if truck is None:
        return None
    return _facts(
        catalog=truck.chassis_code,
        chassis_code=truck.chassis_code.code if truck.chassis_code else "",
        year_built=truck.year_built,
        month_built=truck.month_built,
        us_market=truck.us_market,
        garage_truck=truck,
        label=truck.display_name,
    )


def _facts(
    *,
    catalog: Any,
    chassis_code: str,
    year_built: int | None,
    month_built: int | None,
    us_market: bool,
    garage_truck: Any = None,
    label: str = "",
) -> TruckFacts:
    note = ""
    if chassis_code and catalog is None:
        note = f"{chassis_code} is not in our catalog: check the code on the frame number plate."
    elif catalog is not None:
        if not catalog.verified:
            note = f"Our catalog entry for {catalog.code} is not confirmed by a source yet."
        if (
            year_built
            and catalog.years_from
            and (year_built < catalog.years_from or (catalog.years_to and year_built > catalog.years_to))
        ):
            note = (
                f"{catalog.code} was built {catalog.years_label} according to our catalog, not in {year_built}: "
                "check the chassis code and the build date."
            )
    if not label:
        parts = [str(year_built or ""), f"{catalog.make} {catalog.model}" if catalog is not None else "", chassis_code]
        label = " ".join(p for p in parts if p) or "Your truck"
    return TruckFacts(
        label=label,
        chassis_code=chassis_code,
        year_built=year_built,
        month_built=month_built,
        us_market=us_market,
        catalog=catalog,
        catalog_note=note,
        garage_truck=garage_truck,
    )


def registration_checklist(
    *, page: StatePage, truck: TruckFacts | None, with_threads: bool = True, today: date | None = None
) -> Checklist:
    """The checklist for `page` (from selectors.page_get: revision, citations and events loaded)."""
    today = today or timezone.localdate()
    rev = page.published_revision
    status = rev.status if rev else Status.UNCLEAR
    unclear = status == Status.UNCLEAR or (rev is not None and rev.confidence == "low")
    eligibility = (
        import_eligibility(
            year_built=truck.year_built, month_built=truck.month_built, us_market=truck.us_market, today=today
        )
        if truck is not None
        else None
    )
    answer = ANSWERS[Status(status)].format(state=page.name)
    if eligibility is not None and eligibility.nhtsa_eligible is False:
        answer = f"Not yet for import: {eligibility.summary} {answer}"
    sections: list[tuple[str, str]] = []
    if rev is not None:
        speed = ""
        if rev.max_road_speed_mph is not None:
            speed = f"Roads posted {rev.max_road_speed_mph} mph or less."
        if rev.speed_note:
            speed = f"{speed} {rev.speed_note}".strip()
        if rev.vehicle_speed_cap_mph is not None:
            speed = f"{speed} The truck itself must be limited to {rev.vehicle_speed_cap_mph} mph.".strip()
        interstate = {True: "Not allowed on interstates.", False: "Interstates are not excluded.", None: ""}
        roads = " ".join(p for p in (rev.road_restrictions, interstate[rev.interstate_ban]) if p)
        sections = [
            ("Title and registration", " ".join(p for p in (rev.registration_notes, _plate(rev)) if p)),
            ("Inspection and emissions", rev.inspection_notes),
            ("Insurance", rev.insurance_notes),
            ("Roads", roads),
            ("Speed", speed),
            ("Statutes", rev.statute_refs),
        ]
    threads: list[dict] = []
    if unclear and with_threads:
        for result in call_hooks("state_threads", page.code, 5):
            threads.extend(result or [])
    return Checklist(
        page=page,
        revision=rev,
        answer=answer,
        status=status,
        status_label=str(Status(status).label),
        confidence=rev.confidence if rev else "low",
        confidence_label=rev.get_confidence_display() if rev else "Low",
        verified_on=rev.verified_on if rev else None,
        verified_by=rev.verified_by.public_name if rev is not None and rev.verified_by else "",
        truck=truck,
        eligibility=eligibility,
        import_papers=IMPORT_PAPERS if truck is None or not truck.us_market else (),
        steps=list(rev.registration_steps) if rev else [],
        documents=list(rev.required_documents) if rev else [],
        sections=sections,
        unknowns=selectors.reader_unknowns(page=page, revision=rev, today=today),
        upcoming=[e for e in page.events.all() if e.date >= today],
        unclear=unclear,
        threads=threads,
    )


def _plate(rev: Revision) -> str:
    return f"Plate: {rev.plate_type}." if rev.plate_type else ""


def truck_links(truck: Any) -> list[dict[str, str]]:
    """Hook "truck_links" (a garage truck's page): the checklist for the owner's home state, or a state chooser."""
    from django.urls import reverse

    query = f"?truck={truck.pk}"
    owner = getattr(truck, "owner", None)
    code = getattr(owner, "home_state", "") or ""
    from kei_community.core.us import US_STATES

    links = []
    if code in US_STATES:
        links.append(
            {
                "label": f"Can I register it in {US_STATES[code]}?",
                "url": reverse("stategide:checklist", kwargs={"code": code.lower()}) + query,
            }
        )
    links.append(
        {
            "label": "Can I register it in another state?" if links else "Can I register it? Choose a state",
            "url": reverse("stategide:checklist-start") + query,
        }
    )
    return links
