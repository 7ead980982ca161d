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
    assert not StatePage.objects.exclude(last_verified=None).exists()
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
