from django.urls import path

from marketplace import sell, views

app_name = "marketplace"

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", sell.sell_start, name="listing-create"),
    path("<id:pk>/sell/<slug:step>/", sell.sell_step, name="sell-step"),
    path("mine/", views.dashboard, name="dashboard"),
    path("favorites/", views.favorite_list, name="favorites"),
    path("saved-searches/", views.saved_search_list, name="saved-searches"),
    path("saved-searches/<id:pk>/", views.saved_search_change, name="saved-search-change"),
    path("prices/", views.price_comps, name="prices"),
    path("dealers/me/", views.dealer_edit, name="dealer-edit"),
    path("dealers/<slug:slug>/", views.dealer_detail, name="dealer-detail"),
    path("<id:pk>/", views.listing_redirect, name="listing-redirect"),
    path("<id:pk>-<slug:slug>/", views.listing_detail, name="listing-detail"),
    path("<id:pk>/edit/", views.listing_edit, name="listing-edit"),
    path("<id:pk>/photos/", views.listing_photos, name="listing-photos"),
    path("<id:pk>/photos/order/", views.listing_photos_order, name="listing-photos-order"),
    path("<id:pk>/photos/<id:photo_id>/", views.listing_photo_action, name="listing-photo-action"),
    path("<id:pk>/publish/", views.listing_publish, name="listing-publish"),
    path("<id:pk>/status/", views.listing_status, name="listing-status"),
    path("<id:pk>/delete/", views.listing_delete, name="listing-delete"),
    path("<id:pk>/favorite/", views.favorite_toggle, name="favorite-toggle"),
    path("<id:pk>/questions/", views.question_ask, name="question-ask"),
    path("<id:pk>/questions/<id:question_id>/answer/", views.question_answer, name="question-answer"),
    path("<id:pk>/contact/", views.contact_seller, name="contact"),
    path("<id:pk>/review/", views.listing_review, name="listing-review"),
]
