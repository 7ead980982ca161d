"""`make bench-forum`: forum pages under load beside the baseline view, on two data sizes.

Size "20k": 10 categories, 2,000 threads, 20,000 posts (one thread of 200 posts) on a SQLite
file under var/. Size "100k": the same shape with 100,000 posts on PostgreSQL (skipped when
PostgreSQL is not reachable). Each size is served by gunicorn (2 sync workers, DEBUG off,
BENCH_ENABLED) and loaded with wrk (16 connections, 10 s, loopback) through bench/harness.py:
the baseline, then each page anonymously (whole-page cache) and signed in (uncached).
Search latency (median of a few queries, in-process) is printed for each size.

    .venv/bin/python bench/bench_forum.py [--sizes 20k,100k] [--seconds 10]

Data is generated straight into the tables (bulk_create; the counters then come from the
forum's own repair function), so a run takes a minute or two, not an hour.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (  # noqa: E402
    CACHE_URL,
    ROOT,
    TARGETS,
    call_step,
    latency_line,
    load_pages,
    main,
    postgres_database_ready,
    prepare_size,
)

PG_ADMIN = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PG_URL = os.environ.get("BENCH_FORUM_PG_URL", "postgres://postgres@127.0.0.1:5432/kei_bench_forum")
PG_1M_URL = os.environ.get("BENCH_FORUM_PG_1M_URL", "postgres://postgres@127.0.0.1:5432/kei_bench_forum_1m")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "")
SIZES = {
    "20k": {"posts": 20_000, "db": f"sqlite:///{ROOT / 'var' / 'bench_forum.sqlite3'}"},
    "100k": {"posts": 100_000, "db": PG_URL},
    "1m": {"posts": 1_000_000, "db": PG_1M_URL},
}
THREADS = 2_000
BIG_THREAD = 200
READER = "bench-reader@bench.kei"
WORDS = [
    "kei",
    "truck",
    "carry",
    "hijet",
    "acty",
    "minicab",
    "sambar",
    "idle",
    "clutch",
    "brake",
    "frame",
    "rust",
    "bed",
    "dump",
    "tyre",
    "mud",
    "farm",
    "feed",
    "registration",
    "title",
    "plate",
    "inspection",
    "import",
    "auction",
    "sheet",
    "belt",
    "timing",
    "pump",
    "sprayer",
    "valve",
    "coolant",
]


# --- in a subprocess with the size's DATABASE_URL ------------------------------------------------------


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kei_community.settings")
    import django

    django.setup()


def _vocabulary(rng: Any) -> tuple[list[str], list[float]]:
    """~5,000 made-up words plus the domain words, weighted 1/rank like natural language."""
    syllables = "ka ki ku ke ko sa shi su se so ta chi tsu te to na ni nu ne no ha hi fu he ho ma mi mu me mo ra ri ru"
    parts = syllables.split()
    pseudo = sorted({"".join(rng.choice(parts) for _ in range(rng.randint(2, 4))) for _ in range(7000)})
    rng.shuffle(pseudo)
    vocab = pseudo[:5000]
    for index, word in enumerate(WORDS):
        vocab.insert(10 + index * 25, word)  # domain words: common, but not the commonest
    return vocab, [1 / (rank + 1) for rank in range(len(vocab))]


def generate(posts_total: int) -> dict:
    """Fill the forum (idempotent: does nothing when the data is already there)."""
    _setup()
    import random
    from datetime import timedelta

    from django.db import connection, transaction
    from django.utils import timezone

    from forum.models import Category, Post, Thread
    from forum.rendering import render_post
    from forum.services import counters_repair
    from kei_community.users.models import User

    if Post.objects.count() >= posts_total and not os.environ.get("BENCH_FORUM_REGENERATE"):
        return {"generated": False, "posts": Post.objects.count()}
    rng = random.Random(7)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # a million posts: TRUNCATE, not a cascade of DELETEs
                cursor.execute("TRUNCATE forum_post, forum_thread RESTART IDENTITY CASCADE")
        Post.objects.all().delete()
        Thread.objects.all().delete()
        for i in range(Category.objects.count(), 10):
            Category.objects.get_or_create(
                slug=f"bench-{i}", defaults={"name": f"Bench category {i}", "position": 50 + i}
            )
        categories = list(Category.objects.order_by("position"))
        users = []
        for i in range(50):
            user, _ = User.objects.get_or_create(email=f"bench{i}@bench.kei", defaults={"display_name": f"Bench {i}"})
            users.append(user)
        reader, _ = User.objects.get_or_create(email=READER, defaults={"display_name": "Bench Reader"})
        vocab, weights = _vocabulary(rng)
        bodies = []
        for _ in range(2000):  # distinct texts, Zipf-distributed words (a few common, most rare)
            text = " ".join(rng.choices(vocab, weights=weights, k=rng.randint(30, 120)))
            markdown = f"**{text[:40]}** {text}\n\n- {rng.choice(WORDS)}\n- {rng.choice(WORDS)}\n\n> {text[:80]}"
            rendered = render_post(markdown)
            bodies.append((markdown, rendered.html, rendered.text))
        now = timezone.now()
        threads = [
            Thread(
                category=categories[i % len(categories)],
                title=f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} question {i}",
                slug=f"bench-thread-{i}",
                author=users[i % len(users)],
                tag_cache=[{"name": "hijet", "slug": "hijet", "kind": "free", "state_code": ""}],
            )
            for i in range(THREADS)
        ]
        Thread.objects.bulk_create(threads, batch_size=1000)
        threads = list(Thread.objects.order_by("id"))
        big = threads[0]
        per_thread = {t.pk: 1 for t in threads}
        per_thread[big.pk] = BIG_THREAD
        remaining = posts_total - sum(per_thread.values())
        for _ in range(remaining):
            per_thread[threads[rng.randrange(1, len(threads))].pk] += 1
        plan = []  # (thread, position, created_at) of every post
        for thread in threads:
            count = per_thread[thread.pk]
            start = now - timedelta(days=rng.randint(0, 400), minutes=count)
            plan.extend((thread, position, start + timedelta(minutes=position)) for position in range(1, count + 1))
        if connection.vendor == "postgresql":
            _copy_posts(plan, bodies, users, rng)
        else:
            rows = []
            for thread, position, created_at in plan:
                markdown, html, text = bodies[rng.randrange(len(bodies))]
                rows.append(
                    Post(
                        thread=thread,
                        position=position,
                        author=users[rng.randrange(len(users))],
                        body_markdown=markdown,
                        body_html=html,
                        body_text=text,
                        created_at=created_at,
                    )  # fmt: skip
                )
                if len(rows) >= 5000:
                    Post.objects.bulk_create(rows, batch_size=2000)
                    rows = []
            Post.objects.bulk_create(rows, batch_size=2000)
    if connection.vendor == "postgresql":
        from bench.harness import vacuum_analyze

        vacuum_analyze("forum_post", "forum_thread")
    counters_repair()
    return {"generated": True, "posts": Post.objects.count(), "big_thread": big.pk}


def _copy_posts(plan: list, bodies: list[tuple[str, str, str]], users: list, rng: Any) -> None:
    """Write the posts with COPY, their search vectors included: each distinct body's vector is computed
    once in SQL (the same expression as forum.services._update_search), and first posts get their
    thread's title (weight A) added afterwards. Indexes are dropped during the load and built after."""
    from django.db import connection

    from bench.harness import copy_rows, indexes_dropped
    from forum.models import Post

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (setweight(to_tsvector('english', ''), 'A') || "
            "setweight(to_tsvector('english', coalesce(t, '')), 'B'))::text FROM unnest(%s::text[]) AS t",
            [[text for _, _, text in bodies]],
        )
        vectors = [row[0] for row in cursor.fetchall()]

    def rows() -> Any:
        for thread, position, created_at in plan:
            index = rng.randrange(len(bodies))
            markdown, html, text = bodies[index]
            yield {
                "thread_id": thread.pk, "position": position, "author_id": users[rng.randrange(len(users))].pk,
                "body_markdown": markdown, "body_html": html, "body_text": text, "created_at": created_at,
                "search_vector": vectors[index],
            }  # fmt: skip

    with indexes_dropped(Post._meta.db_table):
        copy_rows(Post, rows())
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE forum_post p SET search_vector = "
                "setweight(to_tsvector('english', t.title), 'A') || "
                "setweight(to_tsvector('english', coalesce(p.body_text, '')), 'B') "
                "FROM forum_thread t WHERE t.id = p.thread_id AND p.position = 1"
            )


def paths_and_cookie() -> dict:
    _setup()
    from bench.harness import session_cookie_for
    from forum.models import Category, Thread

    big = Thread.objects.order_by("-post_count", "id").first()
    category = Category.objects.order_by("-thread_count").first()
    return {
        "pages": [
            ("forum index", "/forum/"),
            (f"category ({category.thread_count} threads)", category.get_absolute_url()),
            (f"thread page 1 ({big.post_count} posts)", big.get_absolute_url()),
            ("thread last page", f"{big.get_absolute_url()}?page={big.page_count}"),
        ],
        "cookie": session_cookie_for(READER),
    }


# Twenty searches: the forum's common words, rare ones, phrases, two-word queries and a word nobody wrote.
SEARCH_QUERIES = [
    "idle valve", "timing belt", "auction sheet", "rust frame", "sprayer pump", "clutch", "kei truck", "hijet",
    "registration title", "coolant", "brake", "mud tyre", "inspection plate", "carry dump", "sambar", "import",
    "farm feed", "minicab acty", '"timing belt"', "snowmobile",
]  # fmt: skip


def search_latency() -> dict:
    """The twenty SEARCH_QUERIES in a fresh process (nothing cached: search results are not cached): median,
    p95 and max of the whole search_posts (ranking, one hit per thread, snippets)."""
    _setup()
    from bench.harness import latency_summary
    from forum.selectors import search_posts

    search_posts(q="warm", limit=20)  # connect

    def timed() -> dict:
        timings = []
        for query in SEARCH_QUERIES:
            start = time.perf_counter()
            hits = search_posts(q=query, limit=20)
            timings.append((time.perf_counter() - start) * 1000)
            assert hits is not None
        return latency_summary(timings)

    # The first pass reads the index pages PostgreSQL may not hold in memory yet (after another database's
    # load, say); the second shows the same searches with them in memory. Both are printed.
    return {"first": timed(), "again": timed()}


def writer(seconds: str) -> dict:
    """Add 5 posts a second through forum.services.post_create for `seconds` (one in five to the big thread
    under load, the others to threads of the biggest category), authors taking turns: every post fires the
    cache tags of its thread and category."""
    _setup()
    import random
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from forum.models import Category, Thread
    from forum.services import post_create
    from kei_community.users.models import User

    settings.FORUM_POSTS_PER_MINUTE = 10_000  # the bench's 50 authors post faster than a person may
    User.objects.filter(email__endswith="@bench.kei").update(date_joined=timezone.now() - timedelta(days=365))
    authors = list(User.objects.filter(email__startswith="bench", email__endswith="@bench.kei"))
    big = Thread.objects.order_by("-post_count", "id").first()
    category = Category.objects.order_by("-thread_count").first()
    threads = list(Thread.objects.filter(category=category).order_by("-last_post_at")[:200])
    rng = random.Random(5)
    end, writes = time.monotonic() + float(seconds), 0
    while time.monotonic() < end:
        tick = time.monotonic()
        for i in range(5):
            thread = big if i == 0 else rng.choice(threads)
            post_create(
                author=rng.choice(authors), thread=thread, body=f"Bench reply {writes}: checked the idle valve."
            )
            writes += 1
        time.sleep(max(0.0, 1.0 - (time.monotonic() - tick)))
    return {"writes": writes}


def _pg_available(database_url: str) -> bool:
    return postgres_database_ready(PG_ADMIN, database_url)


def _spec(label: str) -> dict:
    """ "20k" / "100k", or "<sqlite|postgres>:<posts>" (e.g. "sqlite:20000")."""
    if label in SIZES:
        return SIZES[label]
    kind, _, posts = label.partition(":")
    if kind not in ("sqlite", "postgres") or not posts.isdigit():
        sys.exit(f"Unknown size {label!r}: use 20k, 100k, sqlite:<posts> or postgres:<posts>.")
    return {"posts": int(posts), "db": SIZES["20k"]["db"] if kind == "sqlite" else PG_URL}


def run_size(label: str, seconds: int) -> None:
    spec = _spec(label)
    if spec["db"].startswith("postgres") and not _pg_available(spec["db"]):
        return
    env, target = prepare_size(
        __file__, label=label, database_url=spec["db"], rows=spec["posts"], noun="posts", redis_url=REDIS_URL,
        cache_url=CACHE_URL,
    )  # fmt: skip
    search = call_step(__file__, env, "search")
    load_pages(env, target, seconds=seconds, script=__file__)
    print()
    what = f"Full-text search over {spec['posts']:,} posts ({len(SEARCH_QUERIES)} queries"
    print(latency_line(f"{what}, first pass)", search["first"]))
    print(latency_line(f"{what}, again)", search["again"]))
    print(TARGETS)


if __name__ == "__main__":
    main(
        __doc__ or "",
        sizes="20k,100k",
        sizes_help="20k, 100k, sqlite:<posts>, postgres:<posts>",
        steps={
            "generate": lambda total: generate(int(total)),
            "paths": paths_and_cookie,
            "search": search_latency,
            "writer": writer,
        },
        run_size=run_size,
    )
