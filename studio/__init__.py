"""The AURA studio: the Reflex web app and the HTTP API."""
