"""A rehearsal of several machines (issue 15, part 4): two web nodes and a worker node, each its own
process with its own empty local directories (MEDIA_ROOT, PRIVATE_MEDIA_ROOT, VAR_DIR), sharing only
PostgreSQL (this run's test database, rows committed by transactional tests), Redis (REDIS_URL: cache,
sessions, rate limits, broker) and the S3 endpoint (MEDIA_STORAGE=s3 on two fresh buckets of the server
.ci/run starts).

- web A and web B: `gunicorn kei_community.wsgi:application` (one worker each, DEBUG off, production
  password hashers and rate limits) on free ports;
- worker (for the test that needs one): `celery -A kei_community worker -Q images,notifications,celery`.

Each test starts its own nodes (about 5 s): the database is flushed after every transactional test, and a
running node would keep the old content type ids it cached. The in-thread Celery worker other service tests
may have started in this process (it runs with this process's settings) stops consuming while a worker node
runs, so every task the nodes send is run by the worker node.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection

from kei_community.media.models import Photo
from tests.factories import ForumThreadFactory, UserFactory
from tests.media import images
from tests.services import s3

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
STARTUP_SECONDS = 60  # three processes starting at once on a busy 2-core machine
QUEUES = ("images", "notifications", "celery")
PASSWORD = "multinode-password-1"
# The nodes run without the test settings (real password hashers): a cheap PBKDF2 hash they can verify.
FAST_HASHER = PBKDF2PasswordHasher()


@dataclass
class Node:
    name: str
    dirs: dict[str, Path]
    process: subprocess.Popen
    log: Path
    port: int = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def local_files(self) -> list[Path]:
        return [p for d in self.dirs.values() for p in d.rglob("*") if p.is_file()]


@dataclass
class Cluster:
    a: Node
    b: Node
    worker: Node | None
    buckets: s3.Buckets
    nodes: list[Node] = field(default_factory=list)

    def assert_no_local_files(self) -> None:
        for node in self.nodes:
            assert node.local_files() == [], f"{node.name} wrote to its local disk: {node.local_files()}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _database_url() -> str:
    """DATABASE_URL pointing at the test database pytest created for this run."""
    base = os.environ["DATABASE_URL"].split("?", 1)[0].rsplit("/", 1)[0]
    return f"{base}/{connection.settings_dict['NAME']}"


def _start(name: str, command: list[str], buckets: s3.Buckets, logs: Path) -> Node:
    base = Path(tempfile.mkdtemp(prefix=f"kei-{name}-"))
    dirs = {"media": base / "media", "private": base / "private", "var": base / "var"}
    for path in dirs.values():
        path.mkdir()
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        DATABASE_URL=_database_url(),
        MEDIA_ROOT=str(dirs["media"]),
        PRIVATE_MEDIA_ROOT=str(dirs["private"]),
        VAR_DIR=str(dirs["var"]),
        DJANGO_DEBUG="false",
        LOG_LEVEL="WARNING",
        CACHE_LOCAL_TRUST_MS=str(TRUST_MS),
        **buckets.env(),
    )
    for key in ("TESTING", "DATABASE_REPLICA_URL", "CACHE_URL", "CELERY_BROKER_URL"):
        env.pop(key, None)  # one Redis (REDIS_URL) and one database for every node
    log = logs / f"{name}.log"
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return Node(name=name, dirs=dirs, process=process, log=log)


def _web(name: str, buckets: s3.Buckets, logs: Path) -> Node:
    port = _free_port()
    command = [
        str(BIN / "gunicorn"),
        "--config",
        "gunicorn.conf.py",
        "kei_community.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "1",
        "--timeout",
        "60",
    ]
    node = _start(name, command, buckets, logs)
    node.port = port
    return node


def _worker(buckets: s3.Buckets, logs: Path) -> Node:
    command = [
        str(BIN / "celery"),
        "-A",
        "kei_community",
        "worker",
        "-Q",
        ",".join(QUEUES),
        "-n",
        f"multinode-{os.getpid()}@%h",
        "--concurrency=1",
        "--without-gossip",
        "--without-mingle",
        "--loglevel=warning",
    ]
    return _start("worker", command, buckets, logs)


def _stop(nodes: list[Node]) -> None:
    """SIGQUIT to every node's process group (gunicorn and Celery stop at once), then wait for each."""
    for node in nodes:
        if node.process.poll() is None:
            os.killpg(node.process.pid, signal.SIGQUIT)
    for node in nodes:
        try:
            node.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(node.process.pid, signal.SIGKILL)
            node.process.wait(timeout=15)


def _wait_until_up(node: Node) -> None:
    import requests

    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if node.process.poll() is not None:
            break
        try:
            if requests.get(node.url("/healthz"), timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.25)
    raise AssertionError(f"{node.name} did not start:\n{node.log.read_text(errors='replace')[-3000:]}")


def _in_thread_worker() -> str:
    """The node name of the in-thread worker tests/services/conftest.py may have started in this process."""
    from celery.utils.nodenames import anon_nodename

    return anon_nodename()


def _pause_in_thread_worker() -> bool:
    from kei_community.celery import app

    name = _in_thread_worker()
    if not app.control.ping(destination=[name], timeout=1):
        return False
    for queue in QUEUES:
        app.control.cancel_consumer(queue, destination=[name], reply=True, timeout=5)
    return True


def _resume_in_thread_worker() -> None:
    from kei_community.celery import app

    for queue in QUEUES:
        app.control.add_consumer(queue, destination=[_in_thread_worker()], reply=True, timeout=5)


@pytest.fixture
def cluster(request, settings) -> Iterator[Cluster]:  # type: ignore[no-untyped-def]
    """Two web nodes and, for a test that asks for `worker_node`, a worker node, started for the test."""
    from kei_community.media.storage_config import media_storages

    buckets = s3.create_buckets(s3.endpoint())
    logs = Path(tempfile.mkdtemp(prefix="kei-multinode-logs-"))
    with_worker = "worker_node" in request.fixturenames
    paused = _pause_in_thread_worker() if with_worker else False
    nodes = [_web("web-a", buckets, logs), _web("web-b", buckets, logs)]
    if with_worker:
        nodes.append(_worker(buckets, logs))
    # This process builds the same URLs as the nodes (to look for them in their pages).
    settings.STORAGES = {**settings.STORAGES, **media_storages(**buckets.config())}
    started = time.monotonic()
    try:
        for node in nodes[:2]:
            _wait_until_up(node)
        print(f"\ncluster up in {time.monotonic() - started:.1f}s")
        yield Cluster(a=nodes[0], b=nodes[1], worker=nodes[2] if with_worker else None, buckets=buckets, nodes=nodes)
    finally:
        _stop(nodes)
        if paused:
            _resume_in_thread_worker()
        s3.drop_buckets(buckets)
        for node in nodes:
            shutil.rmtree(node.dirs["media"].parent, ignore_errors=True)
        shutil.rmtree(logs, ignore_errors=True)


@pytest.fixture
def worker_node() -> None:
    """Marks a test whose cluster includes the worker node (see `cluster`)."""


# --- a browser's side --------------------------------------------------------------------------------


def _browser():  # type: ignore[no-untyped-def]
    """A cookie jar like a browser's: cookies are per host, not per port, so A's cookies go to B."""
    import requests

    return requests.Session()


def _csrf(html: str) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert match, "no CSRF token in the form"
    return match.group(1)


def _sign_in(browser, node: Node, email: str, password: str):  # type: ignore[no-untyped-def]
    form = browser.get(node.url("/accounts/login/"), timeout=30)
    assert form.status_code == 200
    return browser.post(
        node.url("/accounts/login/"),
        data={"login": email, "password": password, "csrfmiddlewaretoken": _csrf(form.text)},
        allow_redirects=False,
        timeout=30,
    )


def _member(**kwargs):  # type: ignore[no-untyped-def]
    member = UserFactory(**kwargs)
    member.password = FAST_HASHER.encode(PASSWORD, FAST_HASHER.salt(), iterations=1000)
    member.save(update_fields=["password"])
    return member


def _wait_ready(pk: int, timeout: float = 60.0) -> Photo:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        photo = Photo.objects.get(pk=pk)
        if photo.status in (Photo.Status.READY, Photo.Status.FAILED):
            assert photo.status == Photo.Status.READY, photo.failure_reason
            return photo
        time.sleep(0.2)
    raise AssertionError(f"the worker node did not process photo {pk} in {timeout:.0f}s")


# --- the rehearsal --------------------------------------------------------------------------------------


def test_a_photo_uploaded_through_a_is_processed_by_the_worker_and_served_through_b(worker_node, cluster):
    member = _member()
    browser = _browser()
    assert _sign_in(browser, cluster.a, member.email, PASSWORD).status_code == 302
    form = browser.get(cluster.a.url("/photos/avatar/"), timeout=30)
    data = images.jpeg_with_gps((1700, 1100))
    response = browser.post(
        cluster.a.url("/photos/avatar/"),
        data={"action": "upload", "csrfmiddlewaretoken": _csrf(form.text)},
        files={"photo": ("truck.jpg", data, "image/jpeg")},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[:500]
    photo = _wait_ready(Photo.objects.get(owner_id=member.pk).pk)

    # The worker read the original from the private bucket and wrote the renditions to the public one.
    assert cluster.buckets.keys(cluster.buckets.private) == [photo.original.name]
    assert cluster.buckets.keys(cluster.buckets.public) == sorted(photo.rendition_names())
    page = _browser().get(cluster.b.url(f"/members/{member.pk}/"), timeout=30)
    url = photo.url_for(192)
    assert page.status_code == 200 and f'src="{url}"' in page.text
    assert url.startswith(f"{cluster.buckets.endpoint}/{cluster.buckets.public}/photos/")
    status, headers, body = s3.http_get(url)
    assert status == 200 and headers["content-type"] == "image/jpeg" and body[:3] == b"\xff\xd8\xff"
    cluster.assert_no_local_files()


def test_a_session_made_on_a_works_on_b(cluster):
    member = _member(display_name="Session Traveller")
    browser = _browser()
    assert _sign_in(browser, cluster.a, member.email, PASSWORD).status_code == 302
    assert "sessionid" in browser.cookies
    on_b = browser.get(cluster.b.url("/photos/avatar/"), allow_redirects=False, timeout=30)
    assert on_b.status_code == 200 and "Session Traveller" in on_b.text
    assert _browser().get(cluster.b.url("/photos/avatar/"), allow_redirects=False, timeout=30).status_code == 302

    # Signing out on B ends the session on A too.
    signed_out = browser.post(
        cluster.b.url("/accounts/logout/"), data={"csrfmiddlewaretoken": _csrf(on_b.text)}, allow_redirects=False
    )
    assert signed_out.status_code == 302
    assert browser.get(cluster.a.url("/photos/avatar/"), allow_redirects=False, timeout=30).status_code == 302
    cluster.assert_no_local_files()


TRUST_MS = 250  # each node's local page copies (kei_community.core.caching): served unchecked this long


def test_a_reply_posted_on_a_shows_on_bs_cached_anonymous_page_within_the_trust_window(cluster):
    from forum.demo import ensure_categories
    from forum.models import Thread

    ensure_categories()
    thread = ForumThreadFactory(author=_member(), title="Carry idles rough when cold")
    path = thread.get_absolute_url()
    visitor = _browser()
    assert "Carry idles rough when cold" in visitor.get(cluster.b.url(path), timeout=30).text
    # Changed behind the cache's back (no service, no invalidation): B still answers from the cache.
    Thread.objects.filter(pk=thread.pk).update(title="Changed without telling the cache")
    cached = visitor.get(cluster.b.url(path), timeout=30).text
    assert "Carry idles rough when cold" in cached and "Changed without telling the cache" not in cached

    replier = _browser()
    assert _sign_in(replier, cluster.a, _member().email, PASSWORD).status_code == 302
    form = replier.get(cluster.a.url(f"/forum/t/{thread.pk}/reply/"), timeout=30)
    posted = replier.post(
        cluster.a.url(f"/forum/t/{thread.pk}/reply/"),
        data={"body": "Posted on node A: clean the idle air control valve.", "csrfmiddlewaretoken": _csrf(form.text)},
        allow_redirects=False,
        timeout=30,
    )
    assert posted.status_code == 302, posted.text[:500]
    time.sleep(TRUST_MS / 1000)  # B may serve its copy unchecked for this long after its last check
    fresh = visitor.get(cluster.b.url(path), timeout=30).text
    assert "Posted on node A: clean the idle air control valve." in fresh
    cluster.assert_no_local_files()


def test_failed_sign_ins_count_across_both_nodes(cluster):
    """allauth's login_failed limit in production settings: 5 per address (key) in 5 minutes. Three
    failures on A and two on B: neither node saw five, together they did, and both refuse the right one."""
    member = _member()
    for node in (cluster.a, cluster.b, cluster.a, cluster.b, cluster.a):
        browser = _browser()
        response = _sign_in(browser, node, member.email, "not-the-password")
        assert response.status_code == 200 and "sessionid" not in browser.cookies
        assert "Too many failed login attempts" not in response.text
    for node in (cluster.b, cluster.a):
        browser = _browser()
        response = _sign_in(browser, node, member.email, PASSWORD)
        assert response.status_code == 200 and "sessionid" not in browser.cookies
        assert "Too many failed login attempts" in response.text
    cluster.assert_no_local_files()
