"""Postgres: run parameterised SQL against a PostgreSQL database."""
