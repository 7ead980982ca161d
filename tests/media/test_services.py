from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from kombu.exceptions import OperationalError

from kei_community.media import services
from kei_community.media.models import Photo
from kei_community.moderation.models import AuditLogEntry
from tests.factories import make_photo, make_upload


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

    monkeypatch.setattr(tasks.process_photo, "delay", broken_delay)
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


def test_app_rule_false_blocks_non_uploader(user, other_user):
    from tests.factories import UserFactory

    photo = make_photo(owner=UserFactory(), uploader=user)
    with pytest.raises(PermissionDenied):
        services.photo_delete(actor=other_user, photo=photo, can_edit=lambda actor: False)


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


def test_can_edit_callable_lets_owner_app_grant(user, other_user):
    photo = make_photo(owner=user, uploader=user)
    services.photo_delete(actor=other_user, photo=photo, can_edit=lambda actor: actor == other_user)
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
    rendition = Path(settings.MEDIA_ROOT) / photo.renditions["400"]["names"][0]
    original = Path(photo.original.path)
    assert rendition.exists() and original.exists()
    with django_capture_on_commit_callbacks(execute=True):
        Photo.objects.filter(owner_id=user.pk).delete()  # as an owner's GenericRelation cascade does
    assert not rendition.exists() and not original.exists()
