"""media 0003: rendition URLs frozen into rows become file names, and back (issue 15)."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from kei_community.media.models import Photo

migration = importlib.import_module("kei_community.media.migrations.0003_renditions_store_file_names")

KEY = "ab" + "12" * 15
OLD = {
    "400": {
        "webp": f"/media/photos/ab/{KEY}/400.webp",
        "jpeg": f"/media/photos/ab/{KEY}/400.jpg",
        "names": [f"photos/ab/{KEY}/400.webp", f"photos/ab/{KEY}/400.jpg"],
        "width": 400,
        "height": 300,
    },
    # A row whose "names" got lost, with URLs frozen under a CDN host.
    "960": {
        "webp": f"https://cdn.old.example/photos/ab/{KEY}/960.webp",
        "jpeg": f"https://cdn.old.example/photos/ab/{KEY}/960.jpg",
        "width": 960,
        "height": 720,
    },
}
NEW = {
    "400": {"webp": f"photos/ab/{KEY}/400.webp", "jpeg": f"photos/ab/{KEY}/400.jpg", "width": 400, "height": 300},
    "960": {"webp": f"photos/ab/{KEY}/960.webp", "jpeg": f"photos/ab/{KEY}/960.jpg", "width": 960, "height": 720},
}


def _row(user, renditions) -> Photo:
    return Photo.objects.create(
        owner_type=ContentType.objects.get_for_model(user),
        owner_id=user.pk,
        original=f"originals/ab/{KEY}.jpg",
        status=Photo.Status.READY if renditions else Photo.Status.PENDING,
        renditions=renditions,
    )


@pytest.mark.django_db
def test_urls_become_file_names(user):
    photo, pending = _row(user, OLD), _row(user, {})
    migration.urls_to_names(django_apps, None)
    assert Photo.objects.get(pk=photo.pk).renditions == NEW
    assert Photo.objects.get(pk=pending.pk).renditions == {}


@pytest.mark.django_db
def test_converting_twice_changes_nothing(user):
    photo = _row(user, NEW)
    migration.urls_to_names(django_apps, None)
    assert Photo.objects.get(pk=photo.pk).renditions == NEW


@pytest.mark.django_db
def test_backwards_builds_urls_with_the_storage_of_the_day(user, settings):
    settings.MEDIA_URL = "/m/"
    photo = _row(user, NEW)
    migration.names_to_urls(django_apps, None)
    old = Photo.objects.get(pk=photo.pk).renditions["400"]
    assert old["webp"] == f"/m/photos/ab/{KEY}/400.webp" and old["jpeg"] == f"/m/photos/ab/{KEY}/400.jpg"
    assert old["names"] == [f"photos/ab/{KEY}/400.webp", f"photos/ab/{KEY}/400.jpg"]


@pytest.mark.django_db(transaction=True)
def test_the_migration_runs_backwards_and_forwards(user):
    photo = _row(user, NEW)
    executor = MigrationExecutor(connection)
    executor.migrate([("media", "0002_photo_claimed_until")])
    assert Photo.objects.get(pk=photo.pk).renditions["400"]["webp"] == f"/media/photos/ab/{KEY}/400.webp"
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes("media"))
    assert Photo.objects.get(pk=photo.pk).renditions == NEW
