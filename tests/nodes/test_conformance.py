"""Conformance: every registered node, built-in or installed, follows the SDK contract."""

from __future__ import annotations

import inspect

import pytest

from engine.sdk import get_catalog
from engine.sdk.spec import NodeSpec

CATALOG = get_catalog(reload=True)
SPECS = CATALOG.all()


def test_every_spec_module_imports() -> None:
    assert not CATALOG.load_errors, CATALOG.load_errors


def test_every_built_in_folder_is_registered() -> None:
    """Each folder's specs are in the catalog (built-ins may use another namespace than
    ``core``, e.g. ``ai.agent`` in ``nodes/core/agent``)."""
    import importlib

    from nodes.core import NODE_FOLDERS

    for folder in NODE_FOLDERS:
        mod = importlib.import_module(f"nodes.core.{folder}.spec")
        for spec in list(getattr(mod, "SPECS", ())) or [mod.SPEC]:
            assert spec.key in CATALOG and CATALOG.get(spec.type, spec.version) is spec, folder


@pytest.mark.parametrize("spec", SPECS, ids=[f"{s.type}@{s.version}" for s in SPECS])
class TestNodeContract:
    def test_every_parameter_is_described(self, spec: NodeSpec) -> None:
        def walk(model: type, prefix: str) -> None:
            for name, f in model.model_fields.items():  # type: ignore[attr-defined]
                assert f.description, f"{spec.type}: parameter {prefix}{name} has no description"

        walk(spec.params, "")

    def test_empty_parameters_give_a_clear_error_or_defaults(self, spec: NodeSpec) -> None:
        import pydantic

        try:
            spec.params.model_validate({})
        except pydantic.ValidationError as exc:
            for e in exc.errors():
                assert e.get("msg"), f"{spec.type}: a validation error without a message"

    def test_schema_exports(self, spec: NodeSpec) -> None:
        schema = spec.params_schema()
        assert schema.get("type") == "object"
        assert spec.to_dict()["type"] == spec.type

    def test_run_function_resolves(self, spec: NodeSpec) -> None:
        fn = CATALOG.run_function(spec)
        params = list(inspect.signature(fn).parameters)
        assert params and params[0] == "ctx", f"{spec.run} must take ctx first"

    def test_has_docs_and_metadata(self, spec: NodeSpec) -> None:
        assert spec.title and spec.description and spec.icon
        assert len(spec.docs) > 80, f"{spec.type} needs a docs.md"

    def test_triggers_have_no_inputs(self, spec: NodeSpec) -> None:
        if spec.trigger:
            assert spec.inputs == ()
        else:
            assert spec.inputs, f"{spec.type} is not a trigger but has no inputs"

    def test_spec_import_is_cheap(self, spec: NodeSpec) -> None:
        import ast
        import importlib.util

        mod = spec.run.split(":")[0].rsplit(".", 1)[0] + ".spec"
        found = importlib.util.find_spec(mod)
        if found is None or not found.origin:
            return
        from pathlib import Path

        tree = ast.parse(Path(found.origin).read_text())
        heavy = {"httpx", "sqlalchemy", "sqlmodel", "redis", "rq", "torch", "numpy"}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                )
                for n in names:
                    assert n.split(".")[0] not in heavy, f"{mod} imports {n}; move it to run.py"
