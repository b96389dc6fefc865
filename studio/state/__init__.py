"""Reflex states of the studio, one module per page area."""
