import pytest

from forum.models import Thread
from forum.tasks import repair_counters
from tests.factories import ForumPostFactory, ForumThreadFactory

pytestmark = pytest.mark.django_db


def test_repair_counters_task_recomputes():
    thread = ForumThreadFactory()
    ForumPostFactory(thread=thread)
    Thread.objects.filter(pk=thread.pk).update(post_count=0)
    result = repair_counters.delay().get()
    thread.refresh_from_db()
    assert thread.post_count == 2
    assert result["threads"] == 1


def test_repair_is_scheduled_nightly():
    from kei_community.celery import app

    assert app.conf.beat_schedule["forum-repair-counters"]["task"] == "forum.tasks.repair_counters"


def test_seed_demo_hook_is_idempotent():
    import io

    from django.core.management import call_command

    from forum.models import Post

    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    threads, posts = Thread.objects.count(), Post.objects.count()
    call_command("seed_demo", stdout=out)
    assert threads >= 20 and Thread.objects.count() == threads and Post.objects.count() == posts
    assert Thread.objects.filter(truck__isnull=False).count() >= 3
    assert Thread.objects.filter(category__slug="small-business").exists()
