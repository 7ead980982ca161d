"""Photo writes. Apps call these; they never touch Photo rows directly.

Permissions: who may manage a photo follows who owns the thing it is attached to, through
the check the owning app registered (kei_community.media.registry), never who uploaded it.
`photo_add` trusts its caller — the owning app's own service (or the view helpers in
kei_community.media.views, which ask the registry) checks that the actor may edit the owner
first. The other writes check the actor themselves when one is passed (see `_check_can_manage`).
"""

from __future__ import annotations

import contextlib
import logging
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone

from kei_community.core import enqueue
from kei_community.media import registry
from kei_community.media.models import Photo
from kei_community.media.validation import validate_photo_upload
from kei_community.moderation.sanctions import check_not_suspended

logger = logging.getLogger(__name__)

# The sweeper re-enqueues a pending row (its message never sent: broker down) once it is this old.
PENDING_GRACE = timedelta(minutes=1)


def _owner_filter(owner: models.Model) -> dict[str, Any]:
    return {"owner_type": ContentType.objects.get_for_model(owner), "owner_id": owner.pk}


def _is_moderator(actor: Any) -> bool:
    from kei_community.users.permissions import check_moderator

    try:
        check_moderator(actor)
    except PermissionDenied:
        return False
    return True


def can_manage_photos(*, actor: Any, owner: models.Model | None) -> bool:
    """May `actor` change `owner`'s photos: the owning app's registered check allows it for the owner as it
    is now (kei_community.media.registry), or the actor is a moderator. Views ask this before showing controls."""
    if owner is None or not getattr(actor, "is_authenticated", False):
        return False
    return registry.may_manage(actor, owner) or _is_moderator(actor)


def _check_can_manage(*, actor: Any, owner: models.Model) -> bool:
    """Raise PermissionDenied unless `actor` may change `owner`'s photos.

    Allowed when the owning app's registered check (kei_community.media.registry) allows it for
    the owner as it is now — the seller of a listing, the author of a post, today's owner of a
    garage truck, the member for an avatar — or when the actor is a moderator (check_moderator,
    MFA rule included). Who uploaded the photos plays no part. Returns True when allowed only as
    a moderator, so the caller can write an audit entry.
    """
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied("Please log in to change photos.")
    if registry.may_manage(actor, owner):
        check_not_suspended(actor)  # a suspended member keeps their photos but cannot change them
        return False
    if _is_moderator(actor):
        return True
    raise PermissionDenied("You can only change photos of your own posts.")


def _audit(*, actor: Any, action: str, photo: Photo, before: dict | None = None, after: dict | None = None) -> None:
    from kei_community.moderation.services import audit_record

    audit_record(actor=actor, action=action, target=photo, before=before, after=after)


# --- enqueueing -----------------------------------------------------------------


PROCESS_PHOTO_TASK = "kei_community.media.tasks.process_photo"


def enqueue_processing(photo_id: int, *, force: bool = False) -> bool:
    """Send the processing task; a broker outage leaves the row pending for the sweeper.

    `.delay()` raises kombu.exceptions.OperationalError (or redis ConnectionError) when the
    broker is down. We log it and return False: the upload has succeeded already.
    """
    try:
        if force:
            enqueue.send(PROCESS_PHOTO_TASK, photo_id, force=True)
        else:
            enqueue.send(PROCESS_PHOTO_TASK, photo_id)
    except Exception as exc:  # kombu OperationalError, redis ConnectionError, OSError, ...
        logger.warning("photo %s not enqueued (will be swept): %s", photo_id, exc)
        return False
    return True


# --- writes ----------------------------------------------------------------------------


def _photos_changed(owner_type_id: int, owner_id: int) -> None:
    """Tell the owning app (media.registry.register_owner's `changed`) that these photos changed."""
    registry.photos_changed(ContentType.objects.get_for_id(owner_type_id).model_class(), owner_id)


def photo_add(
    *,
    uploader: Any,
    owner: models.Model,
    upload: Any,
    max_photos: int | None = None,
    alt: str = "",
) -> Photo:
    """Validate `upload` by content and attach it to `owner` as a pending photo.

    Raises ValidationError with a message a member can read (format, size, pixels,
    damaged file, too many photos). Processing is enqueued after commit; if the broker
    is down the photo stays pending and the sweeper picks it up. The caller must have
    checked that `uploader` may edit `owner`.
    """
    if owner.pk is None:
        raise ValidationError("Save the post before adding photos.")
    if getattr(uploader, "is_authenticated", False):
        check_not_suspended(uploader)
    limit = int(max_photos if max_photos is not None else settings.PHOTO_MAX_PER_OBJECT)
    info = validate_photo_upload(upload)
    filters = _owner_filter(owner)

    with transaction.atomic():
        # Serialise concurrent uploads to the same owner so the cap holds (PostgreSQL row lock).
        owner.__class__._base_manager.select_for_update().filter(pk=owner.pk).first()
        existing = Photo.objects.filter(**filters)
        count = existing.count()
        if count >= limit:
            raise ValidationError(
                f"You can add at most {limit} photo{'s' if limit != 1 else ''} here. Delete one to add another.",
                code="too_many_photos",
            )
        last = existing.aggregate(m=Max("position"))["m"]
        photo = Photo(
            uploader=uploader if getattr(uploader, "pk", None) else None,
            position=0 if last is None else last + 1,
            is_cover=count == 0,
            original_format=info.format,
            original_bytes=info.size,
            width=info.width,
            height=info.height,
            placeholder=info.placeholder,
            alt=alt[:200],
            status=Photo.Status.PENDING,
            **filters,
        )
        if hasattr(upload, "seek"):
            upload.seek(0)
        photo.original.save("original", upload, save=False)
        stored_name = photo.original.name
        try:
            photo.full_clean()
            photo.save()
        except Exception:
            photo.original.storage.delete(stored_name)
            raise
        photo_id = photo.pk
        _photos_changed(photo.owner_type_id, photo.owner_id)
        transaction.on_commit(lambda: enqueue_processing(photo_id))
    return photo


def _delete_files(names: list[str], originals: list[str]) -> None:
    """Best effort: a file left behind (storage down) is removed by the daily photos_cleanup."""
    from kei_community.media.storage import private_storage, public_storage

    for name in names:
        try:
            public_storage().delete(name)
        except Exception as exc:  # OSError, botocore ClientError / EndpointConnectionError, ...
            logger.warning("could not delete %s: %r", name, exc)
    for name in originals:
        try:
            private_storage.delete(name)
        except Exception as exc:
            logger.warning("could not delete original %s: %r", name, exc)


def rendition_names(photo: Photo) -> list[str]:
    return photo.rendition_names()


def photo_delete(*, actor: Any, photo: Photo) -> None:
    """Delete a photo and its files (after commit).

    Who may delete: whoever the owning app's registered check allows for the owner as it is now
    (e.g. "the seller of this listing", "the truck's owner today"), or a moderator (check_moderator)
    — a moderator deletion is audited. When the owning row is gone: its uploader or a moderator.
    When the cover is deleted the next photo becomes the cover.
    """
    owner_photos = Photo.objects.filter(owner_type_id=photo.owner_type_id, owner_id=photo.owner_id)
    owner = photo.owner
    if owner is None:
        # The owning row is gone: only the uploader or a moderator may clean up.
        as_moderator = False
        if photo.uploader_id != getattr(actor, "pk", None):
            if not _is_moderator(actor):
                raise PermissionDenied("You can only delete your own photos.")
            as_moderator = True
    else:
        as_moderator = _check_can_manage(actor=actor, owner=owner)
    with transaction.atomic():
        if as_moderator:
            _audit(actor=actor, action="photo.delete", photo=photo, before={"owner": str(owner), "id": photo.pk})
        was_cover = photo.is_cover
        photo.delete()  # files are removed after commit (see signals.delete_photo_files)
        if was_cover:
            nxt = owner_photos.order_by("position", "id").first()
            if nxt is not None:
                owner_photos.filter(pk=nxt.pk).update(is_cover=True)
        _photos_changed(photo.owner_type_id, photo.owner_id)


def photos_reorder(
    *,
    owner: models.Model,
    ordered_ids: list[Any],
    actor: Any = None,
) -> list[Photo]:
    """Set the order of `owner`'s photos. `ordered_ids` (whole numbers, as numbers or strings) must
    list each of its photos once.

    When `actor` is given it must be allowed (see photo_delete); the owning app may
    instead check the actor itself and call without one.
    """
    photos = list(Photo.objects.filter(**_owner_filter(owner)))
    if actor is not None:
        _check_can_manage(actor=actor, owner=owner)
    try:
        ids = [int(i) for i in ordered_ids]
    except (TypeError, ValueError):
        raise ValidationError({"order": ["Give the photo ids as whole numbers."]})
    by_id = {p.pk: p for p in photos}
    if len(ids) != len(set(ids)) or set(ids) != set(by_id):
        raise ValidationError({"order": ["List every photo exactly once."]})
    with transaction.atomic():
        changed = []
        for position, pk in enumerate(ids):
            p = by_id[pk]
            if p.position != position:
                p.position = position
                changed.append(p)
        Photo.objects.bulk_update(changed, ["position"])
        if changed:
            _photos_changed(changed[0].owner_type_id, changed[0].owner_id)
    return sorted(photos, key=lambda p: p.position)


def photo_move(*, actor: Any, photo: Photo, direction: str) -> list[Photo]:
    """Move a photo one place "up" (earlier) or "down" (later)."""
    if direction not in ("up", "down"):
        raise ValidationError("Choose up or down.")
    ids = list(
        Photo.objects.filter(owner_type_id=photo.owner_type_id, owner_id=photo.owner_id).values_list("pk", flat=True)
    )
    i = ids.index(photo.pk)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(ids):
        ids[i], ids[j] = ids[j], ids[i]
    owner = photo.owner
    if owner is None:
        raise ValidationError("This photo no longer belongs to a post.")
    return photos_reorder(owner=owner, ordered_ids=ids, actor=actor)


def photo_set_cover(*, photo: Photo, actor: Any = None) -> Photo:
    """Make `photo` its owner's cover (exactly one cover per owner)."""
    if actor is not None:
        owner = photo.owner
        if owner is None:
            raise ValidationError("This photo no longer belongs to a post.")
        _check_can_manage(actor=actor, owner=owner)
    with transaction.atomic():
        Photo.objects.filter(owner_type_id=photo.owner_type_id, owner_id=photo.owner_id, is_cover=True).exclude(
            pk=photo.pk
        ).update(is_cover=False)
        if not photo.is_cover:
            photo.is_cover = True
            photo.save(update_fields=["is_cover", "updated_at"])
            _photos_changed(photo.owner_type_id, photo.owner_id)
    return photo


def photo_update_alt(*, photo: Photo, alt: str, actor: Any = None) -> Photo:
    if actor is not None:
        owner = photo.owner
        if owner is None:
            raise ValidationError("This photo no longer belongs to a post.")
        _check_can_manage(actor=actor, owner=owner)
    photo.alt = (alt or "").strip()
    photo.full_clean()
    photo.save(update_fields=["alt", "updated_at"])
    _photos_changed(photo.owner_type_id, photo.owner_id)
    return photo


# --- originals (moderators only) ----------------------------------------------------


@dataclass(frozen=True)
class OriginalAccess:
    """How a moderator gets an original: `url` (a presigned URL valid `seconds`) on object storage,
    else `file` (an open file to stream; the filesystem backend has no URLs for originals)."""

    url: str | None
    file: Any
    content_type: str
    seconds: int


ORIGINAL_CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "HEIF": "image/heif"}


def photo_original_access(*, actor: Any, photo: Photo) -> OriginalAccess:
    """Let a moderator see the original a member uploaded (metadata, GPS and all) for a short while.

    Only moderators (check_moderator, MFA rule included); every access is audited. On S3 the answer
    is a presigned URL of the private bucket valid PHOTO_ORIGINAL_URL_SECONDS; on the filesystem an
    open file. Raises PermissionDenied, or ValidationError when the original is gone.
    """
    from kei_community.media.storage import original_signed_url
    from kei_community.users.permissions import check_moderator

    check_moderator(actor)
    if not photo.original:
        raise ValidationError("This photo has no original any more.")
    seconds = int(settings.PHOTO_ORIGINAL_URL_SECONDS)
    content_type = ORIGINAL_CONTENT_TYPES.get(photo.original_format, "application/octet-stream")
    url = original_signed_url(photo.original.name, seconds=seconds)
    file = None
    if url is None:
        try:
            file = photo.original.storage.open(photo.original.name, "rb")
        except FileNotFoundError:
            raise ValidationError("The original file of this photo is missing.")
    _audit(actor=actor, action="photo.original_viewed", photo=photo, after={"id": photo.pk})
    return OriginalAccess(url=url, file=file, content_type=content_type, seconds=seconds)


# --- avatars ------------------------------------------------------------------------


def avatar_set(*, user: Any, upload: Any) -> Photo:
    """Replace `user`'s avatar (one photo owned by the User)."""
    if not getattr(user, "is_authenticated", False):
        raise PermissionDenied("Please log in to change your picture.")
    with transaction.atomic():
        old = list(Photo.objects.filter(**_owner_filter(user)))
        photo = photo_add(uploader=user, owner=user, upload=upload, max_photos=len(old) + 1)
        for p in old:
            photo_delete(actor=user, photo=p)
        Photo.objects.filter(pk=photo.pk).update(is_cover=True, position=0)
        photo.is_cover, photo.position = True, 0
    with contextlib.suppress(AttributeError):
        del user._avatar_cache
    return photo


def avatar_remove(*, user: Any) -> None:
    for p in Photo.objects.filter(**_owner_filter(user)):
        photo_delete(actor=user, photo=p)
    with contextlib.suppress(AttributeError):
        del user._avatar_cache


# --- processing bookkeeping (called by the task) ------------------------------------
#
# A worker that starts on a photo claims it: status `processing`, attempts + 1, and a lease
# (`claimed_until`, PHOTO_CLAIM_LEASE_SECONDS) that it renews between steps. The attempt number is
# the claim's token: a renewal or the final write matches it, so a worker whose lease ran out (it
# hung, and another worker took the photo over) stops instead of writing over the new owner. A
# worker that dies (kill -9, OOM, host lost) stops renewing; the sweeper, on a short beat, turns an
# expired claim back into `pending` and re-enqueues it, or marks it failed at the attempt cap.


class ClaimLost(Exception):
    """Another worker took this photo over after our lease ran out: stop, write nothing."""


class PhotoRetry(Exception):
    """A transient error during attempt `attempt`: the task retries in `countdown` seconds.

    The claim is kept until then (its lease runs to the retry time), so the sweeper leaves the
    photo to the retry, and the retry (which passes `claim=attempt`) may take it back.
    """

    def __init__(self, *, attempt: int, countdown: int) -> None:
        super().__init__(f"attempt {attempt} failed; retry in {countdown}s")
        self.attempt = attempt
        self.countdown = countdown


def _lease() -> timedelta:
    return timedelta(seconds=int(settings.PHOTO_CLAIM_LEASE_SECONDS))


def retry_countdown(attempt: int) -> int:
    """Seconds before retrying after a transient error in `attempt` (1, 2, ...): 15, 30, 60 ... 600, plus jitter."""
    return min(600, 15 * 2 ** max(0, attempt - 1)) + random.randint(0, 5)


def _expired_claims(now: Any) -> models.Q:
    """Processing rows whose lease has run out (rows claimed before leases existed: by their age)."""
    return models.Q(status=Photo.Status.PROCESSING) & (
        models.Q(claimed_until__lt=now) | models.Q(claimed_until__isnull=True, status_changed_at__lt=now - _lease())
    )


def photos_sweep(*, now: Any = None, limit: int = 500) -> dict[str, int]:
    """Beat job (every PHOTO_SWEEP_INTERVAL_SECONDS): hand abandoned photos to a worker again.

    - A `processing` row whose lease has expired lost its worker: at the attempt cap it is marked
      failed with a message; otherwise it goes back to `pending` (attempts kept) and is re-enqueued.
    - A `pending` row older than a minute was never picked up (broker down at upload): re-enqueued.
    A live claim (a worker renewing its lease, or a retry scheduled after a transient error) is left alone.
    """
    now = now or timezone.now()
    max_attempts = int(settings.PHOTO_MAX_ATTEMPTS)
    with transaction.atomic():
        given_up = Photo.objects.filter(_expired_claims(now), attempts__gte=max_attempts).update(
            status=Photo.Status.FAILED,
            status_changed_at=now,
            claimed_until=None,
            failure_reason=_exhausted_reason(max_attempts),
        )
        # Locked so a worker claiming one of these rows right now waits for us (or we skip it).
        abandoned = list(
            Photo.objects.select_for_update(skip_locked=True)
            .filter(_expired_claims(now), attempts__lt=max_attempts)
            .order_by("status_changed_at")
            .values_list("pk", flat=True)[:limit]
        )
        if abandoned:
            Photo.objects.filter(pk__in=abandoned).update(
                status=Photo.Status.PENDING, status_changed_at=now, claimed_until=None
            )
    waiting = list(
        Photo.objects.filter(status=Photo.Status.PENDING, status_changed_at__lt=now - PENDING_GRACE)
        .exclude(pk__in=abandoned)
        .order_by("status_changed_at")
        .values_list("pk", flat=True)[: max(0, limit - len(abandoned))]
    )
    ids = abandoned + waiting
    sent = sum(1 for pk in ids if enqueue_processing(pk))
    # Touch them so the next sweep does not resend before the worker had a chance.
    if waiting and sent:
        Photo.objects.filter(pk__in=waiting, status=Photo.Status.PENDING).update(status_changed_at=now)
    if abandoned:
        logger.warning("photos %s: their worker's lease ran out; re-enqueued", abandoned)
    return {"enqueued": sent, "found": len(ids), "abandoned": len(abandoned), "failed": given_up}


def _mark_failed(photo_id: int, reason: str, *, attempt: int | None = None) -> int:
    rows = Photo.objects.filter(pk=photo_id)
    if attempt is not None:
        rows = rows.filter(status=Photo.Status.PROCESSING, attempts=attempt)
    return rows.update(
        status=Photo.Status.FAILED,
        failure_reason=reason[:255],
        claimed_until=None,
        status_changed_at=timezone.now(),
        updated_at=timezone.now(),
    )


def _exhausted_reason(max_attempts: int) -> str:
    return f"We could not process this photo after {max_attempts} tries. Please delete it and upload it again."


def _photo_process_start(*, photo_id: int, force: bool, claim: int | None = None) -> Photo | None:
    """Claim the photo for this worker (attempts + 1, a fresh lease), or None when there is nothing to do.

    Nothing to do: the row is gone; it is ready or failed (unless `force`); another worker's claim is
    live (unless `force`, or `claim` is that claim's attempt number: our own scheduled retry); or the
    attempts are used up (then it is marked failed).
    """
    max_attempts = int(settings.PHOTO_MAX_ATTEMPTS)
    now = timezone.now()
    with transaction.atomic():
        photo = Photo.objects.select_for_update().filter(pk=photo_id).first()
        if photo is None:
            return None
        if photo.status in (Photo.Status.READY, Photo.Status.FAILED):
            if not force:
                return None
            photo.attempts = 0  # a deliberate reprocess starts a fresh count
        elif (
            photo.status == Photo.Status.PROCESSING
            and photo.claimed_until is not None
            and photo.claimed_until > now
            and not force
            and claim != photo.attempts
        ):
            return None  # a live worker has it (a duplicate or redelivered message)
        if photo.attempts >= max_attempts:
            photo.status = Photo.Status.FAILED
            photo.failure_reason = _exhausted_reason(max_attempts)
            photo.status_changed_at = now
            photo.claimed_until = None
            photo.save(update_fields=["status", "failure_reason", "status_changed_at", "claimed_until", "updated_at"])
            return None
        photo.attempts += 1
        photo.status = Photo.Status.PROCESSING
        photo.status_changed_at = now
        photo.claimed_until = now + _lease()
        photo.save(update_fields=["attempts", "status", "status_changed_at", "claimed_until", "updated_at"])
        return photo


def _claim_renew(*, photo_id: int, attempt: int, until: Any = None) -> None:
    """Extend our lease (to `until`, default now + the lease); ClaimLost when the photo is no longer ours."""
    renewed = Photo.objects.filter(pk=photo_id, status=Photo.Status.PROCESSING, attempts=attempt).update(
        claimed_until=until or timezone.now() + _lease()
    )
    if not renewed:
        raise ClaimLost(f"photo {photo_id}: claim {attempt} was taken over or the photo is gone")


def _write_renditions(photo: Photo, rendered: Any, renew: Callable[[], None] = lambda: None) -> dict[str, dict]:
    """Write every rendition under a deterministic name (the public storage overwrites), return the JSON:
    file names, never URLs (those are built when a page is rendered)."""
    from django.core.files.base import ContentFile

    from kei_community.media.storage import public_storage

    storage = public_storage()
    out: dict[str, dict] = {}
    for width, files in sorted(rendered.files.items()):
        renew()
        entry: dict[str, Any] = {"width": width, "height": files["height"]}
        for fmt, ext in (("webp", "webp"), ("jpeg", "jpg")):
            name = f"photos/{photo.key.hex[:2]}/{photo.key.hex}/{width}.{ext}"
            entry[fmt] = storage.save(name, ContentFile(files[fmt], name=name))
        out[str(width)] = entry
    return out


def photo_process(*, photo_id: int, force: bool = False, claim: int | None = None) -> str:
    """Run the pipeline for one photo. Idempotent: same file names, one row, no duplicates.

    Returns "ready", "failed" or "skipped" (already done, gone, claimed by a live worker, taken over,
    or out of attempts). A transient problem (storage, database, soft time limit) raises PhotoRetry
    (the task retries after its countdown, passing `claim`) or, at the attempt cap, fails the photo;
    an original that cannot be decoded fails at once with a readable reason.
    """
    from kei_community.media.processing import UnusableImage, render
    from kei_community.media.storage import public_storage

    photo = _photo_process_start(photo_id=photo_id, force=force, claim=claim)
    if photo is None:
        return "skipped"
    attempt = photo.attempts

    def renew() -> None:
        _claim_renew(photo_id=photo_id, attempt=attempt)

    try:
        try:
            with photo.original.open("rb") as fh:
                data = fh.read()
        except FileNotFoundError:
            _mark_failed(photo_id, "The uploaded file is missing. Please upload the photo again.", attempt=attempt)
            return "failed"
        renew()
        try:
            rendered = render(data, progress=renew)
        except UnusableImage:
            _mark_failed(
                photo_id,
                "This photo could not be read. Please upload a JPEG, PNG, WebP or HEIC photo.",
                attempt=attempt,
            )
            return "failed"
        old_names = set(rendition_names(photo))
        renditions = _write_renditions(photo, rendered, renew)
    except ClaimLost as exc:
        logger.warning("%s: stopping", exc)
        return "skipped"
    except Exception as exc:  # transient: storage, database, soft time limit, a worker hiccup
        return _photo_process_failed(photo_id=photo_id, attempt=attempt, exc=exc)
    new_names = {v[fmt] for v in renditions.values() for fmt in ("webp", "jpeg")}
    for stale in old_names - new_names:
        public_storage().delete(stale)
    updated = Photo.objects.filter(pk=photo_id, status=Photo.Status.PROCESSING, attempts=attempt).update(
        status=Photo.Status.READY,
        renditions=renditions,
        placeholder=rendered.placeholder,
        failure_reason="",
        claimed_until=None,
        status_changed_at=timezone.now(),
        processed_at=timezone.now(),
        updated_at=timezone.now(),
    )
    if not updated:
        if not Photo.objects.filter(pk=photo_id).exists():  # deleted while we worked: remove what we wrote
            transaction.on_commit(lambda: _delete_files(sorted(new_names), []))
        # else another worker took the photo over; it writes the same file names.
        return "skipped"
    _photos_changed(photo.owner_type_id, photo.owner_id)
    return "ready"


def _photo_process_failed(*, photo_id: int, attempt: int, exc: Exception) -> str:
    """After a transient error in `attempt`: fail the photo at the attempt cap, else raise PhotoRetry."""
    max_attempts = int(settings.PHOTO_MAX_ATTEMPTS)
    if attempt >= max_attempts:
        _mark_failed(photo_id, _exhausted_reason(max_attempts), attempt=attempt)
        logger.warning("photo %s failed for good: %r", photo_id, exc)
        return "failed"
    countdown = retry_countdown(attempt)
    try:  # keep the claim until the retry, so the sweeper leaves it to the retry
        _claim_renew(photo_id=photo_id, attempt=attempt, until=timezone.now() + timedelta(seconds=countdown))
    except ClaimLost:
        return "skipped"
    except Exception as renew_exc:  # the database is the problem: the lease runs out and the sweeper takes over
        logger.warning("photo %s: could not keep the claim for the retry: %r", photo_id, renew_exc)
    logger.info("photo %s: attempt %s failed (%r); retrying in %ss", photo_id, attempt, exc, countdown)
    raise PhotoRetry(attempt=attempt, countdown=countdown) from exc


def photo_process_give_up_if_exhausted(*, photo_id: int) -> bool:
    """After an error outside an attempt (e.g. the database while claiming): mark failed (and return
    True) when no attempts are left."""
    max_attempts = int(settings.PHOTO_MAX_ATTEMPTS)
    photo = Photo.objects.filter(pk=photo_id).only("attempts", "status").first()
    if photo is None or photo.status in (Photo.Status.READY, Photo.Status.FAILED):
        return True
    if photo.attempts >= max_attempts:
        _mark_failed(photo_id, _exhausted_reason(max_attempts))
        return True
    return False


# --- housekeeping (daily beat job) ------------------------------------------------------


def photos_cleanup(*, grace: timedelta = timedelta(hours=1)) -> dict[str, int]:
    """Remove what nothing refers to any more.

    - Photo rows whose owner row is gone (owners without a GenericRelation, e.g. a deleted
      User's avatar); their files follow through the post_delete receiver.
    - Files under originals/ and photos/ whose key has no Photo row (an upload whose
      transaction rolled back, a crash between writing and recording), once older than `grace`.
    Works one two-hex-digit folder at a time so memory stays flat.
    """
    import time

    from kei_community.media.storage import private_storage, public_storage

    orphan_rows = 0
    for ct_id in Photo.objects.values_list("owner_type_id", flat=True).distinct():
        ct = ContentType.objects.get_for_id(ct_id)
        model = ct.model_class()
        if model is None:
            continue
        stale = Photo.objects.filter(owner_type_id=ct_id).exclude(owner_id__in=model._base_manager.values("pk"))
        for photo in stale:
            photo.delete()
            orphan_rows += 1

    cutoff = time.time() - grace.total_seconds()
    removed = 0
    for storage, root in ((private_storage, "originals"), (public_storage(), "photos")):
        prefixes, _ = _listdir(storage, root)
        for prefix in prefixes:
            base = f"{root}/{prefix}"
            dirs, files = _listdir(storage, base)
            entries = {name.split(".", 1)[0]: name for name in files} if root == "originals" else {d: d for d in dirs}
            if not entries:
                continue
            known = {k.hex for k in Photo.objects.filter(key__in=_as_uuids(entries)).values_list("key", flat=True)}
            for key, name in entries.items():
                if key in known:
                    continue
                path = f"{base}/{name}"
                if root == "originals":
                    if storage.get_modified_time(path).timestamp() < cutoff:
                        storage.delete(path)
                        removed += 1
                else:
                    _, names = _listdir(storage, path)
                    old = [n for n in names if storage.get_modified_time(f"{path}/{n}").timestamp() < cutoff]
                    for n in old:
                        storage.delete(f"{path}/{n}")
                        removed += 1
    return {"orphan_rows": orphan_rows, "orphan_files": removed}


def _listdir(storage: Any, path: str) -> tuple[list[str], list[str]]:
    """storage.listdir, empty for a folder that does not exist (a bucket has no folders to ask about)."""
    try:
        dirs, files = storage.listdir(path)
    except FileNotFoundError:
        return [], []
    return list(dirs), list(files)


def _as_uuids(keys: Iterable[str]) -> list[Any]:
    import uuid

    out = []
    for key in keys:
        try:
            out.append(uuid.UUID(hex=key))
        except ValueError:
            continue
    return out
