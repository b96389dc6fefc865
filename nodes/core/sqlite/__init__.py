"""SQLite: run parameterised SQL against a SQLite database in the data directory."""
