"""Letters in the user's own voice: drafted from a brief or from what os1 remembers, every
specific detail checked against those sources by code, proofread, kept with every version, and
the best made into a book."""
