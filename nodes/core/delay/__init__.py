"""Delay / Rate Limit: wait before passing items on, or limit how many pass."""
