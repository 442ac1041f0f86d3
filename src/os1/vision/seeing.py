"""The offline seeing path: what OpenCV and the image itself tell, with no model to download.

Faces come from the Haar cascades that ship inside ``opencv-python-headless`` (frontal and
profile), people from OpenCV's bundled HOG pedestrian detector; the palette is k-means over the
pixels (``cv2.kmeans``, seeded, so the same image always gives the same palette); sharpness is the
variance of the Laplacian; time and place come from EXIF through Pillow. ``describe`` turns the
numbers into a few plain sentences. All of it is CPU-bound: callers run ``see`` off the loop.
"""

from __future__ import annotations

import colorsys
import io
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt
from PIL import ExifTags, Image

from os1.vision.images import ImageBytes

Pixels = npt.NDArray[np.uint8]
WORK_SIDE = 640  # analysis size: small stills are enlarged, large photos reduced
PALETTE_SIZE = 5


@dataclass(frozen=True)
class Swatch:
    """One colour of the palette: its hex value, a name, and the share of the image it covers."""

    hex: str
    name: str
    share: float


@dataclass(frozen=True)
class Sight:
    """What os1 saw in one image."""

    width: int
    height: int
    faces: int
    people: int
    brightness: float  # mean lightness, 0 (black) to 1 (white)
    contrast: float  # spread of lightness, 0 to about 0.5
    saturation: float  # mean colourfulness, 0 (grey) to 1
    warmth: float  # -1 (all blue) to 1 (all red-orange)
    sharpness: float  # variance of the Laplacian on the analysis-size image
    palette: tuple[Swatch, ...]
    time_of_day: str  # night, morning, day, evening (from EXIF when it has a time, else a guess)
    time_source: str  # "exif" or "light"
    taken_at: str | None = None  # EXIF DateTimeOriginal, ISO 8601
    place: tuple[float, float] | None = None  # EXIF GPS latitude, longitude
    camera: str | None = None
    scene: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Sight:
        values = dict(data)
        values["palette"] = tuple(Swatch(**s) for s in values.get("palette", ()))
        values["scene"] = tuple(values.get("scene", ()))
        place = values.get("place")
        values["place"] = tuple(place) if place else None
        return cls(**values)


def see(image: ImageBytes) -> Sight:
    """Look at one image (CPU-bound)."""
    pil = image.pil()
    rgb = _work_size(np.asarray(pil, dtype=np.uint8))
    grey = np.asarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY), dtype=np.uint8)
    hls = cv2.cvtColor(rgb, cv2.COLOR_RGB2HLS).astype(np.float32) / 255.0
    exif = read_exif(image)
    brightness, saturation = float(hls[..., 1].mean()), float(hls[..., 2].mean())
    warmth = _warmth(rgb)
    faces = count_faces(grey)
    hour = exif.get("hour")
    return Sight(
        width=image.width, height=image.height, faces=faces, people=max(faces, count_people(grey)),
        brightness=round(brightness, 3), contrast=round(float(hls[..., 1].std()), 3),
        saturation=round(saturation, 3), warmth=round(warmth, 3),
        sharpness=round(float(cv2.Laplacian(grey, cv2.CV_64F).var()), 1),
        palette=palette(rgb),
        time_of_day=time_of_day(hour) if hour is not None else guess_time(brightness, warmth),
        time_source="exif" if hour is not None else "light",
        taken_at=exif.get("taken_at"), place=exif.get("place"), camera=exif.get("camera"),
        scene=scene_hints(rgb),
    )


def _work_size(rgb: Pixels) -> Pixels:
    height, width = rgb.shape[:2]
    scale = WORK_SIDE / max(height, width)
    if abs(scale - 1) < 0.05:
        return rgb
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    method = cv2.INTER_CUBIC if scale > 1 else cv2.INTER_AREA
    return np.asarray(cv2.resize(rgb, size, interpolation=method), dtype=np.uint8)


def _cascade(name: str) -> cv2.CascadeClassifier:
    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + name)  # type: ignore[attr-defined]
    if cascade.empty():
        raise RuntimeError(f"OpenCV's {name} is missing from the installed opencv package")
    return cascade


def count_faces(grey: Pixels) -> int:
    """Faces seen from the front or in profile (either way round), overlapping finds merged."""
    flat = cv2.equalizeHist(grey)
    boxes = [tuple(b) for b in _cascade("haarcascade_frontalface_default.xml").detectMultiScale(
        flat, scaleFactor=1.1, minNeighbors=6, minSize=(36, 36))]
    profile = _cascade("haarcascade_profileface.xml")
    width = flat.shape[1]
    for mirrored in (False, True):
        view = cv2.flip(flat, 1) if mirrored else flat
        for x, y, w, h in profile.detectMultiScale(view, scaleFactor=1.1, minNeighbors=6,
                                                   minSize=(36, 36)):
            boxes.append((width - x - w, y, w, h) if mirrored else (x, y, w, h))
    return len(_merge(boxes))


def _merge(boxes: list[tuple[int, ...]]) -> list[tuple[int, ...]]:
    """Boxes with overlapping centres count once."""
    kept: list[tuple[int, ...]] = []
    for x, y, w, h in sorted(boxes, key=lambda b: -b[2] * b[3]):
        cx, cy = x + w / 2, y + h / 2
        if not any(kx <= cx <= kx + kw and ky <= cy <= ky + kh for kx, ky, kw, kh in kept):
            kept.append((x, y, w, h))
    return kept


def count_people(grey: Pixels) -> int:
    """Standing people, by OpenCV's bundled HOG + linear SVM pedestrian detector."""
    hog = cv2.HOGDescriptor()
    hog.setSVMDetector(np.asarray(cv2.HOGDescriptor.getDefaultPeopleDetector(), dtype=np.float32))
    found, weights = hog.detectMultiScale(grey, winStride=(8, 8), scale=1.08)
    sure = [tuple(b) for b, w in zip(found, np.ravel(weights), strict=True) if w > 1.0]
    return len(_merge(sure))


def palette(rgb: Pixels, size: int = PALETTE_SIZE) -> tuple[Swatch, ...]:
    """The dominant colours by k-means over a thumbnail's pixels, largest share first."""
    small = cv2.resize(rgb, (64, 64), interpolation=cv2.INTER_AREA)
    samples = small.reshape(-1, 3).astype(np.float32)
    cv2.setRNGSeed(7)  # k-means++ seeding is random: fix it so one image has one palette
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 30, 0.5)
    k = min(size, len(np.unique(samples, axis=0)))
    _, labels, centres = cv2.kmeans(samples, k, None, criteria, 3,  # type: ignore[call-overload]
                                    cv2.KMEANS_PP_CENTERS)
    counts = np.bincount(labels.ravel(), minlength=k)
    order = np.argsort(-counts, kind="stable")
    return tuple(_swatch(centres[i], counts[i] / counts.sum()) for i in order)


def _swatch(centre: npt.NDArray[np.float32], share: float) -> Swatch:
    r, g, b = (int(round(float(c))) for c in np.clip(centre, 0, 255))
    return Swatch(f"#{r:02x}{g:02x}{b:02x}", colour_name(r, g, b), round(float(share), 3))


_HUES = ((15, "red"), (40, "orange"), (65, "yellow"), (160, "green"), (195, "teal"), (255, "blue"),
         (290, "purple"), (335, "pink"), (360, "red"))


def colour_name(r: int, g: int, b: int) -> str:
    """A plain name for a colour: a hue word with a lightness or softness word before it."""
    hue, light, sat = colorsys.rgb_to_hls(r / 255, g / 255, b / 255)
    if sat < 0.12 or light < 0.08 or light > 0.94:
        return "black" if light < 0.15 else "white" if light > 0.88 else (
            "dark grey" if light < 0.4 else "light grey" if light > 0.7 else "grey")
    word = next(name for limit, name in _HUES if hue * 360 < limit)
    if hue * 360 < 45 or hue * 360 > 345:  # the reds and oranges: browns, tans and beiges
        if light < 0.35:
            return "brown" if sat < 0.6 or hue * 360 > 10 else "dark red"
        if sat < 0.5:
            return "beige" if light > 0.6 else "tan"
    if light < 0.3:
        word = f"dark {word}"
    elif light > 0.75:
        word = f"pale {word}"
    elif sat < 0.35:
        word = f"muted {word}"
    return word


def _warmth(rgb: Pixels) -> float:
    """Red against blue, weighted by how colourful each pixel is: -1 cool to 1 warm."""
    pixels = rgb.reshape(-1, 3).astype(np.float32) / 255.0
    spread = pixels.max(axis=1) - pixels.min(axis=1)
    if spread.sum() < 1e-6:
        return 0.0
    return float(((pixels[:, 0] - pixels[:, 2]) * spread).sum() / spread.sum())


def scene_hints(rgb: Pixels) -> tuple[str, ...]:
    """Broad hints from where colour and light sit: a sky above, water or green below."""
    hsv = np.asarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV), dtype=np.uint8)
    third = hsv.shape[0] // 3
    top, bottom = hsv[:third], hsv[-third:]
    hints = []
    if _share(top, 95, 130, sat=40, val=120) > 0.5:
        hints.append("an open sky")
    if _share(bottom, 85, 130, sat=50, val=40) > 0.4:
        hints.append("water or something blue below")
    if _share(bottom, 35, 85, sat=50, val=40) > 0.4:
        hints.append("green ground or leaves")
    return tuple(hints)


def _share(hsv: Pixels, low: int, high: int, *, sat: int, val: int) -> float:
    """Share of pixels with OpenCV hue (0-179) in [low, high) and enough colour and light."""
    h, s, v = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    return float(((h >= low) & (h < high) & (s >= sat) & (v >= val)).mean())


def time_of_day(hour: int) -> str:
    return ("night" if hour < 5 or hour >= 22 else "morning" if hour < 11 else
            "day" if hour < 17 else "evening")


def guess_time(brightness: float, warmth: float) -> str:
    """Time of day from the light alone: dark is night, warm and low is evening."""
    if brightness < 0.18:
        return "night"
    if warmth > 0.08 and brightness < 0.5:
        return "evening"
    return "day"


def read_exif(image: ImageBytes) -> dict[str, Any]:
    """Time, place and camera from EXIF (text from outside: kept short, never interpreted)."""
    try:
        with Image.open(io.BytesIO(image.data)) as pil:
            exif = pil.getexif()
            sub, gps = exif.get_ifd(ExifTags.IFD.Exif), exif.get_ifd(ExifTags.IFD.GPSInfo)
    except Exception:  # damaged EXIF never stops the rest of the look
        return {}
    found: dict[str, Any] = {}
    stamp = sub.get(ExifTags.Base.DateTimeOriginal) or exif.get(ExifTags.Base.DateTime)
    when = _exif_time(stamp)
    if when is not None:
        found["taken_at"], found["hour"] = when.isoformat(), when.hour
    if (place := _gps(gps)) is not None:
        found["place"] = place
    camera = " ".join(str(exif.get(t, "")).strip() for t in (ExifTags.Base.Make, ExifTags.Base.Model))
    if camera.strip():
        found["camera"] = "".join(c for c in camera.strip() if c.isprintable())[:60]
    return found


def _exif_time(stamp: object) -> datetime | None:
    try:
        return datetime.strptime(str(stamp).strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None


def _gps(gps: dict[int, Any]) -> tuple[float, float] | None:
    try:
        lat = _degrees(gps[ExifTags.GPS.GPSLatitude], gps.get(ExifTags.GPS.GPSLatitudeRef, "N"))
        lon = _degrees(gps[ExifTags.GPS.GPSLongitude], gps.get(ExifTags.GPS.GPSLongitudeRef, "E"))
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    if abs(lat) > 90 or abs(lon) > 180:
        return None
    return round(lat, 5), round(lon, 5)


def _degrees(dms: Any, ref: object) -> float:
    d, m, s = (float(x) for x in dms)
    value = d + m / 60 + s / 3600
    return -value if str(ref).strip("\x00 ").upper() in ("S", "W") else value


def describe(sight: Sight) -> str:
    """What os1 saw, in a few plain sentences."""
    light = ("very dark" if sight.brightness < 0.18 else "dim" if sight.brightness < 0.38 else
             "bright" if sight.brightness > 0.62 else "softly lit")
    tone = "warm" if sight.warmth > 0.08 else "cool" if sight.warmth < -0.08 else "neutral"
    when = (f"taken in the {sight.time_of_day}" if sight.time_source == "exif" else
            f"it feels like {'night' if sight.time_of_day == 'night' else 'the ' + sight.time_of_day}")
    lines = [f"A {light}, {tone} picture; {when}."]
    lines.append(_who(sight))
    names = list(dict.fromkeys(s.name for s in sight.palette if s.share >= 0.05))
    lines.append(f"Its colours: {_join(names[:4])}" + (
        ", vivid." if sight.saturation > 0.55 else ", muted." if sight.saturation < 0.25 else "."))
    if sight.scene:
        lines.append(f"I think I see {_join(list(sight.scene))}.")
    focus = ("in sharp focus" if sight.sharpness > 300 else "soft" if sight.sharpness > 60 else
             "blurred, or very smooth")
    lines.append(f"It is {focus}.")
    if sight.taken_at:
        lines.append(f"The camera says it was taken {sight.taken_at.replace('T', ' at ')}"
                     + (f", at {_place(sight.place)}." if sight.place else "."))
    elif sight.place:
        lines.append(f"The camera says it was taken at {_place(sight.place)}.")
    return " ".join(lines)


def _who(sight: Sight) -> str:
    if sight.faces:
        return f"I can see {_count(sight.faces, 'face')}."
    if sight.people:
        return f"I can see {_count(sight.people, 'person', 'people')}, though not their faces."
    return "I see no one in it."


def _count(n: int, one: str, many: str | None = None) -> str:
    words = ["no", "one", "two", "three", "four", "five", "six"]
    word = words[n] if n < len(words) else str(n)
    return f"{word} {one if n == 1 else many or one + 's'}"


def _join(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _place(place: tuple[float, float]) -> str:
    lat, lon = place
    return f"{abs(lat):.3f}°{'N' if lat >= 0 else 'S'}, {abs(lon):.3f}°{'E' if lon >= 0 else 'W'}"
