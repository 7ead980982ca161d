from __future__ import annotations

from typing import Any

from rest_framework import serializers

from kei_community.core.api.mixins import PageUrlField, StrictFieldsMixin
from kei_community.core.ids import MAX_ID
from kei_community.notifications.models import Notification
from kei_community.notifications.registry import DELIVERY_CHOICES, get_kind


class NotificationSerializer(serializers.ModelSerializer):
    page_url = PageUrlField()
    kind_label = serializers.SerializerMethodField()
    actor = serializers.SerializerMethodField()
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "kind_label", "title", "body", "actor", "created_at", "read_at", "is_read", "page_url"]
        read_only_fields = fields

    def get_kind_label(self, obj: Notification) -> str:
        try:
            return get_kind(obj.kind).label
        except LookupError:
            return obj.kind

    def get_actor(self, obj: Notification) -> str | None:
        return obj.actor.public_name if obj.actor is not None else None

    def get_is_read(self, obj: Notification) -> bool:
        return obj.read_at is not None


class MarkReadSerializer(StrictFieldsMixin, serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), required=False, max_length=500
    )
    all = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("all") and not attrs.get("ids"):
            raise serializers.ValidationError({"ids": ["Give the ids to mark read, or all=true."]})
        return attrs


class MarkReadResponseSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
    unread = serializers.IntegerField()


class PreferenceSerializer(serializers.Serializer):
    kind = serializers.CharField(read_only=True)
    kind_label = serializers.CharField(read_only=True)
    delivery = serializers.ChoiceField(choices=DELIVERY_CHOICES, read_only=True)


class PreferencesUpdateSerializer(StrictFieldsMixin, serializers.Serializer):
    preferences = serializers.DictField(
        child=serializers.ChoiceField(choices=DELIVERY_CHOICES),
        help_text='Kind → "immediate", "daily" or "off", e.g. {"reply": "daily"}.',
    )
