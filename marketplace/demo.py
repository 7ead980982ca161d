"""~60 demo listings across many states with generated photos (`manage.py seed_demo`, idempotent)."""

from __future__ import annotations

import io
import random
import re
import time
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

DEMO_TAG = "[demo]"
DEMO_SELLERS = ["farmer@demo.kei", "importer@demo.kei", "builder@demo.kei", "campus@demo.kei", "newbie@demo.kei"]
ZIPS = [
    "78701", "77002", "75201", "97201", "98101", "27601", "48104", "30303", "80202", "85004", "87501", "73102",
    "64106", "68102", "55401", "53703", "60601", "46204", "43215", "40202", "37203", "35203", "39201", "70112",
    "72201", "29201", "23219", "21201", "19103", "12207", "05401", "03301", "04101", "83702", "59601", "82001",
    "84101", "89501", "95814", "96813", "99501", "57501", "58501", "50309", "66603", "15222", "06103", "02108",
]  # fmt: skip
CODES = [
    "DA63T",
    "DA16T",
    "DD51T",
    "DA52T",
    "HA4",
    "HA7",
    "HA9",
    "S110P",
    "S210P",
    "S510P",
    "TT2",
    "KS4",
    "U62T",
    "DG63T",
    "DH51T",
]
COLOURS = [("white", (235, 235, 230)), ("silver", (190, 192, 195)), ("red", (170, 30, 30)), ("blue", (40, 80, 160)),
           ("green", (50, 110, 60)), ("yellow", (220, 180, 40))]  # fmt: skip
NOTES = [
    "Surface rust on the bed rails, frame solid.", "Minor dents, no rust through.", "Fresh tyres and timing belt.",
    "Needs a clutch soon.", "Garaged all its life.", "Some rust under the door sills.",
]  # fmt: skip


def truck_image(label: str, colour: tuple[int, int, int], seed: int) -> bytes:
    """A simple side view of a kei truck drawn with Pillow."""
    from PIL import Image, ImageDraw

    rnd = random.Random(seed)
    img = Image.new("RGB", (960, 720), (150 + rnd.randint(0, 60), 190, 220))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 520, 960, 720), fill=(90 + rnd.randint(0, 40), 120, 70))
    d.rectangle((140, 300, 400, 520), fill=colour, outline=(30, 30, 30), width=4)  # cab
    d.rectangle((170, 330, 370, 420), fill=(170, 210, 235), outline=(30, 30, 30), width=3)  # window
    d.rectangle((400, 400, 840, 520), fill=colour, outline=(30, 30, 30), width=4)  # bed
    for x in (230, 720):
        d.ellipse((x - 60, 470, x + 60, 590), fill=(25, 25, 25))
        d.ellipse((x - 25, 505, x + 25, 555), fill=(160, 160, 160))
    d.text((40, 40), label, fill=(20, 20, 20))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    return buf.getvalue()


def seed_listings(stdout: Any) -> None:
    from kei_community.users.models import User
    from kei_community.vehicles.models import ChassisCode
    from kei_community.vehicles.services import catalog_load
    from marketplace import services
    from marketplace.models import DealerProfile, Listing

    started = time.monotonic()
    if not ChassisCode.objects.exists():
        catalog_load()
    sellers = list(User.objects.filter(email__in=DEMO_SELLERS).order_by("email"))
    if not sellers:
        stdout.write("Demo listings: no demo members (run the users seeder first).")
        return
    importer = next((u for u in sellers if u.email == "importer@demo.kei"), None)
    if importer is not None and not DealerProfile.objects.filter(user=importer).exists():
        services.dealer_profile_save(
            user=importer,
            data={
                "business_name": "Pacific Kei Imports",
                "city": "Seattle",
                "state": "WA",
                "website": "https://example.com",
            },
        )
    codes = {c.code: c for c in ChassisCode.objects.filter(code__in=CODES)}
    titles = Listing.objects.filter(title__endswith=DEMO_TAG).values_list("title", flat=True)
    existing = {int(m.group(1)) for t in titles if (m := re.search(r"#(\d+) \[demo\]$", t))}
    created = 0
    # Seeding is not members acting: no new-account caps and no message rate limits.
    # Demo photos are added after publishing (and processed later by the worker): no ready-photo rule here.
    with override_settings(
        NEW_ACCOUNT_LIMITS_ENABLED=False, MESSAGE_RATE_PER_MINUTE=0, MESSAGE_RATE_PER_DAY=0, LISTING_MIN_READY_PHOTOS=0
    ):
        for i in range(60):
            if i + 1 in existing:
                continue
            rnd = random.Random(2026 + i)
            code = codes.get(CODES[i % len(CODES)])
            year = rnd.randint(max(code.years_from or 1990, 1985), min(code.years_to or 2024, 2024)) if code else 2020
            colour_name, colour = COLOURS[i % len(COLOURS)]
            us_market = code is None
            title = f"{year} {code.make if code else 'Mahindra'} {code.model if code else 'Supro'} {colour_name} #{i + 1} {DEMO_TAG}"
            seller = sellers[i % len(sellers)]
            data = {
                "title": title,
                "make": code.make if code else "Mahindra",
                "model": code.model if code else "Supro",
                "chassis_code": code,
                "year_built": year,
                "month_built": rnd.randint(1, 12),
                "us_market": us_market,
                "odometer": rnd.randint(8, 160) * 1000,
                "odometer_unit": "km" if i % 5 else "mi",
                "transmission": rnd.choice(["manual", "manual", "automatic", "cvt"]),
                "drive": rnd.choice(["2WD", "4WD", "4WD"]),
                "hi_lo": rnd.random() < 0.5,
                "diff_lock": rnd.random() < 0.3,
                "bed_type": rnd.choice(["flat", "flat", "dump", "scissor", "jumbo", "panel_van"]),
                "air_conditioning": rnd.random() < 0.6,
                "power_steering": rnd.random() < 0.4,
                "colour": colour_name,
                "condition_notes": rnd.choice(NOTES),
                "title_status": rnd.choice(["clean", "clean", "import_docs", "bill_of_sale", "offroad"]),
                "location_status": "us" if i % 12 else rnd.choice(["port", "japan"]),
                "zip_code": ZIPS[i % len(ZIPS)],
                "price": rnd.randint(25, 160) * 100,
                "negotiable": rnd.random() < 0.5,
                "description": f"Demo listing. A {year} {code.make if code else 'Mahindra'} in {colour_name}.\n\n- Runs and drives\n- Cold A/C"
                if i % 3 == 0 else "Demo listing. Ask me anything about this truck.",
                "frame_number": f"{code.code}-{100000 + i * 137}" if code else "",
            }  # fmt: skip
            listing = services.listing_create(seller=seller, data=data, publish=i % 20 != 19)
            if listing.held_for_review:
                services.listing_restore(listing)
            label = f"{data['make']} {data['model']} {code.code if code else ''} — demo photo"
            for n in range(1 if i % 4 else 2):
                upload = SimpleUploadedFile(f"demo-{i}-{n}.jpg", truck_image(label, colour, i * 10 + n), "image/jpeg")
                try:
                    services.listing_photo_add(actor=seller, listing=listing, upload=upload)
                except Exception as exc:  # a demo photo must never stop the seeding
                    stdout.write(f"  photo skipped: {exc}")
            if listing.status != "active":
                pass
            elif i % 9 == 4:
                services.listing_mark_sold(
                    actor=seller, listing=listing, sold_price=max((listing.price or 0) - 500, 100)
                )
            elif i % 11 == 6:
                services.listing_set_status(actor=seller, listing=listing, status="pending")
            elif i % 7 == 2:
                buyer = sellers[(i + 1) % len(sellers)]
                if buyer.pk != seller.pk:
                    services.question_ask(asker=buyer, listing=listing, body="Any rust on the frame?")
                    services.conversation_start(buyer=buyer, listing=listing, body="Hi! Is this truck still available?")
            created += 1
    stdout.write(f"Demo listings: {created} created in {time.monotonic() - started:.1f} s.")
