"""Small generated photos (no real site appears in demo data), stored through the services."""

from __future__ import annotations

import io
import random
import uuid

from PIL import Image, ImageDraw

from app.services.demo.context import DemoWorld
from app.services.policy import Actor
from app.services.public_reports.intake import store_upload as store_public_upload
from app.services.uploads import store_upload

# Muted site colours: concrete, rust, safety yellow, steel blue, moss.
_PALETTE = ((176, 172, 164), (150, 82, 52), (222, 184, 44), (84, 110, 140), (96, 120, 80))


def render(seed: int, label: str) -> bytes:
    """A 320×240 JPEG: a backdrop, a few shapes, hazard stripes and an ASCII label."""
    rng = random.Random(seed)
    img = Image.new("RGB", (320, 240), _PALETTE[seed % len(_PALETTE)])
    draw = ImageDraw.Draw(img)
    for _ in range(4):
        x, y = rng.randrange(0, 260), rng.randrange(0, 180)
        w, h = rng.randrange(30, 120), rng.randrange(20, 90)
        draw.rectangle((x, y, x + w, y + h), fill=rng.choice(_PALETTE), outline=(40, 40, 40))
    for k in range(0, 320, 32):  # yellow-black hazard tape along the bottom
        draw.polygon(((k, 240), (k + 16, 240), (k + 32, 222), (k + 16, 222)), fill=(20, 20, 20))
    draw.rectangle((6, 6, 150, 24), fill=(255, 255, 255))
    draw.text((10, 9), f"DEMO {label}"[:22], fill=(0, 0, 0))
    out = io.BytesIO()
    img.save(out, format="JPEG", quality=70)
    return out.getvalue()


async def staff_photo(world: DemoWorld, actor: Actor, label: str) -> uuid.UUID:
    """Upload as `actor` (the id goes into a later request's photo_ids)."""
    up = await store_upload(
        world.session,
        storage=world.storage,
        data=render(len(world.photos) + 1, label),
        actor=actor,
        max_bytes=world.settings.upload_max_bytes,
        max_pixels=world.settings.upload_max_pixels,
    )
    world.photos[label] = up.id
    return up.id


async def public_photo(world: DemoWorld, label: str) -> uuid.UUID:
    """An anonymous mini-program upload, claimed by the report filed right after it."""
    up = await store_public_upload(
        world.session,
        settings=world.settings,
        storage=world.storage,
        data=render(len(world.photos) + 1, label),
    )
    world.photos[label] = up.id
    return up.id
