"""Code (JavaScript): run the user's JavaScript over the items, in the sandbox."""
