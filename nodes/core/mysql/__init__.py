"""MySQL: run parameterised SQL against a MySQL or MariaDB database."""
