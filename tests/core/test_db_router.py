"""The read-replica router's decisions (tests/services/test_replica.py runs it against a real standby)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from kei_community.core import db_router
from kei_community.core.db_router import REPLICA, ReplicaRouter, replica_allowed, use_replica
from kei_community.users.models import User


@pytest.fixture
def configured(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(db_router, "replica_configured", lambda: True)


def test_reads_stay_on_the_primary_without_a_replica():
    assert "replica" not in db_router.connections.settings
    assert User.objects.all().db == "default"


def test_listed_page_may_read_from_the_replica(configured):
    assert replica_allowed(RequestFactory().get("/listings/"), "marketplace:index")


def test_unlisted_page_reads_from_the_primary(configured):
    assert not replica_allowed(RequestFactory().get("/listings/mine/"), "marketplace:dashboard")


def test_writes_read_from_the_primary(configured):
    assert not replica_allowed(RequestFactory().post("/listings/"), "marketplace:index")


def test_a_visitor_who_just_wrote_reads_from_the_primary(configured):
    request = RequestFactory().get("/listings/", HTTP_COOKIE=f"{db_router.PIN_COOKIE}=1")
    assert not replica_allowed(request, "marketplace:index")


def test_router_sends_reads_in_a_replica_block_to_the_replica_and_writes_to_the_primary():
    router = ReplicaRouter()
    with use_replica():
        assert router.db_for_read(User) == REPLICA
        assert router.db_for_write(User) is None
    assert router.db_for_read(User) is None


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_stay_on_the_primary():
    from django.db import transaction

    with use_replica(), transaction.atomic():
        assert ReplicaRouter().db_for_read(User) is None


def test_migrations_never_run_on_the_replica():
    assert ReplicaRouter().allow_migrate(REPLICA, "users") is False
    assert ReplicaRouter().allow_migrate("default", "users") is True


@pytest.mark.django_db
def test_a_write_pins_the_writer_to_the_primary_for_a_while(client, configured, settings):
    settings.DATABASE_REPLICA_PIN_SECONDS = 15
    response = client.post("/listings/new/")  # refused or not, it was a write attempt
    assert response.cookies[db_router.PIN_COOKIE]["max-age"] == 15


@pytest.mark.django_db
def test_a_read_sets_no_pin(client, configured):
    assert db_router.PIN_COOKIE not in client.get("/states/").cookies
