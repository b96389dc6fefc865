"""``python -m engine`` is the ``aura`` command."""

from engine.cli import main

main()
