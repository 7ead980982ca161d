from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kei_community.moderation.models import AuditLogEntry
from kei_community.notifications.models import Notification
from stategide import services
from stategide.models import Revision, StatePage
from stategide.selectors import registration_outlook
from tests.factories import StatePageFactory, UserFactory, citation_data, event_data

pytestmark = pytest.mark.django_db

WRITE_VERBS = ("INSERT", "UPDATE", "DELETE")


def propose(author, page, citations=None, summary="Update", summary_text=None, summary_confirmed=False, **data):
    if summary_text is not None:
        data["summary"] = summary_text
    return services.revision_propose(
        author=author, page=page, data=data, edit_summary=summary, citations=citations or [],
        summary_confirmed=summary_confirmed,
    )  # fmt: skip


def test_propose_creates_pending_revision_and_keeps_published(user, tx):
    published = tx.published_revision
    rev = propose(user, tx, body="More detail.")
    tx.refresh_from_db()
    assert rev.state == Revision.State.PENDING
    assert rev.number == 2
    assert rev.base_revision == published
    assert tx.published_revision == published
    assert rev.citations.count() == 1  # carried over from the published revision


def test_approve_publishes_and_notifies_author_and_watchers(user, moderator, tx, django_capture_on_commit_callbacks):
    home_member = UserFactory(home_state="TX")
    rev = propose(user, tx, body="More detail.")
    with django_capture_on_commit_callbacks(execute=True):
        services.revision_approve(actor=moderator, revision=rev)
    tx.refresh_from_db()
    rev.refresh_from_db()
    assert tx.published_revision == rev
    assert rev.state == Revision.State.PUBLISHED
    assert rev.reviewed_by == moderator
    assert Notification.objects.filter(recipient=user, kind="proposal_approved").exists()
    assert Notification.objects.filter(recipient=home_member, kind="guide_change").exists()
    assert not Notification.objects.filter(recipient=user, kind="guide_change").exists()
    assert AuditLogEntry.objects.filter(action="stategide_approve", actor=moderator).exists()


def test_unwatching_home_state_stops_change_notifications(user, moderator, tx):
    home_member = UserFactory(home_state="TX")
    services.watch_set(user=home_member, page=tx, watching=False)
    services.revision_approve(actor=moderator, revision=propose(user, tx, body="x"))
    assert not Notification.objects.filter(recipient=home_member, kind="guide_change").exists()


def test_explicit_watch_of_other_state_is_notified(user, moderator, tx):
    watcher = UserFactory(home_state="OR")
    services.watch_set(user=watcher, page=tx, watching=True)
    services.revision_approve(actor=moderator, revision=propose(user, tx, body="x"))
    assert Notification.objects.filter(recipient=watcher, kind="guide_change").exists()


def test_reject_needs_reason_and_notifies_author(user, moderator, tx):
    rev = propose(user, tx, body="Nope.")
    with pytest.raises(ValidationError):
        services.revision_reject(actor=moderator, revision=rev, reason="  ")
    services.revision_reject(actor=moderator, revision=rev, reason="No source for this.")
    rev.refresh_from_db()
    assert rev.state == Revision.State.REJECTED
    assert rev.review_note == "No source for this."
    note = Notification.objects.get(recipient=user, kind="proposal_rejected")
    assert note.body == "No source for this."
    assert AuditLogEntry.objects.filter(action="stategide_reject").exists()


def test_conflicting_proposals_are_flagged_and_cannot_be_approved(user, other_user, moderator, tx):
    first = propose(user, tx, citations=[citation_data()], max_road_speed_mph=45)
    second = propose(other_user, tx, citations=[citation_data(url="https://law.example.gov/43")], max_road_speed_mph=25)
    services.revision_approve(actor=moderator, revision=first)
    second.refresh_from_db()
    assert second.state == Revision.State.PENDING
    assert second.conflicting is True
    with pytest.raises(ValidationError, match="changed after this proposal began"):
        services.revision_approve(actor=moderator, revision=second)


def test_non_overlapping_proposal_is_merged_onto_newer_published(user, other_user, moderator, tx):
    first = propose(user, tx, citations=[citation_data()], max_road_speed_mph=45)
    second = propose(other_user, tx, plate_type="Low-speed plate")
    services.revision_approve(actor=moderator, revision=first)
    services.revision_approve(actor=moderator, revision=second)
    tx.refresh_from_db()
    published = tx.published_revision
    assert published == second
    assert published.max_road_speed_mph == 45
    assert published.plate_type == "Low-speed plate"
    assert "https://law.example.gov/42" in set(published.citations.values_list("url", flat=True))


def test_same_change_twice_marks_older_proposal_superseded(user, other_user, moderator, tx):
    first = propose(user, tx, plate_type="Farm plate")
    second = propose(other_user, tx, plate_type="Farm plate")
    services.revision_approve(actor=moderator, revision=second)
    first.refresh_from_db()
    assert first.state == Revision.State.SUPERSEDED


def test_rollback_creates_new_published_revision(user, moderator, tx):
    original = tx.published_revision
    services.revision_approve(
        actor=moderator, revision=propose(user, tx, citations=[citation_data()], max_road_speed_mph=55)
    )
    restored = services.page_rollback(actor=moderator, page=tx, revision=original, reason="Bad source")
    tx.refresh_from_db()
    assert restored.number == 3
    assert tx.published_revision == restored
    assert restored.max_road_speed_mph == original.max_road_speed_mph == 35
    assert Revision.objects.filter(page=tx).count() == 3
    assert AuditLogEntry.objects.filter(action="stategide_rollback").exists()


@pytest.mark.parametrize(
    "change",
    [
        {"status": "not_allowed"},
        {"max_road_speed_mph": 45},
        {"road_restrictions": "Any road."},
        {"interstate_ban": True},
    ],
)
def test_rule_changes_need_a_citation(user, tx, change):
    with pytest.raises(ValidationError) as exc:
        propose(user, tx, **change)
    assert "citations" in exc.value.message_dict


def test_body_only_change_needs_no_citation(user, tx):
    assert propose(user, tx, body="Clarify the wording.").state == Revision.State.PENDING


def test_proposal_that_changes_nothing_is_rejected(user, tx):
    with pytest.raises(ValidationError, match="does not change anything"):
        propose(user, tx, summary="Same", plate_type="")


def test_protection_blocks_members_but_not_moderators(user, moderator, tx):
    services.page_protect(actor=moderator, page=tx, days=7, reason="Edit war")
    tx.refresh_from_db()
    with pytest.raises(PermissionDenied, match="protected"):
        propose(user, tx, body="x")
    assert propose(moderator, tx, body="x").state == Revision.State.PENDING
    assert AuditLogEntry.objects.filter(action="stategide_protect", note="Edit war").exists()


def test_expired_protection_no_longer_blocks(user, moderator, tx):
    services.page_protect(actor=moderator, page=tx, days=1, reason="Edit war")
    StatePage.objects.filter(pk=tx.pk).update(protected_until=timezone.now() - timedelta(minutes=1))
    tx.refresh_from_db()
    assert propose(user, tx, body="x").state == Revision.State.PENDING


def test_protect_validates_days_and_reason(moderator, tx):
    with pytest.raises(ValidationError):
        services.page_protect(actor=moderator, page=tx, days=0, reason="x")
    with pytest.raises(ValidationError):
        services.page_protect(actor=moderator, page=tx, days=3, reason="")


def test_verify_changes_only_verification(moderator, tx):
    before = tx.published_revision
    services.page_verify(actor=moderator, page=tx, checks=["agency"], note="Checked DMV site")
    tx.refresh_from_db()
    assert tx.published_revision == before
    before.refresh_from_db()
    assert (before.verified_on, before.verified_by) == (timezone.localdate(), moderator)
    assert list(before.verifications.values_list("checks", "note")) == [(["agency"], "Checked DMV site")]
    assert Revision.objects.filter(page=tx).count() == 1
    assert AuditLogEntry.objects.filter(action="stategide_verify").exists()


def test_verify_rejects_future_date(moderator, tx):
    with pytest.raises(ValidationError):
        services.page_verify(
            actor=moderator, page=tx, checks=["sources"], verified_on=timezone.localdate() + timedelta(days=1)
        )


@pytest.mark.parametrize(
    "action",
    [
        lambda actor, page, rev: services.revision_approve(actor=actor, revision=rev),
        lambda actor, page, rev: services.revision_reject(actor=actor, revision=rev, reason="x"),
        lambda actor, page, rev: services.page_verify(actor=actor, page=page, checks=["sources"]),
        lambda actor, page, rev: services.page_protect(actor=actor, page=page, days=3, reason="x"),
        lambda actor, page, rev: services.page_rollback(actor=actor, page=page, revision=page.published_revision),
    ],
    ids=["approve", "reject", "verify", "protect", "rollback"],
)
def test_members_cannot_moderate(user, other_user, tx, action):
    rev = propose(other_user, tx, body="x")
    with pytest.raises(PermissionDenied):
        action(user, tx, rev)


def test_moderator_without_mfa_cannot_approve_when_required(settings, user, moderator, tx):
    settings.MODERATION_REQUIRES_MFA = True
    with pytest.raises(PermissionDenied, match="two-factor"):
        services.revision_approve(actor=moderator, revision=propose(user, tx, body="x"))


def test_anonymous_cannot_propose(tx):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        propose(AnonymousUser(), tx, body="x")


def test_unverified_email_cannot_propose(tx):
    with pytest.raises(PermissionDenied, match="Verify your email"):
        propose(UserFactory(verified=False), tx, body="x")


def test_member_cannot_edit_someone_elses_pending_proposal(user, other_user, tx):
    rev = propose(user, tx, body="Mine")
    with pytest.raises(PermissionDenied):
        services.revision_update_pending(actor=other_user, revision=rev, data={"body": "Hijacked"})
    rev.refresh_from_db()
    assert rev.body == "Mine"


def test_author_can_edit_own_pending_proposal(user, tx):
    rev = propose(user, tx, body="Mine")
    services.revision_update_pending(actor=user, revision=rev, data={"body": "Better"})
    rev.refresh_from_db()
    assert rev.body == "Better"


def test_speed_outside_range_is_rejected(user, tx):
    with pytest.raises(ValidationError) as exc:
        propose(user, tx, citations=[citation_data()], max_road_speed_mph=81)
    assert "max_road_speed_mph" in exc.value.message_dict


def test_non_http_citation_is_rejected(user, tx):
    with pytest.raises(ValidationError) as exc:
        propose(user, tx, citations=[citation_data(url="javascript:alert(1)")], status="not_allowed")
    assert "citations" in exc.value.message_dict


def test_empty_summary_is_rejected(user, tx):
    with pytest.raises(ValidationError) as exc:
        services.revision_propose(author=user, page=tx, data={"summary": "   "}, edit_summary="Blank it")
    assert "summary" in exc.value.message_dict


def test_body_scripts_are_sanitised(user, tx):
    rev = propose(
        user, tx, body='<script>alert(1)</script>\n\n[click](javascript:alert(2)) <a href="javascript:x">y</a>'
    )
    assert "<script" not in rev.body_html
    assert '<a href="javascript' not in rev.body_html
    assert "<a href" not in rev.body_html  # the javascript: link is not turned into a link


def test_publish_invalidates_cached_outlook(user, moderator, tx, django_capture_on_commit_callbacks):
    assert registration_outlook("tx").status == "restricted"
    rev = propose(user, tx, citations=[citation_data()], status="not_allowed", summary_text="Not allowed.")
    with django_capture_on_commit_callbacks(execute=True):
        services.revision_approve(actor=moderator, revision=rev)
    assert registration_outlook("TX").status == "not_allowed"


def test_verify_invalidates_cached_outlook(moderator, tx, django_capture_on_commit_callbacks):
    assert registration_outlook("tx").last_verified is None
    with django_capture_on_commit_callbacks(execute=True):
        services.page_verify(actor=moderator, page=tx, checks=["sources"])
    assert registration_outlook("tx").last_verified == timezone.localdate()


def test_reminders_go_to_moderators_once_a_week(moderator, user, tx):
    StatePageFactory(code="OR")
    assert services.send_moderator_reminders() == 1
    assert services.send_moderator_reminders() == 0
    note = Notification.objects.get(recipient=moderator, kind="guide_reminder")
    assert "Texas (TX)" in note.body
    assert not Notification.objects.filter(recipient=user, kind="guide_reminder").exists()


def test_reminders_list_laws_taking_effect_soon_from_the_timeline(moderator, user, tx):
    services.page_verify(actor=moderator, page=tx, checks=["sources"])
    today = timezone.localdate()
    services.event_add(actor=moderator, page=tx, data=event_data(kind="law_in_force", date=today + timedelta(days=30)))
    services.event_add(
        actor=moderator,
        page=tx,
        data=event_data(kind="law_in_force", date=today + timedelta(days=200), title="Later law"),
    )
    services.send_moderator_reminders()
    body = Notification.objects.get(recipient=moderator, kind="guide_reminder").body
    assert "Laws taking effect within 90 days" in body
    assert "Texas: HB 1 takes effect" in body
    assert "Later law" not in body


def test_author_update_changing_status_needs_a_citation(user, tx):
    rev = propose(user, tx, body="x")
    with pytest.raises(ValidationError) as exc:
        services.revision_update_pending(actor=user, revision=rev, data={"status": "not_allowed"})
    assert "citations" in exc.value.message_dict
    services.revision_update_pending(
        actor=user, revision=rev, data={"status": "not_allowed"}, citations=[citation_data()], summary_confirmed=True
    )
    rev.refresh_from_db()
    assert rev.status == "not_allowed" and rev.summary_confirmed


def test_author_cannot_change_a_reviewed_proposal(user, moderator, tx):
    rev = propose(user, tx, body="x")
    services.revision_reject(actor=moderator, revision=rev, reason="no")
    with pytest.raises(ValidationError):
        services.revision_update_pending(actor=user, revision=rev, data={"body": "y"})


def test_seed_demo_creates_proposals_idempotently(all_states):
    import io

    from kei_community.users.demo import seed_users
    from stategide.demo import seed_guide

    seed_users(io.StringIO())
    seed_guide(io.StringIO())
    seed_guide(io.StringIO())
    assert Revision.objects.filter(state="pending").count() == 2
    assert all("Demo proposal" in r.body for r in Revision.objects.filter(state="pending"))


# --- unprotect ---------------------------------------------------------------------------


def test_unprotect_lifts_protection_and_is_audited(user, moderator, tx):
    services.page_protect(actor=moderator, page=tx, days=7, reason="Edit war")
    services.page_unprotect(actor=moderator, page=tx, reason="Calmed down")
    tx.refresh_from_db()
    assert tx.protected_until is None and tx.protection_reason == "" and tx.protected_by is None
    services.check_can_propose(user=user, page=tx)  # members can propose again
    entry = AuditLogEntry.objects.get(action="stategide_unprotect")
    assert entry.actor == moderator and entry.note == "Calmed down"


def test_unprotect_of_unprotected_page_writes_nothing(moderator, tx):
    updated_at = tx.updated_at
    with CaptureQueriesContext(connection) as queries:
        services.page_unprotect(actor=moderator, page=tx)
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(WRITE_VERBS)]
    assert writes == []
    tx.refresh_from_db()
    assert tx.updated_at == updated_at
    assert not AuditLogEntry.objects.filter(action="stategide_unprotect").exists()


def test_member_cannot_unprotect(user, moderator, tx):
    services.page_protect(actor=moderator, page=tx, days=7, reason="Edit war")
    with pytest.raises(PermissionDenied):
        services.page_unprotect(actor=user, page=tx)
    tx.refresh_from_db()
    assert tx.is_protected
    assert not AuditLogEntry.objects.filter(action="stategide_unprotect").exists()


# --- rebasing a stale proposal -------------------------------------------------------------


def stale_conflicting_pair(user, other_user, moderator, tx):
    """`user`'s proposal (speed 25, plus a plate type) is outgrown by `other_user`'s published speed 45."""
    first = propose(other_user, tx, citations=[citation_data()], max_road_speed_mph=45)
    second = propose(
        user, tx, citations=[citation_data(url="https://law.example.gov/43")], max_road_speed_mph=25, plate_type="Farm"
    )
    services.revision_approve(actor=moderator, revision=first)
    second.refresh_from_db()
    return first, second


def test_stale_conflicting_proposal_still_cannot_be_approved(user, other_user, moderator, tx):
    _, second = stale_conflicting_pair(user, other_user, moderator, tx)
    assert services.revision_is_stale(second)
    assert services.conflicting_fields(second) == ["max_road_speed_mph"]
    with pytest.raises(ValidationError, match="changed after this proposal began"):
        services.revision_approve(actor=moderator, revision=second)
    tx.refresh_from_db()
    assert tx.published_revision.max_road_speed_mph == 45


def test_author_rebases_with_their_changes_on_the_current_version(user, other_user, moderator, tx):
    first, second = stale_conflicting_pair(user, other_user, moderator, tx)
    data = {**services.rebased_content(second), "max_road_speed_mph": 35}
    services.revision_rebase(
        actor=user, revision=second, data=data, edit_summary="Speed is 35 after all", expected_base=first
    )
    second.refresh_from_db()
    assert second.base_revision == first
    assert second.conflicting is False
    assert second.edit_summary == "Speed is 35 after all"
    assert second.max_road_speed_mph == 35 and second.plate_type == "Farm"
    urls = set(second.citations.values_list("url", flat=True))
    assert {"https://law.example.gov/43", "https://law.example.gov/42", "https://statutes.example.gov/1"} == urls
    services.revision_approve(actor=moderator, revision=second)
    tx.refresh_from_db()
    assert tx.published_revision == second


def test_rebase_without_data_keeps_the_proposals_own_changes(user, other_user, moderator, tx):
    first = propose(other_user, tx, citations=[citation_data()], max_road_speed_mph=45)
    second = propose(user, tx, plate_type="Farm")
    services.revision_approve(actor=moderator, revision=first)
    services.revision_rebase(actor=user, revision=second)
    second.refresh_from_db()
    assert second.base_revision == first
    assert second.max_road_speed_mph == 45  # the newer published value is kept
    assert second.plate_type == "Farm"


def test_another_member_cannot_rebase(user, other_user, moderator, tx):
    first, second = stale_conflicting_pair(user, other_user, moderator, tx)
    with pytest.raises(PermissionDenied, match="author or a moderator"):
        services.revision_rebase(actor=other_user, revision=second)
    second.refresh_from_db()
    assert second.base_revision != first and second.conflicting is True


def test_moderator_rebases_unchanged_and_it_is_audited(user, other_user, moderator, tx):
    first, second = stale_conflicting_pair(user, other_user, moderator, tx)
    with pytest.raises(PermissionDenied, match="not edit it"):
        services.revision_rebase(actor=moderator, revision=second, data={"plate_type": "Other"})
    services.revision_rebase(actor=moderator, revision=second)
    second.refresh_from_db()
    assert second.base_revision == first and second.plate_type == "Farm"
    assert AuditLogEntry.objects.filter(action="stategide_rebase", actor=moderator).exists()


def test_rebase_refuses_when_the_page_changed_again(user, other_user, moderator, tx):
    first, second = stale_conflicting_pair(user, other_user, moderator, tx)
    services.revision_approve(actor=moderator, revision=propose(moderator, tx, body="Third version"))
    with pytest.raises(ValidationError, match="changed again"):
        services.revision_rebase(actor=user, revision=second, expected_base=first)
    second.refresh_from_db()
    assert second.base_revision != first


def test_rebase_of_current_proposal_is_refused(user, tx):
    rev = propose(user, tx, plate_type="Farm")
    with pytest.raises(ValidationError, match="already based on the current version"):
        services.revision_rebase(actor=user, revision=rev)


# --- the reference data, second edition -----------------------------------------------


def _edition(tmp_path, name="states.csv", **changes):
    """A copy of stategide/data/states.csv with `changes` = {code: {column: value}} applied."""
    import csv

    from stategide.reference import DATA_FILE, read_rows

    rows = read_rows(DATA_FILE)
    for row in rows:
        row.update(changes.get(row["state_code"], {}))
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


TX_LAW = "Texas law (Transp. Code 551A) lets a registered kei truck use roads posted 35 mph or less."


def test_reference_load_is_authored_by_a_system_account_that_cannot_sign_in(all_states, client):
    from stategide.services import REFERENCE_ACCOUNT_EMAIL

    account = services.reference_account()
    assert account.email == REFERENCE_ACCOUNT_EMAIL and account.public_name == "Reference data"
    assert not account.is_active and not account.has_usable_password()
    assert set(Revision.objects.values_list("author", flat=True)) == {account.pk}
    assert not client.login(email=REFERENCE_ACCOUNT_EMAIL, password="")
    assert services.reference_account().pk == account.pk  # created once


def test_reference_reload_of_the_same_data_changes_nothing(all_states):
    from stategide.reference import load_states

    counts = (Revision.objects.count(), AuditLogEntry.objects.count(), Notification.objects.count())
    assert load_states() == {"created": 0, "published": 0, "proposed": 0, "unchanged": 51, "total": 51}
    assert (Revision.objects.count(), AuditLogEntry.objects.count(), Notification.objects.count()) == counts


def test_reference_new_edition_publishes_a_revision_with_audit_and_watchers_notified(
    all_states, tmp_path, django_capture_on_commit_callbacks
):
    from stategide.reference import load_states

    watcher = UserFactory(home_state="TX")
    tx = StatePage.objects.get(code="TX")
    with django_capture_on_commit_callbacks(execute=True):
        counts = load_states(path=_edition(tmp_path, TX={"summary": TX_LAW, "status": "restricted"}))
    assert counts["published"] == 1 and counts["unchanged"] == 50
    tx.refresh_from_db()
    revision = tx.published_revision
    assert (revision.number, revision.summary, revision.author.public_name) == (2, TX_LAW, "Reference data")
    assert revision.edit_summary.startswith("Reference data update:") and "summary" in revision.edit_summary
    entry = AuditLogEntry.objects.get(action="stategide_reference_update")
    assert entry.target_id == tx.pk and entry.after["published_revision"] == 2
    assert Notification.objects.filter(recipient=watcher, kind="guide_change").count() == 1
    # Loading the same edition again writes nothing.
    assert load_states(path=_edition(tmp_path, TX={"summary": TX_LAW, "status": "restricted"}))["unchanged"] == 51
    assert tx.revisions.count() == 2


def test_reference_new_edition_for_a_page_a_moderator_edited_becomes_a_proposal(all_states, moderator, tmp_path):
    from stategide.reference import load_states

    tx = StatePage.objects.get(code="TX")
    edited = propose(moderator, tx, body="A moderator's detail.")
    services.revision_approve(actor=moderator, revision=edited)
    counts = load_states(path=_edition(tmp_path, TX={"summary": TX_LAW}))
    assert counts["proposed"] == 1 and counts["published"] == 0
    tx.refresh_from_db()
    assert tx.published_revision == edited  # not overwritten
    proposal = tx.revisions.get(state=Revision.State.PENDING)
    assert proposal.summary == TX_LAW and proposal.body == "A moderator's detail."
    assert proposal.base_revision == edited and proposal.author.public_name == "Reference data"
    assert AuditLogEntry.objects.filter(action="stategide_reference_proposal", target_id=tx.pk).count() == 1
    # Loading it again does not propose it twice; a newer edition replaces the older proposal.
    assert load_states(path=_edition(tmp_path, TX={"summary": TX_LAW}))["unchanged"] == 51
    assert tx.revisions.filter(state=Revision.State.PENDING).count() == 1
    load_states(path=_edition(tmp_path, TX={"summary": TX_LAW + " Check with the county."}))
    assert tx.revisions.get(state=Revision.State.PENDING).summary.endswith("Check with the county.")
    assert tx.revisions.get(pk=proposal.pk).state == Revision.State.SUPERSEDED


def test_reference_second_edition_updates_a_first_edition_page(db):
    from stategide.reference import load_states

    page = StatePageFactory(code="IL")  # a first-edition page: revision 1 has no author
    assert page.published_revision.author is None
    load_states()
    page.refresh_from_db()
    assert page.published_revision.number == 2
    assert page.published_revision.status == "not_allowed"
    assert [c.kind for c in page.published_revision.citations.all()] != ["statute"]


# --- verification belongs to a revision; the summary rule ---------------------------------


def test_publishing_another_revision_shows_that_revisions_own_verification(user, moderator, tx):
    services.page_verify(actor=moderator, page=tx, checks=["statute", "sources"])
    rev = propose(user, tx, body="More detail.")
    services.revision_approve(actor=moderator, revision=rev)
    tx.refresh_from_db()
    assert tx.published_revision == rev
    assert tx.published_revision.verified_on is None
    assert registration_outlook("TX").last_verified is None


def test_rollback_shows_the_restored_revisions_own_verification(user, moderator, tx):
    first = tx.published_revision  # never verified
    rev = propose(user, tx, body="More detail.")
    services.revision_approve(actor=moderator, revision=rev)
    services.page_verify(actor=moderator, page=tx, checks=["sources"])
    tx.refresh_from_db()
    assert tx.published_revision.verified_on == timezone.localdate()
    restored = services.page_rollback(actor=moderator, page=tx, revision=first)
    tx.refresh_from_db()
    assert tx.published_revision == restored
    assert restored.verified_on is None and restored.verified_by is None  # "not verified", as revision 1 was
    # Restoring the verified revision brings its verification back.
    again = services.page_rollback(actor=moderator, page=tx, revision=rev)
    assert (again.verified_on, again.verified_by) == (timezone.localdate(), moderator)


def test_verify_needs_a_checklist_item(moderator, tx):
    with pytest.raises(ValidationError) as exc:
        services.page_verify(actor=moderator, page=tx, checks=[], note="looked")
    assert "checks" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.page_verify(actor=moderator, page=tx, checks=["vibes"])


def test_verify_can_update_open_questions(moderator, tx):
    services.page_verify(actor=moderator, page=tx, checks=["agency"], open_questions="Ask the DMV about plates.")
    tx.refresh_from_db()
    assert tx.open_questions == "Ask the DMV about plates."


def test_member_cannot_verify(user, tx):
    with pytest.raises(PermissionDenied):
        services.page_verify(actor=user, page=tx, checks=["sources"])


def test_status_change_with_unchanged_summary_needs_confirmation(user, tx):
    with pytest.raises(ValidationError) as exc:
        propose(user, tx, citations=[citation_data()], status="not_allowed")
    assert "summary_confirmed" in exc.value.message_dict
    assert "I confirm the summary still matches the new status" in exc.value.message_dict["summary_confirmed"][0]
    rev = propose(user, tx, citations=[citation_data()], status="not_allowed", summary_confirmed=True)
    assert rev.summary_confirmed


def test_status_change_with_a_new_summary_needs_no_confirmation(user, tx):
    rev = propose(user, tx, citations=[citation_data()], status="not_allowed", summary_text="Plates are revoked.")
    assert rev.status == "not_allowed" and not rev.summary_confirmed


def test_rebase_resubmission_applies_the_summary_rule(user, moderator, tx):
    rev = propose(user, tx, body="x")
    services.revision_approve(actor=moderator, revision=propose(moderator, tx, body="y"))
    tx.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.revision_rebase(
            actor=user, revision=rev, data={"status": "not_allowed"}, citations=[citation_data()],
            expected_base=tx.published_revision,
        )  # fmt: skip
    assert "summary_confirmed" in exc.value.message_dict


def test_page_views_are_counted_in_batches(tx):
    for _ in range(services.VIEWS_BATCH):
        services.page_record_view(code="tx")
    tx.refresh_from_db()
    assert tx.views_count == services.VIEWS_BATCH


# --- the law timeline -------------------------------------------------------------------------


def test_moderator_adds_an_event_with_audit_and_watchers_notified(moderator, tx, django_capture_on_commit_callbacks):
    watcher = UserFactory(home_state="TX")
    with django_capture_on_commit_callbacks(execute=True):
        event = services.event_add(actor=moderator, page=tx, data=event_data())
    assert event.page == tx and event.created_by == moderator
    assert AuditLogEntry.objects.filter(action="stategide_event_add", target_id=tx.pk).exists()
    note = Notification.objects.get(recipient=watcher, kind="guide_change")
    assert "Texas law timeline: Law in force" in note.title and note.url.endswith("#timeline")
    assert not Notification.objects.filter(recipient=moderator).exists()


def test_member_cannot_add_or_change_events(user, moderator, tx):
    with pytest.raises(PermissionDenied):
        services.event_add(actor=user, page=tx, data=event_data())
    event = services.event_add(actor=moderator, page=tx, data=event_data())
    with pytest.raises(PermissionDenied):
        services.event_update(actor=user, event=event, data={"title": "Hijacked"})
    with pytest.raises(PermissionDenied):
        services.event_delete(actor=user, event=event)
    event.refresh_from_db()
    assert event.title == "HB 1 takes effect"


def test_event_needs_a_source(moderator, tx):
    with pytest.raises(ValidationError) as exc:
        services.event_add(actor=moderator, page=tx, data=event_data(citation_url="javascript:alert(1)"))
    assert "citation_url" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.event_add(actor=moderator, page=tx, data=event_data(citation_title=""))


def test_moderator_edits_and_removes_an_event(moderator, tx):
    event = services.event_add(actor=moderator, page=tx, data=event_data())
    services.event_update(actor=moderator, event=event, data={"title": "HB 1 in force", "kind": "law_in_force"})
    event.refresh_from_db()
    assert event.title == "HB 1 in force"
    services.event_delete(actor=moderator, event=event, reason="duplicate")
    assert not tx.events.exists()
    assert AuditLogEntry.objects.filter(action="stategide_event_delete").exists()
