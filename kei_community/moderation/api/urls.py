from django.urls import path

from kei_community.moderation.api import views

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
]
