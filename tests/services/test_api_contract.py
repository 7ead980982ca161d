"""The API contract, checked by schemathesis over the whole OpenAPI schema (docs/api.md, "Contract test").

Every operation of /api/v1/schema/ is called in-process through the WSGI app against the real PostgreSQL
database, with a member's token, with a moderator's and anonymously. Each request runs inside a savepoint that
is rolled back, so writes (including DELETE) are safe to fuzz and every example sees the same data. The
schema's request examples come first, then generated valid and invalid requests. Ids in paths and bodies are
three times in four those of rows seeded with the factories (the member's own, another member's, a hidden
draft), else the schema's, so both the success and the 404 branches are reached.

Checks: not_a_server_error, status_code_conformance, response_schema_conformance, content_type_conformance.
The counts (operations, examples, failures) are printed in the pytest summary.

Configuration (environment): API_CONTRACT_EXAMPLES (per operation and caller, default 25),
API_CONTRACT_SEED (default 0: the same examples every run; "random" for a fresh draw),
API_CONTRACT_ONLY (a substring of "METHOD /path" to run a subset while debugging),
API_CONTRACT_VERBOSE=1 (each operation's statuses; run pytest with -s to see them).
"""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

MAX_EXAMPLES = int(os.environ.get("API_CONTRACT_EXAMPLES", "25"))
SEED = os.environ.get("API_CONTRACT_SEED", "0")
ONLY = os.environ.get("API_CONTRACT_ONLY", "")
VERBOSE = bool(os.environ.get("API_CONTRACT_VERBOSE"))
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance, content_type_conformance]
SCHEMA_PATH = "/api/v1/schema/?format=json"

# Filled by the tests, printed by tests/services/conftest.py in the terminal summary.
COUNTS: dict[str, dict[str, int]] = {}


@dataclass
class Seeded:
    tokens: dict[str, str]
    # path template -> list of path-parameter dicts that name seeded rows
    paths: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # body field -> seeded values (ids of rows a body refers to)
    body: dict[str, list[Any]] = field(default_factory=dict)


def _seed() -> Seeded:
    """A small world made with the project's factories and services, so path ids exist."""
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from forum.models import Category
    from kei_community.notifications.models import Notification
    from marketplace import services as market
    from stategide import services as guide
    from tests.factories import (
        ChassisCodeFactory,
        ForumPostFactory,
        ForumThreadFactory,
        GarageTruckFactory,
        ListingFactory,
        ModeratorFactory,
        NotificationFactory,
        ReportFactory,
        StatePageFactory,
        UserFactory,
        make_photo,
    )

    long_ago = timezone.now() - timedelta(days=400)
    member = UserFactory(email="contract-member@example.com", date_joined=long_ago)
    other = UserFactory(email="contract-other@example.com", date_joined=long_ago)
    moderator = ModeratorFactory(email="contract-moderator@example.com", date_joined=long_ago)
    tokens = {"member": Token.objects.create(user=member).key, "moderator": Token.objects.create(user=moderator).key}

    if not Category.objects.filter(slug="maintenance").exists():
        Category.objects.create(name="Maintenance", slug="maintenance", allows_solved=True, position=1)

    ChassisCodeFactory(code="DA63T")
    own_truck = GarageTruckFactory(owner=member)
    other_truck = GarageTruckFactory(owner=other)
    own_listing = ListingFactory(seller=member, truck=own_truck)
    other_listing = ListingFactory(seller=other)
    draft = ListingFactory(seller=other, publish=False)
    own_photo = make_photo(owner=own_listing, uploader=member)
    other_photo = make_photo(owner=other_listing, uploader=other)
    truck_photo = make_photo(owner=own_truck, uploader=member)

    conversation = market.conversation_start(buyer=member, listing=other_listing, body="Is it still for sale?")
    market.conversation_start(buyer=other, listing=own_listing, body="Does the 4WD work?")
    saved = market.saved_search_create(user=member, name="Carry 4WD", query="make=Suzuki&drive=4WD")

    own_thread = ForumThreadFactory(author=member)
    other_thread = ForumThreadFactory(author=other)
    own_post = ForumPostFactory(author=member, thread=other_thread)
    other_post = ForumPostFactory(author=other, thread=own_thread)
    post_photo = make_photo(owner=own_post, uploader=member)

    NotificationFactory(recipient=member)
    assert Notification.objects.filter(recipient=member).exists()
    report = ReportFactory(reporter=member, target=other_listing)

    texas = StatePageFactory(code="TX")
    StatePageFactory(code="OR")
    proposal = guide.revision_propose(
        author=member, page=texas, data={"summary": "Allowed on roads posted 45 mph or less."}, edit_summary="Newer law"
    )

    def ids(*objs: Any, name: str = "id") -> list[dict[str, Any]]:
        return [{name: o.pk} for o in objs]

    p = "/api/v1"
    paths: dict[str, list[dict[str, Any]]] = {
        f"{p}/listings/{{id}}/": ids(own_listing, other_listing, draft),
        f"{p}/garage/{{id}}/": ids(own_truck, other_truck),
        f"{p}/conversations/{{id}}/": ids(conversation),
        f"{p}/saved-searches/{{id}}/": ids(saved),
        f"{p}/forum/threads/{{id}}/": ids(own_thread, other_thread),
        f"{p}/forum/posts/{{id}}/": ids(own_post, other_post),
        f"{p}/photos/{{id}}/": ids(own_photo, other_photo, post_photo),
        f"{p}/moderation/reports/{{id}}/": ids(report),
        f"{p}/states/{{code}}/": [{"code": "TX"}, {"code": "or"}, {"code": "ZZ"}],
        f"{p}/states/{{code}}/revisions/{{revision_id}}/": [
            {"code": "TX", "revision_id": proposal.pk},
            {"code": "TX", "revision_id": texas.published_revision_id},
        ],
        f"{p}/catalog/chassis-codes/{{code}}/": [{"code": "DA63T"}, {"code": "da63t"}],
        f"{p}/listings/{{id}}/photos/{{photo_id}}/": [
            {"id": own_listing.pk, "photo_id": own_photo.pk},
            {"id": other_listing.pk, "photo_id": other_photo.pk},
            {"id": own_listing.pk, "photo_id": other_photo.pk},
        ],
        f"{p}/garage/{{id}}/photos/{{photo_id}}/": [{"id": own_truck.pk, "photo_id": truck_photo.pk}],
        f"{p}/moderation/members/{{id}}/": ids(member, other),
        f"{p}/moderation/content/{{target_type}}/{{target_id}}/": [
            {"target_type": "marketplace.listing", "target_id": other_listing.pk},
            {"target_type": "forum.post", "target_id": other_post.pk},
            {"target_type": "forum.thread", "target_id": own_thread.pk},
        ],
    }
    body = {
        "listing": [other_listing.pk, own_listing.pk, draft.pk],
        "truck": [own_truck.pk, other_truck.pk],
        "target_type": ["marketplace.listing", "forum.post"],
        "target_id": [other_listing.pk, other_post.pk],
        "cover": [own_photo.pk],
        "order": [[own_photo.pk]],
    }
    return Seeded(tokens=tokens, paths=paths, body=body)


def _known_params(seeded: Seeded, path: str) -> list[dict[str, Any]]:
    """Seeded path parameters for an operation's path (its longest matching seeded prefix)."""
    best = ""
    for template in seeded.paths:
        if path.startswith(template) and len(template) > len(best):
            best = template
    if best:
        return seeded.paths[best]
    # e.g. /states/{code}/revisions/ or /listings/{id}/favorite/: reuse the prefix before the sub-route
    for template, values in seeded.paths.items():
        head = template.rsplit("{", 1)[0]
        if path.startswith(head):
            return values
    return []


@pytest.fixture
def wsgi_app():
    """The project's WSGI app, without Django closing the test transaction's connection after each request."""
    from django.core.wsgi import get_wsgi_application

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@dataclass
class Outcome:
    examples: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)


def _run_operation(operation: Any, seeded: Seeded, headers: dict[str, str]) -> Outcome:
    outcome = Outcome()
    known = _known_params(seeded, operation.path)
    # The schema's own request examples first, then generated valid and invalid requests.
    strategies = [*operation.get_strategies_from_examples()]
    strategies.append(operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
    with contextlib.suppress(Exception):  # an operation with nothing to make invalid
        strategies.append(operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=SEED == "0",
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    @given(case=st.one_of(strategies), data=st.data())
    def run(case: Any, data: Any) -> None:
        # Three times in four, ids are those of seeded rows (found, someone else's, hidden), else the schema's.
        if known and data.draw(st.sampled_from([True, True, True, False]), label="seeded ids"):
            for name, value in data.draw(st.sampled_from(known), label="ids").items():
                if case.path_parameters is not None and name in case.path_parameters:
                    case.path_parameters[name] = value
        if isinstance(case.body, dict):
            for name in sorted(set(case.body) & set(seeded.body)):
                if data.draw(st.sampled_from([True, True, True, False]), label=f"seeded {name}"):
                    case.body[name] = data.draw(st.sampled_from(seeded.body[name]), label=name)
        outcome.examples += 1
        with transaction.atomic():
            try:
                response = case.call(headers=headers)
                outcome.statuses[response.status_code] = outcome.statuses.get(response.status_code, 0) + 1
                case.validate_response(response, checks=CHECKS, headers=headers)
            finally:
                transaction.set_rollback(True)

    if SEED not in ("0", "random"):
        run = seed(int(SEED))(run)
    try:
        run()
    except (Exception, BaseExceptionGroup) as exc:  # schemathesis reports its failures as a group
        text = str(exc).strip() or repr(exc)
        outcome.failures.append(f"{operation.label}: {type(exc).__name__}: {text[:3000]}")
    return outcome


def _run_contract(who: str, wsgi_app: Any) -> None:
    seeded = _seed()
    schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, wsgi_app)
    headers = {"Authorization": f"Token {seeded.tokens[who]}"} if who in seeded.tokens else {}
    started = time.monotonic()
    operations = examples = 0
    failures: list[str] = []
    statuses: dict[int, int] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        if ONLY and ONLY not in operation.label:
            continue
        outcome = _run_operation(operation, seeded, headers)
        if VERBOSE:
            print(f"{who:9} {operation.label:60} {outcome.examples:3} {dict(sorted(outcome.statuses.items()))}")
        operations += 1
        examples += outcome.examples
        failures.extend(outcome.failures)
        for code, n in outcome.statuses.items():
            statuses[code] = statuses.get(code, 0) + n
    COUNTS[who] = {
        "operations": operations,
        "examples": examples,
        "failures": len(failures),
        "seconds": round(time.monotonic() - started),
        **{f"HTTP {code}": n for code, n in sorted(statuses.items())},
    }
    assert operations > 0, "the schema lists no operation"
    assert not failures, f"{len(failures)} operation(s) broke the contract as {who}:\n\n" + "\n\n".join(failures)


@pytest.mark.django_db
def test_api_contract_as_a_member(wsgi_app):
    _run_contract("member", wsgi_app)


@pytest.mark.django_db
def test_api_contract_as_a_moderator(wsgi_app):
    _run_contract("moderator", wsgi_app)


@pytest.mark.django_db
def test_api_contract_anonymously(wsgi_app):
    _run_contract("anonymous", wsgi_app)
