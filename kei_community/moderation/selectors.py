"""Reads for the moderation queue, the audit log and the reports API (constant queries per page)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, Exists, Max, Min, OuterRef, QuerySet

from kei_community.moderation.models import AuditLogEntry, Report
from kei_community.moderation.registry import handlers_for, queue_sources, reportable_models


def reportable_object(*, content_type: ContentType, object_id: int) -> models.Model | None:
    """The object if its model is registered as a moderation target and it exists, else None."""
    model = content_type.model_class()
    if model is None or handlers_for(model) is None:
        return None
    return model._default_manager.filter(pk=object_id).first()


def content_type_for_label(label: str) -> ContentType | None:
    """ "app_label.model" → ContentType of a registered target, else None."""
    app_label, _, model_name = (label or "").strip().lower().partition(".")
    if not app_label or not model_name:
        return None
    try:
        ct = ContentType.objects.get_by_natural_key(app_label, model_name)
    except ContentType.DoesNotExist:
        return None
    model = ct.model_class()
    return ct if model is not None and handlers_for(model) is not None else None


def reportable_type_labels() -> list[str]:
    return sorted(f"{m._meta.app_label}.{m._meta.model_name}" for m in reportable_models())


# --- describing targets in bulk ----------------------------------------------------


def describe_target(obj: models.Model | None) -> dict:
    if obj is None:
        return {"title": "(deleted content)", "url": "", "app": "", "excerpt": ""}
    handlers = handlers_for(obj)
    if handlers is None:
        return {"title": str(obj), "url": "", "app": obj._meta.app_label, "excerpt": ""}
    described = dict(handlers.describe(obj))
    described.setdefault("app", obj._meta.app_label)
    return described


def load_targets(keys: set[tuple[int, int]]) -> dict[tuple[int, int], models.Model]:
    """(content type id, object id) → object, one query per content type (not per row)."""
    by_type: dict[int, set[int]] = defaultdict(set)
    for ct_id, obj_id in keys:
        by_type[ct_id].add(obj_id)
    out: dict[tuple[int, int], models.Model] = {}
    for ct_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(ct_id).model_class()
        if model is None:
            continue
        for pk, obj in model._default_manager.in_bulk(list(ids)).items():
            out[(ct_id, int(pk))] = obj
    return out


def describe_reports(reports: list[Report]) -> dict[int, dict]:
    """report id → describe() of its target (bulk-loaded)."""
    targets = load_targets({(r.target_type_id, r.target_id) for r in reports})
    return {r.pk: describe_target(targets.get((r.target_type_id, r.target_id))) for r in reports}


# --- the queue -------------------------------------------------------------------------


def open_report_groups(*, app: str = "", reason: str = "") -> QuerySet:
    """Open reports grouped by target, most-reported first: dicts with counts and dates."""
    qs = Report.objects.filter(status=Report.Status.OPEN)
    if app:
        qs = qs.filter(target_type__app_label=app)
    if reason:
        qs = qs.filter(
            Exists(
                Report.objects.filter(
                    status=Report.Status.OPEN,
                    reason=reason,
                    target_type=OuterRef("target_type"),
                    target_id=OuterRef("target_id"),
                )
            )
        )
    return (
        qs.order_by()
        .values("target_type", "target_id")
        .annotate(
            report_count=Count("id"),
            reporter_count=Count("reporter", distinct=True),
            first_reported=Min("created_at"),
            last_reported=Max("created_at"),
        )
        .order_by("-reporter_count", "first_reported", "target_type", "target_id")
    )


@dataclass
class ReportGroup:
    content_type: ContentType
    object_id: int
    report_count: int
    reporter_count: int
    first_reported: datetime
    last_reported: datetime
    target: dict
    reports: list[Report] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        seen: dict[str, None] = {}
        for r in self.reports:
            seen.setdefault(r.get_reason_display(), None)
        return list(seen)


def report_groups_detail(groups: list[dict]) -> list[ReportGroup]:
    """Attach the target description and the open reports to a page of groups (constant queries)."""
    keys = {(g["target_type"], g["target_id"]) for g in groups}
    targets = load_targets(keys)
    reports_by_key: dict[tuple[int, int], list[Report]] = defaultdict(list)
    if keys:
        reports = (
            Report.objects.filter(
                status=Report.Status.OPEN,
                target_type_id__in={k[0] for k in keys},
                target_id__in={k[1] for k in keys},
            )
            .select_related("reporter")
            .order_by("created_at", "id")
        )
        for report in reports:
            key = (report.target_type_id, report.target_id)
            if key in keys:
                reports_by_key[key].append(report)
    return [
        ReportGroup(
            content_type=ContentType.objects.get_for_id(g["target_type"]),
            object_id=g["target_id"],
            report_count=g["report_count"],
            reporter_count=g["reporter_count"],
            first_reported=g["first_reported"],
            last_reported=g["last_reported"],
            target=describe_target(targets.get((g["target_type"], g["target_id"]))),
            reports=reports_by_key[(g["target_type"], g["target_id"])],
        )
        for g in groups
    ]


def awaiting_approval(*, app: str = "") -> list[dict[str, Any]]:
    """Items held for review, from every registered queue source (or one app's), oldest first."""
    items: list[dict[str, Any]] = []
    for source_app, fn in sorted(queue_sources().items()):
        if app and source_app != app:
            continue
        for item in fn() or []:
            items.append({"app": source_app, **item})
    items.sort(key=lambda i: (i.get("created_at") is None, i.get("created_at") or 0))
    return items


def queue_apps() -> list[str]:
    apps = {m._meta.app_label for m in reportable_models()} | set(queue_sources())
    return sorted(apps)


def reports_for_api(*, status: str = Report.Status.OPEN) -> QuerySet[Report]:
    qs = Report.objects.select_related("reporter", "resolved_by", "target_type")
    if status:
        qs = qs.filter(status=status)
    return qs


# --- audit log -----------------------------------------------------------------


def audit_entries(*, action: str = "") -> QuerySet[AuditLogEntry]:
    qs = AuditLogEntry.objects.select_related("actor", "target_type")
    if action:
        qs = qs.filter(action=action)
    return qs


def audit_actions() -> list[str]:
    return list(AuditLogEntry.objects.order_by("action").values_list("action", flat=True).distinct())
