"""The in-cluster layer on GKE, and the persona groups on EKS.

``fixtures/gke_layer.json`` is the GCP example stack (``Pulumi.risk-prod.yaml``) with a ``kubernetes:``
section: the layer is built inside its own GKE cluster, through that cluster's provider, with MLflow and
training reaching the stack bucket through GKE Workload Identity. On EKS, the layer's RoleBindings name the
groups ``mlkeel:<persona>``; the cluster's access entries must put the persona roles in them.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate

from components.kubernetes import PRICING_ANNOTATION, SUPPORTED_VERSIONS, crd_schema
from components.platform.kubernetes import GKE_ANNOTATION, GKE_BUCKET_ROLE
from stacks.engine import PlanResult, plan_config

from .kubernetes_plans import fraud, is_custom, kubernetes_objects, manifest, of_kind

GKE_CONFIG = Path(__file__).resolve().parent / "fixtures" / "gke_layer.json"
PROJECT = "risk-ml-prod"
NAMESPACE = "risk-ml"
LAYER = {
    "mlkeel:index:K8sTenancy",
    "mlkeel:index:K8sNetwork",
    "mlkeel:index:K8sAccess",
    "mlkeel:index:K8sModelRegistry",
    "mlkeel:index:K8sTraining",
    "mlkeel:index:K8sMonitoring",
}
WORKLOAD_IDENTITY = "roles/iam.workloadIdentityUser"


@cache
def gke() -> PlanResult:
    return plan_config(json.loads(GKE_CONFIG.read_text(encoding="utf-8")), stack="risk-prod")


def _layer_accounts(plan: PlanResult) -> dict[str, dict[str, Any]]:
    """Workload -> the Google service account the layer made for it."""
    return {
        r["inputs"]["accountId"].removeprefix("risk-prod-k8s-"): r
        for r in plan.by_type("gcp:serviceaccount/account:Account")
        if r["inputs"]["accountId"].startswith("risk-prod-k8s-")
    }


def _layer_objects(plan: PlanResult) -> list[dict[str, Any]]:
    """The layer's own Kubernetes objects (the cluster's training namespace and persona RBAC excluded)."""
    return [r for r in kubernetes_objects(plan) if "$mlkeel:index:K8s" in r["urn"]]


def test_gke_stack_builds_the_layer_inside_its_cluster_and_leaves_features_and_serving_to_vertex() -> None:
    types = {r["type"] for r in gke().resources}
    assert types >= LAYER
    assert not types & {"mlkeel:index:K8sFeatureStore", "mlkeel:index:K8sServing"}
    (namespace,) = [n for n in of_kind(gke(), "Namespace") if n["metadata"]["name"] == NAMESPACE]
    pricing = json.loads(namespace["metadata"]["annotations"][PRICING_ANNOTATION])
    assert pricing["cloud"] == "gcp" and pricing["region"] == "europe-west4"
    assert pricing["pools"] == {
        "gpu-t4": {"instanceTypes": ["n1-standard-8"], "spot": True, "gpus": 1},
        "cpu": {"instanceTypes": ["n2-standard-8"], "spot": True, "gpus": 0},
    }
    (mlflow,) = [d for d in of_kind(gke(), "Deployment") if d["metadata"]["name"] == "mlflow"]
    args = mlflow["spec"]["template"]["spec"]["containers"][0]["args"]
    assert "--artifacts-destination=gs://risk-ml-prod-risk-prod-artifacts/mlflow" in args


def test_every_kubernetes_object_goes_through_the_gke_clusters_own_provider() -> None:
    (provider,) = gke().by_type("pulumi:providers:kubernetes")
    assert "$mlkeel:index:GcpTrainingCluster$" in provider["urn"], provider["urn"]
    objects = kubernetes_objects(gke())
    assert len(_layer_objects(gke())) > 20
    for resource in objects:
        assert resource["provider"].startswith(provider["urn"] + "::"), resource["urn"]


def test_workload_identity_binds_each_google_account_to_exactly_its_namespace_and_service_account() -> None:
    plan = gke()
    accounts = _layer_accounts(plan)
    assert set(accounts) == {"mlflow", "training"}
    ksas = {
        r["urn"].rsplit("-sa-", 1)[-1]: manifest(r)["metadata"]
        for r in plan.by_type("kubernetes:core/v1:ServiceAccount")
        if "$mlkeel:index:K8sAccess$" in r["urn"]
    }
    bindings = plan.by_type("gcp:serviceaccount/iAMMember:IAMMember")
    for workload, account in accounts.items():
        email = account["outputs"]["email"]
        on_account = [b for b in bindings if b["inputs"]["serviceAccountId"] == account["outputs"]["name"]]
        ksa = ksas[workload]
        assert [(b["inputs"]["role"], b["inputs"]["member"]) for b in on_account] == [
            (WORKLOAD_IDENTITY, f"serviceAccount:{PROJECT}.svc.id.goog[{NAMESPACE}/{ksa['name']}]")
        ]
        assert ksa["namespace"] == NAMESPACE
        assert ksa["annotations"] == {GKE_ANNOTATION: email}
    # Workloads without cloud access (the database) get no Google identity.
    assert not ksas["mlflow-postgres"].get("annotations")


def test_layer_accounts_hold_one_role_on_the_bucket_under_their_prefixes_and_nothing_on_the_project() -> None:
    plan = gke()
    accounts = _layer_accounts(plan)
    members = {f"serviceAccount:{a['outputs']['email']}": w for w, a in accounts.items()}
    project_grants = [
        r for r in plan.by_type("gcp:projects/iAMMember:IAMMember") if r["inputs"]["member"] in members
    ]
    assert not project_grants
    grants = [
        r
        for r in plan.by_type("gcp:storage/bucketIAMMember:BucketIAMMember")
        if r["inputs"]["member"] in members
    ]
    assert sorted(members[g["inputs"]["member"]] for g in grants) == ["mlflow", "training"]
    prefixes = {"mlflow": ["mlflow/"], "training": ["checkpoints/", "training-output/"]}
    for grant in grants:
        workload = members[grant["inputs"]["member"]]
        assert grant["inputs"]["role"] == GKE_BUCKET_ROLE
        expression = grant["inputs"]["condition"]["expression"]
        bucket = grant["inputs"]["bucket"]
        for prefix in prefixes[workload]:
            assert f'"projects/_/buckets/{bucket}/objects/{prefix}"' in expression
            assert f'.startsWith("{prefix}")' in expression
        other = {p for w, ps in prefixes.items() if w != workload for p in ps}
        assert not [p for p in other if p in expression], expression


def test_training_pods_tolerate_and_select_exactly_the_spot_node_pools_labels_and_taints() -> None:
    plan = gke()
    (config,) = [c for c in of_kind(plan, "ConfigMap") if c["metadata"]["name"] == "mlkeel-training-pools"]
    placement = json.loads(config["data"]["pools.json"])
    node_pools = [
        n
        for n in plan.by_type("gcp:container/nodePool:NodePool")
        if n["inputs"]["nodeConfig"]["labels"]["mlkeel.io/workload"] == "training"
    ]
    assert node_pools
    for node_pool in node_pools:
        node = node_pool["inputs"]["nodeConfig"]
        (pool,) = [p for p in placement if node["labels"]["mlkeel.io/pool"] == p]
        selector = placement[pool]["nodeSelector"]
        assert selector.items() <= node["labels"].items(), (selector, node["labels"])
        tolerated = {
            (t["key"], t["value"], t["effect"]) for t in placement[pool]["tolerations"] if "value" in t
        }
        effects = {"NO_SCHEDULE": "NoSchedule"}
        taints = {(t["key"], t["value"], effects[t["effect"]]) for t in node["taints"]}
        assert taints <= tolerated, (pool, taints, tolerated)
        assert node["spot"] is True


def test_both_namespaces_deny_by_default_and_reach_the_metadata_server_only_on_port_80() -> None:
    policies = of_kind(gke(), "NetworkPolicy")
    for namespace in (NAMESPACE, "mlkeel-training"):
        mine = [p for p in policies if p["metadata"]["namespace"] == namespace]
        assert any(
            p["spec"]["podSelector"] == {}
            and p["spec"]["policyTypes"] == ["Ingress", "Egress"]
            and not p["spec"].get("ingress")
            and not p["spec"].get("egress")
            for p in mine
        ), namespace
        metadata = [
            (rule["to"], rule.get("ports"))
            for p in mine
            for rule in p["spec"].get("egress") or []
            if any("169.254.169.254" in json.dumps(peer) for peer in rule.get("to", []))
        ]
        allowed = [ports for to, ports in metadata if to == [{"ipBlock": {"cidr": "169.254.169.254/32"}}]]
        assert allowed == [[{"protocol": "TCP", "port": 80}]], (namespace, metadata)


def test_gke_layer_manifests_validate_strictly_and_against_their_crds() -> None:
    failures = []
    objects = kubernetes_objects(gke())
    core = [r for r in objects if not is_custom(r)]
    for version in SUPPORTED_VERSIONS:
        for resource in core:
            try:
                kubernetes_validate.validate(manifest(resource), f"{version}.0", strict=True)
            except kubernetes_validate.ValidationError as exc:
                failures.append(f"{version} {resource['urn']}: {exc.message} at {list(exc.path)}")
    customs = [r for r in objects if is_custom(r)]
    assert {manifest(r)["kind"] for r in customs} >= {"ServiceMonitor", "PrometheusRule", "ClusterQueue"}
    for resource in customs:
        body = manifest(resource)
        validator = jsonschema.Draft7Validator(crd_schema(body["apiVersion"], body["kind"]))
        failures += [f"{resource['urn']}: {e.message}" for e in validator.iter_errors(body)]
    assert not failures, "\n".join(failures)


def test_gke_stack_passes_the_policy_pack_without_exemptions(tmp_path: Path) -> None:
    from policies._check import check_files

    state = gke().write(tmp_path / "risk-gke.json")
    result = check_files([state])
    findings = [f"{f.status} {f.enforcement} {f.policy}: {f.urn}: {f.message}" for f in result.findings]
    assert not findings, "\n".join(findings)
    assert result.exit_code == 0


def test_eks_access_entries_put_every_persona_role_in_the_group_its_rolebinding_names() -> None:
    plan = fraud()
    entries = plan.by_type("aws:eks/accessEntry:AccessEntry")
    groups = {g for e in entries for g in e["inputs"].get("kubernetesGroups") or []}
    bound = {s["name"] for b in of_kind(plan, "RoleBinding") for s in b["subjects"] if s["kind"] == "Group"}
    assert bound and bound <= groups, (bound, groups)
    for entry in entries:
        (group,) = entry["inputs"]["kubernetesGroups"]
        assert group.startswith("mlkeel:") and not group.startswith("system:")
    # Only the platform admin is cluster-wide; the group alone grants nothing beyond the layer's Roles.
    associations = plan.by_type("aws:eks/accessPolicyAssociation:AccessPolicyAssociation")
    scopes = {a["inputs"]["policyArn"].rsplit("/", 1)[-1]: a["inputs"]["accessScope"] for a in associations}
    assert scopes["AmazonEKSClusterAdminPolicy"]["type"] == "cluster"
    assert all(s["type"] == "namespace" for p, s in scopes.items() if p != "AmazonEKSClusterAdminPolicy")
    assert len(associations) < len(entries)


def test_eks_without_the_layer_puts_no_persona_in_a_kubernetes_group() -> None:
    from .aws_plans import full

    entries = full().by_type("aws:eks/accessEntry:AccessEntry")
    assert entries
    assert not [e for e in entries if e["inputs"].get("kubernetesGroups")]


def test_gke_layer_services_get_an_untainted_on_demand_pool_because_every_training_pool_is_tainted() -> None:
    """MLflow and its database tolerate no training or spot taint: without this pool they never schedule."""
    plan = gke()
    platform = [
        n["inputs"]
        for n in plan.by_type("gcp:container/nodePool:NodePool")
        if n["inputs"]["nodeConfig"]["labels"]["mlkeel.io/workload"] == "platform"
    ]
    assert len(platform) == 1
    (pool,) = platform
    assert not pool["nodeConfig"].get("taints")
    assert not pool["nodeConfig"].get("spot")
    assert pool["autoscaling"]["totalMinNodeCount"] >= 2
    assert pool["nodeConfig"]["bootDiskKmsKey"]
    assert pool["nodeConfig"]["shieldedInstanceConfig"]["enableSecureBoot"] is True


def test_eks_layer_services_get_an_untainted_on_demand_node_group() -> None:
    plan = fraud()
    groups = plan.by_type("aws:eks/nodeGroup:NodeGroup")
    platform = [g["inputs"] for g in groups if g["inputs"]["labels"]["mlkeel.io/workload"] == "platform"]
    assert len(platform) == 1
    (group,) = platform
    assert group["capacityType"] == "ON_DEMAND"
    assert not group.get("taints")
    assert group["scalingConfig"]["minSize"] >= 2
    training = [g["inputs"] for g in groups if g["inputs"]["labels"]["mlkeel.io/workload"] == "training"]
    assert training and all(any(t["key"] == "mlkeel.io/workload" for t in g["taints"]) for g in training)


def test_eks_without_the_layer_has_no_platform_node_group() -> None:
    from .aws_plans import full

    groups = full().by_type("aws:eks/nodeGroup:NodeGroup")
    assert groups and all(g["inputs"]["labels"]["mlkeel.io/workload"] == "training" for g in groups)


def test_the_spec_rules_and_the_components_name_the_platform_pool_alike() -> None:
    """The spec refuses a training pool with the platform pool's name; both must mean the same name."""
    from components.training import aws as training_aws
    from components.training import gcp as training_gcp
    from stacks.stackspec.rules import kubernetes as spec_rules

    assert spec_rules.PLATFORM_POOL == training_aws.PLATFORM_POOL == training_gcp.PLATFORM_POOL
