"""The whole AWS platform: graph shape, providers, cost tags on every taggable resource (issue 8)."""

from __future__ import annotations

import json

import pytest

from mlkeel.contracts import COST_TAG_KEYS
from mlkeel.taggable import tag_field

from .aws_plans import PLANS, bare, effective_tags, full, name_of, parent_type

CAPABILITIES = {
    "mlkeel:index:AwsEncryption": "encryption",
    "mlkeel:index:AwsNetwork": "network",
    "mlkeel:index:AwsModelRegistry": "registry",
    "mlkeel:index:AwsFeatureStore": "feature-store",
    "mlkeel:index:AwsAudit": "audit",
    "mlkeel:index:AwsAccess": "access",
    "mlkeel:index:AwsTrainingCluster": "training",
    "mlkeel:index:AwsMonitoring": "monitoring",
    "mlkeel:index:AwsServing": "serving",
    "mlkeel:index:AwsBudget": "budget",
}


@pytest.mark.parametrize("plan", sorted(PLANS))
def test_platform_aws_every_taggable_resource_has_every_cost_tag(plan: str) -> None:
    result = PLANS[plan]()
    checked = 0
    for resource in result.resources:
        if not resource.get("custom") or resource["type"].startswith("pulumi:"):
            continue
        if tag_field(resource["type"]) is None:
            continue
        tags = effective_tags(result, resource)
        missing = [k for k in COST_TAG_KEYS if k not in tags]
        assert not missing, f"{resource['urn']} lacks cost tags {missing}"
        assert tags["managed-by"] == "mlkeel"
        checked += 1
    assert checked > 20


def test_platform_aws_component_tag_names_the_capability() -> None:
    result = full()
    for resource in result.resources:
        if not resource.get("custom") or tag_field(resource["type"]) is None:
            continue
        owner = resource
        while owner["type"] not in CAPABILITIES:
            owner = result.by_urn(owner["parent"])
        assert resource["inputs"]["tags"]["component"] == CAPABILITIES[owner["type"]], resource["urn"]


def test_platform_aws_all_capabilities_composed_under_the_platform() -> None:
    result = full()
    for token in CAPABILITIES:
        components = result.by_type(token)
        assert len(components) == 1, token
        assert parent_type(result, components[0]) == "mlkeel:index:Platform"
    assert [parent_type(result, p) for p in result.by_type("mlkeel:index:AwsTrainingPool")] == [
        "mlkeel:index:AwsTrainingCluster"
    ] * 4
    assert {parent_type(result, e) for e in result.by_type("mlkeel:index:AwsServingEndpoint")} == {
        "mlkeel:index:AwsServing"
    }
    monitors = result.by_type("mlkeel:index:AwsDataQualityMonitor")
    assert [parent_type(result, m) for m in monitors] == [
        "mlkeel:index:AwsMonitoring"
    ]  # refunds captures nothing


def test_platform_aws_every_resource_uses_the_explicit_provider_with_default_tags() -> None:
    result = full()
    aws_providers = result.by_type("pulumi:providers:aws")
    assert len(aws_providers) == 1, "no default provider may be used"
    provider = aws_providers[0]
    assert provider["inputs"]["region"] == "eu-west-1"
    defaults = json.loads(provider["inputs"]["defaultTags"])["tags"]
    assert defaults["team"] == "payments" and defaults["product"] == "checkout"
    assert "component" not in defaults
    reference = f"{provider['urn']}::{provider['id']}"
    for resource in result.resources:
        if resource.get("custom") and resource["type"].startswith("aws:"):
            assert resource["provider"] == reference, resource["urn"]


def test_platform_aws_children_are_parented_to_their_component() -> None:
    result = full()
    for resource in result.resources:
        if resource["type"].startswith("aws:"):
            assert parent_type(result, resource).startswith("mlkeel:index:Aws"), name_of(resource)


def test_platform_aws_capabilities_off_create_nothing() -> None:
    result = bare()
    types = {r["type"] for r in result.resources}
    assert "mlkeel:index:AwsMonitoring" not in types
    assert "mlkeel:index:AwsAudit" not in types
    assert "mlkeel:index:AwsTrainingCluster" not in types
    assert "mlkeel:index:AwsFeatureStore" not in types
    assert "aws:cloudtrail/trail:Trail" not in types
    assert "aws:eks/cluster:Cluster" not in types
    assert "aws:sagemaker/endpoint:Endpoint" not in types
