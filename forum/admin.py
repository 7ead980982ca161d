from django.contrib import admin

from forum.models import Category, Post, Tag, Thread
from forum.services import categories_changed
from kei_community.core.admin import ChangedOnSaveAdmin


@admin.register(Category)
class CategoryAdmin(ChangedOnSaveAdmin):
    list_display = ["name", "slug", "position", "allows_solved", "thread_count", "post_count", "last_post_at"]
    list_editable = ["position", "allows_solved"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["thread_count", "post_count", "last_post_at"]

    def changed(self, pks: list[int]) -> None:  # a rename, a new position or a deletion shows at once
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
