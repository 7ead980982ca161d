from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class Report(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", "Spam"
        SCAM = "scam", "Scam or fraud"
        WRONG_INFORMATION = "wrong_information", "Wrong information"
        OFFENSIVE = "offensive", "Offensive"
        ALREADY_SOLD = "already_sold", "Already sold"
        PROHIBITED = "prohibited", "Prohibited item"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"
        DISMISSED = "dismissed", "Dismissed"

    class Outcome(models.TextChoices):
        """What the reporter is told happened (set when the report is closed)."""

        NONE = "", "Not reviewed yet"
        REMOVED = "removed", "removed"
        WARNED = "warned", "the member was warned"
        SUSPENDED = "suspended", "the member was suspended"
        NO_ACTION = "no_action", "no action"
        RESOLVED = "resolved", "resolved"

    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_made")
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    reason = models.CharField(max_length=30, choices=Reason.choices)
    note = models.TextField(max_length=2000, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN, db_index=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution_note = models.TextField(blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, blank=True, default=Outcome.NONE)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reporter", "target_type", "target_id"],
                condition=models.Q(status="open"),
                name="one_open_report_per_member_and_target",
            )
        ]
        indexes = [models.Index(fields=["target_type", "target_id", "status"], name="report_target_status")]

    def __str__(self) -> str:
        return f"Report {self.pk} ({self.reason})"


class AuditLogEntry(models.Model):
    """Append-only record of every moderator action."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=60, db_index=True)
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.SET_NULL)
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target_repr = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "audit log entries"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_repr}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None:
            raise ValueError("Audit log entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise ValueError("Audit log entries are append-only.")


class Removal(models.Model):
    """Content a moderator took down, with the reason its owner is shown; restored_at once brought back.

    The app's own row says the content is gone (a listing's status, a question's hidden flag, a
    forum post's soft delete); ``state`` keeps what the app needs to put it back. At most one
    removal per target is in force (``restored_at`` empty).
    """

    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    target_repr = models.CharField(max_length=200, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="removals"
    )
    reason = models.TextField(max_length=2000, help_text="Shown to the owner.")
    state = models.JSONField(default=dict, blank=True, help_text="What the app needs to restore it.")
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    restored_at = models.DateTimeField(null=True, blank=True)
    restored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["target_type", "target_id"],
                condition=models.Q(restored_at__isnull=True),
                name="one_removal_in_force_per_target",
            )
        ]
        indexes = [models.Index(fields=["target_type", "target_id"], name="removal_target")]

    def __str__(self) -> str:
        return f"Removal of {self.target_repr or self.target_id}"

    @property
    def in_force(self) -> bool:
        return self.restored_at is None


class Sanction(models.Model):
    """A warning or a suspension of a member, with the reason they are shown.

    A suspension is in force from ``created_at`` until ``ends_at`` (empty: indefinite) unless a
    moderator lifted it (``lifted_at``). A suspended member can read but not post, list, message,
    react or upload (``kei_community.moderation.sanctions.check_not_suspended``).
    """

    class Kind(models.TextChoices):
        WARNING = "warning", "Warning"
        SUSPENSION = "suspension", "Suspension"

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sanctions")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    reason = models.TextField(max_length=2000, help_text="Shown to the member.")
    ends_at = models.DateTimeField(null=True, blank=True, help_text="Suspensions only; empty: indefinite.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    end_handled_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the periodic sweep fired what a lift fires, for a suspension that ran out by itself.",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One suspension not lifted per member: suspending again lifts the previous one first.
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(kind="suspension", lifted_at__isnull=True),
                name="one_open_suspension_per_member",
            )
        ]
        indexes = [
            models.Index(fields=["member", "kind"], name="sanction_member_kind"),
            # The sweep's question: open suspensions that ran out and were not handled yet.
            models.Index(
                fields=["ends_at"],
                condition=models.Q(kind="suspension", lifted_at__isnull=True, end_handled_at__isnull=True),
                name="sanction_suspension_unhandled",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of member {self.member_id}"

    def in_force_at(self, when: datetime) -> bool:
        if self.kind != self.Kind.SUSPENSION or self.lifted_at is not None:
            return False
        return self.ends_at is None or self.ends_at > when
