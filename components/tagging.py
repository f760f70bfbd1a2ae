"""Cost tags on every taggable resource, as AWS tags, GCP labels and Kubernetes labels alike.

Provider default tags cover what a provider can reach; this engine transform covers the rest and adds the
``component`` tag, which differs per capability. Each capability component registers it on itself, so it
runs for every descendant (the engine applies a resource's own transforms, then each ancestor's, then the
stack's). Existing keys win, so the innermost capability names the component and a resource's explicit tag
is never overwritten.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi

from mlkeel.taggable import tag_field


def _merge(existing: Any, tags: Mapping[str, str]) -> dict[str, Any]:
    merged = dict(existing) if isinstance(existing, Mapping) else {}
    for key, value in tags.items():
        merged.setdefault(key, value)
    return merged


def apply_cost_tags(
    type_token: str, props: Mapping[str, Any], tags: Mapping[str, str]
) -> dict[str, Any] | None:
    """``props`` with ``tags`` merged into the type's tag field; None when the type carries no tags."""
    field = tag_field(type_token)
    if field is None:
        return None
    out = dict(props)
    if field in ("tags", "labels", "resourceLabels"):
        out[field] = _merge(out.get(field), tags)
    elif field == "nodeConfig.resourceLabels":
        node_config = dict(out.get("nodeConfig") or {})
        node_config["resourceLabels"] = _merge(node_config.get("resourceLabels"), tags)
        out["nodeConfig"] = node_config
    elif field == "metadata.labels":
        metadata = dict(out.get("metadata") or {})
        metadata["labels"] = _merge(metadata.get("labels"), tags)
        out["metadata"] = metadata
        spec = out.get("spec")
        # Workloads: pods carry the labels too, so OpenCost can allocate their cost (checklist rule 15).
        if isinstance(spec, Mapping) and isinstance(spec.get("template"), Mapping):
            template = dict(spec["template"])
            template_meta = dict(template.get("metadata") or {})
            template_meta["labels"] = _merge(template_meta.get("labels"), tags)
            template["metadata"] = template_meta
            out["spec"] = {**spec, "template": template}
    return out


def cost_tags_transform(tags: Mapping[str, str]) -> pulumi.ResourceTransform:
    """An engine transform adding ``tags`` to every taggable resource it sees."""
    frozen = dict(tags)

    def transform(args: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
        props = apply_cost_tags(args.type_, args.props, frozen)
        if props is None:
            return None
        return pulumi.ResourceTransformResult(props=props, opts=args.opts)

    return transform


def capability_options(
    opts: pulumi.ResourceOptions | None, tags: Mapping[str, str], component: str
) -> pulumi.ResourceOptions:
    """Options for a capability component: its cost tags, with ``component`` set, reach every child."""
    return pulumi.ResourceOptions.merge(
        opts, pulumi.ResourceOptions(transforms=[cost_tags_transform({**tags, "component": component})])
    )
