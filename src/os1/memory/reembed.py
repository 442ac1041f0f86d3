"""Re-embedding after a change of embedder. Vectors from two models are not comparable, so a
store opened with an embedder whose ``model_id`` differs from the one that made some of its
vectors marks those memories unembedded and embeds them again before it is used, logging its
progress; one interrupted part-way carries on at the next open (or in ``embed_missing``)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

log = logging.getLogger(__name__)
REPORT_EVERY_S = 5.0  # seconds between progress lines on a big store


def reporter(total: int, model_id: str) -> Callable[[int], None]:
    """A progress callback for ``embed_missing`` that logs the start, every few seconds, the end."""
    log.warning("re-embedding %d memories with %s (their vectors came from another model)",
                total, model_id)
    last = time.monotonic()

    def report(done: int) -> None:
        nonlocal last
        if done >= total:
            log.info("re-embedded %d memories with %s", done, model_id)
        elif time.monotonic() - last >= REPORT_EVERY_S:
            last = time.monotonic()
            log.info("re-embedding with %s: %d of %d", model_id, done, total)

    return report
