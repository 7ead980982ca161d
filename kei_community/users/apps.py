from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "kei_community.users"
    label = "users"
    verbose_name = "Users"

    def ready(self) -> None:
        from kei_community.core.registry import register
        from kei_community.users import demo

        register("seed_demo", demo.seed_users, order=0)
