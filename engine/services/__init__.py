"""Services: the only door into the engine for the studio, the console and the CLI."""
