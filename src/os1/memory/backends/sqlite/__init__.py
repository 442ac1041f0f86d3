"""The embedded backend: one SQLite file per user."""
