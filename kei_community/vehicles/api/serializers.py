from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from kei_community.core.api.mixins import PageUrlField, StrictFieldsMixin
from kei_community.media.api.serializers import PhotoSerializer
from kei_community.vehicles.eligibility import import_eligibility
from kei_community.vehicles.frame import mask_frame_number
from kei_community.vehicles.models import ChassisCode, GarageTruck


class ChassisCodeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChassisCode
        fields = [
            "id", "code", "make", "model", "body", "drive", "years_from", "years_to", "engine",
            "displacement_cc", "rebadge_of", "verified", "source",
        ]  # fmt: skip
        read_only_fields = fields


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "My truck",
            request_only=True,
            value={
                "chassis_code": "DA63T",
                "frame_number": "DA63T-123456",
                "year_built": 2005,
                "nickname": "Blue",
                "transmission": "manual",
                "bed_type": "dump",
                "odometer": 48000,
                "odometer_unit": "km",
                "colour": "White",
            },
        )
    ]
)
class GarageTruckSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    page_url = PageUrlField()
    owner = serializers.CharField(source="owner.public_name", read_only=True)
    chassis_code = serializers.SlugRelatedField(
        slug_field="code", queryset=ChassisCode.objects.all(), required=False, allow_null=True
    )
    photos = serializers.SerializerMethodField()
    eligibility = serializers.SerializerMethodField()

    class Meta:
        model = GarageTruck
        fields = [
            "id", "page_url", "owner", "chassis_code", "make", "model", "frame_number", "year_built", "month_built",
            "nickname", "notes", "us_market", "registered_as", "transmission", "bed_type", "odometer", "odometer_unit",
            "colour", "photos", "eligibility", "created_at",
        ]  # fmt: skip
        read_only_fields = ["id", "page_url", "owner", "photos", "eligibility", "created_at"]
        extra_kwargs = {"make": {"required": False}}

    def to_representation(self, instance: GarageTruck) -> dict:
        data = super().to_representation(instance)
        request = self.context.get("request")
        if not (request and request.user.pk == instance.owner_id):
            data["frame_number"] = mask_frame_number(instance.frame_number)
        return data

    @extend_schema_field(PhotoSerializer(many=True))
    def get_photos(self, obj: GarageTruck) -> list:
        return PhotoSerializer(sorted(obj.photos.all(), key=lambda p: (p.position, p.pk)), many=True).data  # type: ignore[return-value]  # many=True makes a ListSerializer (ReturnList); the stubs say ReturnDict

    @extend_schema_field({"type": "object"})
    def get_eligibility(self, obj: GarageTruck) -> dict:
        return import_eligibility(
            year_built=obj.year_built, month_built=obj.month_built, us_market=obj.us_market
        ).as_dict()

    def validate(self, attrs: dict) -> dict:
        if not self.instance and not attrs.get("make") and not attrs.get("chassis_code"):
            raise serializers.ValidationError({"make": ["Give a chassis code or the make."]})
        return attrs
