"""The security properties of the Kubernetes layer, checked object by object on every planned stack.

Pod Security Admission ``restricted`` on the namespace, default-deny NetworkPolicies with explicit
allowances, Roles without wildcards and with Secrets only for the platform admin, no API token unless
needed, every container hardened and sized, cost labels everywhere, and the MLflow backend password a
Pulumi secret that never appears in the planned state.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from mlkeel.contracts import COST_TAG_KEYS
from mlkeel.state import SECRET_SIG_KEY

from .kubernetes_plans import PLAIN_PASSWORD, PLANS, kubernetes_objects, manifest, of_kind, plain, pod_specs

PLAN_NAMES = sorted(PLANS)


def _containers(pod: dict[str, Any]) -> list[dict[str, Any]]:
    return list(pod.get("initContainers") or []) + list(pod["containers"])


@pytest.mark.parametrize("plan", PLAN_NAMES)
def test_namespace_enforces_pod_security_restricted(plan: str) -> None:
    (namespace,) = of_kind(PLANS[plan](), "Namespace")
    labels = namespace["metadata"]["labels"]
    for mode in ("enforce", "audit", "warn"):
        assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted", (plan, mode)


@pytest.mark.parametrize("plan", PLAN_NAMES)
def test_namespace_denies_all_traffic_then_allows_named_flows(plan: str) -> None:
    result = PLANS[plan]()
    (namespace,) = of_kind(result, "Namespace")
    policies = {p["metadata"]["name"]: p for p in of_kind(result, "NetworkPolicy")}
    assert all(p["metadata"]["namespace"] == namespace["metadata"]["name"] for p in policies.values())
    deny = policies["default-deny"]["spec"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}
    dns = policies["allow-dns"]["spec"]["egress"][0]
    assert {(p["protocol"], p["port"]) for p in dns["ports"]} == {("UDP", 53), ("TCP", 53)}
    assert dns["to"][0]["namespaceSelector"]["matchLabels"] == {"kubernetes.io/metadata.name": "kube-system"}
    https = policies["allow-https-egress"]["spec"]
    assert https["podSelector"] == {"matchLabels": {"mlkeel.io/egress-https": "true"}}
    assert https["egress"][0]["to"][0]["ipBlock"]["except"] == ["169.254.169.254/32"]
    assert https["egress"][0]["ports"] == [{"protocol": "TCP", "port": 443}]
    scrape = policies["allow-metrics-scrape"]["spec"]
    assert scrape["ingress"][0]["from"][0]["namespaceSelector"]["matchLabels"] == {
        "kubernetes.io/metadata.name": "monitoring"
    }
    # Every allowance selects pods by an explicit label, or keeps traffic inside the namespace.
    for name, policy in policies.items():
        if name in ("default-deny", "allow-dns", "allow-same-namespace"):
            continue
        assert policy["spec"]["podSelector"]["matchLabels"], name


@pytest.mark.parametrize("plan", PLAN_NAMES)
def test_roles_name_every_verb_and_resource_and_only_the_admin_reads_secrets(plan: str) -> None:
    roles = of_kind(PLANS[plan](), "Role") + of_kind(PLANS[plan](), "ClusterRole")
    assert roles
    for role in roles:
        name = role["metadata"]["name"]
        for rule in role["rules"]:
            for field in ("verbs", "resources", "apiGroups"):
                assert "*" not in rule.get(field, []), (name, rule)
            assert not {"escalate", "bind", "impersonate"} & set(rule["verbs"]), (name, rule)
            if "secrets" in rule["resources"]:
                assert name == "mlkeel-platform-admin", f"{name} may touch Secrets: {rule}"


@pytest.mark.parametrize("plan", PLAN_NAMES)
def test_service_accounts_and_pods_mount_no_api_token(plan: str) -> None:
    result = PLANS[plan]()
    accounts = {a["metadata"]["name"]: a for a in of_kind(result, "ServiceAccount")}
    assert accounts and all(a["automountServiceAccountToken"] is False for a in accounts.values())
    for name, _meta, pod in pod_specs(result):
        assert pod["automountServiceAccountToken"] is False, name
        assert pod["serviceAccountName"] in accounts, (name, pod["serviceAccountName"])


@pytest.mark.parametrize("plan", PLAN_NAMES)
def test_every_container_is_hardened_and_sized(plan: str) -> None:
    pods = pod_specs(PLANS[plan]())
    assert pods
    for name, _meta, pod in pods:
        pod_context = pod["securityContext"]
        assert pod_context["runAsNonRoot"] is True and pod_context["runAsUser"] != 0, name
        assert pod_context["seccompProfile"] == {"type": "RuntimeDefault"}, name
        assert not pod.get("hostNetwork") and not pod.get("hostPID") and not pod.get("hostIPC"), name
        assert not any("hostPath" in v for v in pod.get("volumes", [])), name
        for container in _containers(pod):
            where = f"{name}/{container['name']}"
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True, where
            assert context["runAsNonRoot"] is True, where
            assert context["allowPrivilegeEscalation"] is False, where
            assert context.get("privileged", False) is False, where
            assert context["capabilities"] == {"drop": ["ALL"]}, where
            assert context["seccompProfile"] == {"type": "RuntimeDefault"}, where
            for kind in ("requests", "limits"):
                assert {"cpu", "memory"} <= set(container["resources"][kind]), (where, kind)
            tag = container["image"].rsplit("/", 1)[-1]
            assert ("@sha256:" in tag or ":" in tag) and not tag.endswith(":latest"), where


@pytest.mark.parametrize("plan", PLAN_NAMES)
def test_every_object_and_pod_template_carries_the_cost_labels(plan: str) -> None:
    result = PLANS[plan]()
    for resource in kubernetes_objects(result):
        labels = manifest(resource)["metadata"].get("labels", {})
        assert set(COST_TAG_KEYS) <= set(labels), (resource["urn"], sorted(set(COST_TAG_KEYS) - set(labels)))
    for name, meta, _pod in pod_specs(result):
        assert set(COST_TAG_KEYS) <= set(meta["labels"]), name


@pytest.mark.parametrize("plan", PLAN_NAMES)
def test_no_service_is_exposed_outside_the_cluster(plan: str) -> None:
    result = PLANS[plan]()
    assert all(s["spec"]["type"] == "ClusterIP" for s in of_kind(result, "Service"))
    (quota,) = of_kind(result, "ResourceQuota")
    assert quota["spec"]["hard"]["services.loadbalancers"] == "0"
    assert quota["spec"]["hard"]["services.nodeports"] == "0"


@pytest.mark.parametrize("plan", PLAN_NAMES)
def test_mlflow_backend_uri_is_a_pulumi_secret_read_through_a_secret_ref(plan: str) -> None:
    result = PLANS[plan]()
    (secret,) = [
        r
        for r in kubernetes_objects(result)
        if r["type"].endswith(":Secret") and r["urn"].endswith("-registry-backend")
    ]
    assert SECRET_SIG_KEY in secret["inputs"]["stringData"], "the backend URI must be stored as a secret"
    (mlflow,) = [d for d in of_kind(result, "Deployment") if d["metadata"]["name"] == "mlflow"]
    env = {e["name"]: e for e in mlflow["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert "value" not in env["BACKEND_STORE_URI"]
    assert env["BACKEND_STORE_URI"]["valueFrom"]["secretKeyRef"]["key"] == "uri"


def test_external_backend_password_never_reaches_the_planned_state() -> None:
    text = json.dumps(plain().state)
    assert PLAIN_PASSWORD not in text
    assert "postgresql://" not in text
