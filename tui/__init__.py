"""The AURA operator console (Textual), a client of the HTTP API."""
