from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kei_community.core.api.mixins import StrictFieldsMixin
from kei_community.moderation.forms import MEMBER_REASONS
from kei_community.moderation.models import Removal, Report, Sanction


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
    outcome_label = serializers.CharField(source="get_outcome_display", read_only=True)

    class Meta:
        model = Report
        fields = ["id", "reason", "reason_label", "note", "status", "outcome", "outcome_label", "created_at"]
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
            "outcome",
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


# --- moderator actions ------------------------------------------------------------------------------


class ContentRemoveSerializer(StrictFieldsMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why: the owner is shown it.")
    note = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default="", help_text="Sent to the reporters."
    )


class ContentRestoreSerializer(StrictFieldsMixin, serializers.Serializer):
    note = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default="", help_text="Sent to the owner."
    )


class _AboutMixin(serializers.Serializer):
    about_type = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text='The reported content this is about ("app_label.model"): its open reports are closed.',
    )
    about_id = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    note = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default="", help_text="Sent to the reporters."
    )


class _EndsMixin(serializers.Serializer):
    ends_at = serializers.DateTimeField(
        required=False, allow_null=True, default=None, help_text="When the suspension ends; null: until lifted."
    )
    days = serializers.IntegerField(
        min_value=1, max_value=3650, required=False, allow_null=True, default=None, help_text="Or: this many days."
    )

    def validate(self, attrs: dict) -> dict:
        attrs = super().validate(attrs)
        if attrs.get("ends_at") is not None and attrs.get("days") is not None:
            raise serializers.ValidationError({"days": ["Give ends_at or days, not both."]})
        return attrs


class MemberWarnSerializer(StrictFieldsMixin, _AboutMixin):
    reason = serializers.CharField(max_length=2000, help_text="Why: the member is shown it.")


class MemberSuspendSerializer(StrictFieldsMixin, _EndsMixin, _AboutMixin):
    reason = serializers.CharField(max_length=2000, help_text="Why: the member is shown it.")


class MemberUnsuspendSerializer(StrictFieldsMixin, serializers.Serializer):
    note = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default="", help_text="Sent to the member."
    )


class MemberContentRemoveSerializer(StrictFieldsMixin, _EndsMixin, _AboutMixin):
    reason = serializers.CharField(max_length=2000, help_text="One reason for every removal (and the suspension).")
    suspend = serializers.BooleanField(required=False, default=False, help_text="Suspend the member too.")


class MemberRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


def _member(user: object) -> dict | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.public_name}  # type: ignore[attr-defined]


class RemovalSerializer(serializers.ModelSerializer):
    target = serializers.SerializerMethodField()
    owner = serializers.SerializerMethodField()
    removed_by = serializers.SerializerMethodField()
    restored_by = serializers.SerializerMethodField()
    in_force = serializers.BooleanField(read_only=True)

    class Meta:
        model = Removal
        fields = [
            "id", "target", "owner", "reason", "removed_by", "created_at", "in_force", "restored_at", "restored_by",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(ReportTargetSerializer)
    def get_target(self, obj: Removal) -> dict:
        ct = obj.target_type
        described = self.context.get("targets", {}).get(obj.pk, {})
        return {
            "type": f"{ct.app_label}.{ct.model}",
            "id": obj.target_id,
            "title": str(described.get("title") or obj.target_repr),
            "url": str(described.get("url", "")),
            "app": str(described.get("app", ct.app_label)),
        }

    @extend_schema_field(MemberRefSerializer(allow_null=True))
    def get_owner(self, obj: Removal) -> dict | None:
        return _member(obj.owner)

    @extend_schema_field(MemberRefSerializer(allow_null=True))
    def get_removed_by(self, obj: Removal) -> dict | None:
        return _member(obj.removed_by)

    @extend_schema_field(MemberRefSerializer(allow_null=True))
    def get_restored_by(self, obj: Removal) -> dict | None:
        return _member(obj.restored_by)


class SanctionSerializer(serializers.ModelSerializer):
    member = serializers.SerializerMethodField()
    created_by = serializers.SerializerMethodField()
    in_force = serializers.SerializerMethodField()

    class Meta:
        model = Sanction
        fields = ["id", "member", "kind", "reason", "ends_at", "created_by", "created_at", "lifted_at", "in_force"]
        read_only_fields = fields

    @extend_schema_field(MemberRefSerializer)
    def get_member(self, obj: Sanction) -> dict | None:
        return _member(obj.member)

    @extend_schema_field(MemberRefSerializer(allow_null=True))
    def get_created_by(self, obj: Sanction) -> dict | None:
        return _member(obj.created_by)

    def get_in_force(self, obj: Sanction) -> bool:
        from django.utils import timezone

        return obj.in_force_at(timezone.now())


class MemberContentRemovalSerializer(serializers.Serializer):
    removed = RemovalSerializer(many=True, source="removals")
    suspension = SanctionSerializer(allow_null=True)


class ContentStateSerializer(serializers.Serializer):
    target = ReportTargetSerializer()
    removable = serializers.BooleanField()
    removal = RemovalSerializer(allow_null=True)
    owner = MemberRefSerializer(allow_null=True)
    owner_suspension = SanctionSerializer(allow_null=True)
    open_reports = serializers.IntegerField()
    actions = serializers.ListField(child=serializers.CharField(), help_text="The verbs that apply now.")


class MemberOverviewSerializer(serializers.Serializer):
    member = MemberRefSerializer()
    suspension = SanctionSerializer(allow_null=True)
    sanctions = SanctionSerializer(many=True)
    removals = RemovalSerializer(many=True)
    content_up = serializers.DictField(child=serializers.IntegerField(), help_text="Per kind: how many are up.")
    actions = serializers.ListField(child=serializers.CharField(), help_text="The verbs that apply now.")
