"""Field-by-field and body (difflib) diffs between two revisions."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from stategide.models import CONTENT_FIELDS, Revision


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: str
    new: str


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "added" | "removed" | "same" | "gap"
    text: str


def display_value(revision: Revision | None, field: str) -> str:
    if revision is None:
        return ""
    value: Any = getattr(revision, field)
    if field in ("status", "confidence"):
        return str(getattr(revision, f"get_{field}_display")())
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return "\n".join(f"• {item}" for item in value)
    return str(value)


def field_label(field: str) -> str:
    return str(getattr(Revision._meta.get_field(field), "verbose_name", field)).capitalize()


def changed_fields(old: Revision | None, new: Revision) -> list[str]:
    return [f for f in CONTENT_FIELDS if f != "body" and (old is None or getattr(old, f) != getattr(new, f))]


def field_changes(old: Revision | None, new: Revision) -> list[FieldChange]:
    return [
        FieldChange(field=f, label=field_label(f), old=display_value(old, f), new=display_value(new, f))
        for f in changed_fields(old, new)
    ]


def body_diff(old_text: str, new_text: str, context: int = 3) -> list[DiffLine]:
    old_lines = (old_text or "").splitlines()
    new_lines = (new_text or "").splitlines()
    if old_lines == new_lines:
        return []
    lines: list[DiffLine] = []
    for group in difflib.SequenceMatcher(None, old_lines, new_lines).get_grouped_opcodes(context):
        if lines:
            lines.append(DiffLine("gap", "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines.extend(DiffLine("same", line) for line in old_lines[i1:i2])
                continue
            if tag in ("replace", "delete"):
                lines.extend(DiffLine("removed", line) for line in old_lines[i1:i2])
            if tag in ("replace", "insert"):
                lines.extend(DiffLine("added", line) for line in new_lines[j1:j2])
    return lines


def citation_changes(old: Revision | None, new: Revision) -> dict[str, list[Any]]:
    old_cites = {c.url: c for c in (old.citations.all() if old is not None else [])}
    new_cites = {c.url: c for c in new.citations.all()}
    return {
        "added": [c for url, c in new_cites.items() if url not in old_cites],
        "removed": [c for url, c in old_cites.items() if url not in new_cites],
    }


def revision_diff(old: Revision | None, new: Revision) -> dict[str, Any]:
    return {
        "fields": field_changes(old, new),
        "body": body_diff(old.body if old else "", new.body),
        "citations": citation_changes(old, new),
    }
