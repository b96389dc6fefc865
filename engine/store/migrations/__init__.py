"""Alembic migration scripts of the store (the only path by which the schema changes)."""
