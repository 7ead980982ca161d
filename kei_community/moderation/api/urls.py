from django.urls import path

from kei_community.moderation.api import views

content = "moderation/content/<str:target_type>/<id:target_id>/"
member = "moderation/members/<id:pk>/"

urlpatterns = [
    path("reports/", views.ReportCreateView.as_view(), name="report-create"),
    path("moderation/reports/", views.ModeratorReportListView.as_view(), name="moderation-report-list"),
    path(
        "moderation/reports/<id:pk>/resolve/",
        views.ModeratorReportResolveView.as_view(),
        name="moderation-report-resolve",
    ),
    path(
        "moderation/reports/<id:pk>/dismiss/",
        views.ModeratorReportDismissView.as_view(),
        name="moderation-report-dismiss",
    ),
    path(content, views.ModerationContentView.as_view(), name="moderation-content"),
    path(f"{content}remove/", views.ModerationContentRemoveView.as_view(), name="moderation-content-remove"),
    path(f"{content}restore/", views.ModerationContentRestoreView.as_view(), name="moderation-content-restore"),
    path(member, views.ModerationMemberView.as_view(), name="moderation-member"),
    path(f"{member}warn/", views.ModerationMemberWarnView.as_view(), name="moderation-member-warn"),
    path(f"{member}suspend/", views.ModerationMemberSuspendView.as_view(), name="moderation-member-suspend"),
    path(f"{member}unsuspend/", views.ModerationMemberUnsuspendView.as_view(), name="moderation-member-unsuspend"),
    path(
        f"{member}remove-listings/",
        views.ModerationMemberRemoveContentView.as_view(),
        name="moderation-member-remove-listings",
    ),
    path("moderation/removals/", views.ModerationRemovalListView.as_view(), name="moderation-removal-list"),
    path("moderation/suspensions/", views.ModerationSuspensionListView.as_view(), name="moderation-suspension-list"),
]
