"""Demo proposals and watch entries for `manage.py seed_demo` (order 20), created through the services."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from stategide import services
from stategide.models import Revision, StatePage

DEMO_NOTE = "Demo proposal created by `manage.py seed_demo`; it is not a source and should be rejected."
DEMO_PROPOSALS = [
    # (author email, state, data, summary) — body-only, clearly marked as demo text; no law is invented.
    (
        "farmer@demo.kei",
        "TX",
        {"body": f"**{DEMO_NOTE}**\n\nWhat I did at my county tax office: …"},
        "Demo: add my county office notes",
    ),
    ("importer@demo.kei", "WA", {"body": f"**{DEMO_NOTE}**\n\nImporter's checklist: …"}, "Demo: importer's checklist"),
]
DEMO_WATCHES = [("importer@demo.kei", "OR"), ("builder@demo.kei", "TX"), ("campus@demo.kei", "MI")]


def seed_guide(stdout: Any) -> None:
    User = get_user_model()
    pages = {p.code: p for p in StatePage.objects.all()}
    if not pages:
        stdout.write("State guide demo: no pages yet; run load_reference_data first.")
        return
    users = {
        u.email: u
        for u in User.objects.filter(email__in=[e for e, *_ in DEMO_PROPOSALS] + [e for e, _ in DEMO_WATCHES])
    }
    created = 0
    for email, code, data, summary in DEMO_PROPOSALS:
        author, page = users.get(email), pages.get(code)
        if author is None or page is None or Revision.objects.filter(page=page, author=author).exists():
            continue
        services.revision_propose(author=author, page=page, data=data, edit_summary=summary)
        created += 1
    for email, code in DEMO_WATCHES:
        if email in users and code in pages:
            services.watch_set(user=users[email], page=pages[code], watching=True)
    stdout.write(f"State guide demo: {created} proposals created, {len(DEMO_WATCHES)} watches.")
