"""The sandbox: user Python (Code node, untrusted node packages) runs here, never in-process.

Layers, from the outside in:

1. **Processes.** Code runs in a child process forked from a warm *zygote*
   (:mod:`engine.sandbox._zygote`), itself started with ``python -I -B``, an empty
   environment and its own process group. Before the child reads any user byte it sets
   CPU-time, address-space (``AURA_SANDBOX_MEMORY_MB``, 512 by default), file-size (0),
   open-file and process (0) limits, drops to ``nobody`` when AURA runs as root, and
   becomes non-dumpable. The zygote kills the child at the wall-clock limit; the host
   kills the whole zygote group if even that fails. Results are converted to JSON in
   the child and capped in size; print output is capped; the host only parses JSON.
2. **Compilation.** RestrictedPython (>= 9) with :class:`~engine.sandbox._policy.AuraPolicy`:
   no ``_names``, no ``exec``/``eval``, no ``async``, no ``try/except*``, no bare
   ``except:``; attribute, item, iteration and write access go through guards.
3. **Guards and builtins** (:mod:`engine.sandbox._guards`): no frames, code, tracebacks,
   generators' internals or real modules reachable; ``str.format`` re-implemented over
   the guards; a curated builtins set with no ``type``, ``vars``, ``open``,
   ``SystemExit``, ``KeyboardInterrupt`` or any ``BaseException`` that escapes
   ``except Exception``. Refusals are ``BaseException``\\s user code cannot name, and
   are latched so that a ``finally: return`` cannot hide them.
4. **Modules** (:mod:`engine.sandbox._modules`): an allow-list of stdlib modules exposed
   as proxies offering only listed functions (``datetime.sys`` does not exist).

Replacement policy — one process per run, forked from a zygote that never runs user code:

- *Every* run gets a brand-new process, and that process is discarded when the run ends,
  whether it succeeded, raised, hit a limit or was killed. Nothing a run does (module
  state such as ``random.seed`` or ``decimal.getcontext()``, caches, leaked objects, a
  half-exhausted memory or CPU budget, a successful escape) can be seen by the next run,
  which may belong to another user or workflow. Reusing a process after "clean" runs
  would make every mutable corner of the standard library a cross-tenant channel, and
  deciding that a run was clean is exactly what an attacker controls.
- This is affordable because the child is forked *ahead of time* from a zygote whose
  interpreter is already started and warmed: a warm call costs a pipe round trip, a
  restricted compile and the run itself (a few milliseconds; see
  ``bench/sandbox_bench.py``), against ~100 ms or more to start a fresh interpreter.
  Idle zygotes are taken oldest first so each has forked its next child before reuse.
- A zygote is long-lived because it only runs our code and never reads user bytes. It is
  replaced when the host's watchdog fires, when its stdin may hold an unread payload (a
  child died before reading all of it), or when it breaks the protocol in any way
  (wrong nonce, unexpected or trailing frames, oversized frames, early exit).

JavaScript (:mod:`engine.sandbox.js`) runs in the same kind of processes, from a pool of
zygotes of its own that load V8 (``mini-racer``, no JIT) instead of RestrictedPython;
see :mod:`engine.sandbox._js` for how its limits differ.

Public entry points: :func:`run_code`, :func:`run_code_ex`, :func:`run_code_each`, and
:func:`engine.sandbox.js.run_js`.
"""

from __future__ import annotations

from engine.sandbox.api import (
    EachResult,
    RunResult,
    configure,
    get_js_pool,
    get_pool,
    run_code,
    run_code_each,
    run_code_ex,
    run_code_fresh,
    shutdown,
)
from engine.sandbox.config import SandboxConfig
from engine.sandbox.errors import SandboxCrashed, SandboxOutputTooLarge, UserCodeError

__all__ = [
    "EachResult",
    "RunResult",
    "SandboxConfig",
    "SandboxCrashed",
    "SandboxOutputTooLarge",
    "UserCodeError",
    "configure",
    "get_js_pool",
    "get_pool",
    "run_code",
    "run_code_each",
    "run_code_ex",
    "run_code_fresh",
    "shutdown",
]
