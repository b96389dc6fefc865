"""Memory of a real ``aura worker`` while it ingests a set of PDFs (about 50 MB).

Run: ``.venv/bin/python bench/knowledge_rss_bench.py [--mb 50] [--files 25]
[--text-share 0.4] [--db sqlite|postgres]``.

The PDFs are written here (no PDF library needed): each has pages of text (uncompressed
content streams; ``--text-share`` of its bytes) and an image of random bytes (the rest),
as scanned or illustrated documents are. One ingest job of all of them goes through a
real Redis to a real worker process (``python -m engine worker``, which forks a work
horse per job); psutil samples the resident memory (RSS) of the worker and of its work
horse every 50 ms. Prints the worker's RSS before, the peak RSS of the work horse, the
peak PSS of both together (pages they share after the fork counted once), the time
taken and the chunks added, with the load average.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TEXT = (
    "invoice backup worker queue webhook schedule retry policy credential vault token node "
    "workflow execution agent knowledge chunk embedding search filter project member role "
    "audit export import package sandbox expression template trigger cron deploy restore"
)
WORDS = TEXT.split()


def make_pdf(pages: list[list[str]], image_bytes: int, rng: random.Random) -> bytes:
    """A PDF with one page per entry of ``pages`` (lines of ASCII text) and, on the
    first page, a grey image of about ``image_bytes`` random bytes."""
    side = max(1, int(image_bytes**0.5))
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]  # pages: below
    font = 3
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    image = len(objects) + 1
    pixels = rng.randbytes(side * side)
    objects.append(
        f"<< /Type /XObject /Subtype /Image /Width {side} /Height {side} "
        f"/ColorSpace /DeviceGray /BitsPerComponent 8 /Length {len(pixels)} >>\nstream\n".encode()
        + pixels
        + b"\nendstream"
    )
    kids = []
    for n, lines in enumerate(pages):
        esc = [ln.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for ln in lines]
        ops = "BT /F1 10 Tf 50 760 Td 12 TL " + " ".join(f"({t}) Tj T*" for t in esc) + " ET"
        if n == 0:
            ops = "q 200 0 0 200 300 500 cm /Im1 Do Q " + ops
        content = len(objects) + 1
        objects.append(f"<< /Length {len(ops)} >>\nstream\n{ops}\nendstream".encode())
        page = len(objects) + 1
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {content} 0 R "
            f"/Resources << /Font << /F1 {font} 0 R >> "
            f"/XObject << /Im1 {image} 0 R >> >> >>".encode()
        )
        kids.append(f"{page} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>".encode()
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)


def _pdf_set(total_mb: float, files: int, text_share: float) -> list[tuple[str, bytes]]:
    rng = random.Random(7)
    each = int(total_mb * 2**20 / files)
    text_bytes = int(each * text_share)
    out = []
    for f in range(files):
        pages, size, n = [], 0, 0
        while size < text_bytes:
            lines = []
            for _ in range(60):
                n += 1
                line = f"{n}. " + " ".join(rng.choice(WORDS) for _ in range(12)) + "."
                lines.append(line)
                size += len(line) + 8
            pages.append(lines)
        out.append((f"report-{f:02d}.pdf", make_pdf(pages, each - size, rng)))
    return out


class Sampler:
    """Samples the RSS of a process and its children every ``every_s``."""

    def __init__(self, pid: int, every_s: float = 0.05) -> None:
        import psutil

        self.proc = psutil.Process(pid)
        self.every_s = every_s
        self.peak_tree = self.peak_child = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def rss(self) -> tuple[int, int, int]:
        """(RSS of the worker, RSS of its biggest child, PSS of them all: shared pages
        counted once between the worker and the horse it forked)."""
        import psutil

        def pss(p: psutil.Process) -> int:
            try:
                return int(p.memory_full_info().pss)
            except (psutil.Error, AttributeError):
                return int(p.memory_info().rss)

        own = self.proc.memory_info().rss
        total, child = pss(self.proc), 0
        for c in self.proc.children(recursive=True):
            try:
                child = max(child, c.memory_info().rss)
                total += pss(c)
            except psutil.Error:
                continue
        return own, child, total

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            try:
                _, child, total = self.rss()
            except psutil.Error:
                continue
            self.peak_tree = max(self.peak_tree, total)
            self.peak_child = max(self.peak_child, child)
            time.sleep(self.every_s)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _load() -> str:
    a, b, c = os.getloadavg()
    return f"load {a:.2f} {b:.2f} {c:.2f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mb", type=float, default=50)
    ap.add_argument("--files", type=int, default=25)
    ap.add_argument("--text-share", type=float, default=0.4)
    ap.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    args = ap.parse_args()
    mib = 2**20
    pdfs = _pdf_set(args.mb, args.files, args.text_share)
    size = sum(len(d) for _, d in pdfs)
    print(f"{len(pdfs)} PDFs, {size / mib:.1f} MiB ({args.text_share:.0%} text streams)")

    from tests.support.env import queue_env
    from tests.support.redis import redis_server

    with (
        tempfile.TemporaryDirectory() as d,
        redis_server() as redis,
        queue_env(args.db, Path(d) / "data", redis.url) as env,
    ):
        from engine.auth.types import Principal
        from engine.services import knowledge, knowledge_ingest

        who = Principal(user_id=None, email=None, role="owner")
        base = knowledge.create_base(who, "PDFs")
        worker = env.worker()
        sampler = Sampler(worker.pid)
        deadline = time.monotonic() + 60  # the worker is up when its RSS settles
        last = -1
        while time.monotonic() < deadline:
            time.sleep(1)
            now = sampler.rss()[2]
            if abs(now - last) < mib // 4:
                break
            last = now
        idle_rss, _, idle = sampler.rss()
        print(f"worker idle: RSS {idle_rss / mib:.0f} MiB ({_load()})", flush=True)
        docs = [{"name": n, "data": data} for n, data in pdfs]
        t0 = time.perf_counter()
        with sampler:
            job = knowledge_ingest.start_ingest(who, base.id, docs)
            del docs
            while not (p := knowledge_ingest.ingest_progress(who, base.id, job.id)).finished:
                time.sleep(0.5)
        took = time.perf_counter() - t0
        after_rss, _, after = sampler.rss()
        assert p.status == "succeeded", (p.error, env.logs())
        failed = [r for r in p.results if r["status"] == "failed"]
        print(
            f"ingest of {size / mib:.1f} MiB of PDF on the worker ({args.db}): "
            f"{p.documents_done - len(failed)} documents, {p.chunks_done} chunks in "
            f"{took:.0f} s ({p.chunks_done / took:.0f} chunks/s); failed: {len(failed)}"
        )
        print(
            f"memory: worker idle RSS {idle_rss / mib:.0f} MiB (PSS with its children "
            f"{idle / mib:.0f}); "
            f"peak work horse RSS {sampler.peak_child / mib:.0f} MiB; peak worker + horse "
            f"PSS {sampler.peak_tree / mib:.0f} MiB; worker after RSS "
            f"{after_rss / mib:.0f} MiB (PSS with its children {after / mib:.0f}) ({_load()})",
            flush=True,
        )


if __name__ == "__main__":
    main()
