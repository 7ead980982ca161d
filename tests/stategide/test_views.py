import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from kei_community.moderation.models import Report
from stategide import services
from stategide.models import Revision, StatePage
from tests.factories import StatePageFactory, UserFactory

pytestmark = pytest.mark.django_db


def proposal(author, page, **data):
    return services.revision_propose(author=author, page=page, data=data or {"body": "More."}, edit_summary="Edit")


def propose_post(**overrides):
    data = {
        "edit_summary": "Speed changed",
        "status": "restricted",
        "summary": "Allowed on roads posted 45 mph or less.",
        "max_road_speed_mph": "45",
        "confidence": "medium",
        "road_restrictions": "Roads posted 35 mph or less.",
        "body": "",
        "citations-TOTAL_FORMS": "2",
        "citations-INITIAL_FORMS": "0",
        "citations-MIN_NUM_FORMS": "0",
        "citations-MAX_NUM_FORMS": "10",
        "citations-0-kind": "statute",
        "citations-0-label": "Code 1",
        "citations-0-url": "https://law.example.gov/1",
    }
    data.update(overrides)
    return data


def test_index_lists_all_51_within_query_budget(client, all_states, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):  # measured: 1 (anonymous, cache miss)
        response = client.get(reverse("stategide:index"))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('class="stategide-tile') == 51
    assert "Alaska" in body and "Wyoming" in body and "District of Columbia" in body


def test_index_query_count_constant_with_few_rows(client, tx, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        assert client.get(reverse("stategide:index")).status_code == 200


@pytest.fixture
def warm_content_types():
    """ContentType look-ups are cached per process in production; warm them like a running server."""
    from kei_community.users.models import User

    ContentType.objects.get_for_model(User)
    ContentType.objects.get_for_model(Revision)  # the "Report this" control on guide pages


# Signed-in pages carry the shared layout's own queries: the session and the user, who arrives with
# the moderator flag and unread count annotated (users.backends). The state guide adds 1 (/states/) or 2.
LAYOUT_QUERIES_SIGNED_IN = 2


def test_index_logged_in_within_budget(client, user, all_states, warm_content_types, django_assert_max_num_queries):
    client.force_login(user)
    with django_assert_max_num_queries(LAYOUT_QUERIES_SIGNED_IN + 1):
        assert client.get(reverse("stategide:index")).status_code == 200


def test_index_filters_by_status(client, all_states):
    body = client.get(reverse("stategide:index"), {"status": "not_allowed"}).content.decode()
    assert "7 jurisdictions with this status" in body


def test_index_sorts_without_js(client, all_states):
    body = client.get(reverse("stategide:index"), {"sort": "-speed"}).content.decode()
    table = body.split("<tbody>")[1]
    # The highest plain speed (55 mph) comes first when sorting by speed descending.
    assert table.index("55 mph") < table.index("25 mph")
    assert 'aria-sort="descending"' in body


def test_bad_sort_and_status_fall_back(client, tx):
    assert client.get(reverse("stategide:index"), {"sort": "drop table", "status": "nope"}).status_code == 200


def test_csv_download_has_every_state(client, all_states):
    response = client.get(reverse("stategide:csv"))
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().strip().splitlines()
    assert len(lines) == 52
    assert lines[0].startswith("state_code,state_name,status")


def test_anonymous_index_is_cached_and_invalidated_on_publish(
    client, user, moderator, tx, django_capture_on_commit_callbacks
):
    assert client.get(reverse("stategide:index"))["X-Stategide-Cache"] == "miss"
    assert client.get(reverse("stategide:index"))["X-Stategide-Cache"] == "hit"
    rev = services.revision_propose(author=user, page=tx, data={"summary": "A brand new summary."}, edit_summary="x")
    with django_capture_on_commit_callbacks(execute=True):
        services.revision_approve(actor=moderator, revision=rev)
    response = client.get(tx.get_absolute_url())
    assert response["X-Stategide-Cache"] == "miss"
    assert "A brand new summary." in response.content.decode()


def test_logged_in_pages_are_not_cached(client, user, tx):
    client.force_login(user)
    client.get(tx.get_absolute_url())
    assert "X-Stategide-Cache" not in client.get(tx.get_absolute_url())


def test_detail_within_query_budget(client, user, tx, warm_content_types, django_assert_max_num_queries):
    client.force_login(user)
    with django_assert_max_num_queries(8):
        response = client.get(tx.get_absolute_url())
    assert response.status_code == 200


def test_detail_query_budget_with_many_citations(
    client, moderator, all_states, warm_content_types, django_assert_max_num_queries
):
    client.force_login(moderator)
    with django_assert_max_num_queries(8):
        assert client.get("/states/al/").status_code == 200


def test_anonymous_detail_query_count_constant(client, all_states, django_assert_max_num_queries):
    client.get("/states/wy/")  # warm the per-process ContentType cache, as any earlier request in a live process has
    for code in ("al", "ak"):  # few citations vs. many: page + citations + timeline either way
        with django_assert_max_num_queries(3):
            assert client.get(f"/states/{code}/").status_code == 200


def test_detail_accepts_either_case_and_404s_unknown(client, tx):
    assert client.get("/states/TX/").status_code == 200
    assert client.get("/states/tx/").status_code == 200
    assert client.get("/states/zz/").status_code == 404
    assert client.get("/states/texas/").status_code == 404


def test_detail_shows_disclaimer_links_and_citations(client, tx):
    body = client.get(tx.get_absolute_url()).content.decode()
    assert "Not legal advice" in body
    assert "/listings/?state=TX" in body
    assert "/forum/?state=TX" in body
    assert "https://statutes.example.gov/1" in body
    assert reverse("stategide:history", kwargs={"code": "tx"}) in body


def test_unclear_state_asks_for_help(client, all_states):
    body = client.get("/states/ak/").content.decode()
    assert "Help verify this state" in body


def test_propose_requires_login(client, tx):
    response = client.get(reverse("stategide:propose", kwargs={"code": "tx"}))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_propose_form_creates_pending_revision(client, user, tx):
    client.force_login(user)
    response = client.post(reverse("stategide:propose", kwargs={"code": "tx"}), propose_post())
    assert response.status_code == 302
    rev = Revision.objects.get(page=tx, number=2)
    assert rev.state == "pending"
    assert rev.max_road_speed_mph == 45
    assert rev.citations.filter(url="https://law.example.gov/1").exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"max_road_speed_mph": "95"}, "less than or equal to 80"),
        ({"max_road_speed_mph": "-1"}, "greater than or equal to 0"),
        ({"citations-0-url": "javascript:alert(1)"}, "starts with http"),
        ({"summary": ""}, "This field is required"),
        ({"citations-0-url": "", "citations-0-label": ""}, "needs at least one citation"),
    ],
    ids=["speed-high", "speed-negative", "js-url", "empty-summary", "status-change-without-citation"],
)
def test_propose_form_bad_input_is_a_form_error(client, user, tx, overrides, message):
    client.force_login(user)
    response = client.post(reverse("stategide:propose", kwargs={"code": "tx"}), propose_post(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Revision.objects.filter(page=tx, number=2).exists()


def test_unverified_member_is_sent_back(client, tx):
    client.force_login(UserFactory(verified=False))
    response = client.get(reverse("stategide:propose", kwargs={"code": "tx"}))
    assert response.status_code == 302


def test_history_and_diff(client, user, tx):
    proposal(user, tx, body="Line one\nLine two")
    body = client.get(reverse("stategide:history", kwargs={"code": "tx"})).content.decode()
    assert "Revision 2" in body and "Revision 1" in body
    diff = client.get(reverse("stategide:diff", kwargs={"code": "tx"}), {"from": 1, "to": 2}).content.decode()
    assert "Line one" in diff and "Added:" in diff


def test_diff_with_bad_numbers_is_404(client, tx):
    assert client.get(reverse("stategide:diff", kwargs={"code": "tx"}), {"from": "x", "to": "9"}).status_code == 404


def test_history_query_count_constant(client, user, tx, django_assert_max_num_queries):
    """Anonymous: page, its citations and the revisions (3)."""
    for _ in range(5):
        proposal(user, tx)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("stategide:history", kwargs={"code": "tx"})).status_code == 200


def test_member_cannot_approve_from_page(client, user, other_user, tx):
    rev = proposal(other_user, tx)
    client.force_login(user)
    response = client.post(
        reverse("stategide:review", kwargs={"code": "tx", "number": rev.number}), {"decision": "approve"}
    )
    assert response.status_code == 403
    rev.refresh_from_db()
    assert rev.state == "pending"


@pytest.mark.parametrize("name", ["verify", "protect"])
def test_member_cannot_verify_or_protect(client, user, tx, name):
    client.force_login(user)
    data = {"days": 3, "reason": "x", "checks": ["sources"]}
    response = client.post(reverse(f"stategide:{name}", kwargs={"code": "tx"}), data)
    assert response.status_code == 403
    tx.refresh_from_db()
    assert tx.published_revision.verified_on is None and tx.protected_until is None


def test_moderator_reviews_on_revision_page(client, user, moderator, tx):
    rev = proposal(user, tx)
    client.force_login(moderator)
    page = client.get(rev.get_absolute_url()).content.decode()
    assert "Approve and publish" in page
    client.post(reverse("stategide:review", kwargs={"code": "tx", "number": rev.number}), {"decision": "approve"})
    tx.refresh_from_db()
    assert tx.published_revision == rev


def test_moderator_reject_without_reason_shows_error(client, user, moderator, tx):
    rev = proposal(user, tx)
    client.force_login(moderator)
    response = client.post(
        reverse("stategide:review", kwargs={"code": "tx", "number": rev.number}), {"decision": "reject"}, follow=True
    )
    assert "Give the author a reason" in response.content.decode()
    rev.refresh_from_db()
    assert rev.state == "pending"


def test_page_changed_warning_on_review(client, user, other_user, moderator, tx):
    first = proposal(user, tx, plate_type="A")
    second = proposal(other_user, tx, body="Other")
    services.revision_approve(actor=moderator, revision=first)
    client.force_login(moderator)
    assert "The page changed after this proposal began" in client.get(second.get_absolute_url()).content.decode()


def test_moderator_rollback_and_protect_views(client, user, moderator, tx):
    services.revision_approve(actor=moderator, revision=proposal(user, tx, plate_type="A"))
    client.force_login(moderator)
    client.post(reverse("stategide:rollback", kwargs={"code": "tx", "number": 1}), {"reason": "revert"})
    tx.refresh_from_db()
    assert tx.published_revision.number == 3
    client.post(reverse("stategide:protect", kwargs={"code": "tx"}), {"days": 5, "reason": "Edit war"})
    tx.refresh_from_db()
    assert tx.is_protected


def test_watch_toggle(client, user):
    page = StatePageFactory(code="OR")
    client.force_login(user)
    client.post(reverse("stategide:watch", kwargs={"code": "or"}), {"watching": "1"})
    assert "Stop watching" in client.get(page.get_absolute_url()).content.decode()


def test_home_state_is_watched_automatically(client, user, tx):
    client.force_login(user)  # home_state TX
    assert "Stop watching" in client.get(tx.get_absolute_url()).content.decode()


def test_anonymous_cannot_watch(client, tx):
    response = client.post(reverse("stategide:watch", kwargs={"code": "tx"}), {"watching": "1"})
    assert response.status_code == 302


def test_home_page_shows_state_map(client, all_states, django_assert_max_num_queries):
    client.get("/")
    body = client.get("/").content.decode()
    assert "stategide-map" in body


def test_site_search_finds_state(client, all_states):
    body = client.get("/search/", {"q": "Oregon"}).content.decode()
    assert "/states/or/" in body


def test_cached_page_carries_this_requests_csp_nonce(client, tx):
    import re

    first = client.get(reverse("stategide:index"))
    second = client.get(reverse("stategide:index"))
    assert second["X-Stategide-Cache"] == "hit"
    nonces = [re.search(r"'nonce-([^']+)'", r["Content-Security-Policy"]).group(1) for r in (first, second)]
    assert nonces[0] != nonces[1]
    assert f'nonce="{nonces[1]}"' in second.content.decode()
    assert f'nonce="{nonces[0]}"' not in second.content.decode()


def test_author_changes_own_pending_proposal(client, user, tx):
    rev = proposal(user, tx, body="First try")
    client.force_login(user)
    url = reverse("stategide:revision-edit", kwargs={"code": "tx", "number": rev.number})
    assert client.get(url).status_code == 200
    response = client.post(url, propose_post(edit_summary="Second try", body="Second try"))
    assert response.status_code == 302
    rev.refresh_from_db()
    assert rev.body == "Second try"
    assert rev.max_road_speed_mph == 45


def test_other_member_cannot_change_a_pending_proposal(client, user, other_user, tx):
    rev = proposal(user, tx, body="Mine")
    client.force_login(other_user)
    url = reverse("stategide:revision-edit", kwargs={"code": "tx", "number": rev.number})
    assert client.get(url).status_code == 403
    assert client.post(url, propose_post(body="Hijacked")).status_code == 403
    rev.refresh_from_db()
    assert rev.body == "Mine"


def test_moderator_unprotects_from_the_state_page(client, moderator, tx):
    services.page_protect(actor=moderator, page=tx, days=7, reason="Edit war")
    client.force_login(moderator)
    assert ">Unprotect</button>" in client.get(tx.get_absolute_url()).content.decode()
    client.post(reverse("stategide:protect", kwargs={"code": "tx"}), {"unprotect": "1"})
    tx.refresh_from_db()
    assert not tx.is_protected


def test_member_cannot_unprotect_from_the_browser(client, user, moderator, tx):
    services.page_protect(actor=moderator, page=tx, days=7, reason="Edit war")
    client.force_login(user)
    assert ">Unprotect</button>" not in client.get(tx.get_absolute_url()).content.decode()
    assert client.post(reverse("stategide:protect", kwargs={"code": "tx"}), {"unprotect": "1"}).status_code == 403
    tx.refresh_from_db()
    assert tx.is_protected


def stale_proposal(user, other_user, moderator, tx):
    """`user` proposed speed 25 and a plate type; `other_user`'s speed 45 was published meanwhile."""
    first = services.revision_propose(
        author=other_user, page=tx, data={"max_road_speed_mph": 45}, edit_summary="45",
        citations=[{"kind": "statute", "label": "Code 2", "url": "https://law.example.gov/2"}],
    )  # fmt: skip
    second = services.revision_propose(
        author=user, page=tx, data={"max_road_speed_mph": 25, "plate_type": "Farm plate"}, edit_summary="25",
        citations=[{"kind": "statute", "label": "Code 3", "url": "https://law.example.gov/3"}],
    )  # fmt: skip
    services.revision_approve(actor=moderator, revision=first)
    return first, second


def test_author_editing_a_stale_proposal_sees_what_changed(client, user, other_user, moderator, tx):
    first, second = stale_proposal(user, other_user, moderator, tx)
    client.force_login(user)
    response = client.get(reverse("stategide:revision-edit", kwargs={"code": "tx", "number": second.number}))
    body = response.content.decode()
    assert "The page changed since you started" in body
    assert "You and the new version both changed:</strong> Maximum posted road speed allowed (mph)" in body
    assert f'name="rebase_onto" value="{first.number}"' in body
    assert 'value="Farm plate"' in body  # the author's own change is kept in the form


def test_author_resubmits_a_stale_proposal_onto_the_current_version(client, user, other_user, moderator, tx):
    first, second = stale_proposal(user, other_user, moderator, tx)
    client.force_login(user)
    url = reverse("stategide:revision-edit", kwargs={"code": "tx", "number": second.number})
    response = client.post(url, propose_post(edit_summary="Rebased", max_road_speed_mph="35", rebase_onto=first.number))
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.base_revision == first
    assert second.conflicting is False
    assert second.max_road_speed_mph == 35


def test_stale_resubmit_without_the_shown_version_is_refused(client, user, other_user, moderator, tx):
    first, second = stale_proposal(user, other_user, moderator, tx)
    client.force_login(user)
    url = reverse("stategide:revision-edit", kwargs={"code": "tx", "number": second.number})
    response = client.post(url, propose_post(edit_summary="Blind"))
    assert response.status_code == 200
    assert "The page changed while you were editing" in response.content.decode()
    second.refresh_from_db()
    assert second.base_revision != first


def test_other_member_cannot_rebase_from_the_browser(client, user, other_user, moderator, tx):
    first, second = stale_proposal(user, other_user, moderator, tx)
    client.force_login(other_user)
    url = reverse("stategide:revision-rebase", kwargs={"code": "tx", "number": second.number})
    assert client.post(url).status_code == 403
    second.refresh_from_db()
    assert second.base_revision != first


def test_moderator_rebases_from_the_revision_page(client, user, other_user, moderator, tx):
    first, second = stale_proposal(user, other_user, moderator, tx)
    client.force_login(moderator)
    assert "Move onto revision" in client.get(second.get_absolute_url()).content.decode()
    client.post(reverse("stategide:revision-rebase", kwargs={"code": "tx", "number": second.number}))
    second.refresh_from_db()
    assert second.base_revision == first


def test_member_reports_a_revision_and_it_appears_in_the_queue(client, user, moderator, tx):
    revision = tx.published_revision
    client.force_login(user)
    page = client.get(tx.get_absolute_url()).content.decode()
    ct = ContentType.objects.get_for_model(Revision)
    report_url = reverse("moderation:report", kwargs={"content_type_id": ct.pk, "object_id": revision.pk})
    assert f'action="{report_url}"' in page
    client.post(report_url, {"reason": "wrong_information", "note": "Speed is outdated"})
    assert Report.objects.filter(target_type=ct, target_id=revision.pk, reporter=user).exists()
    client.force_login(moderator)
    queue = client.get(reverse("moderation:queue") + "?app=stategide").content.decode()
    assert f'href="{revision.get_absolute_url()}"' in queue
    assert "Texas guide, revision 1" in queue


def test_report_button_on_revision_page(client, user, tx):
    rev = proposal(user, tx)
    client.force_login(user)
    ct = ContentType.objects.get_for_model(Revision)
    report_url = reverse("moderation:report", kwargs={"content_type_id": ct.pk, "object_id": rev.pk})
    assert f'action="{report_url}"' in client.get(rev.get_absolute_url()).content.decode()


FORBIDDEN_ON_STATE_PAGES = ("retrieved", "not read", "read via", "github", "helper")


@pytest.mark.parametrize("signed_in", [False, True], ids=["public", "member"])
def test_no_state_page_shows_research_notes(all_states, client, user, signed_in):
    if signed_in:
        client.force_login(user)
    found = {}
    for page in all_states:
        html = client.get(page.get_absolute_url()).content.decode().lower()
        if hits := [word for word in FORBIDDEN_ON_STATE_PAGES if word in html]:
            found[page.code] = hits
    assert found == {}
    assert len(all_states) == 51


def test_citations_show_title_kind_and_host(all_states, client):
    html = client.get("/states/al/").content.decode()
    assert "Ala. Code § 32-6-59 (Alabama Legislature)" in html
    assert "Statute · alisondb.legislature.state.al.us" in html


def test_open_questions_are_shown_to_moderators_only(all_states, client, user, moderator):
    from django.utils.html import escape

    question = escape(StatePage.objects.get(code="AK").open_questions)
    assert question
    assert question not in client.get("/states/ak/").content.decode()
    client.force_login(user)
    assert question not in client.get("/states/ak/").content.decode()
    client.force_login(moderator)
    assert question in client.get("/states/ak/").content.decode()


# --- verification, the propose form's sources, the summary rule ----------------------------------------


def test_detail_shows_confidence_verification_and_what_we_dont_know(client, moderator, tx):
    body = client.get(tx.get_absolute_url()).content.decode()
    assert "Confidence" in body and "Not verified" in body
    assert "What we don&#x27;t know yet" in body or "What we don't know yet" in body
    assert "No moderator has checked this version" in body
    services.page_verify(actor=moderator, page=tx, checks=["statute"])
    client.force_login(moderator)
    body = client.get(tx.get_absolute_url()).content.decode()
    assert f"by {moderator.public_name}" in body
    assert "No moderator has checked this version" not in body


def test_how_this_guide_works_page_is_public_and_linked(client, tx):
    response = client.get(reverse("stategide:about"))
    assert response.status_code == 200
    assert "How this guide is written and verified" in response.content.decode()
    assert reverse("stategide:about") in client.get(tx.get_absolute_url()).content.decode()


def test_propose_form_shows_current_summary_and_sources_as_editable_rows(client, user, tx):
    client.force_login(user)
    body = client.get(reverse("stategide:propose", kwargs={"code": "tx"})).content.decode()
    assert "What the page says now" in body
    assert 'id="current-summary">Allowed on roads posted 35 mph or less.' in body
    assert 'name="citations-0-url" value="https://statutes.example.gov/1"' in body
    assert 'name="citations-0-label" value="Statute 1"' in body
    assert 'name="citations-0-DELETE"' in body and "Remove this source" in body


def _rows(*rows, initial=0):
    data = {
        "citations-TOTAL_FORMS": str(len(rows)),
        "citations-INITIAL_FORMS": str(initial),
        "citations-MIN_NUM_FORMS": "0",
        "citations-MAX_NUM_FORMS": "20",
    }
    for index, row in enumerate(rows):
        data.update({f"citations-{index}-{key}": value for key, value in row.items()})
    return data


def test_propose_edits_removes_and_adds_sources_without_javascript(client, user, tx):
    client.force_login(user)
    data = propose_post(edit_summary="Sources tidied", max_road_speed_mph="35")
    data.update(
        _rows(
            {"url": "https://statutes.example.gov/1", "label": "Tex. Transp. Code 551A", "kind": "statute"},
            {"url": "https://blog.example.com/x", "label": "A blog", "kind": "aggregator", "DELETE": "on"},
            {"url": "https://www.txdmv.gov/kei", "label": "TxDMV notice", "kind": "agency"},
            initial=2,
        )
    )
    response = client.post(reverse("stategide:propose", kwargs={"code": "tx"}), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    rev = tx.revisions.get(state="pending")
    assert [(c.label, c.kind) for c in rev.citations.all()] == [
        ("Tex. Transp. Code 551A", "statute"),
        ("TxDMV notice", "agency"),
    ]


def test_citation_rows_need_title_and_kind(client, user, tx):
    client.force_login(user)
    data = propose_post()
    data.update(_rows({"url": "https://law.example.gov/2", "label": "", "kind": ""}))
    body = client.post(reverse("stategide:propose", kwargs={"code": "tx"}), data).content.decode()
    assert "Give the source a short title." in body
    assert "Say what kind of source this is." in body


def test_status_change_without_summary_change_shows_a_clear_form_error(client, user, tx):
    client.force_login(user)
    data = propose_post(
        status="not_allowed", summary="Allowed on roads posted 35 mph or less.", max_road_speed_mph="35"
    )
    response = client.post(reverse("stategide:propose", kwargs={"code": "tx"}), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "You changed the status but not the summary" in body
    assert not tx.revisions.filter(state="pending").exists()
    data["summary_confirmed"] = "on"
    assert client.post(reverse("stategide:propose", kwargs={"code": "tx"}), data).status_code == 302
    assert tx.revisions.get(state="pending").summary_confirmed


def test_moderator_reviews_side_by_side(client, user, moderator, tx):
    rev = services.revision_propose(
        author=user, page=tx, data={"status": "not_allowed", "summary": "Plates revoked."}, edit_summary="Law",
        citations=[{"kind": "news", "label": "Plates revoked (news)", "url": "https://news.example.com/a"}],
    )  # fmt: skip
    client.force_login(moderator)
    body = client.get(rev.get_absolute_url()).content.decode()
    assert "Side by side with the published page" in body
    assert "Allowed on roads posted 35 mph or less." in body and "Plates revoked." in body
    assert "Plates revoked (news)" in body and "News · news.example.com" in body


def test_verify_queue_is_for_moderators_only(client, user, all_states):
    assert client.get(reverse("stategide:verify-queue")).status_code == 302
    client.force_login(user)
    assert client.get(reverse("stategide:verify-queue")).status_code == 403
    assert client.get(reverse("stategide:verify", kwargs={"code": "ak"})).status_code == 403


def test_verify_queue_shows_open_questions_within_query_budget(
    client, moderator, all_states, warm_content_types, django_assert_max_num_queries
):
    from django.utils.html import escape

    client.force_login(moderator)
    with django_assert_max_num_queries(12):
        body = client.get(reverse("stategide:verify-queue")).content.decode()
    assert escape(StatePage.objects.get(code="AK").open_questions) in body
    assert body.count('href="/states/ak/verify/?next=queue"') == 1


def test_verify_form_records_checks_and_note(client, moderator, tx):
    client.force_login(moderator)
    url = reverse("stategide:verify", kwargs={"code": "tx"})
    body = client.get(url).content.decode()
    assert "Read the current statute or bill text" in body
    body = client.post(url, {"note": "Read 551A"}).content.decode()
    assert "Tick what you checked" in body
    response = client.post(url, {"checks": ["statute", "sources"], "note": "Read 551A", "next": "queue"})
    assert response.status_code == 302 and response["Location"] == reverse("stategide:verify-queue")
    verification = tx.published_revision.verifications.get()
    assert (verification.checks, verification.note, verification.verified_by) == (
        ["statute", "sources"],
        "Read 551A",
        moderator,
    )


def test_member_cannot_add_open_questions_through_verify(client, user, tx):
    client.force_login(user)
    response = client.post(
        reverse("stategide:verify", kwargs={"code": "tx"}), {"checks": ["sources"], "open_questions": "x"}
    )
    assert response.status_code == 403
    tx.refresh_from_db()
    assert tx.open_questions == ""


# --- the law timeline -------------------------------------------------------------------------------


def test_timeline_shows_on_the_state_page_and_upcoming_laws_on_the_index(client, moderator, tx):
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import event_data

    past = timezone.localdate() - timedelta(days=400)
    services.event_add(
        actor=moderator, page=tx, data=event_data(kind="bill_signed", date=past, title="HB 1 signed by the governor")
    )
    services.event_add(actor=moderator, page=tx, data=event_data())
    body = client.get(tx.get_absolute_url()).content.decode()
    timeline = body.split('id="timeline"')[1]
    assert timeline.index("HB 1 signed by the governor") < timeline.index("HB 1 takes effect")
    assert "Bill signed" in timeline and "upcoming" in timeline
    assert "HB 1 (enrolled)" in timeline and "Bill · capitol.example.gov" in timeline
    index = client.get(reverse("stategide:index")).content.decode()
    soon = index.split("In force soon")[1].split("</section>")[0]
    assert "Texas" in soon and "HB 1 takes effect" in soon and "signed by the governor" not in soon


def test_moderator_adds_an_event_from_the_form(client, moderator, tx):
    client.force_login(moderator)
    url = reverse("stategide:event-add", kwargs={"code": "tx"})
    assert "Add to the timeline" in client.get(url).content.decode()
    data = {
        "kind": "dmv_notice", "date": "2026-03-01", "title": "TxDMV notice on mini-trucks", "description": "",
        "citation_url": "https://www.txdmv.gov/notice", "citation_title": "TxDMV notice", "citation_kind": "agency",
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302
    event = tx.events.get()
    assert event.title == "TxDMV notice on mini-trucks"
    body = client.post(url, {**data, "citation_url": "ftp://x"}).content.decode()
    assert "starts with http" in body
    edit = reverse("stategide:event-edit", kwargs={"code": "tx", "event_id": event.pk})
    assert client.post(edit, {**data, "title": "Changed"}).status_code == 302
    event.refresh_from_db()
    assert event.title == "Changed"
    assert client.get(reverse("stategide:event-edit", kwargs={"code": "or", "event_id": event.pk})).status_code == 404


def test_member_cannot_add_or_edit_events(client, user, moderator, tx):
    from tests.factories import event_data

    event = services.event_add(actor=moderator, page=tx, data=event_data())
    client.force_login(user)
    assert client.get(reverse("stategide:event-add", kwargs={"code": "tx"})).status_code == 403
    edit = reverse("stategide:event-edit", kwargs={"code": "tx", "event_id": event.pk})
    assert client.post(edit, {"delete": "1"}).status_code == 403
    assert tx.events.count() == 1
    assert "Add a law event" not in client.get(tx.get_absolute_url()).content.decode()


def test_detail_with_timeline_within_query_budget(
    client, moderator, all_states, warm_content_types, django_assert_max_num_queries
):
    from tests.factories import event_data

    al = StatePage.objects.get(code="AL")
    for _ in range(3):
        services.event_add(actor=moderator, page=al, data=event_data())
    client.force_login(moderator)
    with django_assert_max_num_queries(8):
        assert client.get("/states/al/").status_code == 200


# --- "Can I register this truck here?" -----------------------------------------------------------


def test_checklist_for_a_typed_in_truck(client, tx):
    from tests.factories import ChassisCodeFactory

    ChassisCodeFactory(code="DA63T", make="Suzuki", model="Carry", years_from=2002, years_to=2013)
    url = reverse("stategide:checklist", kwargs={"code": "tx"})
    response = client.get(url, {"chassis_code": "da63t", "year_built": "2002", "month_built": "6"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Can I register 2002 Suzuki Carry DA63T in Texas?" in body
    assert "25-year rule (NHTSA, counted from the month of manufacture)" in body
    assert "EPA 21-year rule (counted by calendar year)" in body
    for paper in ("CBP Form 7501", "HS-7", "EPA Form 3520-1", "export certificate", "Bill of sale"):
        assert paper in body
    assert "Roads posted 35 mph or less." in body
    assert "Confidence" in body and "Not verified" in body
    assert "css/stategide.css" in body  # the print stylesheet


def test_checklist_never_claims_more_than_the_guide(client, all_states):
    body = client.get(reverse("stategide:checklist", kwargs={"code": "ak"})).content.decode()
    assert "Unclear: we have not found" in body
    assert body.count("Not known yet.") >= 3  # inspection, speed, ... stay unknown
    assert "Low" in body
    assert "Sign in to watch Alaska" in body


def test_checklist_where_unclear_lists_forum_threads_and_a_watch_button(client, user, all_states):
    from forum.services import thread_create
    from tests.factories import forum_category

    thread_create(
        author=user, category=forum_category("maintenance"), title="Registering a Hijet in Anchorage",
        body="Has anyone done it?", tags="alaska",
    )  # fmt: skip
    client.force_login(user)
    body = client.get(reverse("stategide:checklist", kwargs={"code": "ak"})).content.decode()
    assert "Registering a Hijet in Anchorage" in body
    assert "Watch Alaska: tell me when the guide changes" in body


def test_checklist_rejects_bad_truck_details_with_400(client, tx):
    url = reverse("stategide:checklist", kwargs={"code": "tx"})
    response = client.get(url, {"chassis_code": "<script>", "year_built": "19x8", "month_built": "13"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "A chassis code is letters and digits" in body
    assert "Give the year built as a number" in body
    assert "Give the month built as a number from 1 to 12." in body
    assert "<script>" not in body.split('id="ck-chassis"')[1][:200]


def test_checklist_for_a_garage_truck_and_from_its_page(client, tx):
    from tests.factories import GarageTruckFactory, UserFactory

    truck = GarageTruckFactory(owner=UserFactory(home_state="TX"), year_built=1998, month_built=6)
    page = client.get(truck.get_absolute_url()).content.decode()
    link = reverse("stategide:checklist", kwargs={"code": "tx"}) + f"?truck={truck.pk}"
    assert f'href="{link}"' in page and "Can I register it in Texas?" in page
    body = client.get(link).content.decode()
    assert "1998 Suzuki Carry DA63T" in body and "Eligible" in body
    assert truck.frame_number not in body
    assert client.get(reverse("stategide:checklist", kwargs={"code": "tx"}) + "?truck=999999").status_code == 404
    assert client.get(reverse("stategide:checklist", kwargs={"code": "tx"}) + "?truck=abc").status_code == 404


def test_every_listing_links_to_the_checklist_for_its_state(client, tx):
    from tests.factories import ChassisCodeFactory, ListingFactory

    ChassisCodeFactory(code="DA63T")
    listing = ListingFactory(zip_code="78701", chassis_code="DA63T", year_built=1998, month_built=6)
    body = client.get(listing.get_absolute_url()).content.decode()
    assert "Can I register it in Texas?" in body
    href = body.split("Can I register it in Texas?")[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    assert href.startswith("/states/tx/checklist/?") and "year_built=1998" in href and "month_built=6" in href
    assert client.get(href).status_code == 200


def test_state_page_links_to_its_checklist(client, tx):
    body = client.get(tx.get_absolute_url()).content.decode()
    assert reverse("stategide:checklist", kwargs={"code": "tx"}) in body


def test_checklist_state_chooser_carries_the_truck(client, tx):
    response = client.get(reverse("stategide:checklist-start"), {"state": "or", "truck": "5"})
    assert response.status_code == 302 and response["Location"] == "/states/or/checklist/?truck=5"
    assert client.get(reverse("stategide:checklist-start"), {"state": "zz"}).status_code == 400
    assert client.get(reverse("stategide:checklist-start")).status_code == 200


def test_checklist_within_query_budget(client, user, all_states, warm_content_types, django_assert_max_num_queries):
    client.force_login(user)
    url = reverse("stategide:checklist", kwargs={"code": "ak"}) + "?chassis_code=DA63T&year_built=1998"
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200
