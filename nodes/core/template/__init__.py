"""Template: render a mustache template per item."""
