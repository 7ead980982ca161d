from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from kei_community.notifications.registry import DELIVERY_CHOICES, IMMEDIATE


class Notification(models.Model):
    """One row per recipient and event, written in the same transaction as the event."""

    class EmailStatus(models.TextChoices):
        # pending → claimed (a sender is on it) → sent, or back to pending for a retry,
        # or failed once NOTIFICATIONS_EMAIL_MAX_ATTEMPTS attempts went wrong.
        PENDING = "pending", "Pending"
        CLAIMED = "claimed", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE)
    target_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)  # when the email (or digest) went out
    email_status = models.CharField(max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    email_attempts = models.PositiveSmallIntegerField(default=0)  # sends started (email or digest)
    email_claimed_at = models.DateTimeField(null=True, blank=True)  # start of the latest send attempt
    # The recipient's email preference for this kind when the row was written (kept in step
    # with later preference changes while unsent): immediate / daily / off.
    delivery = models.CharField(max_length=10, choices=DELIVERY_CHOICES, default=IMMEDIATE)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notif_recipient_unread"),
            models.Index(
                fields=["delivery", "created_at"],
                condition=models.Q(emailed_at__isnull=True),
                name="notif_email_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}: {self.title}"

    def get_absolute_url(self) -> str:
        return self.url or "/notifications/"


class NotificationPreference(models.Model):
    """How one member wants email for one kind. Missing row = the kind's default."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=40)
    delivery = models.CharField(max_length=10, choices=DELIVERY_CHOICES)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_user_and_kind")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.delivery}"
