"""A sandboxed node package, loaded from its file and checked, without running any of it.

:func:`load_package` reads the zip (:mod:`engine.marketplace.archive`), parses the
manifest (:mod:`engine.marketplace.manifest`), and checks that every referenced file is
there, that every run module compiles under the sandbox's RestrictedPython policy and
defines its entry function at top level, and that the test cases are well formed. The
code is compiled only to check it (the compiled object is thrown away); it runs later in
the sandbox processes, never here.
"""

from __future__ import annotations

import ast
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from engine.errors import PackageInstallError
from engine.marketplace.archive import Limits, read_archive
from engine.marketplace.manifest import MANIFEST_NAME, Manifest, NodeDecl, parse_manifest

__all__ = ["Package", "entry_code", "load_package", "package_from_record"]

RUN_ARGS = ["ctx", "items"]


@dataclass(frozen=True)
class Package:
    """A checked package: its manifest, text files, icon and the file's SHA-256."""

    manifest: Manifest
    sources: dict[str, str]
    docs: dict[str, str]
    cases: list[dict[str, Any]]
    sha256: str
    icon_svg: str = ""
    size: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.manifest.name

    @property
    def version(self) -> str:
        return self.manifest.version

    def code_for(self, node: NodeDecl) -> str:
        return entry_code(self.sources[node.module], node.function)

    def node_docs(self, node: NodeDecl) -> str:
        return self.docs.get(node.docs, "") if node.docs else ""

    def record(self) -> dict[str, Any]:
        """The JSON kept in the store for workers (everything a run needs)."""
        return {
            "manifest": self.manifest.public(),
            "sources": self.sources,
            "docs": self.docs,
            "cases": self.cases,
            "sha256": self.sha256,
            "icon_svg": self.icon_svg,
            "size": self.size,
        }


def entry_code(source: str, function: str) -> str:
    """The sandbox program for one node: the module, then a call of its entry function
    (a function body for :func:`engine.sandbox._policy.compile_user_function`; the
    module's lines keep their numbers)."""
    return f"{source}\nreturn {function}(ctx, items)\n"


def _problem(message: str, check: str, **details: Any) -> PackageInstallError:
    return PackageInstallError(message, details={"check": check, **details})


def _text(files: dict[str, bytes], path: str) -> str:
    try:
        return files[path].decode("utf-8")
    except UnicodeDecodeError:
        raise _problem(f"'{path}' is not UTF-8 text.", "files", file=path) from None


def _check_module(path: str, source: str, functions: set[str]) -> None:
    from engine.sandbox._policy import CompileProblem, compile_user_function

    try:
        tree = ast.parse(source, path)
    except SyntaxError as exc:
        raise _problem(
            f"{path}, line {exc.lineno}: syntax error: {exc.msg}.",
            "compile",
            file=path,
            line=exc.lineno,
        ) from None
    defined = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    for fn in sorted(functions):
        node = defined.get(fn)
        if node is None:
            raise _problem(
                f"{path} has no top-level function '{fn}' (the manifest's run entry).",
                "compile",
                file=path,
            )
        names = [a.arg for a in node.args.args]
        if names[:2] != RUN_ARGS:
            raise _problem(
                f"{path}: '{fn}' must take (ctx, items), not ({', '.join(names)}).",
                "compile",
                file=path,
            )
        try:
            compile_user_function(entry_code(source, fn), RUN_ARGS)
        except CompileProblem as p:
            raise _problem(
                f"{path}, line {p.line}: the sandbox refuses this code: {p.message}.",
                "compile",
                file=path,
                line=p.line,
            ) from None


def _check_cases(path: str, text: str, manifest: Manifest) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise _problem(
            f"test file '{path}' is not valid JSON: {exc}.", "tests", file=path
        ) from None
    cases = data.get("cases") if isinstance(data, dict) else None
    if not isinstance(cases, list):
        raise _problem(
            f'test file \'{path}\' must hold {{"node": ..., "cases": [...]}}.', "tests", file=path
        )
    types = {n.type for n in manifest.nodes}
    node = data.get("node")
    if node not in types:
        raise _problem(
            f"test file '{path}' names node '{node}', which the package does not provide.",
            "tests",
            file=path,
        )
    out = []
    for i, case in enumerate(cases):
        if not isinstance(case, dict) or not isinstance(case.get("name"), str):
            raise _problem(f"test file '{path}', case {i} needs a 'name'.", "tests", file=path)
        out.append({"node": node, "version": data.get("version"), **case})
    return out


def load_package(data: bytes, limits: Limits | None = None) -> Package:
    """Reads and checks a package file.

    Raises:
        PackageInstallError: ``details["check"]`` says which check failed (``archive``,
            ``manifest``, ``files``, ``compile``, ``tests``).
    """
    files = read_archive(data, limits)
    if MANIFEST_NAME not in files:
        raise _problem(f"The package has no {MANIFEST_NAME} at its top level.", "manifest")
    manifest = parse_manifest(files[MANIFEST_NAME])
    by_module: dict[str, set[str]] = {}
    for node in manifest.nodes:
        by_module.setdefault(node.module, set()).add(node.function)
        if node.module not in files:
            raise _problem(
                f"Node {node.type}: run module '{node.module}' is not in the package.",
                "files",
                file=node.module,
            )
        if node.docs and node.docs not in files:
            raise _problem(
                f"Node {node.type}: docs '{node.docs}' are not in the package.",
                "files",
                file=node.docs,
            )
    sources = {p: _text(files, p) for p in files if p.endswith(".py")}
    for path, functions in sorted(by_module.items()):
        _check_module(path, sources[path], functions)
    docs = {p: _text(files, p) for p in files if p.endswith(".md")}
    cases: list[dict[str, Any]] = []
    for path in manifest.tests:
        if path not in files:
            raise _problem(f"test file '{path}' is not in the package.", "files", file=path)
        cases += _check_cases(path, _text(files, path), manifest)
    icon = ""
    if manifest.icon:
        if manifest.icon not in files or not manifest.icon.endswith(".svg"):
            raise _problem(
                f"icon '{manifest.icon}' must be an .svg file in the package.",
                "files",
                file=manifest.icon,
            )
        icon = _text(files, manifest.icon)
        if "<script" in icon.lower() or "javascript:" in icon.lower():
            raise _problem(
                "the icon contains script; icons must be plain SVG.", "files", file=manifest.icon
            )
    return Package(
        manifest, sources, docs, cases, hashlib.sha256(data).hexdigest(), icon, len(data)
    )


def package_from_record(record: dict[str, Any]) -> Package:
    """A package from its stored record (already checked at install)."""
    return Package(
        parse_manifest(record["manifest"]),
        dict(record["sources"]),
        dict(record.get("docs") or {}),
        list(record.get("cases") or []),
        str(record["sha256"]),
        str(record.get("icon_svg") or ""),
        int(record.get("size") or 0),
    )
