"""The shared backend: PostgreSQL with pgvector, many users in one database."""
