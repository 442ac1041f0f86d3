"""Chat model backends behind one streaming protocol (``ChatModel``)."""
