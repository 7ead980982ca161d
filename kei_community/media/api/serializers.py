from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kei_community.core.api.mixins import StrictFieldsMixin
from kei_community.media.models import Photo


class PhotoSerializer(serializers.ModelSerializer):
    """A photo and its state. `sizes` lists each width's WebP and JPEG URL once ready."""

    sizes = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Photo
        fields = [
            "id",
            "url",
            "status",
            "status_label",
            "failure_reason",
            "position",
            "is_cover",
            "alt",
            "width",
            "height",
            "placeholder",
            "sizes",
            "created_at",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "properties": {
                    "width": {"type": "integer"},
                    "height": {"type": "integer"},
                    "webp": {"type": "string"},
                    "jpeg": {"type": "string"},
                },
            },
        }
    )
    def get_sizes(self, obj: Photo) -> dict[str, Any]:
        if not obj.is_ready:
            return {}
        return {
            str(w): {"width": w, "height": v.get("height"), "webp": v.get("webp"), "jpeg": v.get("jpeg")}
            for w, v in obj.sorted_renditions()
        }

    def get_url(self, obj: Photo) -> str:
        return obj.get_api_url()


class PhotoUploadSerializer(StrictFieldsMixin, serializers.Serializer):
    file = serializers.FileField(allow_empty_file=True, help_text="JPEG, PNG, WebP or HEIC/HEIF; one photo.")
    alt = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class PhotoOrderSerializer(StrictFieldsMixin, serializers.Serializer):
    order = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False)
    cover = serializers.IntegerField(min_value=1, required=False)

    def validate(self, attrs: dict) -> dict:
        if "order" not in attrs and "cover" not in attrs:
            raise serializers.ValidationError(
                {"order": ["Send `order` (photo ids in order) and/or `cover` (a photo id)."]}
            )
        return attrs


class PhotoUpdateSerializer(StrictFieldsMixin, serializers.Serializer):
    alt = serializers.CharField(max_length=200, required=False, allow_blank=True)
    is_cover = serializers.BooleanField(required=False)
