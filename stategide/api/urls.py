from django.urls import path, re_path

from stategide.api import views

CODE = r"(?P<code>[A-Za-z]{2})"

urlpatterns = [
    path("states/", views.StateListView.as_view(), name="state-list"),
    re_path(rf"^states/{CODE}/$", views.StateDetailView.as_view(), name="state-detail"),
    re_path(rf"^states/{CODE}/revisions/$", views.RevisionListView.as_view(), name="state-revision-list"),
    re_path(rf"^states/{CODE}/events/$", views.EventListView.as_view(), name="state-event-list"),
    re_path(rf"^states/{CODE}/checklist/$", views.StateChecklistView.as_view(), name="state-checklist"),
    re_path(
        rf"^states/{CODE}/revisions/(?P<revision_id>[0-9]+)/approve/$",
        views.RevisionApproveView.as_view(),
        name="state-revision-approve",
    ),
    re_path(
        rf"^states/{CODE}/revisions/(?P<revision_id>[0-9]+)/reject/$",
        views.RevisionRejectView.as_view(),
        name="state-revision-reject",
    ),
    re_path(
        rf"^states/{CODE}/revisions/(?P<revision_id>[0-9]+)/rebase/$",
        views.RevisionRebaseView.as_view(),
        name="state-revision-rebase",
    ),
    re_path(rf"^states/{CODE}/verify/$", views.StateVerifyView.as_view(), name="state-verify"),
    re_path(rf"^states/{CODE}/protect/$", views.StateProtectView.as_view(), name="state-protect"),
    re_path(rf"^states/{CODE}/unprotect/$", views.StateUnprotectView.as_view(), name="state-unprotect"),
]
