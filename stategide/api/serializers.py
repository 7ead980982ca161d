from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from kei_community.core.api.mixins import PageUrlField, StrictFieldsMixin
from kei_community.core.public_url import absolute_url
from stategide.models import (
    MAX_SPEED_MPH,
    Citation,
    Confidence,
    LawEvent,
    Revision,
    StatePage,
    Status,
    Verification,
)


class StateListSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()
    confidence = serializers.SerializerMethodField()
    speed = serializers.SerializerMethodField(help_text="Maximum posted road speed allowed (mph), or null.")
    url = serializers.SerializerMethodField(help_text="Absolute URL of the state's page.")
    last_verified = serializers.SerializerMethodField(
        help_text="When a moderator last verified the published revision (null: this revision is not verified)."
    )
    page_url = PageUrlField()

    class Meta:
        model = StatePage
        fields = ["code", "name", "status", "confidence", "last_verified", "speed", "url", "page_url"]

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_last_verified(self, obj: StatePage) -> str | None:
        rev = obj.published_revision
        return rev.verified_on.isoformat() if rev is not None and rev.verified_on else None

    @extend_schema_field(serializers.ChoiceField(choices=Status.choices))
    def get_status(self, obj: StatePage) -> str:
        return obj.published_revision.status if obj.published_revision else Status.UNCLEAR

    @extend_schema_field(serializers.ChoiceField(choices=Confidence.choices))
    def get_confidence(self, obj: StatePage) -> str:
        return obj.published_revision.confidence if obj.published_revision else Confidence.LOW

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_speed(self, obj: StatePage) -> int | None:
        return obj.published_revision.max_road_speed_mph if obj.published_revision else None

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, obj: StatePage) -> str:
        return absolute_url(obj.get_absolute_url())


class CitationSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=Citation.Kind.choices, default=Citation.Kind.AGGREGATOR)
    host = serializers.CharField(read_only=True, help_text="The site the source is on.")

    class Meta:
        model = Citation
        fields = ["kind", "label", "url", "host", "is_primary"]
        extra_kwargs = {"label": {"help_text": "The source's title."}}

    def validate_url(self, value: str) -> str:
        if not value.lower().startswith(("http://", "https://")):
            raise serializers.ValidationError("Enter a web address that starts with http:// or https://.")
        return value


REVISION_FIELDS = [
    "status", "summary", "vehicle_class", "max_road_speed_mph", "speed_note", "vehicle_speed_cap_mph",
    "road_restrictions", "local_option", "interstate_ban", "registration_steps", "required_documents",
    "registration_notes", "plate_type", "insurance_notes", "inspection_notes", "statute_refs",
    "law_effective_date", "pending_bills", "confidence",
]  # fmt: skip


class RevisionSerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    citations = CitationSerializer(many=True, read_only=True)
    page_url = PageUrlField()
    registration_steps = serializers.ListField(child=serializers.CharField())
    required_documents = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Revision
        fields = [
            "id", "number", "state", "conflicting", "author", "edit_summary", "created_at", "reviewed_at",
            "review_note", *REVISION_FIELDS, "body", "body_html", "citations", "page_url",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="Public name, or null (reference data)."))
    def get_author(self, obj: Revision) -> str | None:
        return obj.author.public_name if obj.author else None


class RevisionSummarySerializer(serializers.ModelSerializer):
    author = serializers.SerializerMethodField()
    page_url = PageUrlField()

    class Meta:
        model = Revision
        fields = ["id", "number", "state", "conflicting", "author", "edit_summary", "created_at", "status", "page_url"]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="Public name, or null (reference data)."))
    def get_author(self, obj: Revision) -> str | None:
        return obj.author.public_name if obj.author else None


class LawEventSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """A dated event of the state's law timeline with its source."""

    kind = serializers.ChoiceField(choices=LawEvent.Kind.choices)
    citation_kind = serializers.ChoiceField(choices=Citation.Kind.choices)
    citation_host = serializers.CharField(read_only=True)

    class Meta:
        model = LawEvent
        fields = [
            "id", "kind", "date", "title", "description", "citation_url", "citation_title", "citation_kind",
            "citation_host",
        ]  # fmt: skip
        read_only_fields = ["id", "citation_host"]

    def validate_citation_url(self, value: str) -> str:
        if not value.lower().startswith(("http://", "https://")):
            raise serializers.ValidationError("Enter a web address that starts with http:// or https://.")
        return value


class StateDetailSerializer(StateListSerializer):
    verified_by = serializers.SerializerMethodField()
    protected_until = serializers.DateTimeField(read_only=True, allow_null=True)
    protection_reason = serializers.CharField(read_only=True)
    revision = RevisionSerializer(source="published_revision", read_only=True)
    events = LawEventSerializer(many=True, read_only=True, help_text="The law timeline, oldest first.")

    class Meta(StateListSerializer.Meta):
        fields = [
            *StateListSerializer.Meta.fields, "verified_by", "protected_until", "protection_reason", "revision",
            "events",
        ]  # fmt: skip

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_verified_by(self, obj: StatePage) -> str | None:
        rev = obj.published_revision
        return rev.verified_by.public_name if rev is not None and rev.verified_by else None


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A new speed limit",
            request_only=True,
            value={
                "edit_summary": "The 2025 law raised the speed limit",
                "summary": "Allowed on roads posted 45 mph or less.",
                "max_road_speed_mph": 45,
                "citations": [
                    {
                        "kind": "statute",
                        "label": "Transportation Code 551.402",
                        "url": "https://statutes.example.gov/551",
                    }
                ],
            },
        )
    ]
)
class ProposeSerializer(StrictFieldsMixin, serializers.Serializer):
    """Fields you leave out keep their published value; `citations` are sources you add."""

    edit_summary = serializers.CharField(max_length=300)
    summary_confirmed = serializers.BooleanField(
        required=False,
        default=False,
        help_text="The status changes and the summary does not: the editor confirms the summary still matches.",
    )
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    summary = serializers.CharField(max_length=1000, required=False)
    vehicle_class = serializers.CharField(max_length=120, required=False, allow_blank=True)
    max_road_speed_mph = serializers.IntegerField(min_value=0, max_value=MAX_SPEED_MPH, required=False, allow_null=True)
    speed_note = serializers.CharField(max_length=120, required=False, allow_blank=True)
    vehicle_speed_cap_mph = serializers.IntegerField(
        min_value=0, max_value=MAX_SPEED_MPH, required=False, allow_null=True
    )
    road_restrictions = serializers.CharField(required=False, allow_blank=True)
    local_option = serializers.BooleanField(required=False, allow_null=True)
    interstate_ban = serializers.BooleanField(required=False, allow_null=True)
    registration_steps = serializers.ListField(child=serializers.CharField(max_length=300), required=False)
    required_documents = serializers.ListField(child=serializers.CharField(max_length=300), required=False)
    registration_notes = serializers.CharField(required=False, allow_blank=True)
    plate_type = serializers.CharField(max_length=120, required=False, allow_blank=True)
    insurance_notes = serializers.CharField(required=False, allow_blank=True)
    inspection_notes = serializers.CharField(required=False, allow_blank=True)
    statute_refs = serializers.CharField(required=False, allow_blank=True)
    law_effective_date = serializers.DateField(required=False, allow_null=True)
    pending_bills = serializers.CharField(required=False, allow_blank=True)
    confidence = serializers.ChoiceField(choices=Confidence.choices, required=False)
    body = serializers.CharField(required=False, allow_blank=True)
    citations = CitationSerializer(many=True, required=False)

    def validate_summary(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError("Write a short summary of the law.")
        return value

    def content(self) -> dict[str, Any]:
        return {
            k: v for k, v in self.validated_data.items() if k not in ("edit_summary", "citations", "summary_confirmed")
        }


class RejectSerializer(StrictFieldsMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ApproveSerializer(StrictFieldsMixin, serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class VerifySerializer(StrictFieldsMixin, serializers.Serializer):
    checks = serializers.ListField(
        child=serializers.ChoiceField(choices=Verification.Check.choices),
        allow_empty=False,
        help_text="What was checked (at least one).",
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    open_questions = serializers.CharField(
        required=False, allow_blank=True, help_text="Replaces the page's open questions (moderators only)."
    )


class ProtectSerializer(StrictFieldsMixin, serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=365)
    reason = serializers.CharField(max_length=300)


class UnprotectSerializer(StrictFieldsMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class RebaseSerializer(StrictFieldsMixin, serializers.Serializer):
    """No fields: the proposal's own changes are put on top of the current published revision."""


class ChecklistQuerySerializer(serializers.Serializer):
    """The truck (all optional): its chassis code and build date."""

    chassis_code = serializers.CharField(required=False, max_length=20, help_text="For example DA63T.")
    year_built = serializers.IntegerField(required=False, min_value=1960)
    month_built = serializers.IntegerField(required=False, min_value=1, max_value=12)


class ChecklistPaperSerializer(serializers.Serializer):
    name = serializers.CharField()
    why = serializers.CharField()


class ChecklistSectionSerializer(serializers.Serializer):
    heading = serializers.CharField()
    text = serializers.CharField(allow_null=True, help_text="null: not known yet.")


class ChecklistTruckSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="For example: 1998 Suzuki Carry DA63T.")
    chassis_code = serializers.CharField(allow_null=True)
    year_built = serializers.IntegerField(allow_null=True)
    month_built = serializers.IntegerField(allow_null=True)
    in_catalog = serializers.BooleanField()
    catalog_note = serializers.CharField()


class ChecklistEventSerializer(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.ChoiceField(choices=LawEvent.Kind.choices)
    title = serializers.CharField()
    source_url = serializers.URLField()


class ChecklistThreadSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.CharField()


class ChecklistSerializer(serializers.Serializer):
    """'Can I register this truck here?': the state's guide put together with the truck. Never more than the
    guide says: unknown parts are null or listed under `unknowns`, with the confidence and verification."""

    state_code = serializers.CharField()
    state_name = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    status_label = serializers.CharField()
    answer = serializers.CharField()
    confidence = serializers.ChoiceField(choices=Confidence.choices)
    last_verified = serializers.DateField(allow_null=True)
    verified_by = serializers.CharField(allow_null=True)
    truck = ChecklistTruckSerializer(allow_null=True)
    eligibility = serializers.DictField(allow_null=True, help_text="NHTSA 25-year and EPA 21-year status.")
    import_papers = ChecklistPaperSerializer(many=True)
    registration_steps = serializers.ListField(child=serializers.CharField())
    required_documents = serializers.ListField(child=serializers.CharField())
    sections = ChecklistSectionSerializer(many=True)
    unknowns = serializers.ListField(child=serializers.CharField())
    upcoming_events = ChecklistEventSerializer(many=True)
    unclear = serializers.BooleanField(help_text="The state's status is unclear or its confidence low.")
    forum_threads = ChecklistThreadSerializer(many=True)
    page_url = serializers.CharField()
