"""One frame from a camera through OpenCV's ``VideoCapture``, where a camera exists."""

from __future__ import annotations

import glob

import cv2

from os1.errors import InputError
from os1.vision.images import ImageBytes, check_image

WARM_UP_FRAMES = 5  # the first frames of many webcams are dark while exposure settles


def capture_frame(index: int = 0) -> ImageBytes:
    """A JPEG of what camera ``index`` sees now, or an InputError saying there is none."""
    if not glob.glob("/dev/video*") and not _opens(index):
        raise InputError("no camera found on this machine (no /dev/video*); show os1 a photo file instead")
    capture = cv2.VideoCapture(index)
    try:
        if not capture.isOpened():
            raise InputError(f"camera {index} cannot be opened (in use, or no permission)")
        ok, frame = False, None
        for _ in range(WARM_UP_FRAMES):
            ok, frame = capture.read()
        if not ok or frame is None:
            raise InputError(f"camera {index} gave no picture")
    finally:
        capture.release()
    encoded, buffer = cv2.imencode(".jpg", frame, [cv2.IMWRITE_JPEG_QUALITY, 90])
    if not encoded:
        raise InputError("the camera's picture could not be encoded")
    return check_image(buffer.tobytes(), "the camera's picture")


def _opens(index: int) -> bool:
    """Whether OpenCV can open camera ``index`` (for systems without /dev/video*)."""
    import sys

    if sys.platform.startswith("linux"):
        return False
    capture = cv2.VideoCapture(index)
    try:
        return bool(capture.isOpened())
    finally:
        capture.release()
