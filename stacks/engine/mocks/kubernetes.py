"""What the Kubernetes provider answers: auto-named ``metadata.name``, namespace, uid and status."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import MockContext

_CLUSTER_SCOPED = {
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "StorageClass",
}


def new_resource(args: Any, ctx: MockContext) -> tuple[str, dict[str, Any]]:
    outputs: dict[str, Any] = dict(args.inputs)
    metadata = dict(outputs.get("metadata") or {})
    metadata.setdefault("name", ctx.autoname(args.name))
    kind = args.typ.rsplit(":", 1)[-1]
    if kind not in _CLUSTER_SCOPED:
        metadata.setdefault("namespace", "default")
    metadata["uid"] = ctx.digest("k8s", args.typ, args.name, length=32)
    outputs["metadata"] = metadata
    resource_id = (
        f"{metadata['namespace']}/{metadata['name']}" if "namespace" in metadata else metadata["name"]
    )
    return resource_id, outputs


def call(args: Any, ctx: MockContext) -> dict[str, Any]:
    return {}
