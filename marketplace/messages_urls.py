from django.urls import path

from marketplace import views

# Mounted at /messages/. Namespace "conversations" so it never clashes with django.contrib.messages.
app_name = "conversations"
urlpatterns = [
    path("", views.conversation_list, name="inbox"),
    path("<id:pk>/", views.conversation_detail, name="detail"),
]
