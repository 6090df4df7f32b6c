"""The analytics and synth packages (and the value-set loader and codecs they share) never import Django."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "carenav"
DJANGO_FREE = [
    PACKAGE / "analytics",
    PACKAGE / "synth",
    PACKAGE / "terminology" / "valuesets.py",
    PACKAGE / "core" / "compression.py",
]


def _modules(path: Path) -> list[Path]:
    return sorted(path.rglob("*.py")) if path.is_dir() else [path]


def _imports(source: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text(), str(source))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("source", [m for p in DJANGO_FREE if p.exists() for m in _modules(p)], ids=str)
def test_no_django_imports(source: Path) -> None:
    imported = _imports(source)
    offending = {n for n in imported if n == "django" or n.startswith(("django.", "ninja"))}
    carenav_deps = {n for n in imported if n.startswith("carenav.")}
    allowed = (
        "carenav.analytics",
        "carenav.synth",
        "carenav.terminology.valuesets",
        "carenav.core.text",
        "carenav.core.compression",
    )
    assert not offending, f"{source} imports {offending}"
    assert all(n.startswith(allowed) for n in carenav_deps), f"{source} imports {carenav_deps}"
