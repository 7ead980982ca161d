import pytest

from stategide import selectors
from stategide.models import Citation, Revision, StatePage
from stategide.reference import load_states, parse_sources, parse_speed

pytestmark = pytest.mark.django_db


def test_reference_data_loads_51_pages_idempotently(all_states):
    assert StatePage.objects.count() == 51
    assert Revision.objects.count() == 51
    assert load_states()["unchanged"] == 51
    assert Revision.objects.count() == 51


def test_reference_data_keeps_statuses_and_confidence(all_states):
    from collections import Counter

    statuses = Counter(p.published_revision.status for p in selectors.page_list())
    assert statuses == {"road_legal": 2, "restricted": 16, "farm_or_offroad_only": 1, "not_allowed": 7, "unclear": 25}
    confidence = Counter(p.published_revision.confidence for p in selectors.page_list())
    assert confidence == {"high": 3, "medium": 20, "low": 28}
    assert StatePage.objects.get(code="IL").published_revision.status == "not_allowed"
    assert not Revision.objects.exclude(verified_on=None).exists()
    assert set(Revision.objects.values_list("author__display_name", flat=True)) == {"Reference data"}


def test_reference_citations_are_structured_with_title_and_kind(all_states):
    assert Citation.objects.count() == 165
    il = Citation.objects.filter(revision__page__code="AL").order_by("position").first()
    assert (il.kind, il.label, il.host) == (
        "statute",
        "Ala. Code § 32-6-59 (Alabama Legislature)",
        "alisondb.legislature.state.al.us",
    )
    assert il.is_primary
    assert not Citation.objects.filter(kind="aggregator", is_primary=True).exists()
    assert set(Citation.objects.values_list("kind", flat=True)) <= set(Citation.Kind.values)


def test_parse_sources_skips_bad_entries_and_unknown_kinds_are_aggregators():
    raw = '[{"url": "ftp://x", "title": "t", "kind": "statute"}, {"url": "https://www.a.gov/x", "title": "", "kind": "blog"}, 3]'
    assert parse_sources(raw) == [
        {"kind": "aggregator", "label": "a.gov", "url": "https://www.a.gov/x", "is_primary": False}
    ]
    assert parse_sources("not json") == []


def test_open_questions_are_stored_on_the_page(all_states):
    assert StatePage.objects.get(code="AK").open_questions.startswith("Ask Alaska DMV")


def test_qualified_speeds_stay_notes():
    assert parse_speed("55") == (55, "")
    assert parse_speed("65 (proposed SB 1213)") == (None, "65 (proposed SB 1213)")
    assert parse_speed("") == (None, "")


def test_registration_outlook(all_states, django_assert_max_num_queries):
    outlook = selectors.registration_outlook("tx")
    assert outlook.state_code == "TX"
    assert outlook.state_name == "Texas"
    assert outlook.url == "/states/tx/"
    assert outlook.status_label
    assert "\n" not in outlook.summary
    selectors.registration_outlook("OR")  # each state's outlook is cached apiece, under its own tag
    with django_assert_max_num_queries(0):
        assert selectors.registration_outlook("OR").state_name == "Oregon"


@pytest.mark.parametrize("code", ["", "ZZ", "texas", None])
def test_registration_outlook_unknown(all_states, code):
    assert selectors.registration_outlook(code) is None


def test_page_list_sort_by_speed_puts_empty_last(all_states):
    pages = selectors.page_list(sort="-speed")
    speeds = [p.published_revision.max_road_speed_mph for p in pages]
    present = [s for s in speeds if s is not None]
    assert present == sorted(present, reverse=True)
    assert speeds[-1] is None


def test_page_watchers_include_home_state_members(tx, user, other_user):
    other_user.home_state = "OR"
    other_user.save()
    assert selectors.page_watchers(page=tx) == [user]


# --- the verification queue -----------------------------------------------------------------


def test_verification_queue_puts_overdue_pages_first_by_importance(all_states, moderator):
    from datetime import timedelta

    from django.utils import timezone

    from stategide import services
    from tests.factories import GarageTruckFactory, ListingFactory, UserFactory

    StatePage.objects.filter(code="OR").update(views_count=5)
    StatePage.objects.filter(code="WY").update(views_count=3)
    ListingFactory(zip_code="78701")  # one active listing in Texas (counts 10)
    GarageTruckFactory(owner=UserFactory(home_state="CA"))  # one garage truck in California (counts 10)
    UserFactory(home_state="VT")  # one watcher in Vermont (counts 5)
    UserFactory(home_state="CA")
    services.page_verify(actor=moderator, page=StatePage.objects.get(code="TX"), checks=["sources"])  # recent
    old = StatePage.objects.get(code="NV")
    services.page_verify(
        actor=moderator, page=old, checks=["sources"], verified_on=timezone.localdate() - timedelta(days=400)
    )
    entries = selectors.verification_queue()
    codes = [e.page.code for e in entries]
    assert len(codes) == 51
    # Overdue first: CA (truck 10 + 2 home members x5 = 20), OR (5 views), VT (1 watcher = 5), WY (3 views) ...
    assert codes[:4] == ["CA", "OR", "VT", "WY"]
    ca = entries[0]
    assert (ca.trucks, ca.watchers, ca.listings) == (1, 2, 0)
    # ... then, among the pages nobody reads, the one verified 400 days ago after the never-verified ones ...
    assert codes.index("NV") == 49
    assert entries[49].days_since_verified == 400
    # ... and the recently verified page last, although it has a listing and watchers.
    assert codes[-1] == "TX"
    assert entries[-1].listings == 1 and not entries[-1].overdue


def test_verification_queue_query_count_is_constant(all_states, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        selectors.verification_queue()


def test_reader_unknowns_never_show_open_questions(all_states):
    page = StatePage.objects.select_related("published_revision").get(code="AK")
    items = selectors.reader_unknowns(page=page, revision=page.published_revision)
    assert any("have not found a law" in item for item in items)
    assert page.open_questions and all(page.open_questions not in item for item in items)
