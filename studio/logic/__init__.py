"""Editor logic without Reflex: pure functions over workflow JSON, unit-tested directly.

The Reflex states in :mod:`studio.state` call these; nothing here imports ``reflex``.
"""
