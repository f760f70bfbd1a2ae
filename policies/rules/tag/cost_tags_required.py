"""MLK_TAG_001: every taggable resource carries the cost tags with valid values."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from mlkeel.contracts import (
    CAPABILITIES,
    COST_TAG_KEYS,
    DATA_CLASSIFICATIONS,
    ENVIRONMENTS,
    LABEL_VALUE_RULE,
    MANAGED_BY,
    RESIDENCY_ZONES,
    is_valid_tag_value,
)
from mlkeel.taggable import is_taggable

from .._base import Resource, ResourceRule, RuleMeta
from .._frameworks import CM8

#: Tag key -> allowed values, where the contract fixes them.
ALLOWED_VALUES: dict[str, list[str]] = {
    "environment": list(ENVIRONMENTS),
    "data-classification": list(DATA_CLASSIFICATIONS),
    "data-residency": list(RESIDENCY_ZONES),
    "component": list(CAPABILITIES),
    "managed-by": [MANAGED_BY],
}

PACKAGES = ("aws", "gcp", "kubernetes")


class CostTagsRequired(ResourceRule):
    meta = RuleMeta(
        id="MLK_TAG_001",
        name="cost-tags-required",
        title="Ensure every taggable resource carries the cost tags with valid values",
        description="Effective tags (provider default tags/labels plus the resource's own; Kubernetes "
        "`metadata.labels`) contain every required key; values follow the shared label syntax and, for "
        "environment, data-classification, data-residency, component and managed-by, the allowed values. "
        "Taggable types are read from the provider SDKs' signatures.",
        why="Cost Explorer, the GCP billing export and OpenCost can only split spend by team and component "
        "when every resource carries the same keys with the same values.",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            "every taggable aws:* type": "tags ∪ provider defaultTags.tags",
            "every taggable gcp:* type": "labels / resourceLabels ∪ provider defaultLabels",
            "every kubernetes:* type": "metadata.labels",
        },
        frameworks=(CM8,),
        config={
            "requiredKeys": {
                "type": "array",
                "items": {"type": "string"},
                "default": list(COST_TAG_KEYS),
                "description": "Tag keys every taggable resource must carry.",
            },
            "allowedValues": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
                "default": ALLOWED_VALUES,
                "description": "Tag key -> allowed values.",
            },
        },
        remediation="Set the cost tags on the provider (defaultTags / defaultLabels) and the component tag "
        "per resource; see mlkeel.contracts.cost_tags.",
    )

    def applies_to_type(self, resource_type: str) -> bool:
        return resource_type.split(":", 1)[0] in PACKAGES and is_taggable(resource_type)

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        tags = resource.effective_tags()
        missing = [key for key in config["requiredKeys"] if not tags.get(key)]
        if missing:
            yield f"tags must include {', '.join(missing)} (found keys: {', '.join(sorted(tags)) or 'none'})."
        allowed: Mapping[str, Any] = config["allowedValues"]
        for key in config["requiredKeys"]:
            value = tags.get(key)
            if not value:
                continue
            if not is_valid_tag_value(value):
                yield f"tag {key} must be {LABEL_VALUE_RULE} (found {value!r})."
            elif key in allowed and value not in allowed[key]:
                yield f"tag {key} must be one of {', '.join(allowed[key])} (found {value!r})."
