"""AURA's node library. Each node lives in its own folder: spec.py, run.py, docs.md."""
