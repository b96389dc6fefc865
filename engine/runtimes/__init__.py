"""Runtimes decide where the executor runs: inline (this process) or rq (workers)."""
