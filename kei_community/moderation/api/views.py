from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kei_community.core.ids import get_by_id_or_404, id_or_404
from kei_community.moderation import actions, selectors, services
from kei_community.moderation.api.serializers import (
    ContentRemoveSerializer,
    ContentRestoreSerializer,
    ContentStateSerializer,
    MemberContentRemovalSerializer,
    MemberContentRemoveSerializer,
    MemberOverviewSerializer,
    MemberSuspendSerializer,
    MemberUnsuspendSerializer,
    MemberWarnSerializer,
    ModeratorReportSerializer,
    MyReportSerializer,
    RemovalSerializer,
    ReportCreateSerializer,
    ReviewSerializer,
    SanctionSerializer,
)
from kei_community.moderation.models import Removal, Report
from kei_community.moderation.services import report_create_for, report_dismiss, report_resolve
from kei_community.users.permissions import IsModerator


class ReportCreateView(APIView):
    """Report any registered content: {"target_type": "app_label.model", "target_id", "reason", "note"}."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(request=ReportCreateSerializer, responses={201: MyReportSerializer})
    def post(self, request: Request) -> Response:
        serializer = ReportCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        content_type = selectors.content_type_for_label(data["target_type"])
        if content_type is None:
            from rest_framework.exceptions import ValidationError

            raise ValidationError(
                {"target_type": [f"Not reportable. Use one of: {', '.join(selectors.reportable_type_labels())}."]}
            )
        report = report_create_for(
            reporter=request.user,
            content_type=content_type,
            object_id=data["target_id"],
            reason=data["reason"],
            note=data["note"],
        )
        return Response(MyReportSerializer(report).data, status=status.HTTP_201_CREATED)


@extend_schema(
    parameters=[
        OpenApiParameter("status", str, enum=[s for s, _ in Report.Status.choices], description="Default: open.")
    ]
)
class ModeratorReportListView(generics.ListAPIView):
    """Reports for moderators (open ones by default), newest first."""

    serializer_class = ModeratorReportSerializer
    permission_classes = [IsModerator]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        wanted = self.request.query_params.get("status", Report.Status.OPEN)
        if wanted not in Report.Status.values:
            wanted = Report.Status.OPEN
        return selectors.reports_for_api(status=wanted)

    def list(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        page = self.paginate_queryset(self.get_queryset())
        rows = list(page if page is not None else self.get_queryset())
        context = {**self.get_serializer_context(), "targets": selectors.describe_reports(rows)}
        data = ModeratorReportSerializer(rows, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)


class _ReviewView(APIView):
    permission_classes = [IsModerator]
    action_fn = staticmethod(report_resolve)

    @extend_schema(request=ReviewSerializer, responses=ModeratorReportSerializer)
    def post(self, request: Request, pk: int) -> Response:
        serializer = ReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = get_object_or_404(Report.objects.select_related("reporter", "target_type"), pk=pk)
        report = self.action_fn(actor=request.user, report=report, note=serializer.validated_data["note"])
        context = {"targets": selectors.describe_reports([report])}
        return Response(ModeratorReportSerializer(report, context=context).data)


class ModeratorReportResolveView(_ReviewView):
    """Resolve an open report (the report was right); the reporter is notified."""

    action_fn = staticmethod(report_resolve)


class ModeratorReportDismissView(_ReviewView):
    """Dismiss an open report (nothing wrong); content hidden by reports comes back."""

    action_fn = staticmethod(report_dismiss)


# --- moderator actions on content and members ----------------------------------------------------------


def _content_type_or_404(label: str) -> Any:
    content_type = selectors.content_type_for_label(label)
    if content_type is None:
        raise Http404(f"Unknown kind of content. Use one of: {', '.join(selectors.reportable_type_labels())}.")
    return content_type


def _target_or_404(target_type: str, target_id: int) -> Any:
    content_type = _content_type_or_404(target_type)
    target = selectors.reportable_object(content_type=content_type, object_id=id_or_404(target_id, "No such content."))
    if target is None:
        raise Http404("No such content.")
    return target


def _about(data: dict) -> Any:
    """The reported content named by about_type/about_id (its open reports are closed), or None."""
    label, pk = data.get("about_type") or "", data.get("about_id")
    if not label and pk is None:
        return None
    content_type = selectors.content_type_for_label(label)
    target = selectors.reportable_object(content_type=content_type, object_id=pk) if content_type and pk else None
    if target is None:
        raise DRFValidationError({"about_type": ["There is no such content to report about."]})
    return target


def _ends_at(data: dict) -> Any:
    if data.get("days") is not None:
        return timezone.now() + timedelta(days=data["days"])
    return data.get("ends_at")


def _member_or_404(pk: int) -> Any:
    return get_by_id_or_404(get_user_model().objects.all(), pk, "No such member.")


def _removal_data(removals: list[Removal]) -> list[dict]:
    targets = selectors.load_targets({(r.target_type_id, r.target_id) for r in removals})
    described = {r.pk: selectors.describe_target(targets.get((r.target_type_id, r.target_id))) for r in removals}
    return list(RemovalSerializer(removals, many=True, context={"targets": described}).data)


def _state_data(actor: Any, state: selectors.TargetState) -> dict:
    situation = actions.situation_for_state(actor, state)
    removal = _removal_data([state.removal])[0] if state.removal is not None else None
    return {
        "target": {
            "type": state.label,
            "id": state.obj.pk,
            **{k: str(state.target.get(k, "")) for k in ("title", "url", "app")},
        },
        "removable": state.removable,
        "removal": removal,
        "owner": {"id": state.owner.pk, "name": state.owner.public_name} if state.owner is not None else None,
        "owner_suspension": SanctionSerializer(state.owner_suspension).data if state.owner_suspension else None,
        "open_reports": len(state.open_reports),
        "actions": [a.name for a in actions.shown(situation, actions.TARGET_ACTION_NAMES)],
    }


class ModerationContentView(APIView):
    """A piece of content for moderators: its removal, owner, owner's suspension, open reports and the verbs
    that apply (target_type is "app_label.model", e.g. "marketplace.listing")."""

    permission_classes = [IsModerator]

    @extend_schema(responses=ContentStateSerializer)
    def get(self, request: Request, target_type: str, target_id: int) -> Response:
        target = _target_or_404(target_type, target_id)
        state = selectors.target_state(content_type=_content_type_or_404(target_type), object_id=target.pk)
        assert state is not None
        return Response(_state_data(request.user, state))


class ModerationContentRemoveView(APIView):
    """Remove content (listing, photo, question, message, forum post) with a reason its owner is shown; its
    open reports close as "removed" and each reporter is told; audited."""

    permission_classes = [IsModerator]

    @extend_schema(request=ContentRemoveSerializer, responses={201: RemovalSerializer})
    def post(self, request: Request, target_type: str, target_id: int) -> Response:
        target = _target_or_404(target_type, target_id)
        serializer = ContentRemoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        removal = services.content_remove(actor=request.user, target=target, **serializer.validated_data)
        return Response(_removal_data([removal])[0], status=status.HTTP_201_CREATED)


class ModerationContentRestoreView(APIView):
    """Restore removed content as it was; its owner is told; audited."""

    permission_classes = [IsModerator]

    @extend_schema(request=ContentRestoreSerializer, responses=RemovalSerializer)
    def post(self, request: Request, target_type: str, target_id: int) -> Response:
        target = _target_or_404(target_type, target_id)
        serializer = ContentRestoreSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        removal = services.content_restore(actor=request.user, target=target, **serializer.validated_data)
        return Response(_removal_data([removal])[0])


class ModerationMemberView(APIView):
    """A member's moderation record: suspension in force, warnings and suspensions, removed content."""

    permission_classes = [IsModerator]

    @extend_schema(responses=MemberOverviewSerializer)
    def get(self, request: Request, pk: int) -> Response:
        overview = selectors.member_overview(member=_member_or_404(pk))
        situation = actions.situation_for_member(request.user, overview)
        return Response(
            {
                "member": {"id": overview.member.pk, "name": overview.member.public_name},
                "suspension": SanctionSerializer(overview.suspension).data if overview.suspension else None,
                "sanctions": SanctionSerializer(overview.sanctions, many=True).data,
                "removals": _removal_data(overview.removals),
                "content_up": overview.content_up,
                "actions": [a.name for a in actions.shown(situation, actions.MEMBER_ACTION_NAMES)],
            }
        )


class ModerationMemberWarnView(APIView):
    """Warn a member (not yourself, not staff; a moderator only by staff); they are told the reason."""

    permission_classes = [IsModerator]

    @extend_schema(request=MemberWarnSerializer, responses={201: SanctionSerializer})
    def post(self, request: Request, pk: int) -> Response:
        member = _member_or_404(pk)
        serializer = MemberWarnSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        warning = services.member_warn(
            actor=request.user, member=member, reason=data["reason"], about=_about(data), note=data["note"]
        )
        return Response(SanctionSerializer(warning).data, status=status.HTTP_201_CREATED)


class ModerationMemberSuspendView(APIView):
    """Suspend a member until ends_at (or for `days`; neither: until lifted). Their listings leave search at
    once; they can no longer list, post, message, react or upload. A suspension in force is replaced."""

    permission_classes = [IsModerator]

    @extend_schema(request=MemberSuspendSerializer, responses={201: SanctionSerializer})
    def post(self, request: Request, pk: int) -> Response:
        member = _member_or_404(pk)
        serializer = MemberSuspendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        suspension = services.member_suspend(
            actor=request.user,
            member=member,
            reason=data["reason"],
            ends_at=_ends_at(data),
            about=_about(data),
            note=data["note"],
        )
        return Response(SanctionSerializer(suspension).data, status=status.HTTP_201_CREATED)


class ModerationMemberUnsuspendView(APIView):
    """Lift a member's suspension now."""

    permission_classes = [IsModerator]

    @extend_schema(request=MemberUnsuspendSerializer, responses=SanctionSerializer)
    def post(self, request: Request, pk: int) -> Response:
        member = _member_or_404(pk)
        serializer = MemberUnsuspendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        suspension = services.member_unsuspend(actor=request.user, member=member, **serializer.validated_data)
        return Response(SanctionSerializer(suspension).data)


class ModerationMemberRemoveContentView(APIView):
    """Remove every listing of the member that is up (and the reported content named by about_type/about_id),
    with one reason; with "suspend": true, suspend them too — the usual scam pattern in one request."""

    permission_classes = [IsModerator]

    @extend_schema(request=MemberContentRemoveSerializer, responses=MemberContentRemovalSerializer)
    def post(self, request: Request, pk: int) -> Response:
        member = _member_or_404(pk)
        serializer = MemberContentRemoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = services.member_content_remove(
            actor=request.user,
            member=member,
            reason=data["reason"],
            suspend=data["suspend"],
            ends_at=_ends_at(data),
            about=_about(data),
            note=data["note"],
        )
        return Response(
            {
                "removed": _removal_data(result.removals),
                "suspension": SanctionSerializer(result.suspension).data if result.suspension else None,
            }
        )


@extend_schema(
    parameters=[
        OpenApiParameter("in_force", str, enum=["true", "false", "all"], description="Default: true (not restored).")
    ]
)
class ModerationRemovalListView(generics.ListAPIView):
    """Removed content, newest first (in force by default)."""

    serializer_class = RemovalSerializer
    permission_classes = [IsModerator]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        wanted = self.request.query_params.get("in_force", "true")
        if wanted not in ("true", "false", "all"):
            raise DRFValidationError({"in_force": ["Use true, false or all."]})
        return selectors.removals_for_api(in_force={"true": True, "false": False, "all": None}[wanted])

    def list(self, request: Request, *args, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        page = self.paginate_queryset(self.get_queryset())
        rows = list(page if page is not None else self.get_queryset())
        data = _removal_data(rows)
        return self.get_paginated_response(data) if page is not None else Response(data)


class ModerationSuspensionListView(generics.ListAPIView):
    """Suspensions in force, newest first."""

    serializer_class = SanctionSerializer
    permission_classes = [IsModerator]

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return selectors.suspended_members()
