"""Checkov's own catalogue, as JSON on standard output: run inside the scanners environment, never imported.

``python -m policies.coverage`` starts this with ``.venv-scanners/bin/python`` (cwd = the repository, so
this module is found): Checkov is not a dependency of the pack, and only its registries know which check
reads which Terraform type. Stdlib and Checkov only, on purpose.
"""

from __future__ import annotations

import json
import sys
from typing import Any


def catalogue() -> dict[str, Any]:
    """``{"version", "terraform": {id: {title, types}}, "kubernetes": {id: {title, kinds}}}``."""
    from checkov.common.checks_infra.registry import get_graph_checks_registry
    from checkov.kubernetes.checks.resource.registry import registry as kubernetes_registry
    from checkov.terraform.checks.provider.registry import provider_registry
    from checkov.terraform.checks.resource.registry import resource_registry
    from checkov.terraform.runner import Runner
    from checkov.version import version

    Runner()  # importing the runner registers every built-in Terraform check
    terraform: dict[str, dict[str, Any]] = {}

    def add(check_id: str, title: str, types: list[str]) -> None:
        entry = terraform.setdefault(check_id, {"title": title, "types": []})
        entry["types"] = sorted(set(entry["types"]) | set(types))

    for registry in (resource_registry, provider_registry):
        for checks in registry.checks.values():
            for check in checks:
                add(
                    check.id,
                    check.name,
                    list(getattr(check, "supported_resources", None) or check.supported_entities),
                )
    graph = get_graph_checks_registry("terraform")
    graph.load_checks()
    for check in graph.checks:
        add(check.id, check.name, list(getattr(check, "resource_types", []) or []))
    kubernetes: dict[str, dict[str, Any]] = {}
    for kind, checks in kubernetes_registry.checks.items():
        for check in checks:
            entry = kubernetes.setdefault(check.id, {"title": check.name, "kinds": []})
            entry["kinds"] = sorted({*entry["kinds"], kind})
    return {"version": version, "terraform": terraform, "kubernetes": kubernetes}


if __name__ == "__main__":
    json.dump(catalogue(), sys.stdout, sort_keys=True)
