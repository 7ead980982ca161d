"""Load stategide/data/states.csv as the first published revision of each of the 51 pages (idempotent)."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from django.db import transaction

from kei_community.core.markdown import render_markdown
from kei_community.core.us import US_STATES
from stategide import cache as guide_cache
from stategide.models import Citation, Confidence, Revision, StatePage, Status

DATA_FILE = Path(__file__).resolve().parent / "data" / "states.csv"
IMPORT_SUMMARY = "Imported from the reference data (states.csv)"

_LEGISLATURE_HINTS = ("legislature", "legis", "leg.", "senate", "house.", "gencourt", "capitol.", "statehouse", "iga.", "ncleg", "azleg", "legmt", "billstatus")  # fmt: skip
_BILL_HINTS = ("bill", "legtext", "/sb", "/hb", "billstatus", "/legislation/", "proposaltext")


def is_government_host(host: str) -> bool:
    host = (host or "").lower()
    return host.endswith(".gov") or host.endswith(".us") or "legislature" in host


def citation_kind(url: str) -> str:
    """Aggregator unless the host is a government or legislature site (then statute, bill or agency)."""
    parsed = urlparse(url)
    host = (parsed.hostname or "").lower()
    if not is_government_host(host):
        return Citation.Kind.AGGREGATOR
    if any(hint in host for hint in _LEGISLATURE_HINTS):
        path = parsed.path.lower()
        if any(hint in path or hint in host for hint in _BILL_HINTS):
            return Citation.Kind.BILL
        return Citation.Kind.STATUTE
    return Citation.Kind.AGENCY


def parse_sources(sources: str) -> list[dict[str, Any]]:
    """'url (note) ; url' -> citation dicts, in order; entries that are not http(s) URLs are skipped."""
    citations = []
    for position, raw in enumerate(part.strip() for part in (sources or "").split(" ; ")):
        if not raw:
            continue
        url, _, note = raw.partition(" ")
        if not url.lower().startswith(("http://", "https://")):
            continue
        host = urlparse(url).hostname or url
        note = note.strip().strip("()").strip()
        kind = citation_kind(url)
        citations.append(
            {
                "position": position,
                "kind": kind,
                "label": f"{host} — {note}" if note else host,
                "url": url,
                "is_primary": kind != Citation.Kind.AGGREGATOR,
            }
        )
    return citations


def parse_speed(value: str) -> tuple[int | None, str]:
    """A plain number becomes the speed; anything qualified ('55 (from 2027)') stays a note, never a guess."""
    value = (value or "").strip()
    if re.fullmatch(r"\d{1,2}", value) and int(value) <= 80:
        return int(value), ""
    return None, value


def read_rows(path: Path = DATA_FILE) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@transaction.atomic
def load_states(stdout: Any = None, path: Path = DATA_FILE) -> dict[str, int]:
    """Create missing pages and their first revision; existing pages are left alone."""
    created = 0
    rows = read_rows(path)
    for row in rows:
        code = row["state_code"].strip().upper()
        if code not in US_STATES:
            continue
        page, _ = StatePage.objects.get_or_create(
            code=code, defaults={"name": row["state_name"].strip() or US_STATES[code]}
        )
        if page.revisions.exists():
            continue
        speed, speed_note = parse_speed(row.get("max_speed_mph", ""))
        status = row["status"].strip() if row["status"].strip() in Status.values else Status.UNCLEAR
        confidence = row["confidence"].strip() if row["confidence"].strip() in Confidence.values else Confidence.LOW
        revision = Revision(
            page=page,
            number=1,
            state=Revision.State.PUBLISHED,
            author=None,
            edit_summary=IMPORT_SUMMARY,
            status=status,
            summary=row["summary"].strip(),
            max_road_speed_mph=speed,
            speed_note=speed_note,
            road_restrictions=row.get("road_restrictions", "").strip(),
            registration_notes=row.get("registration_notes", "").strip(),
            insurance_notes=row.get("insurance_notes", "").strip(),
            statute_refs=row.get("statute_refs", "").strip(),
            confidence=confidence,
            body="",
            body_html=render_markdown(""),
        )
        revision.full_clean(exclude=["page"])
        revision.save()
        for item in parse_sources(row.get("sources", "")):
            citation = Citation(revision=revision, **item)
            citation.full_clean(exclude=["revision"])
            citation.save()
        page.published_revision = revision
        page.save(update_fields=["published_revision", "updated_at"])
        created += 1
    guide_cache.invalidate_on_commit()
    total = StatePage.objects.count()
    if stdout is not None:
        stdout.write(f"State guide: {created} pages created, {total} in all.")
    return {"created": created, "total": total}
