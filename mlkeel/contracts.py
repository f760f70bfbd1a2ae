"""Contracts every package shares: cost tag keys, tag value syntax and residency zones.

They live here, apart from ``components``, ``policies`` and ``runtime``, because all three must agree on
them and none may import another for it: a tag written by a component, checked by the policy pack and
grouped by the cost report is the same key with the same allowed values.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

#: Keys every taggable resource carries, as AWS tags, GCP labels and Kubernetes labels alike.
COST_TAG_KEYS: tuple[str, ...] = (
    "team",
    "cost-center",
    "environment",
    "owner",
    "data-classification",
    "data-residency",
    "component",
    "managed-by",
)

#: The value of the ``managed-by`` tag on everything mlkeel creates.
MANAGED_BY = "mlkeel"

#: Platform capabilities; the ``component`` tag names one of them.
CAPABILITIES: tuple[str, ...] = (
    "network",
    "encryption",
    "registry",
    "feature-store",
    "training",
    "serving",
    "monitoring",
    "access",
    "audit",
    "budget",
    "platform",
)

#: Environments a team stack may be.
ENVIRONMENTS: tuple[str, ...] = ("dev", "test", "staging", "prod")

#: Data classifications, least to most sensitive.
DATA_CLASSIFICATIONS: tuple[str, ...] = ("public", "internal", "confidential", "restricted")

# GCP labels are the strictest of the three tag systems (AWS tags, GCP labels, Kubernetes labels), so
# every value must satisfy them: lowercase letters, digits, '-' and '_', at most 63 characters.
# Kubernetes label values additionally must start and end with an alphanumeric character.
_LABEL_VALUE = re.compile(r"^(?:[a-z0-9](?:[a-z0-9_-]{0,61}[a-z0-9])?)?$")
_LABEL_KEY = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")

LABEL_VALUE_RULE = (
    "lowercase letters, digits, '-' and '_', starting and ending with a letter or digit, "
    "at most 63 characters"
)
LABEL_KEY_RULE = "a lowercase letter, then lowercase letters, digits, '-' and '_', at most 63 characters"


def is_valid_tag_value(value: str) -> bool:
    """Whether ``value`` is a valid tag value on AWS, GCP and Kubernetes at once."""
    return bool(_LABEL_VALUE.match(value))


def is_valid_tag_key(key: str) -> bool:
    """Whether ``key`` is a valid tag key on AWS, GCP and Kubernetes at once."""
    return bool(_LABEL_KEY.match(key))


#: Residency zone -> AWS regions allowed in it.
AWS_REGIONS_BY_ZONE: Mapping[str, tuple[str, ...]] = {
    "eu": (
        "eu-central-1",
        "eu-central-2",
        "eu-north-1",
        "eu-south-1",
        "eu-south-2",
        "eu-west-1",
        "eu-west-3",
    ),
    "uk": ("eu-west-2",),
    "us": ("us-east-1", "us-east-2", "us-west-1", "us-west-2"),
    "ca": ("ca-central-1", "ca-west-1"),
    "apac": (
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-1",
        "ap-southeast-1",
        "ap-southeast-2",
    ),
}

#: Residency zone -> GCP locations (regions and multi-regions) allowed in it.
GCP_LOCATIONS_BY_ZONE: Mapping[str, tuple[str, ...]] = {
    "eu": (
        "EU",
        "europe-central2",
        "europe-north1",
        "europe-southwest1",
        "europe-west1",
        "europe-west3",
        "europe-west4",
        "europe-west6",
        "europe-west8",
        "europe-west9",
        "europe-west10",
        "europe-west12",
        "eur4",
        "eur5",
    ),
    "uk": ("europe-west2",),
    "us": (
        "US",
        "us-central1",
        "us-east1",
        "us-east4",
        "us-east5",
        "us-south1",
        "us-west1",
        "us-west2",
        "us-west3",
        "us-west4",
        "nam4",
    ),
    "ca": ("northamerica-northeast1", "northamerica-northeast2"),
    "apac": (
        "ASIA",
        "asia-east1",
        "asia-east2",
        "asia-northeast1",
        "asia-northeast2",
        "asia-northeast3",
        "asia-south1",
        "asia-southeast1",
        "australia-southeast1",
    ),
}

#: Zone meaning "no residency constraint".
ANY_ZONE = "any"

RESIDENCY_ZONES: tuple[str, ...] = (*AWS_REGIONS_BY_ZONE.keys(), ANY_ZONE)


def _normalise_location(location: str) -> str:
    """GCP zones (``europe-west4-a``) and AWS AZs (``eu-west-1a``) belong to their region."""
    loc = location.strip()
    if re.match(r"^[a-z]+-[a-z]+\d+-[a-z]$", loc):  # gcp zone
        return loc.rsplit("-", 1)[0]
    if re.match(r"^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$", loc):  # aws availability zone
        return loc[:-1]
    return loc


def regions_in_zone(cloud: str, zone: str) -> tuple[str, ...]:
    """Regions (and for GCP multi-regions) of ``cloud`` inside residency ``zone``; empty for ``any``."""
    table = AWS_REGIONS_BY_ZONE if cloud == "aws" else GCP_LOCATIONS_BY_ZONE
    if zone == ANY_ZONE:
        return ()
    return table.get(zone, ())


def location_in_zone(
    cloud: str,
    location: str,
    zone: str,
    zones: Mapping[str, Mapping[str, tuple[str, ...] | list[str]]] | None = None,
) -> bool:
    """Whether ``location`` (region, zone or GCP multi-region) of ``cloud`` lies in residency ``zone``.

    ``zones`` overrides the built-in map (``{"aws": {zone: [...]}, "gcp": {...}}``) so policy config can
    narrow or widen it. GCP multi-region codes are case-insensitive (``EU`` == ``eu``).
    """
    if zone == ANY_ZONE:
        return True
    if zones is not None and cloud in zones:
        allowed = tuple(zones[cloud].get(zone, ()))
    else:
        allowed = regions_in_zone(cloud, zone)
    loc = _normalise_location(location)
    return loc in allowed or loc.upper() in allowed or loc.lower() in {a.lower() for a in allowed}


def cost_tags(
    *,
    team: str,
    cost_center: str,
    environment: str,
    owner: str,
    data_classification: str,
    data_residency: str,
    component: str,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The cost tags of one resource, in the key order finance reports use."""
    tags = {
        "team": team,
        "cost-center": cost_center,
        "environment": environment,
        "owner": owner,
        "data-classification": data_classification,
        "data-residency": data_residency,
        "component": component,
        "managed-by": MANAGED_BY,
    }
    if extra:
        tags.update(extra)
    return tags
