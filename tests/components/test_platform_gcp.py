"""The GCP platform as a whole: graph shape, cost labels,
residency and names on every planned stack (issue 3)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.gcp._naming import name_problem
from mlkeel.contracts import COST_TAG_KEYS, location_in_zone
from mlkeel.taggable import known_type, tag_field
from stacks.engine import PlanResult

from . import gcp_plans
from .gcp_plans import PLANS, ancestors

#: Capability component -> the ``component`` label its resources carry.
COMPONENT_LABEL = {
    "GcpNetwork": "network",
    "GcpEncryption": "encryption",
    "GcpModelRegistry": "registry",
    "GcpFeatureStore": "feature-store",
    "GcpTrainingCluster": "training",
    "GcpTrainingPool": "training",
    "GcpServing": "serving",
    "GcpServingEndpoint": "serving",
    "GcpMonitoring": "monitoring",
    "GcpAccess": "access",
    "GcpAudit": "audit",
    "GcpBudget": "budget",
}

#: Type -> (input property holding the physical name, naming rule kind).
NAME_FIELDS = {
    "gcp:compute/network:Network": ("name", "compute"),
    "gcp:compute/subnetwork:Subnetwork": ("name", "compute"),
    "gcp:compute/firewall:Firewall": ("name", "compute"),
    "gcp:compute/globalAddress:GlobalAddress": ("name", "compute"),
    "gcp:storage/bucket:Bucket": ("name", "bucket"),
    "gcp:kms/keyRing:KeyRing": ("name", "kms"),
    "gcp:kms/cryptoKey:CryptoKey": ("name", "kms"),
    "gcp:container/cluster:Cluster": ("name", "cluster"),
    "gcp:container/nodePool:NodePool": ("name", "node_pool"),
    "gcp:serviceaccount/account:Account": ("accountId", "service_account"),
    "gcp:artifactregistry/repository:Repository": ("repositoryId", "artifact_repository"),
    "gcp:bigquery/dataset:Dataset": ("datasetId", "bigquery"),
    "gcp:bigquery/table:Table": ("tableId", "bigquery"),
    "gcp:vertex/aiFeatureOnlineStore:AiFeatureOnlineStore": ("name", "vertex_store"),
    "gcp:vertex/aiFeatureOnlineStoreFeatureview:AiFeatureOnlineStoreFeatureview": ("name", "vertex_store"),
    "gcp:vertex/aiFeatureGroup:AiFeatureGroup": ("name", "vertex_feature"),
    "gcp:vertex/aiMetadataStore:AiMetadataStore": ("name", "vertex_resource"),
    "gcp:vertex/aiDeploymentResourcePool:AiDeploymentResourcePool": ("name", "vertex_resource"),
    "gcp:logging/projectBucketConfig:ProjectBucketConfig": ("bucketId", "log_bucket"),
    "gcp:billing/budget:Budget": ("displayName", "budget"),
}


@pytest.fixture(scope="module", params=sorted(PLANS))
def plan(request: pytest.FixtureRequest) -> PlanResult:
    return PLANS[request.param]()


def gcp_resources(plan: PlanResult) -> list[dict[str, Any]]:
    return [r for r in plan.resources if r["type"].startswith("gcp:")]


def capability_of(plan: PlanResult, resource: dict[str, Any]) -> str:
    for node in ancestors(plan, resource):
        kind = node["type"].rsplit(":", 1)[-1]
        if kind in COMPONENT_LABEL:
            return COMPONENT_LABEL[kind]
    raise AssertionError(f"{resource['urn']} has no capability component above it")


def labels_of(resource: dict[str, Any]) -> dict[str, Any]:
    field = tag_field(resource["type"])
    inputs = resource["inputs"]
    if field == "nodeConfig.resourceLabels":
        return dict((inputs.get("nodeConfig") or {}).get("resourceLabels") or {})
    return dict(inputs.get(field or "", {}) or {})


def test_platform_gcp_plans_every_capability(plan: PlanResult) -> None:
    components = {
        r["type"].rsplit(":", 1)[-1] for r in plan.resources if r["type"].startswith("mlkeel:index:Gcp")
    }
    assert components >= {
        "GcpNetwork",
        "GcpEncryption",
        "GcpModelRegistry",
        "GcpTrainingCluster",
        "GcpTrainingPool",
        "GcpServing",
        "GcpServingEndpoint",
        "GcpMonitoring",
        "GcpAccess",
        "GcpAudit",
        "GcpBudget",
    }


def test_platform_gcp_every_resource_is_a_known_provider_type_under_a_capability(plan: PlanResult) -> None:
    resources = gcp_resources(plan)
    assert len(resources) > 50
    for resource in resources:
        assert known_type(resource["type"]), resource["type"]
        capability_of(plan, resource)


def test_platform_gcp_provider_carries_project_region_and_cost_labels(plan: PlanResult) -> None:
    [provider] = plan.by_type("pulumi:providers:gcp")
    inputs = provider["inputs"]
    labels = json.loads(inputs["defaultLabels"])
    assert set(COST_TAG_KEYS) - {"component"} <= set(labels)
    assert inputs["region"] == plan.outputs["region"]
    assert all(r["provider"].startswith(provider["urn"]) for r in gcp_resources(plan))


def test_platform_gcp_every_labelable_resource_carries_every_cost_label(plan: PlanResult) -> None:
    provider_labels = json.loads(plan.by_type("pulumi:providers:gcp")[0]["inputs"]["defaultLabels"])
    checked = 0
    for resource in gcp_resources(plan):
        if tag_field(resource["type"]) is None:
            continue
        labels = {**provider_labels, **labels_of(resource)}
        missing = set(COST_TAG_KEYS) - set(labels)
        assert not missing, f"{resource['urn']} lacks cost labels {sorted(missing)}"
        assert labels["component"] == capability_of(plan, resource), resource["urn"]
        assert labels["managed-by"] == "mlkeel"
        checked += 1
    assert checked >= 8


def test_platform_gcp_label_fields_keep_their_own_shape(plan: PlanResult) -> None:
    """``labels`` that are not resource labels (channel settings, label descriptors) are left alone."""
    for channel in plan.by_type("gcp:monitoring/notificationChannel:NotificationChannel"):
        assert set(channel["inputs"]["labels"]) == {"email_address"}
        assert set(COST_TAG_KEYS) <= set(channel["inputs"]["userLabels"])
    for descriptor in plan.by_type("gcp:monitoring/metricDescriptor:MetricDescriptor"):
        assert [label["key"] for label in descriptor["inputs"]["labels"]] == ["endpoint", "team"]


LOCATION_FIELDS = ("location", "region")


def test_platform_gcp_every_location_is_inside_the_residency_zone(plan: PlanResult) -> None:
    zone = plan.outputs["residencyZone"]
    seen = set()
    for resource in gcp_resources(plan):
        inputs = resource["inputs"]
        places = [inputs[f] for f in LOCATION_FIELDS if inputs.get(f)] + list(
            inputs.get("nodeLocations") or []
        )
        for place in places:
            seen.add(place)
            assert location_in_zone("gcp", place, zone), f"{resource['urn']}: {place} is outside zone {zone}"
    assert seen and any(place.endswith("-a") for place in seen)  # regions and node zones are both checked


def test_platform_gcp_residency_counts_the_eu_multi_region_inside_eu() -> None:
    assert location_in_zone("gcp", "EU", "eu") and location_in_zone("gcp", "eu", "eu")
    assert not location_in_zone("gcp", "US", "eu") and not location_in_zone("gcp", "us-central1", "eu")


def test_platform_gcp_physical_names_follow_gcp_naming_rules(plan: PlanResult) -> None:
    checked = 0
    for resource in gcp_resources(plan):
        if resource["type"] not in NAME_FIELDS:
            continue
        field, kind = NAME_FIELDS[resource["type"]]
        value = resource["inputs"][field]
        assert name_problem(kind, value) is None, (
            f"{resource['urn']}: {field} = {value!r}: {name_problem(kind, value)}"
        )
        checked += 1
    assert checked > 15


def test_platform_gcp_outputs_name_what_users_need() -> None:
    out = gcp_plans.full().outputs["platform"]
    assert out["registry"]["bucket"] == "fraud-ml-prod-fraud-prod-artifacts"
    assert out["registry"]["imageRepository"] == "europe-west4-docker.pkg.dev/fraud-ml-prod/fraud-prod-models"
    assert out["training"]["clusterName"] == "fraud-prod-training"
    assert out["training"]["pools"]["cpu"]["reason"].startswith(
        "cheapest 3 spot Compute Engine machine types"
    )
    assert out["monitoring"]["driftMetric"] == "custom.googleapis.com/mlkeel/drift_share"
    deployment = out["serving"]["endpoints"]["scorer"]["modelDeployment"]
    assert deployment["status"] == "deployed" and deployment["traffic_split"] == {"blue": 90, "green": 10}


def test_platform_gcp_minimal_stack_creates_only_what_is_switched_on() -> None:
    from stacks.engine import plan_config

    config = {
        "mlkeel:team": "lab",
        "mlkeel:environment": "dev",
        "mlkeel:cloud": "gcp",
        "mlkeel:region": "us-central1",
        "mlkeel:residencyZone": "us",
        "mlkeel:dataClassification": "internal",
        "mlkeel:costCenter": "cc-9",
        "mlkeel:owner": "sam",
        "mlkeel:project": "lab-ml-dev",
        "mlkeel:registry": json.dumps({"enabled": False}),
        "mlkeel:audit": json.dumps({"enabled": False}),
        "mlkeel:budget": json.dumps({"enabled": False}),
        "mlkeel:serving": json.dumps({"enabled": False}),
        "mlkeel:monitoring": json.dumps({"alertEmails": ["lab@example.com"]}),
    }
    plan = plan_config(config, stack="lab-dev")
    kinds = {r["type"].rsplit(":", 1)[-1] for r in plan.resources if r["type"].startswith("mlkeel:index:Gcp")}
    assert kinds == {"GcpNetwork", "GcpEncryption", "GcpAccess", "GcpMonitoring"}
    assert not plan.by_type("gcp:storage/bucket:Bucket") and not plan.by_type("gcp:container/cluster:Cluster")
    # Only the drift alert exists without endpoints, and no service agent is granted a key nothing uses.
    assert [p["inputs"]["displayName"] for p in plan.by_type("gcp:monitoring/alertPolicy:AlertPolicy")] == [
        "lab-dev feature drift"
    ]
    assert not plan.by_type("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember")
    assert not [
        b
        for b in plan.by_type("gcp:serviceaccount/iAMMember:IAMMember")
        if b["inputs"]["role"] == "roles/iam.workloadIdentityUser"
    ]
    dashboard = json.loads(plan.by_type("gcp:monitoring/dashboard:Dashboard")[0]["inputs"]["dashboardJson"])
    assert all("()" not in json.dumps(w) for w in dashboard["gridLayout"]["widgets"])
