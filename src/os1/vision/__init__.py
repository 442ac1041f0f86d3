"""Vision: image bytes from files and ``data:`` URLs, the offline seeing path and its words,
and one camera frame."""
