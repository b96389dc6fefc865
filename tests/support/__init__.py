"""Helpers shared by AURA's test suites (real services started for tests)."""
