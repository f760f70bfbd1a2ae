"""Residency zone maps from policy config, defaulting to ``mlkeel.contracts``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlkeel.contracts import ANY_ZONE, AWS_REGIONS_BY_ZONE, GCP_LOCATIONS_BY_ZONE

DEFAULT_ZONES: dict[str, dict[str, list[str]]] = {
    "aws": {zone: list(regions) for zone, regions in AWS_REGIONS_BY_ZONE.items()},
    "gcp": {zone: list(regions) for zone, regions in GCP_LOCATIONS_BY_ZONE.items()},
}

ZONES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Cloud ('aws', 'gcp') -> residency zone -> allowed regions/locations (GCP multi-regions "
    "EU/US/ASIA included).",
    "properties": {
        cloud: {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}
        for cloud in ("aws", "gcp")
    },
    "additionalProperties": False,
    "default": DEFAULT_ZONES,
}


def known_zone(zone: str, zones: Mapping[str, Any]) -> bool:
    return zone == ANY_ZONE or any(zone in zones.get(cloud, {}) for cloud in ("aws", "gcp"))
