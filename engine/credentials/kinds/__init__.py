"""The built-in credential kinds, one module per family."""
