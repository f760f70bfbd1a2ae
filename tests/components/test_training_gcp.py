"""GcpTrainingCluster / GcpTrainingPool: private GKE with spot, tainted, CMEK node pools (issue 3)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.training.gcp import NODE_ROLES, TRAINING_NAMESPACE, kubeconfig, private_endpoint, split_nodes
from mlkeel.state import is_secret
from stacks.engine import PlanResult

from .gcp_plans import PLANS, full, of_type, one


@pytest.fixture(scope="module", params=sorted(PLANS))
def plan(request: pytest.FixtureRequest) -> PlanResult:
    return PLANS[request.param]()


def node_pools(plan: PlanResult) -> dict[str, dict[str, Any]]:
    return {p["inputs"]["name"]: p["inputs"] for p in of_type(plan, "gcp:container/nodePool:NodePool")}


def test_training_gcp_cluster_is_private_shielded_and_workload_identity(plan: PlanResult) -> None:
    cluster = one(plan, "gcp:container/cluster:Cluster")["inputs"]
    assert cluster["privateClusterConfig"]["enablePrivateNodes"] is True
    assert cluster["removeDefaultNodePool"] is True
    assert cluster["enableShieldedNodes"] is True and cluster["enableLegacyAbac"] is False
    assert cluster["workloadIdentityConfig"]["workloadPool"].endswith(".svc.id.goog")
    assert cluster["datapathProvider"] == "ADVANCED_DATAPATH"
    assert cluster["masterAuth"]["clientCertificateConfig"]["issueClientCertificate"] is False
    networks = [b["cidrBlock"] for b in cluster["masterAuthorizedNetworksConfig"]["cidrBlocks"]]
    assert (
        "0.0.0.0/0" not in networks
        and networks[0] == one(plan, "gcp:compute/subnetwork:Subnetwork")["inputs"]["ipCidrRange"]
    )
    assert cluster["masterAuthorizedNetworksConfig"]["gcpPublicCidrsAccessEnabled"] is False
    assert cluster["nodeConfig"]["shieldedInstanceConfig"]["enableSecureBoot"] is True


def test_training_gcp_control_plane_is_private_only_for_rfc1918_ranges() -> None:
    assert (
        one(full(), "gcp:container/cluster:Cluster")["inputs"]["privateClusterConfig"][
            "enablePrivateEndpoint"
        ]
        is True
    )
    risk = PLANS["risk"]()  # authorizes 192.0.2.0/24, an office range outside RFC 1918
    cluster = one(risk, "gcp:container/cluster:Cluster")["inputs"]
    assert cluster["privateClusterConfig"]["enablePrivateEndpoint"] is False
    assert [b["cidrBlock"] for b in cluster["masterAuthorizedNetworksConfig"]["cidrBlocks"]][1:] == [
        "192.0.2.0/24"
    ]
    assert private_endpoint(["10.0.0.0/8", "192.168.1.0/24"]) and not private_endpoint(["8.8.8.0/24"])


def test_training_gcp_every_node_pool_is_spot_tainted_and_hardened(plan: PlanResult) -> None:
    pools = node_pools(plan)
    assert pools
    for name, pool in pools.items():
        config = pool["nodeConfig"]
        assert config["spot"] is True, name
        taints = {(t["key"], t["value"], t["effect"]) for t in config["taints"]}
        assert ("mlkeel.io/workload", "training", "NO_SCHEDULE") in taints
        assert ("cloud.google.com/gke-spot", "true", "NO_SCHEDULE") in taints
        assert config["labels"]["mlkeel.io/workload"] == "training"
        assert config["shieldedInstanceConfig"] == {
            "enableSecureBoot": True,
            "enableIntegrityMonitoring": True,
        }
        assert config["workloadMetadataConfig"] == {"mode": "GKE_METADATA"}
        assert pool["autoscaling"]["locationPolicy"] == "ANY"
        assert pool["management"] == {"autoRepair": True, "autoUpgrade": True}


def test_training_gcp_node_pools_follow_the_spec_machines_and_gpus() -> None:
    pools = node_pools(full())
    gpu = {n: p for n, p in pools.items() if p["nodeConfig"]["labels"]["mlkeel.io/pool"] == "gpu"}
    assert {p["nodeConfig"]["machineType"] for p in gpu.values()} == {"g2-standard-8", "a2-highgpu-1g"}
    accelerators = {
        p["nodeConfig"]["machineType"]: p["nodeConfig"]["guestAccelerators"][0] for p in gpu.values()
    }
    assert (
        accelerators["g2-standard-8"]["type"] == "nvidia-l4"
        and accelerators["a2-highgpu-1g"]["type"] == "nvidia-tesla-a100"
    )
    [t4] = [p for p in pools.values() if p["nodeConfig"]["labels"]["mlkeel.io/pool"] == "t4"]
    assert t4["nodeConfig"]["machineType"] == "n1-standard-8"
    assert t4["nodeConfig"]["guestAccelerators"][0]["type"] == "nvidia-tesla-t4"
    assert t4["nodeConfig"]["guestAccelerators"][0]["count"] == 1
    cpu = [p for p in pools.values() if p["nodeConfig"]["labels"]["mlkeel.io/pool"] == "cpu"]
    assert all("guestAccelerators" not in p["nodeConfig"] for p in cpu)


@pytest.mark.parametrize(("pool", "low", "high"), [("gpu", 0, 6), ("t4", 0, 2), ("cpu", 1, 9)])
def test_training_gcp_autoscaling_bounds_add_up_to_the_spec(pool: str, low: int, high: int) -> None:
    pools = [p for p in node_pools(full()).values() if p["nodeConfig"]["labels"]["mlkeel.io/pool"] == pool]
    assert sum(p["autoscaling"]["totalMaxNodeCount"] for p in pools) == high
    assert sum(p["autoscaling"]["totalMinNodeCount"] for p in pools) == low


def test_training_gcp_requirements_pool_uses_the_scheduler_choice() -> None:
    out = full().outputs["platform"]["training"]["pools"]["cpu"]
    assert len(out["machineTypes"]) == 3 and "spot" in out["reason"]
    planned = {
        p["nodeConfig"]["machineType"]
        for p in node_pools(full()).values()
        if p["nodeConfig"]["labels"]["mlkeel.io/pool"] == "cpu"
    }
    assert planned == set(out["machineTypes"])


def test_training_gcp_node_pools_only_use_zones_that_offer_the_machine() -> None:
    from runtime.pricing import load_catalog

    cat = load_catalog()
    for pool in node_pools(full()).values():
        machine = cat.instance_type("gcp", "europe-west4", pool["nodeConfig"]["machineType"])
        assert machine is not None and set(pool.get("nodeLocations") or machine.zones) <= set(machine.zones)


def test_training_gcp_node_identity_has_only_logging_metrics_and_pull_roles(plan: PlanResult) -> None:
    account = next(
        a
        for a in of_type(plan, "gcp:serviceaccount/account:Account")
        if a["inputs"]["accountId"].endswith("gke-nodes")
    )
    email = account["outputs"]["email"]
    roles = {
        m["inputs"]["role"]
        for m in of_type(plan, "gcp:projects/iAMMember:IAMMember")
        if m["inputs"]["member"] == f"serviceAccount:{email}"
    }
    assert roles == set(NODE_ROLES)
    assert all(p["nodeConfig"]["serviceAccount"] == email for p in node_pools(plan).values())


@given(st.integers(0, 50), st.integers(0, 50), st.integers(1, 8))
def test_training_gcp_split_nodes_keeps_the_ceiling_and_the_floor(low: int, extra: int, count: int) -> None:
    high = low + extra
    if high < low + count - 1 or high < 1:
        with pytest.raises(ValueError):
            split_nodes(low, high, count)
        return
    parts = split_nodes(low, high, count)
    assert len(parts) == count and sum(h for _, h in parts) == high and sum(lo for lo, _ in parts) == low
    assert all(0 <= lo <= h and h >= 1 for lo, h in parts)


def test_training_gcp_every_cluster_makes_same_node_pod_traffic_visible(plan: PlanResult) -> None:
    clusters = of_type(plan, "gcp:container/cluster:Cluster")
    assert clusters
    for cluster in clusters:
        assert cluster["inputs"]["enableIntranodeVisibility"] is True, cluster["urn"]


def test_training_gcp_every_cluster_enforces_the_projects_binary_authorization_policy(
    plan: PlanResult,
) -> None:
    """Nodes run only images the project's policy admits (Checkov CKV_GCP_66); the policy is the project's."""
    clusters = of_type(plan, "gcp:container/cluster:Cluster")
    assert clusters
    for cluster in clusters:
        authorization = cluster["inputs"]["binaryAuthorization"]
        assert authorization == {"evaluationMode": "PROJECT_SINGLETON_POLICY_ENFORCE"}, cluster["urn"]


def test_training_gcp_kubernetes_provider_kubeconfig_is_secret_and_owned_by_the_cluster(
    plan: PlanResult,
) -> None:
    """The provider that manages RBAC in the cluster holds a bearer token: its kubeconfig stays a secret."""
    provider = one(plan, "pulumi:providers:kubernetes")
    cluster = one(plan, "gcp:container/cluster:Cluster")
    assert provider["parent"] == cluster["parent"], "the provider belongs to the training component"
    assert set(provider["inputs"]) >= {"kubeconfig"}
    assert is_secret(provider["inputs"]["kubeconfig"]), "the kubeconfig carries a token: it must be secret"
    assert not any(
        isinstance(v, str) and ("token" in v or "offline" in v) for v in provider["inputs"].values()
    )


def test_training_gcp_kubeconfig_reaches_the_cluster_endpoint_with_its_ca_and_a_token() -> None:
    config = json.loads(kubeconfig("c1", "172.16.0.2", "Q0E=", "ya29.token"))
    assert config["clusters"] == [
        {"name": "c1", "cluster": {"server": "https://172.16.0.2", "certificate-authority-data": "Q0E="}}
    ]
    assert config["users"] == [{"name": "c1", "user": {"token": "ya29.token"}}]
    assert config["current-context"] == "c1" and "insecure-skip-tls-verify" not in json.dumps(config)


def test_training_gcp_declares_the_training_namespace_with_pod_security_through_its_provider(
    plan: PlanResult,
) -> None:
    namespace = one(plan, "kubernetes:core/v1:Namespace")
    provider = one(plan, "pulumi:providers:kubernetes")
    assert namespace["inputs"]["metadata"]["name"] == TRAINING_NAMESPACE == "mlkeel-training"
    assert namespace["provider"].startswith(provider["urn"] + "::")
    labels = namespace["inputs"]["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "baseline"
    assert labels["pod-security.kubernetes.io/warn"] == "restricted"
    assert labels["component"] == "training", "cost tags reach Kubernetes objects too"
