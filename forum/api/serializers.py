from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from forum.models import Category, Level, Post, Reaction, Thread
from kei_community.core.api.mixins import PageUrlField, StrictFieldsMixin
from kei_community.media.api.serializers import PhotoSerializer


class AuthorSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="public_name", read_only=True)
    page_url = PageUrlField()


class CategorySerializer(serializers.ModelSerializer):
    page_url = PageUrlField()

    class Meta:
        model = Category
        fields = ["id", "name", "slug", "description", "position", "allows_solved", "thread_count", "post_count",
                  "last_post_at", "page_url"]  # fmt: skip
        read_only_fields = fields


class ThreadSerializer(serializers.ModelSerializer):
    category: serializers.SlugRelatedField = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    author = AuthorSerializer(read_only=True)
    tags = serializers.SerializerMethodField()
    reply_count = serializers.IntegerField(read_only=True)
    page_url = PageUrlField()

    class Meta:
        model = Thread
        fields = ["id", "title", "slug", "category", "author", "tags", "truck", "is_pinned", "is_locked",
                  "post_count", "reply_count", "created_at", "last_post_at", "solved_post", "page_url"]  # fmt: skip
        read_only_fields = fields

    def get_tags(self, obj: Thread) -> list[str]:
        return [t["name"] for t in obj.tag_list]


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "A maintenance question",
            request_only=True,
            value={
                "category": "maintenance",
                "title": "Carry idles rough when cold",
                "body": "My **DA63T** idles rough until it warms up. Idle air valve?",
                "tags": ["carry", "idle"],
            },
        )
    ]
)
class ThreadCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    category = serializers.SlugRelatedField(slug_field="slug", queryset=Category.objects.all())
    title = serializers.CharField(max_length=140, min_length=5)
    body = serializers.CharField(max_length=20_000, help_text="The first post, in markdown.")
    tags = serializers.ListField(child=serializers.CharField(max_length=40), required=False, max_length=5)
    truck = serializers.IntegerField(required=False, allow_null=True, help_text="Id of one of your garage trucks.")


class ThreadUpdateSerializer(StrictFieldsMixin, serializers.Serializer):
    title = serializers.CharField(max_length=140, min_length=5, required=False)
    tags = serializers.ListField(child=serializers.CharField(max_length=40), required=False, max_length=5)


class PostSerializer(serializers.ModelSerializer):
    author = AuthorSerializer(read_only=True)
    body_markdown = serializers.SerializerMethodField()
    body_html = serializers.SerializerMethodField()
    photos = PhotoSerializer(many=True, read_only=True)
    page_url = PageUrlField()

    class Meta:
        model = Post
        fields = ["id", "thread", "position", "author", "body_markdown", "body_html", "created_at", "edited_at",
                  "edit_count", "is_deleted", "is_held", "reaction_counts", "photos", "page_url"]  # fmt: skip
        read_only_fields = fields

    def get_body_markdown(self, obj: Post) -> str:
        return "" if obj.is_deleted and not self.context.get("moderator") else obj.body_markdown

    def get_body_html(self, obj: Post) -> str:
        return "" if obj.is_deleted and not self.context.get("moderator") else obj.body_html


class PostCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    body = serializers.CharField(max_length=20_000)


class PostUpdateSerializer(StrictFieldsMixin, serializers.Serializer):
    body = serializers.CharField(max_length=20_000)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class ReactionSerializer(StrictFieldsMixin, serializers.Serializer):
    kind = serializers.ChoiceField(choices=Reaction.Kind.choices)


class ReactionResultSerializer(serializers.Serializer):
    on = serializers.BooleanField()
    reaction_counts = serializers.DictField(child=serializers.IntegerField())


class WatchSerializer(StrictFieldsMixin, serializers.Serializer):
    level = serializers.ChoiceField(choices=Level.choices)


class PinSerializer(StrictFieldsMixin, serializers.Serializer):
    pinned = serializers.BooleanField(default=True)


class LockSerializer(StrictFieldsMixin, serializers.Serializer):
    locked = serializers.BooleanField(default=True)


class MoveSerializer(StrictFieldsMixin, serializers.Serializer):
    category = serializers.SlugRelatedField(slug_field="slug", queryset=Category.objects.all())
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


def serializer_context(request: Any) -> dict:
    return {"request": request, "moderator": bool(request.user.is_authenticated and request.user.is_moderator)}
