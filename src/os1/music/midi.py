"""``pretty_midi``, imported once and quietly: it imports pyfluidsynth, which prints where it
found libfluidsynth to standard output, and os1's standard output belongs to its commands
(``--json`` must be nothing but JSON)."""

from __future__ import annotations

import contextlib
import io

with contextlib.redirect_stdout(io.StringIO()):
    import pretty_midi

__all__ = ["pretty_midi"]
