"""Re-run the photo pipeline: `manage.py reprocess_photos [--all] [--ids 1 2 3] [--enqueue]`.

By default it processes pending, processing and failed photos in this process and
shows a progress bar; --all includes ready photos (e.g. after changing widths);
--enqueue sends them to the Celery workers instead.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kei_community.media import selectors, services


def progress_bar(done: int, total: int, width: int = 30) -> str:
    filled = int(width * done / total) if total else width
    percent = int(100 * done / total) if total else 100
    return f"[{'#' * filled}{'-' * (width - filled)}] {done}/{total} ({percent}%)"


class Command(BaseCommand):
    help = "Reprocess photos (renditions, placeholder) with a progress bar."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--all", action="store_true", help="Include photos that are already ready.")
        parser.add_argument("--ids", nargs="+", type=int, help="Only these photo ids.")
        parser.add_argument("--enqueue", action="store_true", help="Send to the Celery workers instead.")

    def handle(self, *args: Any, **options: Any) -> None:
        qs = selectors.photos_needing_processing(include_ready=options["all"] or bool(options["ids"]))
        if options["ids"]:
            qs = qs.filter(pk__in=options["ids"])
        ids = list(qs.values_list("pk", flat=True))
        total = len(ids)
        if not total:
            self.stdout.write("No photos to reprocess.")
            return
        counts: dict[str, int] = {}
        self.stdout.write(f"Reprocessing {total} photo{'s' if total != 1 else ''}…")
        for done, pk in enumerate(ids, start=1):
            if options["enqueue"]:
                result = "enqueued" if services.enqueue_processing(pk, force=True) else "not enqueued"
            else:
                try:
                    result = services.photo_process(photo_id=pk, force=True)
                except Exception as exc:  # report and go on; the row stays processing for the sweeper
                    self.stderr.write(f"\nphoto {pk}: {exc}")
                    result = "error"
            counts[result] = counts.get(result, 0) + 1
            end = "\n" if done == total else ""
            self.stdout.write(f"\r{progress_bar(done, total)}", ending=end)
            self.stdout.flush()
        summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        self.stdout.write(self.style.SUCCESS(f"Done: {summary}."))
