"""One photo model for every app: listings, garage trucks, forum posts and avatars.

An owning model attaches photos with
    photos = GenericRelation("media.Photo", content_type_field="owner_type", object_id_field="owner_id")
so `prefetch_related("photos")` works. Writes go through kei_community.media.services.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from kei_community.media.storage import get_private_storage

# Rendition widths in pixels; never upscaled.
RENDITION_WIDTHS: tuple[int, ...] = (400, 960, 1600)
# Each width is written as WebP and as a JPEG fallback.
RENDITION_FORMATS: tuple[str, ...] = ("webp", "jpeg")


def original_upload_to(instance: Photo, filename: str) -> str:
    ext = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "HEIF": "heic"}.get(instance.original_format, "bin")
    return f"originals/{instance.key.hex[:2]}/{instance.key.hex}.{ext}"


class Photo(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be processed"
        PROCESSING = "processing", "Processing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    owner_id = models.PositiveBigIntegerField()
    owner = GenericForeignKey("owner_type", "owner_id")
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="uploaded_photos"
    )
    # In STORAGES["private"] (PRIVATE_MEDIA_ROOT or the private bucket); never public. Moderators open it
    # through a short-lived signed URL (services.photo_original_access); the worker reads it.
    original = models.FileField(storage=get_private_storage, upload_to=original_upload_to, max_length=255)
    original_format = models.CharField(max_length=8, blank=True)
    original_bytes = models.PositiveIntegerField(default=0)

    position = models.PositiveIntegerField(default=0)
    is_cover = models.BooleanField(default=False)
    alt = models.CharField(max_length=200, blank=True)

    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    status_changed_at = models.DateTimeField(default=timezone.now)
    failure_reason = models.CharField(max_length=255, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # While `processing`: the worker's lease (PHOTO_CLAIM_LEASE_SECONDS, renewed between renditions, or the
    # time of its retry after a transient error). Once past, the sweeper hands the photo to another worker.
    claimed_until = models.DateTimeField(null=True, blank=True)

    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    placeholder = models.TextField(blank=True, help_text="Tiny data: URI shown until the photo is ready.")
    # File names in the public storage, never URLs (URLs are built when a page is rendered, see
    # `sorted_renditions`): {"400": {"webp": "photos/ab/<key>/400.webp", "jpeg": "photos/ab/<key>/400.jpg",
    # "width": 400, "height": 300}, ...}
    renditions = models.JSONField(default=dict, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [
            models.Index(fields=["owner_type", "owner_id", "position"], name="media_photo_owner_pos"),
            models.Index(fields=["status", "status_changed_at"], name="media_photo_status"),
        ]

    def __str__(self) -> str:
        return f"Photo {self.pk} ({self.status})"

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY and bool(self.renditions)

    def sorted_renditions(self) -> list[tuple[int, dict]]:
        """[(width, {"webp": url, "jpeg": url, "width": w, "height": h}), ...] smallest first.

        The URLs are built from the stored names now (kei_community.media.storage.public_url: no
        storage round trip), so a new MEDIA_URL, bucket or CDN applies to every page at once.
        """
        from kei_community.media.storage import public_url

        out = []
        for key, value in (self.renditions or {}).items():
            try:
                width = int(value.get("width") or key)
            except (TypeError, ValueError, AttributeError):
                continue
            entry = {"width": width, "height": value.get("height")}
            for fmt in RENDITION_FORMATS:
                entry[fmt] = public_url(value.get(fmt) or "")
            out.append((width, entry))
        return sorted(out, key=lambda item: item[0])

    def rendition_names(self) -> list[str]:
        """Every rendition's file name in the public storage."""
        return [
            value[fmt]
            for value in (self.renditions or {}).values()
            if isinstance(value, dict)
            for fmt in RENDITION_FORMATS
            if value.get(fmt)
        ]

    def largest_url(self, fmt: str = "jpeg") -> str:
        items = self.sorted_renditions()
        return items[-1][1].get(fmt, "") if items else ""

    def url_for(self, width: int, fmt: str = "jpeg") -> str:
        """URL of the smallest rendition at least `width` wide (or the largest there is)."""
        items = self.sorted_renditions()
        for w, value in items:
            if w >= width:
                return value.get(fmt, "")
        return items[-1][1].get(fmt, "") if items else ""

    def get_api_url(self) -> str:
        from django.urls import reverse

        return reverse("api:photo-detail", args=[self.pk])
