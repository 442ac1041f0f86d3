"""The goodbye (``os1 goodbye``): a farewell letter, everything exported (the open format, a
readable archive, a plain hand-over folder), verified, and only then, after two confirmations,
erased with proof."""
