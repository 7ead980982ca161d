from django.urls import path

from kei_community.users import views

app_name = "users"

urlpatterns = [
    path("members/<id:pk>/", views.profile_detail, name="profile"),
    path("settings/profile/", views.profile_settings, name="settings"),
]
