from django.urls import path, re_path

from stategide import checklist_views, views

app_name = "stategide"

CODE = r"(?P<code>[A-Za-z]{2})"

urlpatterns = [
    path("", views.index, name="index"),
    path("states.csv", views.index_csv, name="csv"),
    path("verify/", views.verify_queue, name="verify-queue"),
    path("checklist/", checklist_views.checklist_start, name="checklist-start"),
    path("how-this-guide-works/", views.about, name="about"),
    re_path(rf"^{CODE}/$", views.detail, name="detail"),
    re_path(rf"^{CODE}/history/$", views.history, name="history"),
    re_path(rf"^{CODE}/diff/$", views.diff, name="diff"),
    re_path(rf"^{CODE}/propose/$", views.propose, name="propose"),
    re_path(rf"^{CODE}/watch/$", views.watch, name="watch"),
    re_path(rf"^{CODE}/verify/$", views.verify, name="verify"),
    re_path(rf"^{CODE}/protect/$", views.protect, name="protect"),
    re_path(rf"^{CODE}/checklist/$", checklist_views.checklist, name="checklist"),
    re_path(rf"^{CODE}/events/add/$", views.event_add, name="event-add"),
    re_path(rf"^{CODE}/events/(?P<event_id>[0-9]+)/edit/$", views.event_edit, name="event-edit"),
    re_path(rf"^{CODE}/revisions/(?P<number>[0-9]+)/$", views.revision_detail, name="revision"),
    re_path(rf"^{CODE}/revisions/(?P<number>[0-9]+)/edit/$", views.edit_proposal, name="revision-edit"),
    re_path(rf"^{CODE}/revisions/(?P<number>[0-9]+)/rebase/$", views.rebase, name="revision-rebase"),
    re_path(rf"^{CODE}/revisions/(?P<number>[0-9]+)/review/$", views.review, name="review"),
    re_path(rf"^{CODE}/revisions/(?P<number>[0-9]+)/rollback/$", views.rollback, name="rollback"),
]
