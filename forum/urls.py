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
    path("t/<id:pk>/", views.thread_short, name="thread-short"),
    path("t/<id:pk>-<str:slug>/", views.thread_detail, name="thread"),
    path("t/<id:pk>/unread/", views.thread_first_unread, name="thread-unread"),
    path("t/<id:pk>/reply/", views.post_reply, name="reply"),
    path("t/<id:pk>/edit/", views.thread_edit, name="thread-edit"),
    path("t/<id:pk>/watch/", views.thread_watch, name="thread-watch"),
    path("t/<id:pk>/bookmark/", views.thread_bookmark, name="thread-bookmark"),
    path("t/<id:pk>/<str:action>/", views.thread_moderate, name="thread-moderate"),
    path("p/<id:pk>/", views.post_permalink, name="post"),
    path("p/<id:pk>/edit/", views.post_edit, name="post-edit"),
    path("p/<id:pk>/history/", views.post_history, name="post-history"),
    path("p/<id:pk>/delete/", views.post_delete, name="post-delete"),
    path("p/<id:pk>/restore/", views.post_restore, name="post-restore"),
    path("p/<id:pk>/approve/", views.post_approve, name="post-approve"),
    path("p/<id:pk>/react/", views.post_react, name="post-react"),
    path("p/<id:pk>/solve/", views.post_solve, name="post-solve"),
]
