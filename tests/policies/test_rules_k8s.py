"""The Kubernetes rules judge every workload shape alike, and judge only what they claim to.

One hardened pod (fixtures/k8s/workload.yaml) is wrapped into each shape the rules know (Deployment,
StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod and a KServe InferenceService predictor) with the
property names pulumi-kubernetes keeps in the state; each shape passes every rule of the pack, and each
single unsafe change to its pod fails exactly the rule that guards it. The namespace, RBAC, service and
token rules get their edge cases here too (the one-field cases of fixtures/cases cover the base states).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlkeel.taggable import KUBERNETES_CUSTOM_RESOURCES, known_type
from policies.analyzer import parse_state
from policies.rules import ALL_RULES, RULES_BY_ID
from policies.testing import run_rule

from ._kit import FIXTURES

ROOT = Path(__file__).resolve().parents[2]
WORKLOAD = yaml.safe_load((FIXTURES / "k8s" / "workload.yaml").read_text(encoding="utf-8"))
NS: str = WORKLOAD["namespace"]
LABELS: dict[str, str] = WORKLOAD["labels"]
STACK = "urn:pulumi:ranking-dev::mlkeel::"
GPU = "nvidia.com/gpu"
PROVIDER = STACK + "pulumi:providers:kubernetes::k8s"

SHAPES = (
    "apps/v1:Deployment",
    "apps/v1:StatefulSet",
    "apps/v1:DaemonSet",
    "apps/v1:ReplicaSet",
    "batch/v1:Job",
    "batch/v1:CronJob",
    "core/v1:Pod",
    "serving.kserve.io/v1beta1:InferenceService",
)


def _pod(container: dict[str, Any] | None = None) -> dict[str, Any]:
    spec = copy.deepcopy(WORKLOAD["pod"])
    spec["containers"] = [copy.deepcopy(container or WORKLOAD["container"])]
    return spec


def workload(shape: str) -> dict[str, Any]:
    """The hardened pod as ``shape`` holds it in a pulumi-kubernetes state."""
    api, kind = shape.rsplit(":", 1)
    meta = {"name": "server", "namespace": NS, "labels": dict(LABELS)}
    template = {"metadata": {"labels": dict(LABELS)}, "spec": _pod()}
    if kind == "Pod":
        return {"apiVersion": api, "kind": kind, "metadata": meta, "spec": _pod()}
    if kind == "CronJob":
        spec: dict[str, Any] = {"schedule": "0 2 * * *", "jobTemplate": {"spec": {"template": template}}}
    elif kind == "InferenceService":
        predictor = _pod()
        container = predictor.pop("containers")[0]
        container.pop("ports")
        container.pop("name")
        predictor.update(labels=dict(LABELS), minReplicas=1, maxReplicas=2)
        predictor["model"] = {
            "modelFormat": {"name": "sklearn"},
            "storageUri": "s3://models/ranker/3",
            **container,
        }
        spec = {"predictor": predictor}
    else:
        spec = {"selector": {"matchLabels": {"app": "server"}}, "template": template}
    return {"apiVersion": api, "kind": kind, "metadata": meta, "spec": spec}


def pod_spec(props: dict[str, Any]) -> dict[str, Any]:
    kind = props["kind"]
    if kind == "Pod":
        return props["spec"]
    if kind == "CronJob":
        return props["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    if kind == "InferenceService":
        return props["spec"]["predictor"]
    return props["spec"]["template"]["spec"]


def container_of(props: dict[str, Any]) -> dict[str, Any]:
    spec = pod_spec(props)
    return spec["model"] if props["kind"] == "InferenceService" else spec["containers"][0]


def _resource(type_: str, name: str, props: dict[str, Any]) -> dict[str, Any]:
    return {
        "urn": f"{STACK}{type_}::{name}",
        "custom": True,
        "id": f"{name}-id",
        "type": type_,
        "inputs": props,
        "outputs": copy.deepcopy(props),
        "provider": f"{PROVIDER}::k8s-id",
    }


def namespace(labels: dict[str, str] | None = None) -> dict[str, Any]:
    return _resource(
        "kubernetes:core/v1:Namespace",
        "namespace",
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS, "labels": dict(labels or LABELS)}},
    )


def network_policy(name: str, spec: dict[str, Any], ns: str = NS) -> dict[str, Any]:
    props = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": ns, "labels": dict(LABELS)},
        "spec": spec,
    }
    return _resource("kubernetes:networking.k8s.io/v1:NetworkPolicy", name, props)


DEFAULT_DENY = {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}


def state(*resources: dict[str, Any]) -> Any:
    provider = {"urn": PROVIDER, "custom": True, "id": "k8s-id", "type": "pulumi:providers:kubernetes"}
    root = {
        "urn": STACK + "pulumi:pulumi:Stack::mlkeel-ranking-dev",
        "custom": False,
        "type": "pulumi:pulumi:Stack",
    }
    doc = {"version": 3, "deployment": {"resources": [root, provider, *resources]}}
    return parse_state(json.dumps(doc), Path("k8s.json"))


def shape_state(props: dict[str, Any], shape: str) -> Any:
    return state(
        namespace(),
        network_policy("default-deny", DEFAULT_DENY),
        _resource(f"kubernetes:{shape}", "server", props),
    )


#: One instance of every rule with its defaults (building one validates its settings, which takes time).
PACK = {rule.meta.id: rule() for rule in ALL_RULES}


def findings(resources_state: Any, rule_ids: list[str] | None = None) -> dict[str, list[str]]:
    """Rule id -> violation messages, over ``rule_ids`` or the whole pack."""
    rules = [PACK[i] for i in rule_ids] if rule_ids else list(PACK.values())
    found: dict[str, list[str]] = {}
    for rule in rules:
        outcome = run_rule(rule, resources_state)
        assert not outcome.unchecked, outcome.unchecked
        if outcome.violations:
            found[rule.meta.id] = [message for _, message in outcome.violations]
    return found


# ------------------------------------------------------------------------------------- every shape


@pytest.mark.parametrize("shape", SHAPES)
def test_hardened_pod_passes_every_rule_in_every_workload_shape(shape: str) -> None:
    assert findings(shape_state(workload(shape), shape)) == {}


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(target: dict[str, Any]) -> None:
        *head, last = path.split(".")
        for part in head:
            target = target.setdefault(part, {})
        target[last] = value

    return change


def _drop(path: str) -> Callable[[dict[str, Any]], None]:
    def change(target: dict[str, Any]) -> None:
        *head, last = path.split(".")
        for part in head:
            target = target[part]
        del target[last]

    return change


#: (name, rule it must fail, "pod" or "container", change).
POD_VIOLATIONS: list[tuple[str, str, str, Callable[[dict[str, Any]], None]]] = [
    ("privileged", "MLK_K8S_001", "container", _set("securityContext.privileged", True)),
    ("escalation", "MLK_K8S_001", "container", _set("securityContext.allowPrivilegeEscalation", True)),
    ("net-admin", "MLK_K8S_001", "container", _set("securityContext.capabilities.add", ["NET_ADMIN"])),
    ("host-pid", "MLK_K8S_001", "pod", _set("hostPID", True)),
    ("host-ipc", "MLK_K8S_001", "pod", _set("hostIPC", True)),
    ("host-network", "MLK_K8S_001", "pod", _set("hostNetwork", True)),
    ("host-path", "MLK_K8S_001", "pod", _set("volumes", [{"name": "d", "hostPath": {"path": "/var/lib"}}])),
    ("no-cpu-limit", "MLK_K8S_002", "container", _drop("resources.limits.cpu")),
    ("no-requests", "MLK_K8S_002", "container", _drop("resources.requests")),
    ("gpu-limit-only", "MLK_K8S_002", "container", lambda c: c["resources"]["limits"].update({GPU: "1"})),
    ("root-user", "MLK_K8S_003", "container", _set("securityContext.runAsUser", 0)),
    ("may-run-as-root", "MLK_K8S_003", "container", _set("securityContext.runAsNonRoot", False)),
    ("writable-root", "MLK_K8S_003", "container", _drop("securityContext.readOnlyRootFilesystem")),
    (
        "keeps-capabilities",
        "MLK_K8S_003",
        "container",
        _set("securityContext.capabilities.drop", ["NET_RAW"]),
    ),
    ("unconfined-seccomp", "MLK_K8S_003", "pod", _set("securityContext.seccompProfile.type", "Unconfined")),
    ("latest", "MLK_K8S_004", "container", _set("image", "ghcr.io/acme/server:latest")),
    ("untagged", "MLK_K8S_004", "container", _set("image", "ghcr.io/acme/server")),
    ("default-account", "MLK_K8S_008", "pod", _set("serviceAccountName", "default")),
    ("token-mounted", "MLK_K8S_008", "pod", _drop("automountServiceAccountToken")),
]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name,rule,where,change", POD_VIOLATIONS, ids=[v[0] for v in POD_VIOLATIONS])
def test_unsafe_pod_change_fails_exactly_its_rule_in_every_shape(shape, name, rule, where, change) -> None:
    props = workload(shape)
    target = container_of(props) if where == "container" else pod_spec(props)
    change(target)
    assert set(findings(shape_state(props, shape))) == {rule}


@pytest.mark.parametrize("shape", SHAPES)
def test_pod_template_without_cost_labels_fails_in_every_shape(shape: str) -> None:
    props = workload(shape)
    kind = props["kind"]
    if kind in ("Pod", "InferenceService"):  # their pods carry the object's own labels
        holders = [props["metadata"], *([pod_spec(props)] if kind == "InferenceService" else [])]
    elif kind == "CronJob":
        holders = [props["spec"]["jobTemplate"]["spec"]["template"]["metadata"]]
    else:
        holders = [props["spec"]["template"]["metadata"]]
    for holder in holders:
        del holder["labels"]["cost-center"]
    found = findings(shape_state(props, shape))
    # the object's own labels are also its cost tags, which MLK_TAG_001 judges
    assert set(found) == (
        {"MLK_K8S_002", "MLK_TAG_001"} if len(holders) > 1 or kind == "Pod" else {"MLK_K8S_002"}
    )
    assert "cost-center" in found["MLK_K8S_002"][0]


def test_inference_service_pods_take_the_services_own_labels() -> None:
    shape = "serving.kserve.io/v1beta1:InferenceService"
    props = workload(shape)
    del props["spec"]["predictor"]["labels"]
    assert findings(shape_state(props, shape), ["MLK_K8S_002"]) == {}


def test_inference_service_model_without_image_runs_the_runtimes_pinned_one() -> None:
    shape = "serving.kserve.io/v1beta1:InferenceService"
    props = workload(shape)
    props["spec"]["predictor"]["model"].pop("image")
    props["spec"]["transformer"] = copy.deepcopy(WORKLOAD["pod"]) | {
        "containers": [{**copy.deepcopy(WORKLOAD["container"]), "image": "ghcr.io/acme/transformer"}]
    }
    found = findings(shape_state(props, shape), ["MLK_K8S_004"])
    assert len(found["MLK_K8S_004"]) == 1 and "transformer.containers[0]" in found["MLK_K8S_004"][0]


@pytest.mark.parametrize(
    "image,problem",
    [
        ("registry.local:5000/team/server", "has no tag (the runtime pulls latest)"),
        ("registry.local:5000/team/server:1.2", None),
        ("server@sha256:" + "a" * 64, None),
        ("server:LATEST", "uses the latest tag"),
        ("server@md5:abc", "has a malformed digest"),
    ],
)
def test_image_tag_is_read_after_the_registry_port(image: str, problem: str | None) -> None:
    from policies.rules.k8s.kubernetes_image_pinned import image_problem

    assert image_problem(image, require_digest=False) == problem


def test_require_digest_refuses_a_tag() -> None:
    shape = "apps/v1:Deployment"
    outcome = run_rule(RULES_BY_ID["MLK_K8S_004"](requireDigest=True), shape_state(workload(shape), shape))
    assert len(outcome.violations) == 1 and "digest" in outcome.violations[0][1]


def test_net_bind_service_is_the_one_capability_a_pod_may_add() -> None:
    shape = "apps/v1:Deployment"
    props = workload(shape)
    container_of(props)["securityContext"]["capabilities"]["add"] = ["NET_BIND_SERVICE"]
    assert findings(shape_state(props, shape)) == {}


def test_pod_level_run_as_non_root_covers_containers_that_do_not_say() -> None:
    shape = "apps/v1:Deployment"
    props = workload(shape)
    container_of(props)["securityContext"].pop("runAsNonRoot")
    assert findings(shape_state(props, shape)) == {}
    pod_spec(props)["securityContext"]["runAsNonRoot"] = False
    assert set(findings(shape_state(props, shape))) == {"MLK_K8S_003"}


# --------------------------------------------------------------------------------------- namespaces


def test_team_namespace_without_network_policy_fails_and_names_the_namespace() -> None:
    found = findings(state(namespace()), ["MLK_K8S_005"])
    assert found["MLK_K8S_005"] == [
        f"team namespace {NS!r} must have a NetworkPolicy selecting every pod (podSelector {{}}) for Ingress "
        "and Egress (found none)."
    ]


def test_namespace_without_team_label_is_not_a_team_namespace() -> None:
    other = namespace({k: v for k, v in LABELS.items() if k != "team"})
    assert findings(state(other), ["MLK_K8S_005"]) == {}


def test_default_deny_in_another_namespace_does_not_count() -> None:
    found = findings(state(namespace(), network_policy("deny", DEFAULT_DENY, ns="other")), ["MLK_K8S_005"])
    assert "MLK_K8S_005" in found


def test_egress_rules_make_a_policy_without_policy_types_isolate_egress_too() -> None:
    ingress = network_policy("deny-in", {"podSelector": {}})
    egress = network_policy("dns-only", {"podSelector": {}, "egress": [{"ports": [{"port": 53}]}]})
    assert findings(state(namespace(), ingress), ["MLK_K8S_005"])["MLK_K8S_005"][0].endswith(
        "for Egress (found none)."
    )
    assert findings(state(namespace(), ingress, egress), ["MLK_K8S_005"]) == {}


# --------------------------------------------------------------------------------------------- RBAC


def _role(kind: str, rules: list[dict[str, Any]]) -> dict[str, Any]:
    meta = {"name": "persona", "labels": dict(LABELS)} | ({"namespace": NS} if kind == "Role" else {})
    props = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": meta, "rules": rules}
    return _resource(f"kubernetes:rbac.authorization.k8s.io/v1:{kind}", "persona", props)


READ_PODS = {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]}


@pytest.mark.parametrize("kind", ["Role", "ClusterRole"])
@pytest.mark.parametrize(
    "rule,needle",
    [
        ({"nonResourceURLs": ["/metrics/*"], "verbs": ["get"]}, "nonResourceURLs must not hold a wildcard"),
        ({**READ_PODS, "resources": ["pods/*"]}, "resources must not hold a wildcard"),
        ({**READ_PODS, "verbs": ["impersonate"]}, "must not grant impersonate"),
        ({**READ_PODS, "verbs": ["escalate"]}, "must not grant escalate"),
        (
            {"apiGroups": ["admissionregistration.k8s.io"], "resources": ["mutatingwebhookconfigurations"],
             "verbs": ["get", "patch"]},
            "must not grant patch on mutatingwebhookconfigurations",
        ),
    ],
)  # fmt: skip
def test_rbac_wildcards_and_escalation_fail(kind: str, rule: dict[str, Any], needle: str) -> None:
    found = findings(state(_role(kind, [READ_PODS, rule])), ["MLK_K8S_006"])
    assert len(found["MLK_K8S_006"]) == 1 and needle in found["MLK_K8S_006"][0]


def test_least_privilege_roles_pass() -> None:
    reader = {"apiGroups": ["admissionregistration.k8s.io"], "resources": ["mutatingwebhookconfigurations"],
              "verbs": ["get", "list"]}  # fmt: skip
    assert findings(state(_role("ClusterRole", [READ_PODS, reader]))) == {}


# ------------------------------------------------------------------------------------------ services


def _service(service_type: str, annotations: dict[str, str] | None = None) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": "svc", "namespace": NS, "labels": dict(LABELS)}
    if annotations is not None:
        meta["annotations"] = annotations
    props = {"apiVersion": "v1", "kind": "Service", "metadata": meta, "spec": {"type": service_type}}
    return _resource("kubernetes:core/v1:Service", "svc", props)


@pytest.mark.parametrize(
    "annotations",
    [
        {"networking.gke.io/load-balancer-type": "Internal"},
        {"service.beta.kubernetes.io/aws-load-balancer-internal": "true"},
        {"service.beta.kubernetes.io/aws-load-balancer-scheme": "internal"},
    ],
)
def test_internal_load_balancers_pass(annotations: dict[str, str]) -> None:
    assert findings(state(_service("LoadBalancer", annotations))) == {}


def test_public_load_balancer_fails_and_cluster_ip_needs_nothing() -> None:
    found = findings(state(_service("LoadBalancer", {"networking.gke.io/load-balancer-type": "External"})))
    assert set(found) == {"MLK_K8S_007"}
    assert findings(state(_service("ClusterIP"))) == {}


# ---------------------------------------------------------------------------------- service accounts


def _account(automount: bool | None) -> dict[str, Any]:
    props: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {"name": "serve", "namespace": NS, "labels": dict(LABELS)},
    }
    if automount is not None:
        props["automountServiceAccountToken"] = automount
    return _resource("kubernetes:core/v1:ServiceAccount", "serve", props)


def _binding() -> dict[str, Any]:
    props = {
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
        "metadata": {"name": "serve", "namespace": NS, "labels": dict(LABELS)},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "persona"},
        "subjects": [{"kind": "ServiceAccount", "name": "serve"}],
    }  # fmt: skip
    return _resource("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "serve-binding", props)


def _token_state(pod_automount: bool | None, *extra: dict[str, Any]) -> Any:
    props = workload("apps/v1:Deployment")
    spec = pod_spec(props)
    spec.pop("automountServiceAccountToken")
    if pod_automount is not None:
        spec["automountServiceAccountToken"] = pod_automount
    return state(namespace(), _resource("kubernetes:apps/v1:Deployment", "server", props), *extra)


def test_token_may_be_mounted_for_an_account_a_role_binding_uses() -> None:
    assert findings(_token_state(True, _account(None), _binding()), ["MLK_K8S_008"]) == {}


def test_account_level_automount_off_covers_pods_that_do_not_say() -> None:
    assert findings(_token_state(None, _account(False)), ["MLK_K8S_008"]) == {}
    assert "MLK_K8S_008" in findings(_token_state(None, _account(None)), ["MLK_K8S_008"])


# ------------------------------------------------------------------------------------ custom resources


def test_custom_resources_are_cost_tagged_like_built_in_objects() -> None:
    props = {
        "apiVersion": "monitoring.coreos.com/v1", "kind": "ServiceMonitor",
        "metadata": {"name": "m", "namespace": NS, "labels": {k: LABELS[k] for k in LABELS if k != "team"}},
        "spec": {"selector": {}, "endpoints": []},
    }  # fmt: skip
    found = findings(state(_resource("kubernetes:monitoring.coreos.com/v1:ServiceMonitor", "m", props)))
    assert set(found) == {"MLK_TAG_001"} and "team" in found["MLK_TAG_001"][0]


def test_known_custom_resources_are_exactly_the_bundled_crds() -> None:
    served = set()
    for path in sorted((ROOT / "components" / "kubernetes" / "crds").glob("*.yaml")):
        crd = yaml.safe_load(path.read_text(encoding="utf-8"))
        spec = crd["spec"]
        served |= {
            f"kubernetes:{spec['group']}/{v['name']}:{spec['names']['kind']}"
            for v in spec["versions"]
            if v["served"]
        }
    assert served >= KUBERNETES_CUSTOM_RESOURCES
    kinds = {token.rsplit(":", 1)[1] for token in served}
    assert kinds == {token.rsplit(":", 1)[1] for token in KUBERNETES_CUSTOM_RESOURCES}
    assert not known_type("kubernetes:serving.kserve.io/v1beta1:InferenceServce")
