from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "kei_community.users"
    label = "users"
    verbose_name = "Users"

    def ready(self) -> None:
        from kei_community.core.registry import register
        from kei_community.media.registry import register_owner
        from kei_community.users import demo
        from kei_community.users.models import User
        from kei_community.users.permissions import is_self

        # A member's own photos (the avatar): only that member manages them.
        register_owner(User, can_manage=is_self)

        register("seed_demo", demo.seed_users, order=0)
