"""The ``os1`` command: one module per command group."""
