from django.core.management.base import BaseCommand
from django.db import transaction

from kei_community.core.registry import get_hooks


class Command(BaseCommand):
    help = "Load the kei catalog and the 51 state guide entries from data files in the project (idempotent)."

    def handle(self, *args: object, **options: object) -> None:
        loaders = get_hooks("reference_data")
        if not loaders:
            self.stdout.write("No reference data loaders are registered.")
        for loader in loaders:
            with transaction.atomic():
                loader(self.stdout)
        self.stdout.write(self.style.SUCCESS("Reference data loaded."))
