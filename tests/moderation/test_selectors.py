from datetime import timedelta

from django.utils import timezone

from kei_community.moderation import selectors
from tests.factories import ReportFactory, UserFactory


def test_open_reports_are_grouped_by_target_with_counts(target, reportable):
    other_target = UserFactory()
    ReportFactory.create_batch(3, target=target)
    ReportFactory(target=other_target)
    groups = list(selectors.open_report_groups())
    assert [(g["target_id"], g["report_count"]) for g in groups] == [(target.pk, 3), (other_target.pk, 1)]


def test_reason_filter_keeps_groups_with_that_reason(target, reportable):
    other_target = UserFactory()
    ReportFactory(target=target, reason="scam")
    ReportFactory(target=other_target, reason="spam")
    groups = list(selectors.open_report_groups(reason="scam"))
    assert [g["target_id"] for g in groups] == [target.pk]


def test_app_filter_uses_the_content_type_app(target, reportable):
    ReportFactory(target=target)
    assert len(selectors.open_report_groups(app="users")) == 1
    assert len(selectors.open_report_groups(app="marketplace")) == 0


def test_group_detail_describes_the_target_and_lists_reports(target, reportable):
    ReportFactory.create_batch(2, target=target, reason="offensive")
    (group,) = selectors.report_groups_detail(list(selectors.open_report_groups()))
    assert group.target["title"] == "Profile of Reported Member"
    assert len(group.reports) == 2
    assert group.reasons == ["Offensive"]


def test_awaiting_approval_collects_queue_sources_oldest_first(queue_source):
    now = timezone.now()
    queue_source.extend(
        [
            {"kind": "post", "title": "new", "url": "/a/", "created_at": now, "author": "x"},
            {"kind": "post", "title": "old", "url": "/b/", "created_at": now - timedelta(hours=2), "author": "y"},
        ]
    )
    items = [i for i in selectors.awaiting_approval() if i["app"] == "testapp"]
    assert [i["title"] for i in items] == ["old", "new"]


def test_awaiting_approval_filters_by_app(queue_source):
    queue_source.append({"kind": "post", "title": "t", "url": "/", "created_at": None, "author": "x"})
    assert selectors.awaiting_approval(app="nothing-here") == []
    assert len(selectors.awaiting_approval(app="testapp")) == 1


def test_content_type_label_resolves_only_registered_targets(db, reportable):
    assert selectors.content_type_for_label("users.user") is not None
    assert selectors.content_type_for_label("moderation.report") is None
    assert selectors.content_type_for_label("garbage") is None
