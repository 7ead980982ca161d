from django.apps import AppConfig


class MarketplaceConfig(AppConfig):
    name = "marketplace"
    verbose_name = "Marketplace"

    def ready(self) -> None:
        from datetime import timedelta

        from celery.schedules import crontab

        from kei_community.celery import app
        from kei_community.core.registry import register
        from kei_community.media.registry import register_owner
        from kei_community.moderation.registry import register_queue_source, register_target
        from kei_community.notifications.registry import DAILY, IMMEDIATE, register_kind
        from marketplace import demo, hooks, services
        from marketplace.models import Listing, Question

        register_kind("message", "Messages about listings", IMMEDIATE, burst_noun="messages")
        register_kind("saved_search_match", "New listings for my saved searches", IMMEDIATE)
        register_kind("price_drop", "Price drops on my favourites", IMMEDIATE)
        register_kind("listing_expiring", "My listing is about to expire", IMMEDIATE)
        register_kind("listing_question", "Questions and answers on listings", DAILY)

        register_target(
            Listing, hide=services.listing_hide, restore=services.listing_restore, describe=hooks.describe_listing
        )
        register_target(
            Question, hide=services.question_hide, restore=services.question_restore, describe=hooks.describe_question
        )
        register_queue_source("marketplace", hooks.held_listings_queue)
        register_owner(Listing, can_manage=hooks.listing_photos_can_manage)

        register("home_sections", hooks.home_sections)
        register("site_search", hooks.site_search)
        register("truck_listings", hooks.truck_listings)
        register("state_listing_counts", hooks.state_listing_counts)
        register("seed_demo", demo.seed_listings, order=30)
        register("profile_sections", hooks.profile_section)

        app.conf.beat_schedule.update(
            {
                "marketplace-expire-listings": {
                    "task": "marketplace.tasks.expire_listings",
                    "schedule": timedelta(hours=1),
                },
                "marketplace-expiry-reminders": {
                    "task": "marketplace.tasks.send_expiry_reminders",
                    "schedule": timedelta(hours=1),
                },
                "marketplace-saved-search-digest": {
                    "task": "marketplace.tasks.send_saved_search_digests",
                    "schedule": crontab(hour=13, minute=0),
                },
                "marketplace-price-drop-sweep": {
                    "task": "marketplace.tasks.sweep_price_drops",
                    "schedule": timedelta(minutes=15),
                },
            }
        )
