from typing import Any

from django.contrib import admin

from forum.models import Category, Post, Tag, Thread
from forum.services import categories_changed


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position", "allows_solved", "thread_count", "post_count", "last_post_at"]
    list_editable = ["position", "allows_solved"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["thread_count", "post_count", "last_post_at"]

    # A rename, a new position or a deletion shows at once on the index and on every page naming the category.
    def save_model(self, request: Any, obj: Category, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        categories_changed([obj.pk])

    def delete_model(self, request: Any, obj: Category) -> None:
        pk = obj.pk
        super().delete_model(request, obj)
        categories_changed([pk])

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        pks = list(queryset.values_list("pk", flat=True))
        super().delete_queryset(request, queryset)
        categories_changed(pks)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "state_code"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]


@admin.register(Thread)
class ThreadAdmin(admin.ModelAdmin):
    list_display = ["title", "category", "author", "post_count", "is_pinned", "is_locked", "is_hidden", "last_post_at"]
    list_filter = ["category", "is_pinned", "is_locked", "is_hidden"]
    search_fields = ["title"]
    raw_id_fields = ["author", "truck", "solved_post", "tags"]
    readonly_fields = ["post_count", "last_position", "last_post_at", "last_poster"]


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["id", "thread", "position", "author", "created_at", "is_deleted", "is_hidden", "is_held"]
    list_filter = ["is_deleted", "is_hidden", "is_held"]
    raw_id_fields = ["thread", "author", "deleted_by"]
    readonly_fields = ["body_markdown", "body_html", "body_text"]  # edits go through the site (history, audit)
