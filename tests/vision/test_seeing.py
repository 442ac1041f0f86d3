"""The offline seeing path on real stills (from the seed posts) and images with known content."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from os1.errors import InputError
from os1.posts.reading import read_post
from os1.vision.images import check_image, decode_data_url, read_image
from os1.vision.seeing import colour_name, describe, see
from tests.seeds import colour_field, jpeg, seaside, seed


def still(name: str):
    return read_post(seed(name)).images[0]


def test_faces_in_the_seed_stills() -> None:
    """Post b's still shows two people facing the camera; post a's one man at his desk."""
    two, one = see(still("her-post-b.md")), see(still("her-post-a.md"))
    assert two.faces == 2 and two.people >= 2
    assert one.faces == 1
    assert "two faces" in describe(two)


def test_seed_stills_are_warm_and_the_evening_one_is_dim() -> None:
    evening = see(still("her-post-b.md"))
    assert evening.warmth > 0.1 and evening.brightness < 0.38
    assert evening.time_of_day == "evening" and evening.time_source == "light"
    assert sum(s.share for s in evening.palette) == pytest.approx(1, abs=0.01)
    assert evening.palette[0].name == "brown"


def test_a_pure_colour_field() -> None:
    sight = see(check_image(jpeg(colour_field(200, 30, 30)), "red"))
    assert sight.faces == 0 and sight.people == 0
    assert sight.palette[0].share > 0.95 and sight.palette[0].name == "red"
    assert sight.warmth > 0.5 and sight.sharpness < 5
    assert "no one" in describe(sight)
    blue = see(check_image(jpeg(colour_field(30, 60, 200)), "blue"))
    assert blue.warmth < -0.5 and blue.palette[0].name == "blue"


def test_a_seaside_picture_has_sky_and_water() -> None:
    sight = see(check_image(jpeg(seaside()), "sea"))
    assert sight.scene == ("an open sky", "water or something blue below")
    assert "sky" in describe(sight)
    assert {"blue", "pale blue"} & {s.name for s in sight.palette}


def test_exif_time_and_place() -> None:
    exif = Image.Exif()
    exif[0x010F] = "Fujifilm"
    sub = exif.get_ifd(0x8769)
    sub[0x9003] = "2024:07:12 20:41:00"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (38.0, 41.0, 30.0), 3: "W", 4: (9.0, 9.0, 0.0)})
    sight = see(check_image(jpeg(seaside(), exif), "exif"))
    assert sight.taken_at == "2024-07-12T20:41:00"
    assert sight.time_of_day == "evening" and sight.time_source == "exif"
    assert sight.place == pytest.approx((38.69167, -9.15))
    assert sight.camera == "Fujifilm"
    assert "38.692°N, 9.150°W" in describe(sight)


def test_palette_is_deterministic() -> None:
    image = still("her-post-a.md")
    assert see(image).palette == see(image).palette


@pytest.mark.parametrize(("rgb", "name"), [((0, 0, 0), "black"), ((255, 255, 255), "white"),
                                           ((30, 140, 40), "green"), ((90, 50, 30), "brown")])
def test_colour_names(rgb: tuple[int, int, int], name: str) -> None:
    assert colour_name(*rgb) == name


def test_hostile_images(tmp_path: Path) -> None:
    good = jpeg(colour_field(10, 10, 10))
    cases = {"empty": b"", "text": b"hello, not an image", "truncated": good[: len(good) // 2],
             "binary": bytes(range(256)) * 10}
    for name, data in cases.items():
        with pytest.raises(InputError, match="is empty|not a readable image"):
            check_image(data, name)
    bomb = tmp_path / "bomb.png"
    Image.new("1", (10_000, 10_000)).save(bomb)  # 100 megapixels in a few kilobytes
    with pytest.raises(InputError, match="too large"):
        read_image(bomb)
    with pytest.raises(InputError, match="directory"):
        read_image(tmp_path)
    with pytest.raises(InputError, match="broken base64"):
        decode_data_url("data:image/jpeg;base64,/9j/4AAQ%%%", "poster")


def test_the_same_image_has_the_same_hash() -> None:
    data = jpeg(colour_field(1, 2, 3))
    assert check_image(data, "a").hash == check_image(bytes(data), "b").hash
    assert np.asarray(check_image(data, "a").pil()).shape == (120, 160, 3)
