from django.urls import path

from stategide import views

app_name = "stategide"

urlpatterns = [
    path("", views.index, name="index"),
]
