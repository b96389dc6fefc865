"""The studio's build progress (``aura up``'s first start, every production build) never
reads more steps done than there are: Reflex's compiler ended on ``Compiling: … 65/64``."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from studio.build_progress import BoundedPoorProgress, BoundedProgress

ROOT = Path(__file__).resolve().parents[2]

_COMPILE = """
from reflex.utils.prerequisites import get_and_validate_app
get_and_validate_app().app._compile(dry_run=True, use_rich=False)
"""


def test_a_step_past_the_total_grows_the_total() -> None:
    out = io.StringIO()
    bar = BoundedProgress(console=Console(file=out, width=80, force_terminal=False))
    task = bar.add_task("Compiling:", total=2)
    for _ in range(3):
        bar.advance(task)
    t = bar.tasks[0]
    assert (t.completed, t.total) == (3, 3)


def test_the_plain_progress_ends_on_n_of_n(capsys: pytest.CaptureFixture[str]) -> None:
    bar = BoundedPoorProgress()
    task = bar.add_task("Compiling:", total=2)
    for _ in range(3):
        bar.advance(task)
    assert capsys.readouterr().out.splitlines() == [
        "Progress: 1/2",
        "Progress: 2/2",
        "Progress: 3/3",
    ]


@pytest.mark.slow
def test_compiling_the_studio_never_counts_past_its_total(data_dir: Path) -> None:
    env = {**os.environ, "REFLEX_USE_NPM": "1", "REFLEX_TELEMETRY_ENABLED": "false"}
    r = subprocess.run(
        [sys.executable, "-c", _COMPILE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    steps = [(int(a), int(b)) for a, b in re.findall(r"Progress: (\d+)/(\d+)", r.stdout)]
    assert len(steps) > 20, r.stdout[-2000:]
    assert all(done <= total for done, total in steps), steps[-3:]
    assert steps[-1][0] == steps[-1][1]
