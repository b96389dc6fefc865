"""Operations: what an operator needs to watch and keep an AURA instance healthy.

- :mod:`~engine.observability.retention`: the retention limits applied on a schedule (by
  the scheduler's leader) or by hand (``aura execution prune``), with their last run;
- :mod:`~engine.observability.metrics`: Prometheus metrics shared by every process of a
  machine (multi-process mode), and the execution hooks that count runs;
- :mod:`~engine.observability.logging`: structured logs (structlog) for every process,
  with request and execution ids bound into each line and secrets masked.

Modules are imported on demand; importing this package costs nothing.
"""
