from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kei_community.core.api.mixins import StrictFieldsMixin
from kei_community.moderation.forms import MEMBER_REASONS
from kei_community.moderation.models import Report


class ReportCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    target_type = serializers.CharField(max_length=100, help_text='"app_label.model", e.g. "marketplace.listing".')
    target_id = serializers.IntegerField(min_value=1)
    reason = serializers.ChoiceField(choices=MEMBER_REASONS)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReportTargetSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField(allow_blank=True)
    app = serializers.CharField(allow_blank=True)


class MyReportSerializer(serializers.ModelSerializer):
    """What a member gets back after reporting."""

    reason_label = serializers.CharField(source="get_reason_display", read_only=True)

    class Meta:
        model = Report
        fields = ["id", "reason", "reason_label", "note", "status", "created_at"]
        read_only_fields = fields


class ModeratorReportSerializer(serializers.ModelSerializer):
    reason_label = serializers.CharField(source="get_reason_display", read_only=True)
    reporter = serializers.CharField(source="reporter.public_name", read_only=True)
    resolved_by = serializers.SerializerMethodField()
    target = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [
            "id",
            "reason",
            "reason_label",
            "note",
            "status",
            "reporter",
            "created_at",
            "target",
            "resolved_by",
            "resolution_note",
            "resolved_at",
        ]
        read_only_fields = fields

    def get_resolved_by(self, obj: Report) -> str | None:
        return obj.resolved_by.public_name if obj.resolved_by is not None else None

    @staticmethod
    def _target(obj: Report, described: dict) -> dict:
        ct = obj.target_type
        return {
            "type": f"{ct.app_label}.{ct.model}",
            "id": obj.target_id,
            "title": str(described.get("title", "")),
            "url": str(described.get("url", "")),
            "app": str(described.get("app", "")),
        }

    @extend_schema_field(ReportTargetSerializer)
    def get_target(self, obj: Report) -> dict:
        described = self.context.get("targets", {}).get(obj.pk, {})
        return self._target(obj, described)


class ReviewSerializer(StrictFieldsMixin, serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
