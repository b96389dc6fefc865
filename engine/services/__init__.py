"""Services: the only door into the engine for the studio, the console and the CLI.

Importing the package installs what the runtimes run (:mod:`engine.runtimes.work`):
the runtimes dispatch executions but never import the services.
"""

from engine.services._runtime_work import install as _install

_install()
