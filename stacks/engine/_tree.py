"""A readable resource tree of a planned state, grouped by component."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from rich.tree import Tree


def _label(resource: dict[str, Any]) -> str:
    name = resource["urn"].rsplit("::", 1)[-1]
    if resource["type"] == "pulumi:pulumi:Stack":
        return f"[bold]{name}[/bold] [dim](stack)[/dim]"
    if not resource.get("custom"):
        return f"[bold cyan]{resource['type']}[/bold cyan] {name}"
    return f"{resource['type']} [green]{name}[/green]"


def resource_tree(resources: list[dict[str, Any]], title: str) -> Tree:
    """Resources nested under their parents; providers listed at the top."""
    children: dict[str, list[dict[str, Any]]] = defaultdict(list)
    roots: list[dict[str, Any]] = []
    for resource in resources:
        parent = resource.get("parent")
        (children[parent] if parent else roots).append(resource)
    tree = Tree(title)

    def add(node: Tree, resource: dict[str, Any]) -> None:
        branch = node.add(_label(resource))
        kids = children.get(resource["urn"], [])
        # components first, then their resources in registration order
        for kid in sorted(kids, key=lambda r: bool(r.get("custom"))):
            add(branch, kid)

    for resource in roots:
        add(tree, resource)
    return tree


def summary(resources: list[dict[str, Any]]) -> str:
    """One line: how many resources of which kind."""
    custom = [r for r in resources if r.get("custom") and not r["type"].startswith("pulumi:providers:")]
    providers = [r for r in resources if r["type"].startswith("pulumi:providers:")]
    components = [r for r in resources if not r.get("custom") and r["type"] != "pulumi:pulumi:Stack"]
    clouds = Counter(r["type"].split(":", 1)[0] for r in custom)
    by_cloud = ", ".join(f"{count} {cloud}" for cloud, count in sorted(clouds.items()))
    return (
        f"{len(custom)} resources ({by_cloud or 'none'}) in {len(components)} components, "
        f"{len(providers)} provider{'s' if len(providers) != 1 else ''}"
    )
