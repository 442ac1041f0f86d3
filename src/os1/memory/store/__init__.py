"""The memory store: the flow of each part (conversation log, learning, recall, facts,
moments, summaries, forgetting) written once over the backend seam (``os1.memory.backends``)."""
