"""The node marketplace: sandboxed node packages, catalogues, signatures, hot reload.

Two kinds of package, one list:

- *sandboxed* packages (what the marketplace installs): a zip with a data-only manifest
  (:mod:`.manifest`), Python run code compiled with RestrictedPython and run only in the
  sandbox processes with a brokered ``ctx`` (:mod:`.runtime`, :mod:`.broker`), and test
  cases (:mod:`.conformance`). Read safely (:mod:`.archive`, :mod:`.package`), built and
  signed (:mod:`.build`), verified against the owner's trust store (:mod:`.trust`),
  found in signed catalogues (:mod:`.sources`), installed (:mod:`.install`) and seen by
  every process without a restart (:mod:`.live`);
- *trusted* packages: wheels with an ``aura.nodes`` entry point, run in-process, loaded
  only when the owner approved them (:mod:`.wheels`).

The door for the CLI, API and studio is :mod:`engine.services.packages`.
"""

from __future__ import annotations

from engine.marketplace.manifest import MANIFEST_NAME, Manifest, parse_manifest
from engine.marketplace.package import Package, load_package

__all__ = ["MANIFEST_NAME", "Manifest", "Package", "load_package", "parse_manifest"]
