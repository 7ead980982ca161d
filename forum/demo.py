"""Demo forum content for `manage.py seed_demo` (order 40; idempotent: skips threads that exist)."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.utils import override_settings

from forum import services
from forum.models import Category, Thread

# (category slug, author email, title, tags, truck frame or "", photo colour or "", first post, replies[(email, text)])
THREADS: list[tuple[str, str, str, str, str, str, str, list[tuple[str, str]]]] = [
    ("builds", "builder@demo.kei", "Rusty the 1996 Honda Acty: frame-off rust repair", "rust, NC", "HA4-2104455", "#8a4b2a",
     "Picked up **Rusty** from an importer in Wilmington. The frame rails are scaly but solid.\n\nPlan:\n\n1. Wire-wheel and treat the frame\n2. New brake lines\n3. Bed floor patch panels",
     [("farmer@demo.kei", "Great project! Use a rust converter before the paint — it lasts."),
      ("importer@demo.kei", "Brake lines for the HA4 are a common size, any parts store can bend them.")]),
    ("builds", "farmer@demo.kei", "Old Blue: 2004 Carry DA63T farm build", "farm, TX", "DA63T-112233", "#2b5d9c",
     "Old Blue does feed runs every morning. Added a headache rack and a 12V sprayer this month.",
     [("builder@demo.kei", "What pump did you use for the sprayer?"),
      ("farmer@demo.kei", "A 2.2 GPM diaphragm pump wired to a switch on the dash.")]),
    ("builds", "campus@demo.kei", "Grounds #3: Hijet S510P with a dump bed", "dump bed, MI", "S510P-0099887", "#3f7d3a",
     "Our grounds crew runs three Hijets. Number 3 got the factory dump bed and LED light bar.",
     [("moderator@demo.kei", "Nice fleet — what do you do about salt in the winter?")]),
    ("builds", "importer@demo.kei", "DD51T Hijet jumbo cab refresh", "hijet", "DD51T-480011", "#b08d2f",
     "Jumbo cabs are rare. New seat covers, timing belt and a fresh coat of white.", []),
    ("small-business", "farmer@demo.kei", "How a $4,000 kei truck paid for itself on our farm", "farm, small business", "", "#6d8b3a",
     "We sell eggs and produce at three markets. The Carry replaced a full-size pickup for deliveries: "
     "**fuel bills halved**, and it fits down the orchard rows.",
     [("campus@demo.kei", "Same story for our grounds crew — narrow paths are where these shine."),
      ("newbie@demo.kei", "This is exactly why I am looking at one. Thanks for sharing the numbers!")]),
    ("small-business", "importer@demo.kei", "Running a small import business: lessons from 200 trucks", "importing, WA", "", "",
     "Five years, about 200 trucks. The short version: buy from auction sheets you can read, budget for tyres, "
     "and never promise a buyer a title before you know their state.", []),
    ("small-business", "campus@demo.kei", "Kei trucks on a university campus", "campus, MI", "", "",
     "Why we switched our grounds fleet from golf carts to kei trucks, and what the insurance looked like.", []),
    ("maintenance", "newbie@demo.kei", "Carry idles rough when cold — where to start?", "carry, idle", "", "",
     "My 2003 Carry idles rough for the first five minutes. Plugs are new. Ideas?",
     [("builder@demo.kei", "Check the idle air control valve — they gum up. Clean it with throttle body cleaner."),
      ("farmer@demo.kei", "Also the coolant temp sensor; if it reads wrong the mixture is off when cold.")]),
    ("maintenance", "builder@demo.kei", "Timing belt interval on the Acty HA4?", "acty, timing belt", "", "",
     "Manual says 100,000 km. Is that realistic for a truck that sat for years?",
     [("importer@demo.kei", "Age matters more than distance: replace it if it's older than 10 years.")]),
    ("maintenance", "farmer@demo.kei", "Best tyres for mud on a 12-inch wheel", "tyres", "", "", "What are people running for mud and pasture?", []),
    ("maintenance", "campus@demo.kei", "Hijet 4WD lever does not engage", "hijet, 4wd", "", "", "The 4WD lever moves but nothing happens. Vacuum issue?", []),
    ("registration", "newbie@demo.kei", "Registering a kei truck in Georgia — my experience", "GA, title", "", "",
     "Took two trips to the tag office, but I got a regular title. Bring the export certificate *and* a translation.",
     [("moderator@demo.kei", "Thanks for writing this up — the state guide page for Georgia links here now.")]),
    ("registration", "farmer@demo.kei", "Texas: farm plates for a mini truck?", "TX, farm plates", "", "",
     "Has anyone got farm plates on a kei truck in Texas? The county said off-road only.", []),
    ("registration", "builder@demo.kei", "North Carolina inspection questions", "NC, inspection", "", "",
     "Does the safety inspection in NC require a third brake light on a 1996 truck?", []),
    ("registration", "importer@demo.kei", "What the 25-year rule means for buyers", "importing, 25-year rule", "", "",
     "Trucks 25 years or older are exempt from FMVSS and EPA import standards. Newer ones cannot be imported for road use.", []),
    ("buying", "newbie@demo.kei", "First kei truck: Carry or Hijet?", "buying, carry, hijet", "", "",
     "Looking for my first truck for a small homestead. Carry or Hijet, and what years?",
     [("farmer@demo.kei", "Either! Pick the one with the best frame and a readable auction sheet."),
      ("importer@demo.kei", "Look at the frame and the bed floor first. Engines are easy; rust is not.")]),
    ("buying", "importer@demo.kei", "How to read a Japanese auction sheet", "auction sheet", "", "",
     "Grades, the map of the body and the common abbreviations: a quick guide.", []),
    ("buying", "campus@demo.kei", "Buying three trucks at once: fleet tips", "fleet", "", "", "Negotiating, shipping and spares when you buy several.", []),
    ("meetups", "builder@demo.kei", "Raleigh kei meetup — first Saturday of the month", "NC, meetup", "", "",
     "Coffee and trucks at 9am. All makes welcome.", [("newbie@demo.kei", "I'll drive up from Atlanta once I have my truck!")]),
    ("meetups", "farmer@demo.kei", "Central Texas trail ride in April", "TX, trail ride", "", "", "Private ranch, about 20 miles of trail. Bring a spare tyre.", []),
    ("off-topic", "newbie@demo.kei", "Show us your truck's nickname", "fun", "", "", "Mine doesn't have one yet. Ideas welcome!",
     [("builder@demo.kei", "Rusty, for obvious reasons."), ("farmer@demo.kei", "Old Blue. Also for obvious reasons.")]),
    ("off-topic", "campus@demo.kei", "Kei trucks in movies and TV", "fun", "", "", "Spotted one in a cooking show last week.", []),
    ("off-topic", "importer@demo.kei", "What's the oddest thing you've hauled?", "fun", "", "", "A piano. Up a hill. Don't ask.", []),
    ("maintenance", "newbie@demo.kei", "Where do you buy parts in the US?", "parts", "", "", "Online stores, junkyards, importers — who do you trust?", []),
]  # fmt: skip


def _jpeg(colour: str) -> SimpleUploadedFile:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1200, 900), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((150, 420, 1050, 700), fill="#e8e8e8")
    draw.rectangle((650, 250, 1000, 450), fill="#d0d0d0")
    for x in (300, 880):
        draw.ellipse((x - 90, 620, x + 90, 800), fill="#222222")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return SimpleUploadedFile("truck.jpg", buffer.getvalue(), content_type="image/jpeg")


def ensure_categories() -> None:
    """The categories the data migration seeds (again, if a flush removed them)."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("forum.migrations.0002_seed_categories_search_index")
    migration.seed(apps, None)


def seed_forum(stdout: Any) -> None:
    from kei_community.users.models import User
    from kei_community.users.permissions import SYSTEM
    from kei_community.vehicles.models import GarageTruck

    users = {u.email: u for u in User.objects.filter(email__endswith="@demo.kei")}
    if not users:
        stdout.write("Demo forum: no demo members; run the users seeder first.")
        return
    ensure_categories()
    categories = {c.slug: c for c in Category.objects.all()}
    created = 0
    quiet = "django.core.mail.backends.locmem.EmailBackend"  # demo notifications are not e-mailed
    with override_settings(FORUM_POSTS_PER_MINUTE=1_000_000, NEW_ACCOUNT_LIMITS_ENABLED=False, EMAIL_BACKEND=quiet):
        for slug, email, title, tags, frame, colour, body, replies in THREADS:
            author = users.get(email)
            category = categories.get(slug)
            if author is None or category is None or Thread.objects.filter(title=title).exists():
                continue
            truck = GarageTruck.objects.filter(frame_number=frame, owner=author).first() if frame else None
            thread = services.thread_create(
                author=author,
                category=category,
                title=title,
                body=body,
                tags=tags,
                truck=truck,
                photo=_jpeg(colour) if colour else None,
            )
            for reply_email, text in replies:
                if reply_email in users:
                    services.post_create(author=users[reply_email], thread=thread, body=text)
            created += 1
        # Pinning is the seeder's doing, not the demo moderator's: the system actor (which no
        # request can present) is allowed without the moderators' two-factor rule.
        welcome = Thread.objects.filter(category__slug="off-topic").order_by("id").first()
        if welcome is not None and not welcome.is_pinned:
            services.thread_pin(actor=SYSTEM, thread=welcome)
    stdout.write(f"Demo forum: {created} threads created, {Thread.objects.count()} in all.")
