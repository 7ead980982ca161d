from django.contrib import admin
from django.http import HttpRequest

from kei_community.moderation.models import AuditLogEntry, Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Browse reports; review them in the queue at /moderation/ so the audit log and notices happen."""

    list_display = ["id", "reason", "status", "target_type", "target_id", "reporter", "created_at", "resolved_by"]
    list_filter = ["status", "reason", "target_type"]
    search_fields = ["note", "resolution_note", "reporter__email"]
    list_select_related = ["reporter", "resolved_by", "target_type"]
    raw_id_fields = ["reporter", "resolved_by"]
    date_hierarchy = "created_at"

    def has_change_permission(self, request: HttpRequest, obj: Report | None = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only."""

    list_display = ["created_at", "actor", "action", "target_type", "target_id", "target_repr"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_repr", "note", "actor__email"]
    list_select_related = ["actor", "target_type"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditLogEntry | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditLogEntry | None = None) -> bool:
        return False
