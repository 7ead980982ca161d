from django.urls import path

from forum.api import views

urlpatterns = [
    path("forum/categories/", views.CategoryListView.as_view(), name="forum-category-list"),
    path("forum/threads/", views.ThreadListCreateView.as_view(), name="forum-thread-list"),
    path("forum/threads/<id:pk>/", views.ThreadDetailView.as_view(), name="forum-thread-detail"),
    path("forum/threads/<id:pk>/posts/", views.ThreadPostsView.as_view(), name="forum-thread-posts"),
    path("forum/threads/<id:pk>/watch/", views.ThreadWatchView.as_view(), name="forum-thread-watch"),
    path("forum/threads/<id:pk>/pin/", views.ThreadPinView.as_view(), name="forum-thread-pin"),
    path("forum/threads/<id:pk>/lock/", views.ThreadLockView.as_view(), name="forum-thread-lock"),
    path("forum/threads/<id:pk>/move/", views.ThreadMoveView.as_view(), name="forum-thread-move"),
    path("forum/posts/<id:pk>/", views.PostDetailView.as_view(), name="forum-post-detail"),
    path("forum/posts/<id:pk>/photos/", views.PostPhotoView.as_view(), name="forum-post-photos"),
    path("forum/posts/<id:pk>/reactions/", views.PostReactionView.as_view(), name="forum-post-reactions"),
]
