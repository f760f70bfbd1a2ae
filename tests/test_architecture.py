"""The folders are the architecture: imports point one way (README's table, docs/architecture.md).

``stacks`` may use everything; ``components`` may use ``runtime`` and ``mlkeel``; ``policies`` and
``runtime`` stand alone on ``mlkeel``; ``runtime`` also runs inside deployed jobs, so it never imports
Pulumi. Every import statement counts, including those inside functions: a lazy back-edge is still one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: package -> top-level modules it must never import.
FORBIDDEN: dict[str, set[str]] = {
    "mlkeel": {
        "stacks",
        "components",
        "policies",
        "runtime",
        "pulumi",
        "pulumi_aws",
        "pulumi_gcp",
        "pulumi_kubernetes",
        "pulumi_policy",
    },
    "runtime": {
        "stacks",
        "components",
        "policies",
        "pulumi",
        "pulumi_aws",
        "pulumi_gcp",
        "pulumi_kubernetes",
        "pulumi_policy",
    },
    "policies": {"stacks", "components", "runtime"},
    "components": {"stacks", "policies"},
}


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, (ast.Name, ast.Attribute))
            and (node.func.id if isinstance(node.func, ast.Name) else node.func.attr) == "import_module"
            and node.args
            and isinstance(node.args[0], (ast.Constant, ast.JoinedStr))
        ):
            target = node.args[0]
            text = (
                target.value
                if isinstance(target, ast.Constant)
                else "".join(part.value for part in target.values if isinstance(part, ast.Constant))
            )
            found.append((node.lineno, str(text)))
    return found


def _violations(package: str) -> list[str]:
    bad = []
    for path in sorted((ROOT / package).rglob("*.py")):
        if "templates" in path.parts:  # `pulumi new` programs are user code, not the package
            continue
        for line, module in _imports(path):
            top = module.split(".")[0]
            if top in FORBIDDEN[package]:
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    return bad


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_imports_point_one_way(package: str) -> None:
    assert _violations(package) == []


def test_the_layering_check_sees_lazy_and_string_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import importlib\n"
        "def later():\n"
        "    from stacks.spec import StackSpec\n"
        "    importlib.import_module(f'components.{cloud}.spec_rules')\n"
    )
    assert sorted(module for _, module in _imports(sample)) == [
        "components..spec_rules",
        "importlib",
        "stacks.spec",
    ]
