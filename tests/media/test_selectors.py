from __future__ import annotations

import pytest

from kei_community.media.models import Photo
from kei_community.media.selectors import PHOTO_LIST, photos_of, photos_prefetch
from marketplace.models import Listing
from tests.factories import ListingFactory, make_photo

pytestmark = pytest.mark.django_db


def _listing_with_photos(count: int) -> tuple[Listing, list[Photo]]:
    listing = ListingFactory()
    photos = [make_photo(owner=listing, uploader=listing.seller) for _ in range(count)]
    Photo.objects.filter(pk=photos[0].pk).update(position=9)  # the first added now shows last
    return listing, [*photos[1:], photos[0]]


def test_photos_prefetch_lists_each_owners_photos_in_display_order(django_assert_num_queries):
    (one, one_photos), (two, two_photos) = _listing_with_photos(3), _listing_with_photos(2)
    with django_assert_num_queries(2):  # the listings, then every photo of both
        found = {
            obj.pk: obj for obj in Listing.objects.filter(pk__in=[one.pk, two.pk]).prefetch_related(photos_prefetch())
        }
    with django_assert_num_queries(0):
        assert [p.pk for p in photos_of(found[one.pk])] == [p.pk for p in one_photos]
        assert [p.pk for p in photos_of(found[two.pk])] == [p.pk for p in two_photos]
    assert isinstance(getattr(found[one.pk], PHOTO_LIST), list)


def test_photos_of_without_a_prefetch_reads_them_in_display_order(django_assert_num_queries):
    listing, photos = _listing_with_photos(2)
    fresh = Listing.objects.get(pk=listing.pk)
    with django_assert_num_queries(1):
        assert [p.pk for p in photos_of(fresh)] == [p.pk for p in photos]
