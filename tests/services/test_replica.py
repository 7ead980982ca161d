"""Read replicas against a real streaming replica of the local PostgreSQL (.ci/run starts one with
pg_basebackup on port 5433 and exports TEST_REPLICA_URL and TEST_REPLICA_DATADIR)."""

from __future__ import annotations

import os
import subprocess
import time

import environ
import pytest
from django.db import connections

from kei_community.core import db_router
from kei_community.core.db_router import REPLICA, use_replica
from kei_community.users.models import User
from tests.conftest import require_or_skip
from tests.factories import ListingFactory, UserFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True, databases=["default", REPLICA])]


def _pg_ctl(*args: str) -> None:
    datadir = os.environ["TEST_REPLICA_DATADIR"]
    bindir = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip()
    if not bindir or not os.path.exists(f"{bindir}/pg_ctl"):
        bindir = next(f"/usr/lib/postgresql/{v}/bin" for v in sorted(os.listdir("/usr/lib/postgresql"), reverse=True))
    cmd = [f"{bindir}/pg_ctl", "-D", datadir, *args]
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    subprocess.run(cmd, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def replica_alias(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The "replica" database alias, pointing at the standby's copy of this test run's database.

    Module-scoped so it exists before each test's database set-up (which then allows queries to it)."""
    url = os.environ.get("TEST_REPLICA_URL", "")
    require_or_skip(bool(url), "replica tests need a streaming replica: TEST_REPLICA_URL (bash .ci/run starts one)")
    default = connections["default"].settings_dict
    where = environ.Env.db_url_config(url)
    connections.settings[REPLICA] = {
        **default,
        **{key: where[key] for key in ("HOST", "PORT", "USER", "PASSWORD") if key in where},
        "NAME": default["NAME"],  # physical replication copies every database, the test database included
        "TEST": {"MIRROR": "default"},  # never flushed or created by the test run: it is read-only
    }
    yield
    with django_db_blocker.unblock():
        connections[REPLICA].close()
    del connections[REPLICA]
    del connections.settings[REPLICA]


@pytest.fixture
def replica(replica_alias):  # type: ignore[no-untyped-def]
    db_router.reset_replica_state()
    yield connections[REPLICA]
    db_router.reset_replica_state()


def _wait_for(check, seconds: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return False


def test_replica_is_a_hot_standby(replica):
    with replica.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0] is True


def test_write_on_primary_reads_back_through_the_router(replica):
    user = UserFactory(display_name="Replicated Rae")
    with use_replica():
        query = User.objects.filter(pk=user.pk, display_name="Replicated Rae")
        assert query.db == REPLICA
        assert _wait_for(query.exists), "the write never reached the replica"
    assert User.objects.filter(pk=user.pk).db == "default"


def test_listed_pages_read_from_the_replica_and_a_writer_is_pinned_to_the_primary(replica, client):
    seen: list[str] = []
    original = db_router.ReplicaRouter.db_for_read

    def spy(self, model, **hints):  # type: ignore[no-untyped-def]
        alias = original(self, model, **hints)
        seen.append(alias or "default")
        return alias

    db_router.ReplicaRouter.db_for_read = spy  # type: ignore[method-assign]
    try:
        member = UserFactory()
        client.force_login(member)
        assert client.get("/states/").status_code == 200
        assert "replica" in seen
        seen.clear()
        client.cookies[db_router.PIN_COOKIE] = "1"  # what a POST leaves behind
        assert client.get("/states/").status_code == 200
        assert seen and set(seen) == {"default"}
    finally:
        db_router.ReplicaRouter.db_for_read = original  # type: ignore[method-assign]


def test_pages_are_served_from_the_primary_when_the_replica_stops(replica, client):
    ListingFactory()
    member = UserFactory()
    client.force_login(member)  # signed in: uncached pages that really read the database
    assert client.get("/listings/").status_code == 200
    _pg_ctl("stop", "-m", "fast", "-w")
    try:
        for path in ("/listings/", "/forum/", "/states/", "/states/tx/"):
            assert client.get(path).status_code in (200, 404), path
        assert client.get("/listings/").status_code == 200
        assert db_router.replica_usable() is False
    finally:
        _pg_ctl("start", "-w", "-l", os.path.join(os.environ["TEST_REPLICA_DATADIR"], "server.log"))
    db_router.reset_replica_state()
    assert _wait_for(db_router.replica_usable, 30)
