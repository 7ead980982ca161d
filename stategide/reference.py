"""Load stategide/data/states.csv (the reference data, second edition) into the 51 pages (idempotent).

A page without content gets its first revision. A page whose published content differs from the
data gets a new published revision by the "Reference data" account (audit entry, watchers told),
unless a person has edited the page since: then the data becomes a proposal for a moderator.
Running the load again changes nothing.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

from django.db import transaction

from kei_community.core.us import US_STATES
from stategide import services
from stategide.models import PRIMARY_CITATION_KINDS, Citation, Confidence, StatePage, Status

DATA_FILE = Path(__file__).resolve().parent / "data" / "states.csv"


def parse_sources(sources: str) -> list[dict[str, Any]]:
    """The `sources` column (a JSON array of {"url", "title", "kind"}) -> citation dicts, in order.

    Entries without an http(s) URL are skipped; an unknown kind counts as an aggregator; a missing
    title falls back to the site's host name.
    """
    text = (sources or "").strip()
    if not text:
        return []
    try:
        items = json.loads(text)
    except ValueError:
        return []
    citations: list[dict[str, Any]] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        url = str(item.get("url") or "").strip()
        if not url.lower().startswith(("http://", "https://")):
            continue
        kind = str(item.get("kind") or "").strip()
        if kind not in Citation.Kind.values:
            kind = Citation.Kind.AGGREGATOR
        title = " ".join(str(item.get("title") or "").split())[:300]
        if not title:
            title = Citation(url=url).host or url[:300]
        citations.append({"kind": kind, "label": title, "url": url, "is_primary": kind in PRIMARY_CITATION_KINDS})
    return citations


def parse_speed(value: str) -> tuple[int | None, str]:
    """A plain number becomes the speed; anything qualified ('55 (from 2027)') stays a note, never a guess."""
    value = (value or "").strip()
    if re.fullmatch(r"\d{1,2}", value) and int(value) <= 80:
        return int(value), ""
    return None, value


def row_content(row: dict[str, str]) -> dict[str, Any]:
    """The content fields (stategide.models.REFERENCE_FIELDS) one CSV row sets."""
    speed, speed_note = parse_speed(row.get("max_speed_mph", ""))
    status = (row.get("status") or "").strip()
    confidence = (row.get("confidence") or "").strip()
    return {
        "status": status if status in Status.values else Status.UNCLEAR,
        "summary": " ".join((row.get("summary") or "").split()),
        "max_road_speed_mph": speed,
        "speed_note": speed_note,
        "road_restrictions": (row.get("road_restrictions") or "").strip(),
        "registration_notes": (row.get("registration_notes") or "").strip(),
        "insurance_notes": (row.get("insurance_notes") or "").strip(),
        "statute_refs": (row.get("statute_refs") or "").strip(),
        "confidence": confidence if confidence in Confidence.values else Confidence.LOW,
    }


def read_rows(path: Path = DATA_FILE) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@transaction.atomic
def load_states(stdout: Any = None, path: Path = DATA_FILE) -> dict[str, int]:
    """Apply every row; returns how many pages were created, updated, proposed and left unchanged."""
    counts = {"created": 0, "published": 0, "proposed": 0, "unchanged": 0}
    for row in read_rows(path):
        code = (row.get("state_code") or "").strip().upper()
        if code not in US_STATES:
            continue
        page, _ = StatePage.objects.get_or_create(
            code=code, defaults={"name": (row.get("state_name") or "").strip() or US_STATES[code]}
        )
        outcome = services.reference_edition_apply(
            page=page,
            content=row_content(row),
            citations=parse_sources(row.get("sources", "")),
            open_questions=(row.get("open_questions") or "").strip(),
        )
        counts[outcome] += 1
    counts["total"] = StatePage.objects.count()
    if stdout is not None:
        stdout.write(
            "State guide: {created} pages created, {published} updated, {proposed} proposed for review, "
            "{unchanged} unchanged; {total} in all.".format(**counts)
        )
    return counts
