from django.core.management.base import BaseCommand

from forum.services import counters_repair


class Command(BaseCommand):
    help = "Recompute the forum's denormalised thread and category counters."

    def handle(self, *args, **options):  # type: ignore[no-untyped-def]
        result = counters_repair()
        self.stdout.write(f"Repaired {result['threads']} threads and {result['categories']} categories.")
