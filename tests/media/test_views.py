from __future__ import annotations

import pytest
from django.template import Context, Template

from kei_community.media.models import Photo
from tests.factories import DEFAULT_PASSWORD, make_photo, make_upload
from tests.media import images

pytestmark = pytest.mark.urls("tests.media.urls")


def _url(member) -> str:
    return f"/test/members/{member.pk}/photos/"


def _login(client, user):
    client.login(email=user.email, password=DEFAULT_PASSWORD)


def test_manager_page_works_without_js(client, user):
    _login(client, user)
    response = client.get(_url(user))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file"' in html and "multiple" in html
    assert "js/photos.js" in html and 'nonce="' in html


@pytest.mark.parametrize("count", [1, 12])
def test_manager_page_query_count_constant(client, user, django_assert_max_num_queries, count):
    for _ in range(count):
        make_photo(owner=user)
    _login(client, user)
    with django_assert_max_num_queries(12):
        response = client.get(_url(user))
    assert response.content.decode().count("Move earlier") == count


def test_upload_several_files_plain_form(client, user):
    _login(client, user)
    files = [make_upload(images.jpeg_bytes(), "a.jpg"), make_upload(images.png_bytes(), "b.png")]
    response = client.post(_url(user), {"action": "upload", "photos": files})
    assert response.status_code == 302
    assert Photo.objects.filter(owner_id=user.pk).count() == 2


def test_hostile_file_shows_form_error_and_keeps_good_one(client, user):
    _login(client, user)
    files = [make_upload(images.tiff_bytes(), "evil.jpg"), make_upload(images.jpeg_bytes(), "good.jpg")]
    response = client.post(_url(user), {"action": "upload", "photos": files}, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "evil.jpg: This file is not a photo we can use" in html
    assert Photo.objects.count() == 1


def test_json_upload_returns_pending_photo(client, user):
    _login(client, user)
    response = client.post(
        _url(user), {"action": "upload", "photos": make_upload()}, headers={"accept": "application/json"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["photos"][0]["status"] == "pending"


def test_json_upload_of_bad_file_is_400(client, user):
    _login(client, user)
    response = client.post(
        _url(user), {"action": "upload", "photos": make_upload(b"")}, headers={"accept": "application/json"}
    )
    assert response.status_code == 400
    assert "empty" in response.json()["detail"]


def test_other_user_cannot_upload_or_delete(client, user, other_user):
    photo = make_photo(owner=user)
    _login(client, other_user)
    assert client.post(_url(user), {"action": "upload", "photos": make_upload()}).status_code == 403
    assert client.post(_url(user), {"action": "delete", "photo": photo.pk}).status_code == 403
    assert client.get(_url(user)).status_code == 403
    assert list(Photo.objects.values_list("pk", flat=True)) == [photo.pk]


def test_anonymous_is_sent_to_login(client, user):
    response = client.get(_url(user))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_move_cover_alt_and_delete(client, user):
    a, b = make_photo(owner=user), make_photo(owner=user)
    _login(client, user)
    client.post(_url(user), {"action": "down", "photo": a.pk})
    assert list(Photo.objects.values_list("pk", flat=True)) == [b.pk, a.pk]
    client.post(_url(user), {"action": "cover", "photo": b.pk})
    assert Photo.objects.get(is_cover=True).pk == b.pk
    client.post(_url(user), {"action": "alt", "photo": b.pk, "alt": "Bed of the truck"})
    assert Photo.objects.get(pk=b.pk).alt == "Bed of the truck"
    client.post(_url(user), {"action": "delete", "photo": b.pk})
    assert list(Photo.objects.values_list("pk", flat=True)) == [a.pk]
    assert Photo.objects.get(pk=a.pk).is_cover


def test_action_on_someone_elses_photo_id_is_404(client, user, other_user):
    theirs = make_photo(owner=other_user)
    _login(client, user)
    response = client.post(_url(user), {"action": "delete", "photo": theirs.pk})
    assert response.status_code == 302
    assert Photo.objects.filter(pk=theirs.pk).exists()


def test_avatar_page_upload_and_remove(client, user, django_capture_on_commit_callbacks):
    _login(client, user)
    assert client.get("/photos/avatar/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/photos/avatar/", {"action": "upload", "photo": make_upload()})
    assert response.status_code == 302
    photo = Photo.objects.get()
    assert photo.owner == user and photo.status == "ready"
    profile = client.get(f"/members/{user.pk}/").content.decode()
    assert photo.renditions["400"]["jpeg"] in profile
    client.post("/photos/avatar/", {"action": "remove"})
    assert not Photo.objects.exists()


def test_avatar_bad_file_is_form_error(client, user):
    _login(client, user)
    response = client.post(
        "/photos/avatar/", {"action": "upload", "photo": make_upload(images.SVG_WITH_SCRIPT, "a.svg")}
    )
    assert response.status_code == 400
    assert "not a photo we can use" in response.content.decode()


def test_photo_picture_placeholder_then_picture(user, django_capture_on_commit_callbacks):
    tpl = Template('{% load photos %}{% photo_picture photo sizes="50vw" alt="Red truck" %}')
    pending = make_photo(owner=user)
    html = tpl.render(Context({"photo": pending}))
    assert "data:image/jpeg;base64," in html and "<picture>" not in html
    with django_capture_on_commit_callbacks(execute=True):
        ready = make_photo(owner=user, data=images.jpeg_bytes((1700, 1000)))
    ready.refresh_from_db()
    html = tpl.render(Context({"photo": ready}))
    assert '<source type="image/webp"' in html and "1600w" in html and 'alt="Red truck"' in html
    assert ready.renditions["400"]["jpeg"] in html


def test_photo_cover_uses_marked_cover_or_none(user, other_user):
    a, b = make_photo(owner=user), make_photo(owner=user)
    from kei_community.media.services import photo_set_cover

    photo_set_cover(photo=b)
    a.refresh_from_db()

    class Owner:
        def __init__(self, photos):
            self.photos = type("M", (), {"all": lambda s: photos})()

        def __str__(self):
            return "truck"

    tpl = Template("{% load photos %}{% photo_cover obj %}")
    html = tpl.render(Context({"obj": Owner([a, b])}))
    assert f'data-photo-id="{b.pk}"' in html
    assert "No photo" in tpl.render(Context({"obj": Owner([])}))


def test_admin_lists_photos(admin_client, user):
    make_photo(owner=user)
    photo = make_photo(owner=user)
    response = admin_client.get("/admin/media/photo/")
    assert response.status_code == 200
    assert "pending" in response.content.decode().lower()
    detail = admin_client.get(f"/admin/media/photo/{photo.pk}/change/")
    assert detail.status_code == 200
    assert photo.original.name in detail.content.decode()


# --- who manages a photo follows who owns the thing now (issue 10, defect 4) -------------------------


def _owner_case(kind):
    """(uploader who does not own the thing now, its owner now, the thing, two photos the uploader added)."""
    from kei_community.vehicles.services import garage_truck_transfer
    from tests.factories import ForumPostFactory, GarageTruckFactory, ListingFactory, UserFactory

    old, new = UserFactory(), UserFactory()
    if kind == "truck":
        owner = GarageTruckFactory(owner=old)
    elif kind == "listing":
        owner = ListingFactory(seller=new)
    else:
        owner = ForumPostFactory(author=new)
    photos = [make_photo(owner=owner, uploader=old), make_photo(owner=owner, uploader=old)]
    if kind == "truck":
        garage_truck_transfer(actor=old, truck=owner, new_owner=new)
    return old, new, owner, photos


def _manager_url(owner) -> str:
    return f"/test/photos/{owner._meta.label_lower}/{owner.pk}/"


def _manager_actions(photos):
    a, b = photos
    return [
        {"action": "up", "photo": b.pk},
        {"action": "down", "photo": a.pk},
        {"action": "cover", "photo": b.pk},
        {"action": "alt", "photo": a.pk, "alt": "Dump bed up"},
        {"action": "delete", "photo": a.pk},
        {"action": "upload", "photos": make_upload()},
    ]


def _photo_rows():
    return sorted(Photo.objects.values_list("pk", "position", "is_cover", "alt"))


@pytest.mark.parametrize("kind", ["truck", "listing", "post"])
def test_photo_manager_refuses_the_uploader_who_does_not_own_the_thing(client, db, kind):
    old, _new, owner, photos = _owner_case(kind)
    before = _photo_rows()
    _login(client, old)
    assert client.get(_manager_url(owner)).status_code == 403
    for data in _manager_actions(photos):
        assert client.post(_manager_url(owner), data).status_code == 403, data["action"]
    assert _photo_rows() == before


@pytest.mark.parametrize("kind", ["truck", "listing", "post"])
def test_photo_manager_refuses_a_stranger(client, db, kind):
    from tests.factories import UserFactory

    _old, _new, owner, photos = _owner_case(kind)
    before = _photo_rows()
    _login(client, UserFactory())
    assert client.get(_manager_url(owner)).status_code == 403
    for data in _manager_actions(photos):
        assert client.post(_manager_url(owner), data).status_code == 403, data["action"]
    assert _photo_rows() == before


@pytest.mark.parametrize("kind", ["truck", "listing", "post"])
def test_photo_manager_serves_the_owner_today(client, db, kind):
    _old, new, owner, photos = _owner_case(kind)
    _login(client, new)
    assert client.get(_manager_url(owner)).status_code == 200
    for data in _manager_actions(photos):
        assert client.post(_manager_url(owner), data).status_code == 302, data["action"]
    rows = Photo.objects.order_by("position", "id")
    assert photos[0].pk not in {p.pk for p in rows}
    assert rows.count() == 2  # one deleted, one uploaded


def test_listing_photo_pages_refuse_an_uploader_who_is_not_the_seller(client, db):
    old, new, listing, (a, b) = _owner_case("listing")
    _login(client, old)
    before = _photo_rows()
    assert client.get(f"/listings/{listing.pk}/photos/").status_code == 404
    assert client.post(f"/listings/{listing.pk}/photos/order/", {"order": [b.pk, a.pk]}).status_code == 404
    for action in ("up", "cover", "delete"):
        assert client.post(f"/listings/{listing.pk}/photos/{b.pk}/", {"action": action}).status_code == 404
    assert _photo_rows() == before
    client.logout()
    _login(client, new)
    assert client.post(f"/listings/{listing.pk}/photos/{a.pk}/", {"action": "delete"}).status_code == 302
    assert not Photo.objects.filter(pk=a.pk).exists()
