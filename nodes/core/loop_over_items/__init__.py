"""Loop Over Items: run a sub-workflow once per batch of items, one batch after another."""
