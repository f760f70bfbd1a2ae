"""Data-transfer prices between regions: what moving a job's input data to the chosen region costs.

The pricing catalog has no egress SKU (``runtime/pricing/data/prices.csv`` lists none), so this small
table carries the public list prices per GB, first tier, as published around 2025-05 (the catalog's date):

- AWS "Data Transfer OUT from Amazon EC2 to another AWS Region": $0.02/GB from US and EU regions.
- GCP inter-region data transfer, premium tier: $0.02/GB within a continent, $0.05/GB between
  Northern America and Europe, $0.08/GB to or from Asia-Pacific.
- Leaving the cloud for another (internet egress, first tier): AWS $0.09/GB, GCP $0.12/GB.

The same region costs nothing. Override any pair with ``EgressTable(overrides=...)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

AWS_INTER_REGION_PER_GB = 0.02
GCP_SAME_CONTINENT_PER_GB = 0.02
GCP_NA_EU_PER_GB = 0.05
GCP_APAC_PER_GB = 0.08
INTERNET_EGRESS_PER_GB: Mapping[str, float] = {"aws": 0.09, "gcp": 0.12}

#: Where this table's numbers come from, for reports.
EGRESS_SOURCE = (
    "list prices per GB, first tier, around 2025-05: AWS inter-region $0.02, GCP inter-region $0.02 "
    "(same continent) / $0.05 (N. America-Europe) / $0.08 (APAC), internet egress AWS $0.09, GCP $0.12"
)


def continent(cloud: str, region: str) -> str:
    """``na``, ``eu`` or ``apac`` (or ``other``) from a region name."""
    r = region.lower()
    if cloud == "aws":
        if r.startswith(("us-", "ca-")):
            return "na"
        if r.startswith("eu-"):
            return "eu"
        if r.startswith("ap-"):
            return "apac"
    else:
        if r.startswith(("us-", "northamerica-", "nam")) or r == "us":
            return "na"
        if r.startswith(("europe-", "eur")) or r == "eu":
            return "eu"
        if r.startswith(("asia-", "australia-")) or r == "asia":
            return "apac"
    return "other"


@dataclass(frozen=True)
class EgressTable:
    """Price per GB to move data from one (cloud, region) to another; see the module docstring."""

    overrides: Mapping[tuple[str, str, str, str], float] = field(default_factory=dict)

    def per_gb(self, src_cloud: str, src_region: str, dst_cloud: str, dst_region: str) -> float:
        """USD per GB from ``src`` to ``dst``: 0 in the same region."""
        key = (src_cloud, src_region, dst_cloud, dst_region)
        if key in self.overrides:
            return float(self.overrides[key])
        if src_cloud == dst_cloud and src_region == dst_region:
            return 0.0
        if src_cloud != dst_cloud:
            return INTERNET_EGRESS_PER_GB.get(src_cloud, max(INTERNET_EGRESS_PER_GB.values()))
        if src_cloud == "aws":
            return AWS_INTER_REGION_PER_GB
        a, b = continent(src_cloud, src_region), continent(dst_cloud, dst_region)
        if a == b and a != "other":
            return GCP_SAME_CONTINENT_PER_GB
        if "apac" in (a, b) or "other" in (a, b):
            return GCP_APAC_PER_GB
        return GCP_NA_EU_PER_GB
