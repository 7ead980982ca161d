from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kei_community.moderation import selectors
from kei_community.moderation.api.serializers import (
    ModeratorReportSerializer,
    MyReportSerializer,
    ReportCreateSerializer,
    ReviewSerializer,
)
from kei_community.moderation.models import Report
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
