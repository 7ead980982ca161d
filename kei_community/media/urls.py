from django.urls import path

from kei_community.media import views

app_name = "media"
urlpatterns = [
    path("avatar/", views.avatar, name="avatar"),
    path("<id:pk>/original/", views.original, name="original"),
]
