"""Reads for the moderation queue, the audit log and the reports API (constant queries per page)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Count, Exists, Max, Min, OuterRef, QuerySet, Subquery
from django.urls import reverse

from kei_community.moderation.models import AuditLogEntry, Removal, Report, Sanction
from kei_community.moderation.registry import (
    HandledTarget,
    TargetHandlers,
    bulk_removable_models,
    handlers_for,
    queue_sources,
    reportable_models,
)
from kei_community.moderation.sanctions import suspensions_in_force


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
        handlers = handlers_for(model)
        qs = model._default_manager.all()
        if handlers is not None and handlers.select_related:
            qs = qs.select_related(*handlers.select_related)
        for pk, obj in qs.in_bulk(list(ids)).items():
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
class ReportGroup(HandledTarget):
    content_type: ContentType
    object_id: int
    report_count: int
    reporter_count: int
    first_reported: datetime
    last_reported: datetime
    target: dict
    reports: list[Report] = field(default_factory=list)
    obj: models.Model | None = None
    handlers: TargetHandlers | None = None
    removal: Removal | None = None
    owner: Any = None
    owner_suspension: Sanction | None = None

    @property
    def uid(self) -> str:
        return f"{self.content_type.pk}-{self.object_id}"

    @property
    def moderate_url(self) -> str:
        return reverse(
            "moderation:object", kwargs={"content_type_id": self.content_type.pk, "object_id": self.object_id}
        )

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
    removals = removals_in_force(keys)
    out = []
    for g in groups:
        key = (g["target_type"], g["target_id"])
        obj = targets.get(key)
        handlers = handlers_for(obj) if obj is not None else None
        out.append(
            ReportGroup(
                content_type=ContentType.objects.get_for_id(g["target_type"]),
                object_id=g["target_id"],
                report_count=g["report_count"],
                reporter_count=g["reporter_count"],
                first_reported=g["first_reported"],
                last_reported=g["last_reported"],
                target=describe_target(obj),
                reports=reports_by_key[key],
                obj=obj,
                handlers=handlers,
                removal=removals.get(key),
                owner=handlers.owner_of(obj) if handlers is not None else None,
            )
        )
    suspended = suspensions_by_member({g.owner.pk for g in out if g.owner is not None})
    for group in out:
        if group.owner is not None:
            group.owner_suspension = suspended.get(group.owner.pk)
    return out


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


# --- removals and sanctions ---------------------------------------------------------------


def removal_in_force(target: models.Model) -> Removal | None:
    """The removal of this content in force (not restored), or None."""
    return (
        Removal.objects.filter(
            target_type=ContentType.objects.get_for_model(target), target_id=target.pk, restored_at__isnull=True
        )
        .select_related("removed_by")
        .first()
    )


def removals_in_force(keys: set[tuple[int, int]]) -> dict[tuple[int, int], Removal]:
    """(content type id, object id) → its removal in force, one query for them all."""
    if not keys:
        return {}
    rows = Removal.objects.filter(
        restored_at__isnull=True,
        target_type_id__in={k[0] for k in keys},
        target_id__in={k[1] for k in keys},
    ).select_related("removed_by")
    return {(r.target_type_id, r.target_id): r for r in rows if (r.target_type_id, r.target_id) in keys}


def removed_q(model: type[models.Model], outer: str = "pk") -> Exists:
    """An expression for querysets of ``model``: is the row removed by a moderator now?
    ``Message.objects.annotate(removed=removed_q(Message))``."""
    return Exists(_removals_of(model, outer))


def removal_reason(model: type[models.Model], outer: str = "pk") -> Subquery:
    """The reason of the removal in force of each row of ``model`` (None when not removed)."""
    return Subquery(_removals_of(model, outer).values("reason")[:1])


def _removals_of(model: type[models.Model], outer: str) -> QuerySet[Removal]:
    return Removal.objects.filter(
        target_type=ContentType.objects.get_for_model(model), target_id=OuterRef(outer), restored_at__isnull=True
    )


def suspensions_by_member(member_ids: set[int]) -> dict[int, Sanction]:
    """member id → their suspension in force, one query."""
    if not member_ids:
        return {}
    return {s.member_id: s for s in suspensions_in_force().filter(member_id__in=member_ids).order_by("created_at")}


@dataclass
class TargetState:
    """Everything a moderator needs to act on one piece of content."""

    content_type: ContentType
    obj: models.Model
    handlers: TargetHandlers
    target: dict
    removal: Removal | None
    owner: Any
    owner_suspension: Sanction | None
    open_reports: list[Report]
    removed_photos: list[Removal]

    @property
    def removable(self) -> bool:
        return self.handlers.removable

    @property
    def label(self) -> str:
        return f"{self.content_type.app_label}.{self.content_type.model}"


def target_state(*, content_type: ContentType, object_id: int) -> TargetState | None:
    """The content, its removal, owner, owner's suspension, open reports and removed photos (or None)."""
    model = content_type.model_class()
    handlers = handlers_for(model) if model is not None else None
    if model is None or handlers is None:
        return None
    qs = model._default_manager.all()
    if handlers.select_related:
        qs = qs.select_related(*handlers.select_related)
    obj = qs.filter(pk=object_id).first()
    if obj is None:
        return None
    owner = handlers.owner_of(obj)
    removed_photos = list(
        Removal.objects.filter(
            target_type__app_label="media",
            target_type__model="photo",
            restored_at__isnull=True,
            state__owner_type=content_type.pk,
            state__owner_id=obj.pk,
        ).order_by("created_at")
    )
    return TargetState(
        content_type=content_type,
        obj=obj,
        handlers=handlers,
        target=describe_target(obj),
        removal=removal_in_force(obj) if handlers.removable else None,
        owner=owner,
        owner_suspension=suspensions_by_member({owner.pk}).get(owner.pk) if owner is not None else None,
        open_reports=list(
            Report.objects.filter(target_type=content_type, target_id=obj.pk, status=Report.Status.OPEN)
            .select_related("reporter")
            .order_by("created_at", "id")
        ),
        removed_photos=removed_photos,
    )


@dataclass
class MemberOverview:
    member: Any
    suspension: Sanction | None
    sanctions: list[Sanction]
    removals: list[Removal]
    content_up: dict[str, int]

    @property
    def has_content_up(self) -> bool:
        return any(self.content_up.values())


def member_overview(*, member: Any) -> MemberOverview:
    """A member's moderation record: suspension in force, warnings and suspensions, recent removals,
    and how much content that can be removed in bulk is up."""
    content_up: dict[str, int] = {}
    for model in bulk_removable_models():
        handlers = handlers_for(model)
        assert handlers is not None and handlers.member_content is not None
        content_up[handlers.noun] = handlers.member_content(member).count()
    return MemberOverview(
        member=member,
        suspension=suspensions_by_member({member.pk}).get(member.pk),
        sanctions=list(Sanction.objects.filter(member=member).select_related("created_by", "lifted_by")[:50]),
        removals=list(
            Removal.objects.filter(owner=member).select_related("target_type", "removed_by", "restored_by")[:50]
        ),
        content_up=content_up,
    )


def suspended_members() -> QuerySet[Sanction]:
    """Suspensions in force, newest first, with the member (for the queue and the API)."""
    return suspensions_in_force().select_related("member", "created_by").order_by("-created_at", "-id")


def removals_for_api(*, in_force: bool | None = True) -> QuerySet[Removal]:
    qs = Removal.objects.select_related("target_type", "owner", "removed_by", "restored_by")
    if in_force is True:
        qs = qs.filter(restored_at__isnull=True)
    elif in_force is False:
        qs = qs.filter(restored_at__isnull=False)
    return qs
