import pytest
from django.urls import reverse

from forum import services
from forum.models import Post, Thread
from tests.factories import ForumPostFactory, ForumThreadFactory, UserFactory, forum_category

pytestmark = pytest.mark.django_db


def test_categories_list(api_client):
    response = api_client.get(reverse("api:forum-category-list"))
    assert response.status_code == 200
    slugs = [c["slug"] for c in response.json()]
    assert slugs[:3] == ["builds", "small-business", "maintenance"]
    assert response.json()[0]["page_url"] == "/forum/c/builds/"


@pytest.mark.parametrize("threads", [3, 40])
def test_thread_list_query_budget(threads, api_client, django_assert_max_num_queries):
    for _ in range(threads):
        ForumThreadFactory(tags="TX, brakes")
    with django_assert_max_num_queries(4):
        response = api_client.get(reverse("api:forum-thread-list"))
    assert response.status_code == 200
    assert response.json()["count"] == threads
    assert sorted(response.json()["results"][0]["tags"]) == ["Texas", "brakes"]


@pytest.mark.parametrize("posts", [3, 40])
def test_thread_posts_query_budget(posts, api_client, django_assert_max_num_queries):
    thread = ForumThreadFactory()
    for _ in range(posts - 1):
        ForumPostFactory(thread=thread)
    with django_assert_max_num_queries(6):
        response = api_client.get(reverse("api:forum-thread-posts", args=[thread.pk]))
    assert response.status_code == 200
    assert response.json()["count"] == posts
    assert response.json()["results"][0]["page_url"] == f"/forum/p/{thread.posts.first().pk}/"


def test_thread_list_filters(api_client):
    texas = ForumThreadFactory(tags="TX", title="Texas plates please")
    ForumThreadFactory(category=forum_category("builds"), title="Another thing here")
    url = reverse("api:forum-thread-list")
    assert [t["id"] for t in api_client.get(url, {"state": "TX"}).json()["results"]] == [texas.pk]
    assert [t["id"] for t in api_client.get(url, {"category": "maintenance"}).json()["results"]] == [texas.pk]
    assert [t["id"] for t in api_client.get(url, {"q": "plates"}).json()["results"]] == [texas.pk]
    bad = api_client.get(url, {"category": "nope"})
    assert bad.status_code == 400 and "category" in bad.json()["errors"]
    assert api_client.get(url, {"ordering": "random"}).status_code == 400


def test_create_thread_with_first_post_in_one_request(api_client, user):
    api_client.force_authenticate(user)
    response = api_client.post(
        reverse("api:forum-thread-list"),
        {"category": "builds", "title": "API build thread", "body": "Hello **API**", "tags": ["NC"]},
        format="json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    thread = Thread.objects.get(pk=data["id"])
    assert data["page_url"] == thread.get_absolute_url()
    assert data["tags"] == ["North Carolina"]
    assert "<strong>API</strong>" in thread.posts.get().body_html


def test_create_thread_rejects_unknown_fields_and_anonymous(api_client, user):
    url = reverse("api:forum-thread-list")
    payload = {"category": "builds", "title": "API build thread", "body": "x"}
    assert api_client.post(url, payload, format="json").status_code in (401, 403)
    api_client.force_authenticate(user)
    response = api_client.post(url, {**payload, "is_pinned": True}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"is_pinned": ["Unknown field."]}


def test_create_thread_with_someone_elses_truck_is_403(api_client, user, other_user):
    from kei_community.vehicles.models import GarageTruck

    truck = GarageTruck.objects.create(owner=other_user, make="Suzuki")
    api_client.force_authenticate(user)
    response = api_client.post(
        reverse("api:forum-thread-list"),
        {"category": "builds", "title": "Not my truck", "body": "x", "truck": truck.pk},
        format="json",
    )
    assert response.status_code == 403
    assert not Thread.objects.exists()


def test_reply_and_locked_reply(api_client, user, moderator):
    thread = ForumThreadFactory()
    api_client.force_authenticate(user)
    url = reverse("api:forum-thread-posts", args=[thread.pk])
    response = api_client.post(url, {"body": "API reply"}, format="json")
    assert response.status_code == 201 and response.json()["position"] == 2
    services.thread_lock(actor=moderator, thread=thread)
    locked = api_client.post(url, {"body": "again"}, format="json")
    assert locked.status_code == 403
    assert "locked" in locked.json()["detail"]


def test_patch_own_post_but_not_anothers(api_client, user, other_user):
    mine = ForumPostFactory(author=user)
    theirs = ForumPostFactory(author=other_user)
    api_client.force_authenticate(user)
    ok = api_client.patch(reverse("api:forum-post-detail", args=[mine.pk]), {"body": "edited"}, format="json")
    assert ok.status_code == 200 and ok.json()["edit_count"] == 1
    denied = api_client.patch(reverse("api:forum-post-detail", args=[theirs.pk]), {"body": "hijack"}, format="json")
    assert denied.status_code == 403
    assert Post.objects.get(pk=theirs.pk).body_markdown != "hijack"


def test_delete_is_soft_and_owner_only(api_client, user, other_user):
    post = ForumPostFactory(author=user)
    api_client.force_authenticate(other_user)
    assert api_client.delete(reverse("api:forum-post-detail", args=[post.pk])).status_code == 403
    api_client.force_authenticate(user)
    assert api_client.delete(reverse("api:forum-post-detail", args=[post.pk])).status_code == 204
    assert Post.objects.get(pk=post.pk).is_deleted
    api_client.force_authenticate(other_user)
    assert api_client.get(reverse("api:forum-post-detail", args=[post.pk])).status_code == 404


def test_patch_thread_title_by_author_only(api_client, user, other_user):
    thread = ForumThreadFactory(author=user)
    url = reverse("api:forum-thread-detail", args=[thread.pk])
    api_client.force_authenticate(other_user)
    assert api_client.patch(url, {"title": "Stolen thread"}, format="json").status_code == 403
    api_client.force_authenticate(user)
    response = api_client.patch(url, {"title": "Renamed thread", "tags": ["hijet"]}, format="json")
    assert response.status_code == 200 and response.json()["tags"] == ["hijet"]


def test_reactions_endpoint(api_client, user):
    post = ForumThreadFactory().posts.get()
    api_client.force_authenticate(user)
    url = reverse("api:forum-post-reactions", args=[post.pk])
    response = api_client.post(url, {"kind": "helpful"}, format="json")
    assert response.json() == {"on": True, "reaction_counts": {"helpful": 1}}
    assert api_client.post(url, {"kind": "love"}, format="json").status_code == 400


def test_watch_endpoint(api_client, user):
    thread = ForumThreadFactory()
    api_client.force_authenticate(user)
    response = api_client.post(reverse("api:forum-thread-watch", args=[thread.pk]), {"level": "watch"}, format="json")
    assert response.json() == {"level": "watch"}


@pytest.mark.parametrize("verb", ["pin", "lock", "move"])
def test_members_cannot_pin_lock_move_over_api(verb, api_client, user):
    thread = ForumThreadFactory(author=user)
    api_client.force_authenticate(user)
    response = api_client.post(
        reverse(f"api:forum-thread-{verb}", args=[thread.pk]), {"category": "off-topic"} if verb == "move" else {},
        format="json",
    )  # fmt: skip
    assert response.status_code == 403
    thread.refresh_from_db()
    assert not thread.is_pinned and not thread.is_locked and thread.category.slug == "maintenance"


def test_moderator_pin_lock_move_over_api(api_client, moderator):
    thread = ForumThreadFactory()
    api_client.force_authenticate(moderator)
    assert api_client.post(reverse("api:forum-thread-pin", args=[thread.pk]), {}, format="json").json()["is_pinned"]
    assert api_client.post(reverse("api:forum-thread-lock", args=[thread.pk]), {}, format="json").json()["is_locked"]
    moved = api_client.post(
        reverse("api:forum-thread-move", args=[thread.pk]), {"category": "off-topic"}, format="json"
    )
    assert moved.json()["category"] == "off-topic"


def test_hidden_thread_is_404_for_others(api_client, user, other_user):
    thread = ForumThreadFactory(author=user)
    services.post_delete(actor=user, post=thread.posts.get())
    api_client.force_authenticate(other_user)
    assert api_client.get(reverse("api:forum-thread-detail", args=[thread.pk])).status_code == 404


def test_site_search_api_includes_forum_group(api_client):
    ForumThreadFactory(title="Clutch cable adjustment", body="Turn the nut")
    groups = api_client.get("/api/v1/search/", {"q": "clutch"}).json()["groups"]
    forum = next(g for g in groups if g["label"] == "Forum threads")
    assert forum["results"][0]["title"] == "Clutch cable adjustment"


def test_other_member_unaffected_by_api_writes(api_client, user):
    ForumThreadFactory(author=UserFactory())
    api_client.force_authenticate(user)
    assert api_client.get(reverse("api:forum-thread-list")).status_code == 200


def test_author_adds_photo_to_post_over_api(api_client, user, other_user):
    from tests.factories import make_upload

    post = ForumThreadFactory(author=user).posts.get()
    url = reverse("api:forum-post-photos", args=[post.pk])
    api_client.force_authenticate(other_user)
    assert api_client.post(url, {"photo": make_upload()}, format="multipart").status_code == 403
    api_client.force_authenticate(user)
    response = api_client.post(url, {"photo": make_upload()}, format="multipart")
    assert response.status_code == 201
    assert Post.objects.get(pk=post.pk).has_photos
    assert (
        api_client.get(reverse("api:forum-post-detail", args=[post.pk])).json()["photos"][0]["id"]
        == response.json()["id"]
    )


def test_bad_photo_is_a_400(api_client, user):
    from tests.factories import make_upload

    post = ForumThreadFactory(author=user).posts.get()
    api_client.force_authenticate(user)
    response = api_client.post(
        reverse("api:forum-post-photos", args=[post.pk]), {"photo": make_upload(b"not an image")}, format="multipart"
    )
    assert response.status_code == 400
    assert not Post.objects.get(pk=post.pk).has_photos


def test_thread_list_q_uses_full_text_over_posts(api_client):
    title = ForumThreadFactory(title="Carburetor float sticks")
    body = ForumThreadFactory(title="Cold start", body="I rebuilt the carburetor last week.")
    reply = ForumThreadFactory(title="Idle question")
    ForumPostFactory(thread=reply, body="Clean the carburetor jets first.")
    ForumThreadFactory(title="Nothing related")
    url = reverse("api:forum-thread-list")
    found = {t["id"] for t in api_client.get(url, {"q": "carburetor"}).json()["results"]}
    assert found == {title.pk, body.pk, reply.pk}
    assert api_client.get(url, {"q": "zzzunknown"}).json()["count"] == 0


def test_thread_list_refuses_a_search_of_only_common_words():
    from rest_framework.test import APIClient

    ForumThreadFactory(title="Where is the clutch")
    client = APIClient()
    response = client.get("/api/v1/forum/threads/", {"q": "where is the"})
    assert response.status_code == 400
    assert "too common to search for" in response.json()["errors"]["q"][0]
    assert client.get("/api/v1/forum/threads/", {"q": "clutch"}).json()["count"] == 1
