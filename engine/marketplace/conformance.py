"""The conformance suite and test cases of a package, run in the sandbox before install.

For every node: its parameter schema accepts its own defaults (when nothing is
required) and publishes a description per field (checked by the manifest), and every
test case the package ships runs through the real executor path
(:class:`~engine.sdk.testing.NodeHarness`) with the package *staged*: its code runs in
the sandbox processes exactly as it will once installed, but nothing is stored. A case
is ``{"name", "params", "input", "expect"}`` (the main output's JSON) or ``"error"`` (a
text the error message must contain); cases marked ``"network": true`` need a server
and run only in ``aura packages test`` with ``--network``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.errors import PackageInstallError
from engine.marketplace.live import staged
from engine.marketplace.package import Package
from engine.marketplace.specs import node_specs

__all__ = ["CaseResult", "check_package"]


@dataclass
class CaseResult:
    node: str
    name: str
    ok: bool
    message: str = ""
    skipped: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "name": self.name,
            "ok": self.ok,
            "message": self.message,
            "skipped": self.skipped,
        }


def _run_case(catalog: Any, case: dict[str, Any], http_allow: list[str] | None) -> CaseResult:
    from engine.sdk.testing import NodeHarness

    node, name = str(case["node"]), str(case["name"])
    harness = NodeHarness(node, case.get("version"), catalog=catalog)
    result = harness.run(
        parameters=case.get("params") or {},
        input=case.get("input") or [],
        credentials=case.get("credentials"),
        http_allow=http_allow,
    )
    if "error" in case:
        if result.error is None:
            return CaseResult(node, name, False, "expected an error, the node succeeded")
        if str(case["error"]) not in result.error.message:
            return CaseResult(
                node,
                name,
                False,
                f"expected an error containing '{case['error']}', got: {result.error.message}",
            )
        return CaseResult(node, name, True)
    if result.error is not None:
        return CaseResult(node, name, False, f"failed: {result.error.message}")
    if "expect" in case and result.json() != case["expect"]:
        return CaseResult(
            node,
            name,
            False,
            f"output {result.json()!r} differs from the expected {case['expect']!r}",
        )
    return CaseResult(node, name, True)


def check_package(
    pkg: Package,
    *,
    network: bool = False,
    http_allow: list[str] | None = None,
    raise_on_failure: bool = True,
) -> list[CaseResult]:
    """Runs the conformance checks and the package's cases; returns every result.

    Raises:
        PackageInstallError: (``raise_on_failure``) naming the first failing check,
            ``details["check"] == "tests"``.
    """
    from engine.sdk.catalog import Catalog, discover_packages

    results: list[CaseResult] = []
    specs = node_specs(pkg)
    for spec in specs:
        schema = spec.params_schema()
        if not schema.get("required"):
            try:
                spec.params.model_validate({})
                results.append(CaseResult(spec.type, "defaults are valid", True))
            except Exception as exc:
                results.append(CaseResult(spec.type, "defaults are valid", False, str(exc)))
    catalog = Catalog(discover_packages())
    for spec in specs:
        if spec.key not in catalog:
            catalog.add(spec)
    with staged(pkg):
        for case in pkg.cases:
            if case.get("network") and not network:
                results.append(
                    CaseResult(
                        str(case["node"]),
                        str(case["name"]),
                        True,
                        "needs a server (run with --network)",
                        skipped=True,
                    )
                )
                continue
            try:
                results.append(_run_case(catalog, case, http_allow))
            except Exception as exc:
                results.append(
                    CaseResult(
                        str(case.get("node")),
                        str(case.get("name")),
                        False,
                        f"{type(exc).__name__}: {exc}",
                    )
                )
    failed = [r for r in results if not r.ok]
    if failed and raise_on_failure:
        first = failed[0]
        raise PackageInstallError(
            f"{pkg.name} {pkg.version} failed its checks: {first.node} '{first.name}': "
            f"{first.message}",
            details={"check": "tests", "results": [r.to_dict() for r in results]},
        )
    return results
