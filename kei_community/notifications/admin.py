from django.contrib import admin

from kei_community.notifications.models import Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "kind",
        "recipient",
        "created_at",
        "read_at",
        "delivery",
        "email_status",
        "email_attempts",
        "emailed_at",
    ]
    list_filter = ["email_status", "kind", "delivery"]
    search_fields = ["title", "recipient__email"]
    raw_id_fields = ["recipient", "actor"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "delivery", "updated_at"]
    list_filter = ["kind", "delivery"]
    raw_id_fields = ["user"]
    list_select_related = ["user"]
