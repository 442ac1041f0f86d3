"""Music: listening to a song, composing a piano piece about a moment (plan, score, audio), the
``Composer`` that keeps pieces, the ``compose`` tool it registers for the companion, and the
plain-word request ("play me something about ...") that asks for one on any model."""
