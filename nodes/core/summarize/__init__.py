"""Summarize: count, sum, average... of fields, per group."""
