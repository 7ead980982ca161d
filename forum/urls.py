from django.urls import path

from forum import feeds, views

app_name = "forum"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.thread_create, name="thread-create"),
    path("search/", views.search, name="search"),
    path("bookmarks/", views.bookmarks, name="bookmarks"),
    path("preview/", views.preview, name="preview"),
    path("held/", views.held_queue, name="held"),
    path("feeds/latest.rss", feeds.LatestThreadsFeed(), name="feed-rss"),
    path("feeds/latest.atom", feeds.LatestThreadsAtom(), name="feed-atom"),
    path("c/<slug:slug>/", views.category_detail, name="category"),
    path("c/<slug:slug>/watch/", views.category_watch, name="category-watch"),
    path("c/<slug:slug>/feed.rss", feeds.CategoryThreadsFeed(), name="category-feed-rss"),
    path("c/<slug:slug>/feed.atom", feeds.CategoryThreadsAtom(), name="category-feed-atom"),
    path("t/<int:pk>/", views.thread_short, name="thread-short"),
    path("t/<int:pk>-<str:slug>/", views.thread_detail, name="thread"),
    path("t/<int:pk>/unread/", views.thread_first_unread, name="thread-unread"),
    path("t/<int:pk>/reply/", views.post_reply, name="reply"),
    path("t/<int:pk>/edit/", views.thread_edit, name="thread-edit"),
    path("t/<int:pk>/watch/", views.thread_watch, name="thread-watch"),
    path("t/<int:pk>/bookmark/", views.thread_bookmark, name="thread-bookmark"),
    path("t/<int:pk>/<str:action>/", views.thread_moderate, name="thread-moderate"),
    path("p/<int:pk>/", views.post_permalink, name="post"),
    path("p/<int:pk>/edit/", views.post_edit, name="post-edit"),
    path("p/<int:pk>/history/", views.post_history, name="post-history"),
    path("p/<int:pk>/delete/", views.post_delete, name="post-delete"),
    path("p/<int:pk>/restore/", views.post_restore, name="post-restore"),
    path("p/<int:pk>/approve/", views.post_approve, name="post-approve"),
    path("p/<int:pk>/react/", views.post_react, name="post-react"),
    path("p/<int:pk>/solve/", views.post_solve, name="post-solve"),
]
