"""Forum data: categories, threads, posts and the per-member state around them.

Counters and last-post fields on Thread and Category are denormalised (Misago-style) and
kept right by services; `manage.py forum_repair_counters` recomputes them.
"""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils.text import slugify

POSTS_PER_PAGE = 20
THREADS_PER_PAGE = 25
_MARK = "987654321"


@lru_cache(maxsize=16)
def _url_pattern(name: str, with_slug: bool) -> str:
    return reverse(name, kwargs={"pk": int(_MARK), "slug": "slug-mark"} if with_slug else {"pk": int(_MARK)})


def fast_url(name: str, pk: int, slug: str | None = None) -> str:
    """reverse() once per URL name, then string replaces: list pages build hundreds of these."""
    url = _url_pattern(name, slug is not None).replace(_MARK, str(pk))
    return url.replace("slug-mark", slug) if slug is not None else url


@lru_cache(maxsize=1)
def _category_pattern() -> str:
    return reverse("forum:category", kwargs={"slug": "slug-mark"})


class Category(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    allows_solved = models.BooleanField(
        default=False, help_text="Help categories: the thread author can mark one reply as the answer."
    )
    thread_count = models.PositiveIntegerField(default=0, editable=False)
    post_count = models.PositiveIntegerField(default=0, editable=False)
    last_post_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_thread = models.ForeignKey(
        "Thread", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return _category_pattern().replace("slug-mark", self.slug)


class Tag(models.Model):
    class Kind(models.TextChoices):
        FREE = "free", "Tag"
        STATE = "state", "US state"
        MODEL = "model", "Truck model"

    name = models.CharField(max_length=40)
    slug = models.SlugField(max_length=50, unique=True)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.FREE)
    state_code = models.CharField(max_length=2, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("forum:search") + f"?tag={self.slug}"


class Thread(models.Model):
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="threads")
    title = models.CharField(max_length=140)
    slug = models.SlugField(max_length=80, allow_unicode=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="forum_threads")
    truck = models.ForeignKey(
        "vehicles.GarageTruck", null=True, blank=True, on_delete=models.SET_NULL, related_name="forum_threads"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="threads")
    # Denormalised copy of the tags ([{"name", "slug", "kind", "state_code"}]) so lists and pages need no join.
    tag_cache = models.JSONField(default=list, blank=True, editable=False)
    is_pinned = models.BooleanField(default=False)
    is_locked = models.BooleanField(default=False)
    is_hidden = models.BooleanField(default=False, help_text="Held for review or removed by a moderator.")
    created_at = models.DateTimeField(auto_now_add=True)
    # Denormalised (services keep them right; forum_repair_counters recomputes them).
    post_count = models.PositiveIntegerField(default=0, editable=False)
    last_position = models.PositiveIntegerField(default=0, editable=False)
    last_post_at = models.DateTimeField(null=True, blank=True, db_index=True, editable=False)
    last_poster = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    solved_post = models.ForeignKey("Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-is_pinned", "-last_post_at", "-id"]
        indexes = [
            models.Index(fields=["category", "-is_pinned", "-last_post_at", "-id"], name="forum_thread_listing"),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not self.slug:
            self.slug = slugify(self.title)[:80] or "thread"
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return fast_url("forum:thread", self.pk, self.slug)

    @property
    def tag_list(self) -> list[dict]:
        return self.tag_cache or []

    @property
    def reply_count(self) -> int:
        return max(self.post_count - 1, 0)

    @property
    def page_count(self) -> int:
        return max((self.last_position - 1) // POSTS_PER_PAGE + 1, 1)


class Post(models.Model):
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="posts")
    position = models.PositiveIntegerField(help_text="1-based place in the thread; pagination is by position.")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="forum_posts")
    body_markdown = models.TextField(max_length=20_000)
    body_html = models.TextField(editable=False, blank=True)
    body_text = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    edit_count = models.PositiveIntegerField(default=0)
    is_deleted = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_hidden = models.BooleanField(default=False, help_text="Hidden after reports until a moderator reviews it.")
    is_held = models.BooleanField(default=False, help_text="A new account's first post, awaiting approval.")
    mentioned_ids = models.JSONField(default=list, blank=True, editable=False)
    reaction_counts = models.JSONField(default=dict, blank=True, editable=False)
    search_vector = SearchVectorField(null=True, editable=False)
    has_photos = models.BooleanField(default=False, editable=False, help_text="Skip the photo query when False.")
    photos = GenericRelation("media.Photo", content_type_field="owner_type", object_id_field="owner_id")

    class Meta:
        ordering = ["thread", "position"]
        constraints = [models.UniqueConstraint(fields=["thread", "position"], name="forum_post_thread_position")]
        indexes = [models.Index(fields=["author", "created_at"], name="forum_post_author_created")]

    def __str__(self) -> str:
        return f"Post {self.pk} in {self.thread_id}"

    def get_absolute_url(self) -> str:
        return fast_url("forum:post", self.pk)

    @property
    def is_visible(self) -> bool:
        return not (self.is_deleted or self.is_hidden or self.is_held)

    @property
    def page_number(self) -> int:
        return (self.position - 1) // POSTS_PER_PAGE + 1


class PostRevision(models.Model):
    """The text a post had before an edit (history is viewable)."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="revisions")
    editor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body_markdown = models.TextField()
    reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Revision of post {self.post_id}"


class Reaction(models.Model):
    class Kind(models.TextChoices):
        LIKE = "like", "Like"
        HELPFUL = "helpful", "Helpful"
        THANKS = "thanks", "Thanks"

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_reactions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "user", "kind"], name="forum_one_reaction_per_kind")]

    def __str__(self) -> str:
        return f"{self.kind} on post {self.post_id}"


class Level(models.TextChoices):
    WATCH = "watch", "Watching (email on every reply)"
    TRACK = "track", "Tracking (unread marker only)"
    MUTE = "mute", "Muted"


class ThreadState(models.Model):
    """One row per member and thread they opened: read position, watch level, bookmark.

    Unread = thread.last_post_at newer than max(last_read_at, now - UNREAD_CUTOFF_DAYS):
    no fan-out on reply, rows only for threads a member actually read.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_thread_states")
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="states")
    last_read_at = models.DateTimeField(null=True, blank=True)
    last_read_position = models.PositiveIntegerField(default=0)
    level = models.CharField(max_length=5, choices=Level.choices, default=Level.TRACK)
    bookmarked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "thread"], name="forum_one_state_per_member_thread")]
        indexes = [models.Index(fields=["thread", "level"], name="forum_state_thread_level")]

    def __str__(self) -> str:
        return f"{self.user_id} in thread {self.thread_id}: {self.level}"


class CategoryWatch(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="forum_category_watches")
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="watches")
    level = models.CharField(max_length=5, choices=Level.choices, default=Level.WATCH)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "category"], name="forum_one_watch_per_member_category")]

    def __str__(self) -> str:
        return f"{self.user_id} in category {self.category_id}: {self.level}"
