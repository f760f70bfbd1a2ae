"""The stack's region: a real region code of its cloud, inside its residency zone.

The region is written to the provider as given, so a near miss (``EU ``, ``EUROPE-WEST4``, the zone
``europe-west4-a``, the multi-region ``EU``) is refused rather than normalised: Pulumi would pass it to the
cloud API, which refuses it or, worse, means something else by it. Suggestions are only ever regions that
pass every check this stack is held to (form, residency zone, and the cloud's own rules such as the pricing
catalog), so following one never leads to the next error.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from mlkeel.contracts import (
    ANY_ZONE,
    AWS_REGIONS_BY_ZONE,
    GCP_LOCATIONS_BY_ZONE,
    location_in_zone,
    regions_in_zone,
)

from ._errors import Problem
from ._model import StackSpec

_SHAPES = {
    # us-east-1, eu-central-2, us-gov-west-1, ap-southeast-5
    "aws": re.compile(r"[a-z]{2}(-[a-z]+)+-\d{1,2}"),
    # europe-west4, us-central1, northamerica-northeast2 (not a zone, not a multi-region)
    "gcp": re.compile(r"[a-z]+-[a-z]+\d{1,2}"),
}
_RULES = {
    "aws": "must be an AWS region code such as 'eu-west-1': lowercase, no spaces, not an availability zone "
    "such as 'eu-west-1a'",
    "gcp": "must be a GCP region such as 'europe-west4': lowercase, no spaces, not a zone such as "
    "'europe-west4-a' nor a multi-region such as 'EU'",
}
_ZONE_SUFFIX = {"aws": re.compile(r"(?<=\d)[a-z]$"), "gcp": re.compile(r"-[a-z]$")}


def region_shape_problem(cloud: str, region: str) -> str | None:
    """Why ``region`` is not written like a region of ``cloud``, or None when it is."""
    shape = _SHAPES.get(cloud)
    if shape is None or shape.fullmatch(region):
        return None
    return _RULES[cloud]


def _guess(cloud: str, region: str) -> str | None:
    """The region a near miss most likely meant: trimmed, lowercased, without a zone letter."""
    text = re.sub(r"\s+", "", region).lower()
    text = _ZONE_SUFFIX[cloud].sub("", text) if cloud in _ZONE_SUFFIX else text
    return text if text != region and region_shape_problem(cloud, text) is None else None


def pricing_cloud(spec: StackSpec) -> str:
    """The cloud whose regions ``spec.region`` names: the stack's, or on ``cloud: kubernetes`` the nodes'."""
    if spec.cloud != "kubernetes":
        return spec.cloud
    return spec.kubernetes.node_cloud if spec.kubernetes is not None else "aws"


def _candidates(spec: StackSpec, catalog_regions: Iterable[str]) -> list[str]:
    """Regions worth offering: the zone's (or, for 'any', every known one), written like regions."""
    cloud = pricing_cloud(spec)
    if spec.residency_zone == ANY_ZONE:
        table = AWS_REGIONS_BY_ZONE if cloud == "aws" else GCP_LOCATIONS_BY_ZONE
        known = {r for regions in table.values() for r in regions} | set(catalog_regions)
    else:
        known = set(regions_in_zone(cloud, spec.residency_zone))
    return sorted(r for r in known if region_shape_problem(cloud, r) is None)


def region_problems(
    spec: StackSpec,
    cloud_problems: Callable[[StackSpec], list[Problem]],
    catalog_regions: Callable[[], Iterable[str]] = tuple,
) -> list[Problem]:
    """Problems of ``spec.region``: its form and its residency zone, each with regions that would work.

    ``cloud_problems`` is the cloud's own rule set; a candidate is offered only if it raises no problem
    on ``region`` there. ``catalog_regions`` (called only when the region is wrong) adds the regions the
    pricing catalog knows to the candidates of zone ``any``.
    """
    # A `cloud: kubernetes` stack's region is where its nodes are priced: a region of that cloud.
    cloud, region, zone = pricing_cloud(spec), spec.region, spec.residency_zone
    shape = region_shape_problem(cloud, region)
    if shape is None and location_in_zone(cloud, region, zone):
        return []

    def usable(candidate: str) -> bool:
        if region_shape_problem(cloud, candidate) or not location_in_zone(cloud, candidate, zone):
            return False
        trial = spec.model_copy(update={"region": candidate})
        return not any(problem.path == "region" for problem in cloud_problems(trial))

    where = "" if zone == ANY_ZONE else f" in residency zone '{zone}'"
    guess = _guess(cloud, region)
    if guess is not None and usable(guess):
        hint = f"did you mean '{guess}'?"
    else:
        offered = [c for c in _candidates(spec, catalog_regions()) if usable(c)]
        hint = (
            f"regions{where} this stack can use: {', '.join(offered)}"
            if offered
            else f"no {cloud} region{where} passes this stack's other checks (see the pricing catalog: "
            "`keel cost refresh-prices --region REGION` adds one)"
        )
    if shape is not None:
        return [Problem("region", region, f"{shape}; {hint}")]
    return [Problem("region", region, f"is outside residency zone '{zone}'; {hint}")]
