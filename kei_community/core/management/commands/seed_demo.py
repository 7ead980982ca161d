from django.core.management.base import BaseCommand

from kei_community.core.registry import get_hooks


class Command(BaseCommand):
    help = "Create demo members, a moderator and demo content through the services (idempotent)."

    def handle(self, *args: object, **options: object) -> None:
        for seeder in get_hooks("seed_demo"):
            seeder(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo content ready."))
