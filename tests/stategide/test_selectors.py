import pytest

from stategide import selectors
from stategide.models import Citation, Revision, StatePage
from stategide.reference import citation_kind, load_states, parse_speed

pytestmark = pytest.mark.django_db


def test_reference_data_loads_51_pages_idempotently(all_states):
    assert StatePage.objects.count() == 51
    assert Revision.objects.count() == 51
    assert load_states()["created"] == 0
    assert Revision.objects.count() == 51


def test_reference_data_keeps_statuses_and_confidence(all_states):
    from collections import Counter

    statuses = Counter(p.published_revision.status for p in selectors.page_list())
    assert statuses["unclear"] == 26
    assert sum(statuses.values()) == 51
    assert not StatePage.objects.exclude(last_verified=None).exists()
    assert not Revision.objects.exclude(author=None).exists()


def test_reference_citations_are_aggregator_unless_government(all_states):
    assert Citation.objects.filter(url__contains="worldpopulationreview.com").exclude(kind="aggregator").count() == 0
    assert Citation.objects.filter(url__contains="legislature.idaho.gov").exclude(kind="aggregator").exists()
    assert citation_kind("https://www.oregon.gov/ODOT/x") == "agency"
    assert citation_kind("https://example.com/copy-of-statute") == "aggregator"


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
