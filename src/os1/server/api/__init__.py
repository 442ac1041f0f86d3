"""The HTTP and WebSocket routes of ``os1 serve`` (docs/api.md), one module per area."""
