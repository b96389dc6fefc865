"""Code: run the user's Python over the items, in the sandbox."""
