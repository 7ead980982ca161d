import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from kei_community.moderation.models import AuditLogEntry, Report
from kei_community.moderation.services import (
    audit_record,
    report_create,
    report_create_for,
    report_dismiss,
    report_resolve,
    target_reports_close,
)
from kei_community.notifications.models import Notification
from tests.factories import ReportFactory, UserFactory


def test_member_can_report_registered_content(target, user):
    report = report_create(reporter=user, target=target, reason="spam", note="  buy now  ")
    assert report.status == Report.Status.OPEN
    assert report.note == "buy now"


def test_anonymous_cannot_report(target):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        report_create(reporter=AnonymousUser(), target=target, reason="spam")


@pytest.mark.django_db
def test_unregistered_content_cannot_be_reported(user, other_user):
    with pytest.raises(ValidationError):
        report_create(reporter=user, target=other_user, reason="spam")


def test_unknown_reason_is_rejected(target, user):
    with pytest.raises(ValidationError) as exc:
        report_create(reporter=user, target=target, reason="boring")
    assert "reason" in exc.value.message_dict


def test_one_open_report_per_member_per_target(target, user):
    report_create(reporter=user, target=target, reason="spam")
    with pytest.raises(ValidationError, match="already reported"):
        report_create(reporter=user, target=target, reason="scam")
    assert Report.objects.filter(reporter=user).count() == 1


def test_member_can_report_again_after_review(target, user, moderator):
    first = report_create(reporter=user, target=target, reason="spam")
    report_dismiss(actor=moderator, report=first)
    second = report_create(reporter=user, target=target, reason="scam")
    assert second.pk != first.pk


def test_content_is_hidden_after_n_distinct_reporters(target, reportable, settings):
    settings.REPORTS_TO_HIDE = 3
    for _ in range(2):
        report_create(reporter=UserFactory(), target=target, reason="spam")
    assert reportable.hidden == []
    report_create(reporter=UserFactory(), target=target, reason="offensive")
    assert reportable.hidden == [target.pk]


def test_report_for_unknown_object_id_is_a_validation_error(reportable, user):
    ct = ContentType.objects.get_for_model(user)
    with pytest.raises(ValidationError):
        report_create_for(reporter=user, content_type=ct, object_id=999_999, reason="spam")


def test_member_cannot_resolve_a_report(target, user, other_user):
    report = ReportFactory(target=target, reporter=other_user)
    with pytest.raises(PermissionDenied):
        report_resolve(actor=user, report=report, note="nope")
    report.refresh_from_db()
    assert report.status == Report.Status.OPEN


def test_member_cannot_dismiss_a_report(target, user, other_user):
    report = ReportFactory(target=target, reporter=other_user)
    with pytest.raises(PermissionDenied):
        report_dismiss(actor=user, report=report)
    report.refresh_from_db()
    assert report.status == Report.Status.OPEN


def test_moderator_without_mfa_cannot_resolve_when_mfa_is_required(target, moderator, user, settings):
    settings.MODERATION_REQUIRES_MFA = True
    report = ReportFactory(target=target, reporter=user)
    with pytest.raises(PermissionDenied, match="two-factor"):
        report_resolve(actor=moderator, report=report)


def test_resolve_writes_an_audit_entry(target, moderator, user):
    report = ReportFactory(target=target, reporter=user)
    report_resolve(actor=moderator, report=report, note="removed")
    entry = AuditLogEntry.objects.get()
    assert (entry.actor, entry.action, entry.target_id, entry.note) == (
        moderator,
        "report_resolved",
        report.pk,
        "removed",
    )
    assert entry.before == {"status": "open"} and entry.after == {"status": "resolved", "outcome": "resolved"}


def test_dismiss_writes_an_audit_entry(target, moderator, user):
    report = ReportFactory(target=target, reporter=user)
    report_dismiss(actor=moderator, report=report, note="fine")
    assert AuditLogEntry.objects.filter(actor=moderator, action="report_dismissed", target_id=report.pk).exists()


def test_reporter_is_notified_when_the_report_is_reviewed(target, moderator, user):
    report = ReportFactory(target=target, reporter=user)
    report_resolve(actor=moderator, report=report, note="Thanks, removed.")
    notification = Notification.objects.get(recipient=user)
    assert notification.kind == "report_resolved"
    assert notification.body == "Thanks, removed."


def test_a_report_cannot_be_reviewed_twice(target, moderator, user):
    report = ReportFactory(target=target, reporter=user)
    report_resolve(actor=moderator, report=report)
    with pytest.raises(ValidationError, match="already reviewed"):
        report_dismiss(actor=moderator, report=report)


def test_dismissing_the_last_open_report_restores_hidden_content(target, reportable, moderator, user):
    report = ReportFactory(target=target, reporter=user)
    report_dismiss(actor=moderator, report=report)
    assert reportable.restored == [target.pk]


def test_dismissing_one_of_several_open_reports_keeps_content_hidden(target, reportable, moderator, user, other_user):
    report = ReportFactory(target=target, reporter=user)
    ReportFactory(target=target, reporter=other_user)
    report_dismiss(actor=moderator, report=report)
    assert reportable.restored == []


def test_closing_a_target_resolves_every_open_report_on_it(target, moderator):
    ReportFactory.create_batch(3, target=target)
    ct = ContentType.objects.get_for_model(target)
    closed = target_reports_close(actor=moderator, content_type=ct, object_id=target.pk, decision="resolve", note="ok")
    assert len(closed) == 3
    assert not Report.objects.filter(status=Report.Status.OPEN).exists()
    assert AuditLogEntry.objects.filter(action="report_resolved").count() == 3


def test_member_cannot_close_a_target(target, user):
    ReportFactory(target=target)
    ct = ContentType.objects.get_for_model(target)
    with pytest.raises(PermissionDenied):
        target_reports_close(actor=user, content_type=ct, object_id=target.pk, decision="dismiss")


def test_audit_entries_are_append_only(moderator):
    entry = audit_record(actor=moderator, action="thing_done", note="x")
    entry.note = "changed"
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


def test_racing_duplicate_report_is_caught_by_the_database_constraint(target, user, monkeypatch):
    from kei_community.moderation import services

    report_create(reporter=user, target=target, reason="spam")
    # Simulate a second request that passed the "already reported?" check before the first committed.
    monkeypatch.setattr(services, "_open_reports", lambda target: Report.objects.none())
    with pytest.raises(ValidationError, match="already reported"):
        report_create(reporter=user, target=target, reason="scam")
    assert Report.objects.filter(reporter=user).count() == 1


def test_a_report_decided_by_another_moderator_meanwhile_is_not_closed_twice(target, moderator, user):
    report = ReportFactory(target=target, reporter=user)
    stale_copy = Report.objects.get(pk=report.pk)  # loaded by a second moderator before the first decided
    report_resolve(actor=moderator, report=report, note="removed")
    with pytest.raises(ValidationError, match="already reviewed"):
        report_dismiss(actor=UserFactory(is_staff=True), report=stale_copy, note="fine")
    stale_copy.refresh_from_db()
    assert stale_copy.status == Report.Status.RESOLVED
    assert AuditLogEntry.objects.count() == 1
    assert Notification.objects.filter(kind="report_resolved", recipient=user).count() == 1


# --- moderator verbs on real content (issue 12) ------------------------------------------------------


@pytest.fixture
def seller(db):
    return UserFactory(display_name="Scammy Seller")


@pytest.fixture
def listing(seller):
    from tests.factories import ListingFactory

    return ListingFactory(seller=seller, title="1995 Daihatsu Hijet cheap")


def _reload(obj):
    return type(obj).objects.get(pk=obj.pk)


def test_remove_takes_a_listing_down_and_records_the_reason(moderator, listing):
    from kei_community.moderation.services import content_remove
    from marketplace.models import Listing

    removal = content_remove(actor=moderator, target=listing, reason="Asks for gift cards.")
    assert _reload(listing).status == Listing.Status.REMOVED
    assert (removal.reason, removal.owner, removal.removed_by, removal.state) == (
        "Asks for gift cards.",
        listing.seller,
        moderator,
        {"status": "active"},
    )
    entry = AuditLogEntry.objects.get(action="content_remove")
    assert (entry.actor, entry.target_id, entry.note) == (moderator, listing.pk, "Asks for gift cards.")


def test_a_removed_listing_leaves_search_home_and_lists_at_once(moderator, listing):
    from kei_community.moderation.services import content_remove
    from marketplace import selectors

    assert listing in selectors.listing_public_qs()
    content_remove(actor=moderator, target=listing, reason="Scam.")
    assert listing not in selectors.listing_public_qs()
    assert listing.pk not in [o.pk for o in selectors.newest_listings()]
    assert selectors.listing_search(params={}).total == 0


def test_remove_closes_the_reports_and_tells_each_reporter_removed(moderator, listing):
    from kei_community.moderation.services import content_remove

    first, second = ReportFactory.create_batch(2, target=listing, reason="scam")
    content_remove(actor=moderator, target=listing, reason="Scam.", note="Thanks for telling us.")
    for report in (first, second):
        report.refresh_from_db()
        assert (report.status, report.outcome) == (Report.Status.RESOLVED, Report.Outcome.REMOVED)
        notice = Notification.objects.get(recipient=report.reporter, kind="report_resolved")
        assert notice.title == "Your report was reviewed: removed"
        assert notice.body == "Thanks for telling us."


def test_remove_tells_the_owner_what_was_removed_and_why(moderator, listing, seller):
    from kei_community.moderation.services import content_remove

    content_remove(actor=moderator, target=listing, reason="Asks for gift cards.")
    notice = Notification.objects.get(recipient=seller, kind="moderation_notice")
    assert "listing" in notice.title and "1995 Daihatsu Hijet cheap" in notice.title
    assert notice.body == "Reason: Asks for gift cards."
    assert notice.url == listing.get_absolute_url()


def test_remove_needs_a_reason(moderator, listing):
    from kei_community.moderation.services import content_remove
    from marketplace.models import Listing

    with pytest.raises(ValidationError) as exc:
        content_remove(actor=moderator, target=listing, reason="   ")
    assert "reason" in exc.value.message_dict
    assert _reload(listing).status == Listing.Status.ACTIVE


def test_member_cannot_remove(user, listing):
    from kei_community.moderation.models import Removal
    from kei_community.moderation.services import content_remove
    from marketplace.models import Listing

    with pytest.raises(PermissionDenied):
        content_remove(actor=user, target=listing, reason="I do not like it.")
    assert _reload(listing).status == Listing.Status.ACTIVE
    assert not Removal.objects.exists()


def test_removing_twice_is_refused(moderator, listing):
    from kei_community.moderation.services import content_remove

    content_remove(actor=moderator, target=listing, reason="Scam.")
    with pytest.raises(ValidationError, match="already removed"):
        content_remove(actor=moderator, target=_reload(listing), reason="Scam again.")


def test_restore_undoes_remove(moderator, listing, seller):
    from kei_community.moderation.services import content_remove, content_restore
    from marketplace import selectors
    from marketplace.models import Listing

    content_remove(actor=moderator, target=listing, reason="Scam.")
    removal = content_restore(actor=moderator, target=_reload(listing), note="We were wrong, sorry.")
    assert _reload(listing).status == Listing.Status.ACTIVE
    assert listing in selectors.listing_public_qs()
    assert removal.restored_by == moderator and removal.restored_at is not None
    assert AuditLogEntry.objects.filter(action="content_restore", target_id=listing.pk).exists()
    assert Notification.objects.filter(recipient=seller, title__startswith="A moderator restored").exists()


def test_restore_of_content_not_removed_is_refused(moderator, listing):
    from kei_community.moderation.services import content_restore

    with pytest.raises(ValidationError, match="not removed"):
        content_restore(actor=moderator, target=listing)


def test_member_cannot_restore(moderator, user, listing):
    from kei_community.moderation.services import content_remove, content_restore
    from marketplace.models import Listing

    content_remove(actor=moderator, target=listing, reason="Scam.")
    with pytest.raises(PermissionDenied):
        content_restore(actor=user, target=_reload(listing))
    assert _reload(listing).status == Listing.Status.REMOVED


def test_removed_content_cannot_be_reported(moderator, user, listing):
    from kei_community.moderation.services import content_remove

    content_remove(actor=moderator, target=listing, reason="Scam.")
    with pytest.raises(ValidationError, match="already removed"):
        report_create(reporter=user, target=_reload(listing), reason="scam")


def test_resolving_a_report_on_a_listing_still_up_is_refused(moderator, listing, user):
    from marketplace.models import Listing

    report = ReportFactory(target=listing, reporter=user, reason="scam")
    with pytest.raises(ValidationError, match="still up"):
        report_resolve(actor=moderator, report=report)
    report.refresh_from_db()
    assert report.status == Report.Status.OPEN
    assert _reload(listing).status == Listing.Status.ACTIVE
    assert not Notification.objects.filter(recipient=user).exists()


def test_dismissing_tells_the_reporter_no_action(moderator, listing, user):
    report = ReportFactory(target=listing, reporter=user)
    report_dismiss(actor=moderator, report=report)
    report.refresh_from_db()
    assert report.outcome == Report.Outcome.NO_ACTION
    assert Notification.objects.get(recipient=user).title == "Your report was reviewed: no action"


def test_remove_and_restore_a_question(moderator, listing):
    from kei_community.moderation.services import content_remove, content_restore
    from marketplace import selectors
    from marketplace.services import question_ask

    asker = UserFactory()
    question = question_ask(asker=asker, listing=listing, body="Is the title clean?")
    content_remove(actor=moderator, target=question, reason="Off-topic advertising.")
    assert list(selectors.listing_get_for_detail(pk=listing.pk).questions.all()) == []
    assert Notification.objects.filter(recipient=asker, kind="moderation_notice", title__contains="question").exists()
    content_restore(actor=moderator, target=_reload(question))
    assert list(selectors.listing_get_for_detail(pk=listing.pk).questions.all()) == [question]


def test_a_removed_message_is_gone_for_the_recipient_and_marked_for_its_sender(moderator, listing, seller):
    from kei_community.moderation.services import content_remove
    from marketplace import selectors
    from marketplace.services import conversation_start

    buyer = UserFactory()
    conversation = conversation_start(buyer=buyer, listing=listing, body="Pay by gift card and I ship it.")
    message = conversation.messages.get()
    content_remove(actor=moderator, target=message, reason="Payment scam.")
    for_seller = selectors.conversation_get_for(user=seller, pk=conversation.pk)
    assert selectors.conversation_messages(conversation=for_seller, viewer=seller) == []
    for_buyer = selectors.conversation_get_for(user=buyer, pk=conversation.pk)
    shown = selectors.conversation_messages(conversation=for_buyer, viewer=buyer)
    assert [m.removed_reason for m in shown] == ["Payment scam."]


def test_remove_and_restore_a_photo_keeps_its_place(moderator, listing, seller):
    from kei_community.moderation.services import content_remove, content_restore
    from tests.factories import make_photo

    cover = make_photo(owner=listing, uploader=seller)
    second = make_photo(owner=listing, uploader=seller)
    content_remove(actor=moderator, target=cover, reason="A photo of someone else's truck.")
    photos = list(_reload(listing).photos.all())
    assert photos == [second] and photos[0].is_cover
    content_restore(actor=moderator, target=_reload(cover))
    photos = list(_reload(listing).photos.order_by("position"))
    assert photos == [cover, second]
    assert [p.is_cover for p in photos] == [True, False]


def test_remove_and_restore_a_forum_post(moderator):
    from forum.models import Post
    from kei_community.moderation.services import content_remove, content_restore
    from tests.factories import ForumPostFactory

    post = ForumPostFactory(body="Buy cheap parts at my site")
    content_remove(actor=moderator, target=post, reason="Spam.")
    assert Post.objects.get(pk=post.pk).is_deleted
    assert Notification.objects.filter(recipient=post.author, kind="moderation_notice").exists()
    content_restore(actor=moderator, target=Post.objects.get(pk=post.pk))
    assert not Post.objects.get(pk=post.pk).is_deleted


# --- warnings and suspensions ---------------------------------------------------------------------


def test_warn_records_and_tells_the_member(moderator, seller):
    from kei_community.moderation.models import Sanction
    from kei_community.moderation.services import member_warn

    warning = member_warn(actor=moderator, member=seller, reason="Be civil.")
    assert (warning.kind, warning.member, warning.created_by) == (Sanction.Kind.WARNING, seller, moderator)
    assert Notification.objects.get(recipient=seller, kind="moderation_notice").body == "Reason: Be civil."
    assert AuditLogEntry.objects.filter(action="member_warn", target_id=seller.pk).exists()


def test_warn_about_reported_content_tells_the_reporter_the_member_was_warned(moderator, seller, listing, user):
    from kei_community.moderation.services import member_warn

    report = ReportFactory(target=listing, reporter=user)
    member_warn(actor=moderator, member=seller, reason="Describe the rust honestly.", about=listing)
    report.refresh_from_db()
    assert report.outcome == Report.Outcome.WARNED
    assert Notification.objects.get(recipient=user).title == "Your report was reviewed: the member was warned"


def test_suspend_takes_the_members_listings_out_of_search_at_once(moderator, seller, listing):
    from kei_community.moderation.services import member_suspend
    from marketplace import selectors

    assert selectors.listing_search(params={}).total == 1  # cached now
    member_suspend(actor=moderator, member=seller, reason="Scam reports.")
    assert listing not in selectors.listing_public_qs()
    assert selectors.listing_search(params={}).total == 0


def test_suspend_tells_the_member_the_reason_and_the_end(moderator, seller):
    from datetime import timedelta

    from django.utils import timezone

    from kei_community.moderation.services import member_suspend

    ends = timezone.now() + timedelta(days=7)
    suspension = member_suspend(actor=moderator, member=seller, reason="Scam reports.", ends_at=ends)
    assert suspension.ends_at == ends
    notice = Notification.objects.get(recipient=seller, kind="moderation_notice")
    assert notice.title.startswith("Your account is suspended until ")
    assert "Scam reports." in notice.body
    entry = AuditLogEntry.objects.get(action="member_suspend")
    assert entry.after == {"suspended_until": ends.isoformat()}


def test_suspension_can_be_indefinite(moderator, seller):
    from kei_community.moderation.sanctions import suspension_in_force
    from kei_community.moderation.services import member_suspend

    member_suspend(actor=moderator, member=seller, reason="Scam.")
    suspension = suspension_in_force(seller)
    assert suspension is not None and suspension.ends_at is None
    assert "until a moderator lifts it" in Notification.objects.get(recipient=seller).title


def test_suspension_ending_in_the_past_is_refused(moderator, seller):
    from datetime import timedelta

    from django.utils import timezone

    from kei_community.moderation.services import member_suspend

    with pytest.raises(ValidationError) as exc:
        member_suspend(actor=moderator, member=seller, reason="x", ends_at=timezone.now() - timedelta(hours=1))
    assert "ends_at" in exc.value.message_dict


def test_a_suspension_ends_by_itself(moderator, seller):
    from datetime import timedelta

    from django.utils import timezone

    from kei_community.moderation.sanctions import check_not_suspended
    from kei_community.moderation.services import member_suspend

    suspension = member_suspend(actor=moderator, member=seller, reason="x", ends_at=timezone.now() + timedelta(days=1))
    suspension.__class__.objects.filter(pk=suspension.pk).update(ends_at=timezone.now() - timedelta(seconds=1))
    check_not_suspended(seller)  # no exception


def test_member_cannot_suspend(user, seller):
    from kei_community.moderation.models import Sanction
    from kei_community.moderation.services import member_suspend

    with pytest.raises(PermissionDenied):
        member_suspend(actor=user, member=seller, reason="I do not like them.")
    assert not Sanction.objects.exists()


def test_moderator_cannot_suspend_staff(moderator):
    from kei_community.moderation.services import member_suspend
    from tests.factories import StaffFactory

    with pytest.raises(PermissionDenied, match="Staff"):
        member_suspend(actor=moderator, member=StaffFactory(), reason="x")


def test_moderator_cannot_suspend_themselves(moderator):
    from kei_community.moderation.services import member_suspend

    with pytest.raises(PermissionDenied, match="yourself"):
        member_suspend(actor=moderator, member=moderator, reason="x")


def test_only_staff_can_suspend_a_moderator(moderator):
    from kei_community.moderation.services import member_suspend
    from tests.factories import ModeratorFactory, StaffFactory

    other = ModeratorFactory()
    with pytest.raises(PermissionDenied, match="Only staff"):
        member_suspend(actor=moderator, member=other, reason="x")
    member_suspend(actor=StaffFactory(), member=other, reason="x")


def test_moderator_cannot_warn_staff_or_themselves(moderator):
    from kei_community.moderation.services import member_warn
    from tests.factories import StaffFactory

    for member in (StaffFactory(), moderator):
        with pytest.raises(PermissionDenied):
            member_warn(actor=moderator, member=member, reason="x")


def test_suspending_again_replaces_the_suspension(moderator, seller):
    from kei_community.moderation.models import Sanction
    from kei_community.moderation.sanctions import suspension_in_force
    from kei_community.moderation.services import member_suspend

    first = member_suspend(actor=moderator, member=seller, reason="first")
    second = member_suspend(actor=moderator, member=seller, reason="second")
    assert suspension_in_force(seller) == second
    assert Sanction.objects.get(pk=first.pk).lifted_at is not None


def test_unsuspend_lifts_the_suspension_and_listings_come_back(moderator, seller, listing):
    from kei_community.moderation.sanctions import suspension_in_force
    from kei_community.moderation.services import member_suspend, member_unsuspend
    from marketplace import selectors

    member_suspend(actor=moderator, member=seller, reason="Scam reports.")
    assert selectors.listing_search(params={}).total == 0
    member_unsuspend(actor=moderator, member=seller, note="Cleared up.")
    assert suspension_in_force(seller) is None
    assert selectors.listing_search(params={}).total == 1
    assert AuditLogEntry.objects.filter(action="member_unsuspend").exists()


def test_unsuspend_of_a_member_not_suspended_is_refused(moderator, seller):
    from kei_community.moderation.services import member_unsuspend

    with pytest.raises(ValidationError, match="not suspended"):
        member_unsuspend(actor=moderator, member=seller)


def test_member_cannot_unsuspend(moderator, user, seller):
    from kei_community.moderation.services import member_suspend, member_unsuspend

    member_suspend(actor=moderator, member=seller, reason="x")
    with pytest.raises(PermissionDenied):
        member_unsuspend(actor=user, member=seller)


# --- all of a member's listings at once --------------------------------------------------------------


def test_remove_all_listings_and_suspend_in_one_action(moderator, seller, listing, user):
    from kei_community.moderation.models import Removal
    from kei_community.moderation.sanctions import suspension_in_force
    from kei_community.moderation.services import member_content_remove
    from marketplace.models import Listing
    from tests.factories import ListingFactory

    others = [ListingFactory(seller=seller), ListingFactory(seller=seller, publish=False)]
    bystander = ListingFactory()
    report = ReportFactory(target=listing, reporter=user, reason="scam")
    result = member_content_remove(
        actor=moderator, member=seller, reason="Gift-card scam.", suspend=True, about=listing
    )
    assert len(result.removals) == 3
    assert set(Listing.objects.filter(seller=seller).values_list("status", flat=True)) == {"removed"}
    assert _reload(bystander).status == Listing.Status.ACTIVE
    assert set(Removal.objects.values_list("reason", flat=True)) == {"Gift-card scam."}
    assert suspension_in_force(seller).reason == "Gift-card scam."
    report.refresh_from_db()
    assert report.outcome == Report.Outcome.REMOVED
    titles = set(Notification.objects.filter(recipient=seller).values_list("title", flat=True))
    assert "A moderator removed your content: 3 listings" in titles
    assert any(t.startswith("Your account is suspended") for t in titles)
    assert [o.pk for o in others]  # both removed above


def test_member_cannot_remove_all_listings(user, seller, listing):
    from kei_community.moderation.services import member_content_remove
    from marketplace.models import Listing

    with pytest.raises(PermissionDenied):
        member_content_remove(actor=user, member=seller, reason="x", suspend=True)
    assert _reload(listing).status == Listing.Status.ACTIVE


# --- a suspended member cannot write anything ---------------------------------------------------------


def _write_listing_create(member, listing):
    from marketplace.services import listing_create
    from tests.factories import listing_data

    listing_create(seller=member, data=listing_data())


def _write_listing_update(member, listing):
    from marketplace.services import listing_update

    listing_update(actor=member, listing=listing, data={"price": 100})


def _write_listing_publish(member, listing):
    from marketplace.services import listing_publish

    listing_publish(actor=member, listing=listing)


def _write_listing_photo(member, listing):
    from marketplace.services import listing_photo_add
    from tests.factories import make_upload

    listing_photo_add(actor=member, listing=listing, upload=make_upload())


def _write_message(member, listing):
    from marketplace.services import conversation_start

    conversation_start(buyer=member, listing=ListingFactory_(), body="Still for sale?")


def _write_reply_to_buyer(member, listing):
    from marketplace.services import conversation_start, message_send

    conversation = conversation_start(buyer=UserFactory(), listing=listing, body="Still for sale?")
    _suspend(member)
    message_send(sender=member, conversation=conversation, body="Yes, pay by gift card.")


def _write_question(member, listing):
    from marketplace.services import question_ask

    question_ask(asker=member, listing=ListingFactory_(), body="Is the title clean?")


def _write_answer(member, listing):
    from marketplace.services import question_answer, question_ask

    question = question_ask(asker=UserFactory(), listing=listing, body="Is the title clean?")
    _suspend(member)
    question_answer(actor=member, question=question, answer="Yes.")


def _write_thread(member, listing):
    from forum.services import thread_create
    from tests.factories import forum_category

    thread_create(author=member, category=forum_category(), title="My build", body="Hello")


def _write_reply(member, listing):
    from forum.services import post_create
    from tests.factories import ForumThreadFactory

    post_create(author=member, thread=ForumThreadFactory(), body="Same here")


def _write_post_edit(member, listing):
    from forum.services import post_edit
    from tests.factories import ForumPostFactory

    post = ForumPostFactory(author=member)
    _suspend(member)
    post_edit(actor=member, post=post, body="Edited")


def _write_reaction(member, listing):
    from forum.services import reaction_toggle
    from tests.factories import ForumPostFactory

    reaction_toggle(user=member, post=ForumPostFactory(), kind="helpful")


def _write_post_photo(member, listing):
    from forum.services import post_add_photo
    from tests.factories import ForumPostFactory, make_upload

    post = ForumPostFactory(author=member)
    _suspend(member)
    post_add_photo(actor=member, post=post, upload=make_upload())


def ListingFactory_():  # noqa: N802 - a listing by someone else
    from tests.factories import ListingFactory

    return ListingFactory()


def _suspend(member):
    from kei_community.moderation.services import member_suspend
    from tests.factories import StaffFactory

    member_suspend(actor=StaffFactory(), member=member, reason="Gift-card scam.")


WRITES = [
    _write_listing_create,
    _write_listing_update,
    _write_listing_publish,
    _write_listing_photo,
    _write_message,
    _write_reply_to_buyer,
    _write_question,
    _write_answer,
    _write_thread,
    _write_reply,
    _write_post_edit,
    _write_reaction,
    _write_post_photo,
]


@pytest.mark.parametrize("write", WRITES, ids=[w.__name__.removeprefix("_write_") for w in WRITES])
def test_a_suspended_member_is_refused_every_write(db, write):
    from tests.factories import ListingFactory

    member = UserFactory()
    listing = ListingFactory(seller=member, publish=write is not _write_listing_publish)
    if write not in (_write_reply_to_buyer, _write_answer, _write_post_edit, _write_post_photo):
        _suspend(member)
    with pytest.raises(PermissionDenied, match="suspended until a moderator lifts it. Reason: Gift-card scam."):
        write(member, listing)


def test_a_member_not_suspended_is_let_through_with_the_page_users_annotation_and_no_query(
    user, django_assert_num_queries
):
    from kei_community.moderation.sanctions import check_not_suspended
    from kei_community.users.selectors import user_with_header_state

    loaded = user_with_header_state(user.pk)
    with django_assert_num_queries(0):
        check_not_suspended(loaded)


def test_the_page_users_annotation_names_their_suspension(user):
    from kei_community.moderation.sanctions import check_not_suspended
    from kei_community.users.selectors import user_with_header_state

    _suspend(user)
    loaded = user_with_header_state(user.pk)
    assert loaded.active_suspension_id is not None
    with pytest.raises(PermissionDenied):
        check_not_suspended(loaded)


def test_the_owner_is_emailed_what_was_removed_and_why(
    moderator, listing, seller, mailoutbox, django_capture_on_commit_callbacks
):
    from kei_community.moderation.services import content_remove

    with django_capture_on_commit_callbacks(execute=True):
        content_remove(actor=moderator, target=listing, reason="Asks for gift cards.")
    sent = [m for m in mailoutbox if seller.email in m.to]
    assert len(sent) == 1
    assert "1995 Daihatsu Hijet cheap" in sent[0].subject and "Asks for gift cards." in sent[0].body


def test_the_owner_who_chose_no_email_gets_only_the_notification(
    moderator, listing, seller, mailoutbox, django_capture_on_commit_callbacks
):
    from kei_community.moderation.services import content_remove
    from kei_community.notifications.models import NotificationPreference

    NotificationPreference.objects.create(user=seller, kind="moderation_notice", delivery="off")
    with django_capture_on_commit_callbacks(execute=True):
        content_remove(actor=moderator, target=listing, reason="Asks for gift cards.")
    assert not [m for m in mailoutbox if seller.email in m.to]
    assert Notification.objects.filter(recipient=seller, kind="moderation_notice").exists()
