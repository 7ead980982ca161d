from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from kombu.exceptions import OperationalError

from kei_community.media import services
from kei_community.media.models import Photo
from kei_community.moderation.models import AuditLogEntry
from tests.factories import make_photo, make_upload
from tests.media import images


def test_photo_add_stores_original_privately(user, settings):
    photo = make_photo(owner=user)
    path = Path(photo.original.path)
    assert path.is_file()
    assert Path(settings.PRIVATE_MEDIA_ROOT) in path.parents
    assert not (Path(settings.MEDIA_ROOT) / photo.original.name).exists()
    assert photo.status == Photo.Status.PENDING
    assert photo.placeholder.startswith("data:image/jpeg;base64,")


def test_first_photo_is_cover_and_positions_increase(user):
    first, second = make_photo(owner=user), make_photo(owner=user)
    assert first.is_cover and not second.is_cover
    assert (first.position, second.position) == (0, 1)


def test_cap_per_object_from_setting(user, settings):
    settings.PHOTO_MAX_PER_OBJECT = 2
    make_photo(owner=user)
    make_photo(owner=user)
    with pytest.raises(ValidationError) as exc:
        make_photo(owner=user)
    assert "at most 2 photos" in exc.value.messages[0]
    assert Photo.objects.count() == 2


def test_cap_per_object_from_argument(user):
    make_photo(owner=user, max_photos=1)
    with pytest.raises(ValidationError):
        make_photo(owner=user, max_photos=1)


def test_invalid_upload_saves_nothing(user, settings):
    with pytest.raises(ValidationError):
        services.photo_add(uploader=user, owner=user, upload=make_upload(b"not an image"))
    assert Photo.objects.count() == 0
    private = Path(settings.PRIVATE_MEDIA_ROOT)
    assert not private.exists() or not any(p.is_file() for p in private.rglob("*"))


def test_broker_down_upload_still_succeeds_pending(user, monkeypatch, django_capture_on_commit_callbacks):
    from kei_community.media import tasks

    def broken_delay(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    monkeypatch.setattr(tasks.process_photo, "apply_async", broken_delay)  # services send by name
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        photo = make_photo(owner=user)
    assert len(callbacks) == 1
    photo.refresh_from_db()
    assert photo.status == Photo.Status.PENDING


def test_other_user_cannot_delete(user, other_user):
    photo = make_photo(owner=user)
    with pytest.raises(PermissionDenied):
        services.photo_delete(actor=other_user, photo=photo)
    assert Photo.objects.filter(pk=photo.pk).exists()


def test_uploading_a_photo_to_someone_elses_thing_gives_no_right_over_it(user):
    from tests.factories import UserFactory

    photo = make_photo(owner=UserFactory(), uploader=user)
    with pytest.raises(PermissionDenied):
        services.photo_delete(actor=user, photo=photo)
    assert Photo.objects.filter(pk=photo.pk).exists()


def test_other_user_cannot_reorder(user, other_user):
    a, b = make_photo(owner=user), make_photo(owner=user)
    with pytest.raises(PermissionDenied):
        services.photos_reorder(owner=user, ordered_ids=[b.pk, a.pk], actor=other_user)
    assert list(Photo.objects.values_list("pk", flat=True)) == [a.pk, b.pk]


def test_other_user_cannot_set_cover(user, other_user):
    make_photo(owner=user)
    second = make_photo(owner=user)
    with pytest.raises(PermissionDenied):
        services.photo_set_cover(photo=second, actor=other_user)
    second.refresh_from_db()
    assert not second.is_cover


def test_anonymous_cannot_delete(user):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.photo_delete(actor=AnonymousUser(), photo=make_photo(owner=user))


def test_uploader_deletes_cover_and_next_becomes_cover(user, django_capture_on_commit_callbacks):
    first, second = make_photo(owner=user), make_photo(owner=user)
    original = Path(first.original.path)
    with django_capture_on_commit_callbacks(execute=True):
        services.photo_delete(actor=user, photo=first)
    second.refresh_from_db()
    assert second.is_cover
    assert not original.exists()


def test_the_owning_apps_registered_check_decides(user, other_user, monkeypatch):
    from kei_community.media import registry
    from kei_community.users.models import User

    photo = make_photo(owner=user, uploader=user)
    monkeypatch.setitem(registry._owners, User, lambda actor, owner: actor == other_user)
    with pytest.raises(PermissionDenied):
        services.photo_delete(actor=user, photo=photo)
    services.photo_delete(actor=other_user, photo=photo)
    assert not Photo.objects.exists()


def test_moderator_delete_is_audited(user, moderator):
    photo = make_photo(owner=user)
    services.photo_delete(actor=moderator, photo=photo)
    assert not Photo.objects.exists()
    entry = AuditLogEntry.objects.get()
    assert entry.action == "photo.delete" and entry.actor == moderator


def test_reorder_requires_every_photo_once(user):
    a, b = make_photo(owner=user), make_photo(owner=user)
    with pytest.raises(ValidationError):
        services.photos_reorder(owner=user, ordered_ids=[a.pk, a.pk], actor=user)
    services.photos_reorder(owner=user, ordered_ids=[b.pk, a.pk], actor=user)
    assert list(Photo.objects.order_by("position").values_list("pk", flat=True)) == [b.pk, a.pk]


def test_move_and_set_cover(user):
    a, b = make_photo(owner=user), make_photo(owner=user)
    services.photo_move(actor=user, photo=b, direction="up")
    assert list(Photo.objects.values_list("pk", flat=True)) == [b.pk, a.pk]
    services.photo_set_cover(photo=b, actor=user)
    assert list(Photo.objects.filter(is_cover=True).values_list("pk", flat=True)) == [b.pk]


def test_avatar_set_replaces_previous(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        old = services.avatar_set(user=user, upload=make_upload())
        new = services.avatar_set(user=user, upload=make_upload())
    assert list(Photo.objects.values_list("pk", flat=True)) == [new.pk]
    assert old.pk != new.pk


def test_rows_deleted_in_bulk_take_their_files(user, settings, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        photo = make_photo(owner=user)
    photo.refresh_from_db()
    rendition = Path(settings.MEDIA_ROOT) / photo.renditions["400"]["webp"]
    original = Path(photo.original.path)
    assert rendition.exists() and original.exists()
    with django_capture_on_commit_callbacks(execute=True):
        Photo.objects.filter(owner_id=user.pk).delete()  # as an owner's GenericRelation cascade does
    assert not rendition.exists() and not original.exists()


# --- claims and leases (defect 9: a worker killed mid-photo) -----------------------------------------


def _claimed(photo: Photo, *, until_seconds: float, attempts: int = 1) -> None:
    from datetime import timedelta

    from django.utils import timezone

    Photo.objects.filter(pk=photo.pk).update(
        status=Photo.Status.PROCESSING,
        attempts=attempts,
        status_changed_at=timezone.now() - timedelta(seconds=90),
        claimed_until=timezone.now() + timedelta(seconds=until_seconds),
    )


@pytest.fixture
def enqueued(monkeypatch) -> list[int]:
    sent: list[int] = []
    monkeypatch.setattr(services, "enqueue_processing", lambda pk, **kw: sent.append(pk) or True)
    return sent


def test_sweep_requeues_an_expired_claim_and_leaves_a_live_one(user, enqueued):
    dead, alive = make_photo(owner=user), make_photo(owner=user)
    _claimed(dead, until_seconds=-1)  # its worker stopped renewing: killed
    _claimed(alive, until_seconds=30)  # its worker renews between renditions
    result = services.photos_sweep()
    assert enqueued == [dead.pk]
    assert result == {"enqueued": 1, "found": 1, "abandoned": 1, "failed": 0}
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert (dead.status, dead.attempts, dead.claimed_until) == (Photo.Status.PENDING, 1, None)
    assert (alive.status, alive.attempts) == (Photo.Status.PROCESSING, 1)


def test_sweep_fails_an_expired_claim_at_the_attempt_cap_with_a_message(user, settings, enqueued):
    settings.PHOTO_MAX_ATTEMPTS = 3
    photo = make_photo(owner=user)
    _claimed(photo, until_seconds=-1, attempts=3)
    assert services.photos_sweep()["failed"] == 1
    assert enqueued == []
    photo.refresh_from_db()
    assert photo.status == Photo.Status.FAILED
    assert "after 3 tries" in photo.failure_reason


def test_requeued_photo_is_processed_by_the_next_worker(user):
    photo = make_photo(owner=user)
    _claimed(photo, until_seconds=-1)
    assert services.photos_sweep()["enqueued"] == 1  # eager: the re-enqueued task runs at once
    photo.refresh_from_db()
    assert (photo.status, photo.attempts, photo.claimed_until) == (Photo.Status.READY, 2, None)


def test_duplicate_message_leaves_a_live_claim_alone(user):
    photo = make_photo(owner=user)
    _claimed(photo, until_seconds=30)
    assert services.photo_process(photo_id=photo.pk) == "skipped"
    photo.refresh_from_db()
    assert (photo.status, photo.attempts) == (Photo.Status.PROCESSING, 1)


def test_claim_is_renewed_between_renditions(user, settings, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    settings.PHOTO_CLAIM_LEASE_SECONDS = 60
    photo = make_photo(owner=user, data=images.jpeg_bytes((1700, 1000)))
    leases = []
    renew = services._claim_renew

    def spy(**kwargs):
        renew(**kwargs)
        leases.append(Photo.objects.values_list("claimed_until", flat=True).get(pk=photo.pk))

    monkeypatch.setattr(services, "_claim_renew", spy)
    start = timezone.now()
    assert services.photo_process(photo_id=photo.pk) == "ready"
    # after reading, after decoding, before each of the 3 renditions' encoding and before each one's writing
    assert len(leases) == 8
    assert all(start + timedelta(seconds=59) < until <= timezone.now() + timedelta(seconds=60) for until in leases)
    assert leases == sorted(leases)
    photo.refresh_from_db()
    assert photo.claimed_until is None


def test_worker_whose_claim_was_taken_over_stops_without_writing(user, monkeypatch):
    from datetime import timedelta

    from django.db.models import F
    from django.utils import timezone

    from kei_community.media import processing

    photo = make_photo(owner=user)
    real_render = processing.render

    def slow_render(data, progress=None):
        # Meanwhile our lease ran out and the sweeper gave the photo to another worker (attempt 2).
        Photo.objects.filter(pk=photo.pk).update(
            attempts=F("attempts") + 1, claimed_until=timezone.now() + timedelta(seconds=60)
        )
        return real_render(data, progress=progress)

    monkeypatch.setattr(processing, "render", slow_render)
    assert services.photo_process(photo_id=photo.pk) == "skipped"
    photo.refresh_from_db()
    assert (photo.status, photo.attempts, photo.renditions) == (Photo.Status.PROCESSING, 2, {})


def test_transient_error_keeps_the_claim_for_the_retry_only(user, monkeypatch, enqueued):
    from datetime import timedelta

    from django.utils import timezone

    from kei_community.media import processing

    photo = make_photo(owner=user)
    monkeypatch.setattr(processing, "render", lambda data, **kw: (_ for _ in ()).throw(OSError("storage hiccup")))
    with pytest.raises(services.PhotoRetry) as retry:
        services.photo_process(photo_id=photo.pk)
    assert retry.value.attempt == 1 and 15 <= retry.value.countdown <= 20
    photo.refresh_from_db()
    assert photo.status == Photo.Status.PROCESSING
    assert photo.claimed_until >= timezone.now() + timedelta(seconds=14)
    assert services.photos_sweep()["found"] == 0  # the retry is due: not abandoned
    assert services.photo_process(photo_id=photo.pk) == "skipped"  # another message may not take it
    monkeypatch.undo()
    assert services.photo_process(photo_id=photo.pk, claim=1) == "ready"  # the retry may


# --- who manages a photo follows who owns the thing now (issue 10, defect 4) -------------------------


def _sold_truck():
    from kei_community.vehicles.services import garage_truck_transfer
    from tests.factories import GarageTruckFactory, UserFactory

    old, new = UserFactory(), UserFactory()
    truck = GarageTruckFactory(owner=old)
    photos = [make_photo(owner=truck, uploader=old), make_photo(owner=truck, uploader=old)]
    garage_truck_transfer(actor=old, truck=truck, new_owner=new)
    return old, new, truck, photos


def test_old_owner_of_a_sold_truck_cannot_delete_reorder_cover_move_or_describe_its_photos(db):
    old, _new, truck, (a, b) = _sold_truck()
    attempts = [
        lambda: services.photo_delete(actor=old, photo=a),
        lambda: services.photos_reorder(owner=truck, ordered_ids=[b.pk, a.pk], actor=old),
        lambda: services.photo_move(actor=old, photo=b, direction="up"),
        lambda: services.photo_set_cover(photo=b, actor=old),
        lambda: services.photo_update_alt(photo=a, alt="mine", actor=old),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert sorted(Photo.objects.values_list("pk", "position", "is_cover", "alt")) == [
        (a.pk, 0, True, ""),
        (b.pk, 1, False, ""),
    ]


def test_new_owner_of_a_sold_truck_manages_its_photos(db):
    _old, new, truck, (a, b) = _sold_truck()
    services.photos_reorder(owner=truck, ordered_ids=[b.pk, a.pk], actor=new)
    services.photo_set_cover(photo=b, actor=new)
    services.photo_update_alt(photo=b, alt="Bed down", actor=new)
    services.photo_delete(actor=new, photo=a)
    assert list(Photo.objects.values_list("pk", "is_cover", "alt")) == [(b.pk, True, "Bed down")]
    assert not AuditLogEntry.objects.exists()


def test_a_moderator_manages_any_photo_and_the_deletion_is_audited(db, moderator):
    _old, _new, _truck, (a, _b) = _sold_truck()
    services.photo_delete(actor=moderator, photo=a)
    assert AuditLogEntry.objects.get().action == "photo.delete"


def test_an_owner_type_nobody_registered_is_managed_by_moderators_only(db, moderator):
    from tests.factories import ChassisCodeFactory, UserFactory

    uploader = UserFactory()
    code = ChassisCodeFactory(code="DA16T")
    photo = make_photo(owner=code, uploader=uploader)
    with pytest.raises(PermissionDenied):
        services.photo_delete(actor=uploader, photo=photo)
    services.photo_delete(actor=moderator, photo=photo)
    assert not Photo.objects.exists()


def test_every_app_that_attaches_photos_registers_its_owner_check():
    from django.contrib.auth import get_user_model

    from forum.models import Post
    from kei_community.media.registry import registered_owner_models
    from kei_community.vehicles.models import GarageTruck
    from marketplace.models import Listing

    assert {Listing, Post, GarageTruck, get_user_model()} <= set(registered_owner_models())


def test_suspended_member_cannot_add_photos(user, moderator):
    from kei_community.moderation.services import member_suspend

    member_suspend(actor=moderator, member=user, reason="Scam listings")
    with pytest.raises(PermissionDenied, match="Scam listings"):
        services.photo_add(uploader=user, owner=user, upload=make_upload())
    assert not Photo.objects.exists()


def test_suspended_member_cannot_change_their_photos(user, moderator):
    from kei_community.moderation.services import member_suspend

    photo = make_photo(owner=user)
    member_suspend(actor=moderator, member=user, reason="Scam listings")
    with pytest.raises(PermissionDenied):
        services.photo_delete(actor=user.__class__.objects.get(pk=user.pk), photo=photo)
    with pytest.raises(PermissionDenied):
        services.photo_update_alt(photo=photo, alt="new words", actor=user)
    assert Photo.objects.filter(pk=photo.pk).exists()
