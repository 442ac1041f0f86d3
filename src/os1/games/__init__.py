"""Playing together: Colossal Cave, chess against Stockfish and Z-machine stories through
dfrotz, with os1 as a co-player that keeps a map, suggests a move, takes a turn and says why.

Game text is outside content: it is shown to the model fenced as data and taints the turn, and
what os1 keeps of a game is stored as a moment with provenance ``shared``.
"""
