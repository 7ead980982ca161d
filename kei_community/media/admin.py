from __future__ import annotations

from django.contrib import admin, messages
from django.template.loader import render_to_string
from django.urls import reverse

from kei_community.media import services
from kei_community.media.models import Photo


@admin.register(Photo)
class PhotoAdmin(admin.ModelAdmin):
    list_display = ["id", "owner_type", "owner_id", "status", "attempts", "is_cover", "position", "created_at"]
    list_filter = ["status", "owner_type"]
    search_fields = ["=id", "=owner_id", "failure_reason"]
    readonly_fields = [
        "key",
        "owner_type",
        "owner_id",
        "uploader",
        "original_file",
        "original_format",
        "original_bytes",
        "status",
        "status_changed_at",
        "failure_reason",
        "attempts",
        "width",
        "height",
        "renditions",
        "created_at",
        "updated_at",
        "processed_at",
    ]
    exclude = ["placeholder", "original"]  # the original is private: no link, only its name
    actions = ["reprocess"]

    @admin.display(description="Original (private)")
    def original_file(self, obj: Photo) -> str:
        """Its name, and a link through the moderators' view (a short-lived signed URL on S3, audited)."""
        if not obj.original:
            return ""
        return render_to_string(
            "media/admin_original_link.html",
            {"name": obj.original.name, "url": reverse("media:original", args=[obj.pk])},
        )

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False  # uploads go through the services (validation)

    @admin.action(description="Reprocess selected photos (enqueue)")
    def reprocess(self, request, queryset):  # type: ignore[no-untyped-def]
        sent = sum(services.enqueue_processing(pk, force=True) for pk in queryset.values_list("pk", flat=True))
        self.message_user(request, f"{sent} photo(s) sent for processing.", messages.SUCCESS)
