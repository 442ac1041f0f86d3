"""Databases that hold the memory store: SQLite (embedded) and PostgreSQL (shared)."""
