"""Package files: the manifest's rules, hostile archives refused with the rule they
break and nothing written outside the packages directory, checks done without
importing anything of the package into this process."""

from __future__ import annotations

import io
import json
import random
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from engine.errors import PackageInstallError
from engine.marketplace import install as ops
from engine.marketplace.archive import Limits
from engine.marketplace.package import load_package
from tests.marketplace._helpers import UPPER, built, manifest, raw_zip, tree


def _refusal(data: bytes, **kw: Any) -> PackageInstallError:
    with pytest.raises(PackageInstallError) as info:
        load_package(data, **kw)
    return info.value


def test_a_valid_package_is_read_without_importing_its_code(tmp_path: Path) -> None:
    data, _ = built(tmp_path / "p", code=UPPER + "\nimport os_marker_never_imported\n")
    pkg = load_package(data)
    assert pkg.name == "acme/text-tools" and pkg.manifest.publisher == "acme"
    assert [n.type for n in pkg.manifest.nodes] == ["acme.upper"]
    assert "os_marker_never_imported" not in sys.modules
    assert not any(m.startswith("main") and m != "main" for m in sys.modules)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"name": "NoPublisher"}, "publisher/package-name"),
        ({"version": "one"}, "version number"),
        ({"aura": "at least 1"}, "version range"),
        ({"nodes": []}, "nodes"),
        ({"permissions": {"hosts": ["http://x.com/path"], "credentials": []}}, "not a host name"),
        ({"unknown_field": 1}, "unknown_field"),
    ],
)
def test_manifest_problems_name_the_field(
    tmp_path: Path, change: dict[str, Any], says: str
) -> None:
    man = {**manifest(), **change}
    with pytest.raises(PackageInstallError) as info:
        built(tmp_path / "p", man)
    assert says in info.value.message
    assert info.value.details["check"] == "manifest"


def test_node_outside_the_publisher_namespace_is_refused(tmp_path: Path) -> None:
    man = manifest()
    man["nodes"][0]["type"] = "other.upper"
    with pytest.raises(PackageInstallError, match="outside the publisher's namespace"):
        built(tmp_path / "p", man)


def test_parameters_without_description_or_undeclared_credential_kind(tmp_path: Path) -> None:
    man = manifest()
    man["nodes"][0]["params"]["properties"]["field"].pop("description")
    with pytest.raises(PackageInstallError, match="needs a description"):
        built(tmp_path / "a", man)
    man = manifest()
    man["nodes"][0]["credentials"] = [{"name": "token", "kinds": ["bearer"]}]
    with pytest.raises(PackageInstallError, match=r"not listed in permissions\.credentials"):
        built(tmp_path / "b", man)


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("def run(ctx, items):\n    return items.__class__\n", "line 2"),
        ("def run(ctx, items):\n    return eval('1')\n", "Eval calls"),
        ("def other(ctx, items):\n    return []\n", "no top-level function 'run'"),
        ("def run(items):\n    return []\n", "must take (ctx, items)"),
        ("def run(ctx, items)\n    return []\n", "syntax error"),
    ],
)
def test_run_code_is_compiled_with_the_sandbox_policy(tmp_path: Path, code: str, says: str) -> None:
    with pytest.raises(PackageInstallError) as info:
        built(tmp_path / "p", code=code)
    assert says in info.value.message
    assert info.value.details["check"] == "compile"


def _zip_with(info: zipfile.ZipInfo | str, body: bytes = b"x") -> bytes:
    return raw_zip([(info, body)], manifest_data=manifest())


def _symlink() -> zipfile.ZipInfo:
    info = zipfile.ZipInfo("docs.md")
    info.external_attr = 0o120777 << 16
    return info


def _non_utf8_name() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("aura-package.json", "{}")
        info = zipfile.ZipInfo("caf\u00e9.md")
        zf.writestr(info, b"x")
    data = bytearray(buf.getvalue())
    # clear the UTF-8 flag of the second entry (local and central headers), as a zip
    # tool writing cp437 names would
    name = "caf\u00e9.md".encode()
    for marker in (b"PK\x03\x04", b"PK\x01\x02"):
        start = 0
        while (i := data.find(marker, start)) >= 0:
            flag_at = i + (6 if marker == b"PK\x03\x04" else 8)
            if name in data[i : i + 80]:
                data[flag_at] &= ~0x08 & 0xFF
                data[flag_at + 1] &= ~0x08 & 0xFF
            start = i + 4
    return bytes(data)


def _duplicate() -> bytes:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return raw_zip(
            [("main.py", b"def run(ctx, items):\n    return []\n")], manifest_data=manifest()
        )


HOSTILE = {
    "parent directory": (lambda: _zip_with("../evil.py"), "leaves the package folder"),
    "nested parent": (lambda: _zip_with("docs/../../evil.md"), "leaves the package folder"),
    "absolute path": (lambda: _zip_with("/etc/evil.md"), "absolute path"),
    "drive letter": (lambda: _zip_with("C:/evil.md"), "absolute path"),
    "backslash": (lambda: _zip_with("docs\\..\\evil.md"), "backslash"),
    "symlink": (lambda: _zip_with(_symlink()), "symbolic link"),
    "duplicate": (_duplicate, "appears twice"),
    "case duplicate": (lambda: _zip_with("MAIN.PY"), "appears twice"),
    "non-UTF-8 name": (_non_utf8_name, "not UTF-8"),
    "executable type": (lambda: _zip_with("setup.sh"), "file type"),
    "bomb": (lambda: _zip_with("docs/big.md", b"0" * (2 * 1024 * 1024)), "compressed more"),
    "oversize file": (
        lambda: _zip_with("docs/big.md", random.Random(1).randbytes(1_100_000)),
        "size limit",
    ),
    "too many files": (
        lambda: raw_zip([(f"d/{i}.md", b"x") for i in range(250)], manifest_data=manifest()),
        "entries",
    ),
    "oversize manifest": (
        lambda: raw_zip(
            [
                (
                    "aura-package.json",
                    json.dumps({"x": random.Random(2).randbytes(200_000).hex()}).encode(),
                )
            ]
        ),
        "manifest is",
    ),
    "not a zip": (lambda: b"not a zip at all", "not a zip archive"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_packages_are_refused_and_leave_nothing(
    case: str, store: Any, data_dir: Path
) -> None:
    make, says = HOSTILE[case]
    outside = tree(data_dir.parent)
    with pytest.raises(PackageInstallError) as info:
        ops.install(store, make(), allow_unsigned=True)
    assert says in info.value.message, info.value.message
    assert "check" in info.value.details
    assert ops.packages_dir().exists() is False or tree(ops.packages_dir()) == set()
    assert tree(data_dir.parent) - outside <= {"aura-data/packages"}
    assert store.settings.get("marketplace.installed") is None


def test_declared_sizes_are_not_trusted(tmp_path: Path) -> None:
    data = bytearray(_zip_with("docs/zeros.md", b"0" * 600_000))
    refusal = _refusal(bytes(data), limits=Limits(file_bytes=100_000, ratio=10_000))
    assert "unpacks to more than 100000 bytes" in refusal.message


def test_a_package_redefining_a_builtin_node_is_refused(tmp_path: Path, store: Any) -> None:
    man = manifest("core/override")
    with pytest.raises(PackageInstallError) as info:
        ops.install(store, built(tmp_path / "p", man)[0], allow_unsigned=True)
    assert "built-in" in info.value.message and info.value.details["check"] == "builtin_type"


def test_aura_version_range_is_checked(tmp_path: Path, store: Any) -> None:
    man = manifest(aura=">=99")
    with pytest.raises(PackageInstallError, match="needs AURA >=99"):
        ops.install(store, built(tmp_path / "p", man)[0], allow_unsigned=True)
