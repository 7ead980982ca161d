from __future__ import annotations

from django.conf import settings
from django.db import models


class ContactMessage(models.Model):
    """A message sent through the Contact page. It reaches the moderators as a report in the moderation
    queue (kei_community.core.services.contact_message_send); a moderator answers by email."""

    class Topic(models.TextChoices):
        QUESTION = "question", "A question about the site"
        ACCOUNT = "account", "My account or signing in"
        PROBLEM = "problem", "Something on the site is broken"
        REPORT = "report", "A member, listing or post (not reportable from its page)"
        PRIVACY = "privacy", "Privacy or my data"
        LEGAL = "legal", "Legal notice (copyright, law enforcement)"
        OTHER = "other", "Something else"

    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="contact_messages"
    )
    name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(help_text="Where a moderator answers.")
    topic = models.CharField(max_length=20, choices=Topic.choices, default=Topic.QUESTION)
    subject = models.CharField(max_length=150)
    body = models.TextField(max_length=4000)
    # A keyed hash of the client address (its /64 for IPv6): what the per-address limit counts, never the address.
    client_key = models.CharField(max_length=64, db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["sender", "created_at"], name="contact_sender_created")]

    def __str__(self) -> str:
        return f"Contact: {self.subject}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("contact-message", args=[self.pk])
