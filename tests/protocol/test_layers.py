"""Who may import whom: the protocol package and the defaults import neither the client nor
the server (both read them), and the client never imports the server, the store or admin."""

from __future__ import annotations

import ast
from pathlib import Path

import multiassets

PACKAGE = Path(multiassets.__file__).parent


def _imports(path: Path) -> set[str]:
    """The multiassets modules a file imports, by absolute name."""
    module = "multiassets." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts)
    package = module.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            found.add(target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.split(".")[0] == "multiassets"}


def test_the_protocol_package_imports_only_itself() -> None:
    for path in sorted((PACKAGE / "protocol").glob("*.py")):
        outside = {m for m in _imports(path) if not m.startswith("multiassets.protocol")}
        assert outside == set(), path.name


def test_the_defaults_import_nothing_of_multiassets() -> None:
    assert _imports(PACKAGE / "defaults.py") == set()


def test_the_client_imports_no_server_store_or_admin() -> None:
    client = [*PACKAGE.glob("_*.py"), PACKAGE / "control_client.py"]
    forbidden = ("multiassets.server", "multiassets.store", "multiassets.admin")
    for path in sorted(client):
        assert {m for m in _imports(path) if m.startswith(forbidden)} == set(), path.name
