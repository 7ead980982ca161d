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
        from kei_community.moderation.registry import register_member_listener, register_queue_source, register_target
        from kei_community.notifications.registry import DAILY, IMMEDIATE, register_kind
        from marketplace import demo, hooks, selectors, services
        from marketplace.models import Listing, Message, Question

        register_kind("message", "Messages about listings", IMMEDIATE, burst_noun="messages")
        register_kind("saved_search_match", "New listings for my saved searches", IMMEDIATE)
        register_kind("price_drop", "Price drops on my favourites", IMMEDIATE)
        register_kind("listing_expiring", "My listing is about to expire", IMMEDIATE)
        register_kind("listing_question", "Questions and answers on listings", DAILY)

        register_target(
            Listing,
            hide=services.listing_hide,
            restore=services.listing_restore,
            describe=hooks.describe_listing,
            noun="listing",
            owner="seller",
            remove=services.listing_take_down,
            unremove=services.listing_put_back,
            member_content=selectors.member_listings_not_removed,
            changed=services.listing_photos_changed,
        )
        register_target(
            Question,
            hide=services.question_hide,
            restore=services.question_restore,
            describe=hooks.describe_question,
            noun="question",
            owner="asker",
            related=("listing",),
            remove=services.question_take_down,
            unremove=services.question_put_back,
        )
        register_target(
            Message,
            hide=lambda message: None,  # private: reports alone never hide a message; a moderator removes it
            restore=lambda message: None,
            describe=hooks.describe_message,
            noun="message",
            owner="sender",
            related=("conversation__listing",),
            remove=services.message_take_down,
            unremove=services.message_put_back,
        )
        register_member_listener("marketplace", services.member_moderated)
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
