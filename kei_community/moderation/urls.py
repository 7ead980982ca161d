from django.urls import path

from kei_community.moderation import views

app_name = "moderation"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("audit/", views.audit_log, name="audit"),
    path("report/<id:content_type_id>/<id:object_id>/", views.report_target, name="report"),
    path("review/<id:content_type_id>/<id:object_id>/", views.review_target, name="review"),
    path("reports/<id:pk>/review/", views.review_report, name="review_report"),
    path("content/<id:content_type_id>/<id:object_id>/", views.object_detail, name="object"),
    path("members/<id:pk>/", views.member_detail, name="member"),
]
