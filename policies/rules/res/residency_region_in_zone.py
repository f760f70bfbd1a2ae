"""MLK_RES_001: every resource lives in the residency zone its ``data-residency`` tag names."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from mlkeel.contracts import ANY_ZONE, location_in_zone

from .._base import Resource, ResourceRule, RuleMeta, as_list
from .._frameworks import GDPR44
from .._tokens import GCS_BUCKET
from ._zones import ZONES_SCHEMA, known_zone

PACKAGES = ("aws", "gcp")


class ResidencyRegionInZone(ResourceRule):
    meta = RuleMeta(
        id="MLK_RES_001",
        name="residency-region-in-zone",
        title="Ensure every resource is in the residency zone of its data-residency tag",
        description="The zone comes from the effective `data-residency` tag (provider default tags included, "
        "so untaggable resources inherit it). AWS region = pulumi-aws v7 per-resource `region`, else the "
        "provider's `region`; GCP location = `location` / `region` / `zone`, else the provider's; GCS "
        "dual-region `customPlacementConfig.dataLocations` are checked too. Zones map to regions via policy "
        "config (default: mlkeel.contracts).",
        why="Data protection law and customer contracts bind data to a jurisdiction; one resource in the "
        "wrong region moves training data or predictions across the border.",
        severity=Severity.CRITICAL,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            "every aws:* resource": "region, else provider region",
            "every gcp:* resource": "location, region, zone, else provider region/zone",
            GCS_BUCKET: "location (EU/US/ASIA multi-regions), customPlacementConfig.dataLocations[]",
        },
        frameworks=(GDPR44,),
        config={"zones": ZONES_SCHEMA},
        remediation="Deploy the stack to a region of its zone, or change data-residency after a review.",
    )

    def applies_to_type(self, resource_type: str) -> bool:
        return resource_type.split(":", 1)[0] in PACKAGES

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        zone = resource.effective_tags().get("data-residency")
        if not zone or zone == ANY_ZONE:
            return
        zones = config["zones"]
        if not known_zone(zone, zones):
            configured = ", ".join(sorted(zones.get(resource.package, {})))
            yield f"data-residency must name a configured zone ({configured}, any) (found {zone!r})."
            return
        location = resource.location()
        if not location:
            yield (
                f"region must be known to check residency zone {zone!r} "
                "(found no region on the resource or its provider)."
            )
            return
        if not location_in_zone(resource.package, str(location), zone, zones):
            yield (
                f"region {location!r} must be inside residency zone {zone!r} "
                f"({', '.join(zones[resource.package].get(zone, []))})."
            )
        if resource.type == GCS_BUCKET:
            for place in as_list(resource.get("customPlacementConfig.dataLocations")):
                if not location_in_zone("gcp", str(place), zone, zones):
                    yield (
                        f"customPlacementConfig.dataLocations {place!r} "
                        f"must be inside residency zone {zone!r}."
                    )
