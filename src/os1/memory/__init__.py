"""Memory: every turn, facts about the user, hybrid retrieval, and the user's control over it."""
