import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from kei_community.moderation.models import AuditLogEntry, Report
from tests.factories import AuditLogEntryFactory, ReportFactory, UserFactory


def _report_url(obj):
    ct = ContentType.objects.get_for_model(obj)
    return reverse("moderation:report", kwargs={"content_type_id": ct.pk, "object_id": obj.pk})


def _review_url(obj):
    ct = ContentType.objects.get_for_model(obj)
    return reverse("moderation:review", kwargs={"content_type_id": ct.pk, "object_id": obj.pk})


# --- reporting -----------------------------------------------------------------


def test_report_page_shows_the_form(client, user, target):
    client.force_login(user)
    response = client.get(_report_url(target))
    assert response.status_code == 200
    assert b"Profile of Reported Member" in response.content


def test_anonymous_is_sent_to_login_to_report(client, target):
    response = client.post(_report_url(target), {"reason": "spam"})
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert not Report.objects.exists()


def test_member_reports_content_and_returns_to_next(client, user, target):
    client.force_login(user)
    response = client.post(_report_url(target), {"reason": "spam", "note": "bot", "next": "/forum/"})
    assert response.status_code == 302 and response["Location"] == "/forum/"
    assert Report.objects.get().reporter == user


def test_report_ignores_an_offsite_next(client, user, target):
    client.force_login(user)
    response = client.post(_report_url(target), {"reason": "spam", "next": "https://evil.example/"})
    assert response["Location"] == f"/members/{target.pk}/"


def test_invalid_reason_is_a_form_error(client, user, target):
    client.force_login(user)
    response = client.post(_report_url(target), {"reason": "boring"})
    assert response.status_code == 400
    assert b"Select a valid choice" in response.content
    assert not Report.objects.exists()


def test_duplicate_report_is_a_message_not_an_error(client, user, target):
    client.force_login(user)
    client.post(_report_url(target), {"reason": "spam"})
    response = client.post(_report_url(target), {"reason": "scam"}, follow=True)
    assert response.status_code == 200
    assert b"already reported" in response.content
    assert Report.objects.count() == 1


def test_report_of_unregistered_content_is_404(client, user, other_user):
    client.force_login(user)
    assert client.post(_report_url(other_user), {"reason": "spam"}).status_code == 404


def test_report_of_unknown_content_type_is_404(client, user):
    client.force_login(user)
    url = reverse("moderation:report", kwargs={"content_type_id": 999_999, "object_id": 1})
    assert client.get(url).status_code == 404


def test_report_form_include_renders_for_registered_targets(rf, user, target):
    from django.template.loader import render_to_string

    request = rf.get("/somewhere/")
    request.user = user
    html = render_to_string("moderation/report_form.html", {"target": target, "user": user}, request=request)
    assert _report_url(target) in html
    assert 'name="reason"' in html


def test_report_form_include_is_empty_for_unregistered_targets(rf, user, other_user):
    from django.template.loader import render_to_string

    request = rf.get("/")
    request.user = user
    html = render_to_string("moderation/report_form.html", {"target": other_user, "user": user}, request=request)
    assert "Report this" not in html


# --- the queue -----------------------------------------------------------------


def test_member_cannot_open_the_queue(client, user):
    client.force_login(user)
    assert client.get(reverse("moderation:queue")).status_code == 403


def test_anonymous_is_sent_to_login_from_the_queue(client, db):
    response = client.get(reverse("moderation:queue"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_moderator_without_mfa_is_sent_to_enrol_when_required(client, moderator, settings):
    settings.MODERATION_REQUIRES_MFA = True
    client.force_login(moderator)
    response = client.get(reverse("moderation:queue"))
    assert response.status_code == 302 and "totp" in response["Location"]


def test_queue_shows_grouped_reports_and_held_items(client, moderator, target, queue_source):
    ReportFactory.create_batch(2, target=target, note="clearly a bot")
    queue_source.append({"kind": "post", "title": "Held first post", "url": "/x/", "created_at": None, "author": "n"})
    client.force_login(moderator)
    response = client.get(reverse("moderation:queue"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Profile of Reported Member" in body
    assert "2 reports from 2 members" in body
    assert "Held first post" in body


def test_queue_reason_filter_hides_other_reasons(client, moderator, target, reportable):
    ReportFactory(target=target, reason="spam")
    client.force_login(moderator)
    response = client.get(reverse("moderation:queue"), {"reason": "scam"})
    assert "Profile of Reported Member" not in response.content.decode()


def test_member_cannot_review_a_target(client, user, target):
    ReportFactory(target=target)
    client.force_login(user)
    response = client.post(_review_url(target), {"decision": "dismiss"})
    assert response.status_code == 403
    assert Report.objects.get().status == Report.Status.OPEN


def test_moderator_resolves_a_target_with_a_note(client, moderator, target):
    ReportFactory.create_batch(2, target=target)
    client.force_login(moderator)
    response = client.post(_review_url(target), {"decision": "resolve", "note": "removed"})
    assert response.status_code == 302
    assert set(Report.objects.values_list("status", flat=True)) == {"resolved"}
    assert AuditLogEntry.objects.filter(action="report_resolved", note="removed").count() == 2


def test_reviewing_an_already_reviewed_target_is_a_message(client, moderator, target):
    client.force_login(moderator)
    response = client.post(_review_url(target), {"decision": "dismiss"}, follow=True)
    assert response.status_code == 200
    assert b"already reviewed" in response.content


def _review_report_url(report):
    return reverse("moderation:review_report", kwargs={"pk": report.pk})


def test_queue_lists_each_open_report_with_its_own_controls(client, moderator, target):
    first, second = ReportFactory.create_batch(2, target=target)
    client.force_login(moderator)
    body = client.get(reverse("moderation:queue")).content.decode()
    assert body.count("Dismiss this report</button>") == 2
    assert _review_report_url(first) in body and _review_report_url(second) in body


def test_moderator_dismisses_one_report_and_the_other_stays_open(client, moderator, target, reportable):
    dismissed, kept = ReportFactory.create_batch(2, target=target)
    client.force_login(moderator)
    response = client.post(
        _review_report_url(dismissed), {"decision": "dismiss", "note": "not spam", "next": "/moderation/?app=users"}
    )
    assert response.status_code == 302 and response["Location"] == "/moderation/?app=users"
    dismissed.refresh_from_db()
    kept.refresh_from_db()
    assert (dismissed.status, dismissed.resolved_by, dismissed.resolution_note) == ("dismissed", moderator, "not spam")
    assert kept.status == Report.Status.OPEN
    entry = AuditLogEntry.objects.get()
    assert (entry.action, entry.actor, entry.target_id, entry.note) == (
        "report_dismissed",
        moderator,
        dismissed.pk,
        "not spam",
    )
    assert reportable.restored == []  # a report is still open on the content
    # The queue still shows the target with the one open report.
    body = client.get(reverse("moderation:queue")).content.decode()
    assert "1 report from 1 member" in body
    assert _review_report_url(kept) in body and _review_report_url(dismissed) not in body


def test_dismissing_the_last_open_report_restores_the_content(client, moderator, target, reportable):
    dismissed, resolved = ReportFactory.create_batch(2, target=target)
    client.force_login(moderator)
    client.post(_review_report_url(resolved), {"decision": "resolve"})
    assert reportable.restored == []
    client.post(_review_report_url(dismissed), {"decision": "dismiss"})
    assert reportable.restored == [target.pk]
    assert sorted(Report.objects.values_list("status", flat=True)) == ["dismissed", "resolved"]


def test_reporter_is_notified_of_a_per_report_decision(client, moderator, target):
    from kei_community.notifications.models import Notification

    report = ReportFactory(target=target)
    client.force_login(moderator)
    client.post(_review_report_url(report), {"decision": "resolve", "note": "removed"})
    notification = Notification.objects.get(recipient=report.reporter)
    assert notification.kind == "report_resolved" and notification.body == "removed"


def test_member_cannot_decide_a_single_report(client, user, target):
    report, other = ReportFactory.create_batch(2, target=target)
    client.force_login(user)
    response = client.post(_review_report_url(report), {"decision": "dismiss"})
    assert response.status_code == 403
    assert set(Report.objects.values_list("status", flat=True)) == {"open"}
    assert not AuditLogEntry.objects.exists()


def test_anonymous_cannot_decide_a_single_report(client, target):
    report = ReportFactory(target=target)
    response = client.post(_review_report_url(report), {"decision": "dismiss"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    report.refresh_from_db()
    assert report.status == Report.Status.OPEN


def test_deciding_a_report_needs_post(client, moderator, target):
    report = ReportFactory(target=target)
    client.force_login(moderator)
    assert client.get(_review_report_url(report)).status_code == 405
    report.refresh_from_db()
    assert report.status == Report.Status.OPEN


def test_deciding_a_missing_report_is_404(client, moderator, db):
    client.force_login(moderator)
    assert (
        client.post(reverse("moderation:review_report", kwargs={"pk": 999_999}), {"decision": "dismiss"}).status_code
        == 404
    )


def test_deciding_with_an_unknown_decision_changes_nothing(client, moderator, target):
    report = ReportFactory(target=target)
    client.force_login(moderator)
    response = client.post(_review_report_url(report), {"decision": "delete"}, follow=True)
    assert response.status_code == 200
    assert b"Choose resolve or dismiss." in response.content
    report.refresh_from_db()
    assert report.status == Report.Status.OPEN


def test_deciding_an_already_reviewed_report_is_a_message(client, moderator, target):
    report = ReportFactory(target=target, status=Report.Status.DISMISSED)
    client.force_login(moderator)
    response = client.post(_review_report_url(report), {"decision": "resolve"}, follow=True)
    assert response.status_code == 200
    assert b"already reviewed" in response.content
    report.refresh_from_db()
    assert report.status == Report.Status.DISMISSED
    assert not AuditLogEntry.objects.exists()


@pytest.mark.parametrize("rows", [3, 30])
def test_queue_queries_do_not_grow_with_rows(
    client, moderator, reportable, rows, django_assert_max_num_queries, monkeypatch
):
    from kei_community.moderation import registry

    monkeypatch.setattr(registry, "_queue_sources", {})  # other apps' held items are their own queries
    for _ in range(rows):
        ReportFactory.create_batch(2, target=UserFactory())
    client.force_login(moderator)
    client.get(reverse("moderation:queue"))  # warm the content-type cache
    # 8 for the queue itself (session, user, group, count, groups, targets, reports, bell) + header extras.
    with django_assert_max_num_queries(11):
        response = client.get(reverse("moderation:queue"))
    assert response.status_code == 200
    assert response.content.decode().count("Dismiss the reports (no action)</button>") == min(rows, 20)


# --- audit log -----------------------------------------------------------------


def test_member_cannot_open_the_audit_log(client, user):
    client.force_login(user)
    assert client.get(reverse("moderation:audit")).status_code == 403


def test_audit_log_filters_by_action(client, moderator):
    AuditLogEntryFactory(action="report_resolved", target_repr="kept-entry")
    AuditLogEntryFactory(action="listing_removed", target_repr="other-entry")
    client.force_login(moderator)
    body = client.get(reverse("moderation:audit"), {"action": "report_resolved"}).content.decode()
    assert "kept-entry" in body and "other-entry" not in body


@pytest.mark.parametrize("rows", [3, 30])
def test_audit_log_queries_do_not_grow_with_rows(client, moderator, rows, django_assert_max_num_queries):
    AuditLogEntryFactory.create_batch(rows)
    client.force_login(moderator)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("moderation:audit"))
    assert response.content.decode().count("<code>report_resolved</code>") == rows


# --- acting from the queue, the content page and the member page (issue 12) -------------------------------


@pytest.fixture
def seller(db):
    return UserFactory(display_name="Scammy Seller")


@pytest.fixture
def listing(seller):
    from tests.factories import ListingFactory

    return ListingFactory(seller=seller, title="1995 Daihatsu Hijet cheap")


def _object_url(obj):
    ct = ContentType.objects.get_for_model(obj)
    return reverse("moderation:object", kwargs={"content_type_id": ct.pk, "object_id": obj.pk})


def test_queue_offers_remove_and_member_actions_for_a_reported_listing(client, moderator, listing):
    ReportFactory(target=listing, reason="scam", note="Wants a wire transfer")
    client.force_login(moderator)
    body = client.get(reverse("moderation:queue")).content.decode()
    for label in ("Remove", "Remove all their listings and suspend", "Warn the member", "Suspend the member"):
        assert f">{label}</button>" in body
    assert "Owner: <a" in body and "Scammy Seller" in body


def test_moderator_removes_a_listing_from_the_queue(client, moderator, listing):
    from marketplace.models import Listing

    ReportFactory(target=listing, reason="scam")
    client.force_login(moderator)
    response = client.post(
        _object_url(listing),
        {"action": "remove", "reason": "Asks for gift cards.", "note": "Thanks!", "next": "/moderation/"},
    )
    assert response.status_code == 302 and response["Location"] == "/moderation/"
    assert Listing.objects.get(pk=listing.pk).status == Listing.Status.REMOVED
    assert Report.objects.get().outcome == Report.Outcome.REMOVED


def test_remove_without_a_reason_shows_the_page_again_with_the_error(client, moderator, listing):
    from marketplace.models import Listing

    client.force_login(moderator)
    response = client.post(_object_url(listing), {"action": "remove", "reason": "", "note": "kept text"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Give a reason" in body and 'value="kept text"' in body
    assert Listing.objects.get(pk=listing.pk).status == Listing.Status.ACTIVE


def test_member_cannot_act_on_content(client, user, listing):
    from marketplace.models import Listing

    client.force_login(user)
    response = client.post(_object_url(listing), {"action": "remove", "reason": "mine now"})
    assert response.status_code == 403
    assert Listing.objects.get(pk=listing.pk).status == Listing.Status.ACTIVE


def test_anonymous_is_sent_to_login_from_the_content_page(client, listing):
    response = client.get(_object_url(listing))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_content_page_shows_state_reports_and_verbs(client, moderator, listing):
    ReportFactory(target=listing, reason="scam", note="Wire transfer only")
    client.force_login(moderator)
    body = client.get(_object_url(listing)).content.decode()
    assert (
        "Wire transfer only" in body
        and ">Remove</button>" in body
        and ">Dismiss the reports (no action)</button>" in body
    )


def test_restore_from_the_content_page(client, moderator, listing):
    from kei_community.moderation.services import content_remove
    from marketplace.models import Listing

    content_remove(actor=moderator, target=listing, reason="Scam.")
    client.force_login(moderator)
    body = client.get(_object_url(listing)).content.decode()
    assert "Reason shown to the owner: Scam." in body and ">Restore</button>" in body
    response = client.post(_object_url(listing), {"action": "restore"})
    assert response.status_code == 302
    assert Listing.objects.get(pk=listing.pk).status == Listing.Status.ACTIVE


def test_an_unknown_verb_changes_nothing(client, moderator, listing):
    from marketplace.models import Listing

    client.force_login(moderator)
    response = client.post(_object_url(listing), {"action": "delete_everything", "reason": "x"})
    assert response.status_code == 400
    assert Listing.objects.get(pk=listing.pk).status == Listing.Status.ACTIVE


def test_remove_all_and_suspend_from_the_queue(client, moderator, listing, seller):
    from kei_community.moderation.sanctions import suspension_in_force
    from marketplace.models import Listing
    from tests.factories import ListingFactory

    ListingFactory(seller=seller)
    ReportFactory(target=listing, reason="scam")
    client.force_login(moderator)
    response = client.post(
        _object_url(listing),
        {"action": "remove_all_suspend", "reason": "Gift-card scam.", "duration": "indefinite", "next": "/moderation/"},
        follow=True,
    )
    assert "Removed 2 listings of Scammy Seller and suspended them." in response.content.decode()
    assert set(Listing.objects.filter(seller=seller).values_list("status", flat=True)) == {"removed"}
    suspension = suspension_in_force(seller)
    assert suspension is not None and suspension.ends_at is None


def test_suspend_until_a_date_from_the_member_page(client, moderator, seller):
    from datetime import date, timedelta

    from kei_community.moderation.sanctions import suspension_in_force

    client.force_login(moderator)
    until = date.today() + timedelta(days=10)
    response = client.post(
        reverse("moderation:member", args=[seller.pk]),
        {"action": "suspend", "reason": "Rude messages.", "duration": "until", "until": until.isoformat()},
    )
    assert response.status_code == 302
    assert suspension_in_force(seller).ends_at.date() == until


def test_suspend_until_without_a_date_is_a_form_error(client, moderator, seller):
    from kei_community.moderation.models import Sanction

    client.force_login(moderator)
    response = client.post(
        reverse("moderation:member", args=[seller.pk]), {"action": "suspend", "reason": "x", "duration": "until"}
    )
    assert response.status_code == 400
    assert "Choose the day the suspension ends." in response.content.decode()
    assert not Sanction.objects.exists()


def test_member_page_refuses_suspending_staff(client, moderator):
    from kei_community.moderation.models import Sanction
    from tests.factories import StaffFactory

    staff = StaffFactory()
    client.force_login(moderator)
    response = client.post(reverse("moderation:member", args=[staff.pk]), {"action": "suspend", "reason": "x"})
    assert response.status_code == 403
    assert "Staff accounts cannot be warned or suspended." in response.content.decode()
    assert not Sanction.objects.exists()


def test_member_page_lifts_a_suspension(client, moderator, seller):
    from kei_community.moderation.sanctions import suspension_in_force
    from kei_community.moderation.services import member_suspend

    member_suspend(actor=moderator, member=seller, reason="x")
    client.force_login(moderator)
    body = client.get(reverse("moderation:member", args=[seller.pk])).content.decode()
    assert ">Lift the suspension</button>" in body
    client.post(reverse("moderation:member", args=[seller.pk]), {"action": "unsuspend"})
    assert suspension_in_force(seller) is None


def test_member_cannot_open_a_member_page(client, user, seller):
    client.force_login(user)
    assert client.get(reverse("moderation:member", args=[seller.pk])).status_code == 403


# --- the content's own page ------------------------------------------------------------------------


def test_moderator_sees_the_tools_on_the_listing_page(client, moderator, listing):
    client.force_login(moderator)
    body = client.get(listing.get_absolute_url()).content.decode()
    assert 'aria-label="Moderate 1995 Daihatsu Hijet cheap"' in body
    assert ">Remove all their listings and suspend</button>" in body


def test_members_do_not_see_the_tools_on_the_listing_page(client, user, listing):
    client.force_login(user)
    body = client.get(listing.get_absolute_url()).content.decode()
    assert "Remove all their listings" not in body


def test_a_removed_listing_is_gone_for_the_public(client, moderator, listing):
    from kei_community.moderation.services import content_remove

    content_remove(actor=moderator, target=listing, reason="Asks for gift cards.")
    response = client.get(listing.get_absolute_url())
    assert response.status_code == 410
    body = response.content.decode()
    assert "This listing was removed" in body and "Asks for gift cards." not in body


def test_a_removed_listing_is_gone_for_other_members(client, moderator, listing, user):
    from kei_community.moderation.services import content_remove

    content_remove(actor=moderator, target=listing, reason="Asks for gift cards.")
    client.force_login(user)
    assert client.get(listing.get_absolute_url()).status_code == 410


def test_the_owner_still_sees_a_removed_listing_with_the_reason(client, moderator, listing, seller):
    from kei_community.moderation.services import content_remove

    content_remove(actor=moderator, target=listing, reason="Asks for gift cards.")
    client.force_login(seller)
    response = client.get(listing.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    assert "A moderator removed this listing" in body and "Reason: Asks for gift cards." in body


def test_moderators_still_see_a_removed_listing(client, moderator, listing):
    from kei_community.moderation.services import content_remove

    content_remove(actor=moderator, target=listing, reason="Asks for gift cards.")
    client.force_login(moderator)
    response = client.get(listing.get_absolute_url())
    assert response.status_code == 200 and "Reason: Asks for gift cards." in response.content.decode()


def test_a_cached_listing_page_is_gone_once_removed(client, moderator, listing):
    from kei_community.moderation.services import content_remove

    assert client.get(listing.get_absolute_url()).status_code == 200
    assert client.get(listing.get_absolute_url()).status_code == 200  # served from the page cache
    content_remove(actor=moderator, target=listing, reason="Scam.")
    assert client.get(listing.get_absolute_url()).status_code == 410


def test_a_cached_search_page_drops_a_removed_listing(client, moderator, listing):
    from kei_community.moderation.services import content_remove

    assert "1995 Daihatsu Hijet cheap" in client.get(reverse("marketplace:index")).content.decode()
    content_remove(actor=moderator, target=listing, reason="Scam.")
    assert "1995 Daihatsu Hijet cheap" not in client.get(reverse("marketplace:index")).content.decode()


def test_a_cached_home_page_drops_a_removed_listing(client, moderator, listing):
    from kei_community.moderation.services import content_remove

    assert "1995 Daihatsu Hijet cheap" in client.get("/").content.decode()
    content_remove(actor=moderator, target=listing, reason="Scam.")
    assert "1995 Daihatsu Hijet cheap" not in client.get("/").content.decode()


def test_a_removed_message_disappears_from_the_recipients_conversation(client, moderator, listing, seller):
    from kei_community.moderation.services import content_remove
    from marketplace.services import conversation_start

    buyer = UserFactory()
    conversation = conversation_start(buyer=buyer, listing=listing, body="Pay by gift card please.")
    content_remove(actor=moderator, target=conversation.messages.get(), reason="Payment scam.")
    client.force_login(seller)
    assert "Pay by gift card please." not in client.get(conversation.get_absolute_url()).content.decode()
    client.force_login(buyer)
    body = client.get(conversation.get_absolute_url()).content.decode()
    assert "Pay by gift card please." in body and "Reason: Payment scam." in body


# --- a suspended member ---------------------------------------------------------------------------


def test_a_suspended_member_sees_the_notice_with_reason_and_end_on_every_page(client, moderator, seller):
    from datetime import timedelta

    from django.utils import timezone

    from kei_community.moderation.services import member_suspend

    member_suspend(actor=moderator, member=seller, reason="Gift-card scam.", ends_at=timezone.now() + timedelta(days=3))
    client.force_login(seller)
    for url in ("/", reverse("marketplace:index"), reverse("forum:index")):
        body = client.get(url).content.decode()
        assert 'id="suspension-notice"' in body and "Your account is suspended until " in body
        assert "Reason: Gift-card scam." in body


def test_members_not_suspended_see_no_notice(client, user):
    client.force_login(user)
    assert 'id="suspension-notice"' not in client.get("/").content.decode()


def test_a_suspended_member_posting_a_listing_gets_403_with_the_reason(client, moderator, seller):
    from kei_community.moderation.services import member_suspend
    from tests.factories import listing_data

    member_suspend(actor=moderator, member=seller, reason="Gift-card scam.")
    client.force_login(seller)
    response = client.post(reverse("marketplace:listing-create"), listing_data())
    assert response.status_code == 403
    assert "Gift-card scam." in response.content.decode()


@pytest.mark.parametrize("rows", [3, 30])
def test_queue_with_listing_reports_keeps_a_constant_query_count(
    client, moderator, rows, django_assert_max_num_queries, monkeypatch
):
    from kei_community.moderation import registry
    from kei_community.moderation.services import content_remove
    from tests.factories import ListingFactory

    monkeypatch.setattr(registry, "_queue_sources", {})
    for i in range(rows):
        listing = ListingFactory()
        ReportFactory.create_batch(2, target=listing, reason="scam")
        if i % 3 == 0:
            content_remove(actor=moderator, target=listing, reason="Scam.")
            ReportFactory(target=listing, reason="scam")  # reported again (the API refuses it; the row exists)
    client.force_login(moderator)
    client.get(reverse("moderation:queue"))  # warm the content-type cache
    with django_assert_max_num_queries(14):
        response = client.get(reverse("moderation:queue"))
    assert response.status_code == 200
    assert response.content.decode().count(">Remove all their listings and suspend</button>") == min(rows, 20)


def test_moderators_get_a_moderate_link_on_forum_posts_and_members_do_not(client, moderator, user):
    from tests.factories import ForumPostFactory

    post = ForumPostFactory(body="Cheap parts at my site")
    url = _object_url(post)
    client.force_login(moderator)
    assert url in client.get(post.thread.get_absolute_url()).content.decode()
    client.force_login(user)
    assert url not in client.get(post.thread.get_absolute_url()).content.decode()


def test_moderator_removes_a_forum_post_with_a_reason_from_its_moderation_page(client, moderator):
    from forum.models import Post
    from kei_community.notifications.models import Notification
    from tests.factories import ForumPostFactory

    post = ForumPostFactory(body="Cheap parts at my site")
    client.force_login(moderator)
    response = client.post(_object_url(post), {"action": "remove", "reason": "Advertising."})
    assert response.status_code == 302
    assert Post.objects.get(pk=post.pk).is_deleted
    assert Notification.objects.get(recipient=post.author, kind="moderation_notice").body == "Reason: Advertising."


@pytest.mark.parametrize("rows", [2, 12])
def test_member_and_content_pages_keep_a_constant_query_count(client, moderator, rows, django_assert_max_num_queries):
    from kei_community.moderation.services import content_remove, member_warn
    from tests.factories import ListingFactory

    seller = UserFactory()
    listing = ListingFactory(seller=seller)
    for _ in range(rows):
        content_remove(actor=moderator, target=ListingFactory(seller=seller), reason="Scam.")
        member_warn(actor=moderator, member=seller, reason="Careful.")
        ReportFactory(target=listing, reason="scam")
    client.force_login(moderator)
    client.get(reverse("moderation:member", args=[seller.pk]))  # warm the content-type cache
    with django_assert_max_num_queries(12):
        assert client.get(reverse("moderation:member", args=[seller.pk])).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(_object_url(listing)).status_code == 200


def test_removed_then_restored_listing_vanishes_from_and_returns_to_cached_pages(client, moderator, listing, user):
    from kei_community.moderation.services import content_remove, content_restore

    client.force_login(user)
    for _ in range(2):  # the second read comes from the cached page data and search results
        assert client.get(listing.get_absolute_url()).status_code == 200
        assert "1995 Daihatsu Hijet cheap" in client.get(reverse("marketplace:index")).content.decode()
    content_remove(actor=moderator, target=listing, reason="Scam.")
    assert client.get(listing.get_absolute_url()).status_code == 410
    assert "1995 Daihatsu Hijet cheap" not in client.get(reverse("marketplace:index")).content.decode()
    content_restore(actor=moderator, target=listing)
    assert client.get(listing.get_absolute_url()).status_code == 200
    assert "1995 Daihatsu Hijet cheap" in client.get(reverse("marketplace:index")).content.decode()


def test_a_removed_photo_vanishes_from_the_cached_listing_page(client, moderator, listing, seller):
    from kei_community.media.services import photo_process
    from kei_community.moderation.services import content_remove
    from tests.factories import make_photo

    photo = make_photo(owner=listing, uploader=seller)
    photo_process(photo_id=photo.pk)
    photo.refresh_from_db()
    url = (
        photo.renditions["400"]["jpeg"] if "400" in photo.renditions else next(iter(photo.renditions.values()))["jpeg"]
    )
    assert url in client.get(listing.get_absolute_url()).content.decode()
    assert url in client.get(listing.get_absolute_url()).content.decode()  # cached
    content_remove(actor=moderator, target=photo, reason="Someone else's truck.")
    assert url not in client.get(listing.get_absolute_url()).content.decode()
