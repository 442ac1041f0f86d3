"""os1's inner life: a mood with its cause, a journal written after conversations, and the
persona as a versioned document that grows by proposals the user accepts."""
