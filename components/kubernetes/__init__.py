"""What every Kubernetes capability shares: the provider, labels, the restricted pod shape, the CRDs.

The capabilities (``components/<capability>/kubernetes.py``) build plain Kubernetes objects through
``pulumi_kubernetes``; these helpers keep the security properties in one place so no workload can drift from
them: every pod non-root with a RuntimeDefault seccomp profile, every container with requests and limits,
a read-only root filesystem, no privilege escalation and every capability dropped (Pod Security Admission
``restricted``), and every object labelled with the stack's eight cost tags (OpenCost allocates by them).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

#: Kubernetes minor versions the objects are validated against (docs/kubernetes.md, tests).
SUPPORTED_VERSIONS = ("1.30", "1.31", "1.32", "1.33", "1.34")
#: Label every pod of a training pool's nodes carries; training pods select it.
POOL_LABEL = "mlkeel.io/pool"
#: Taint of training nodes: only pods tolerating it (training) land there.
TRAINING_TAINT = {"key": "mlkeel.io/training", "value": "true", "effect": "NoSchedule"}
#: Pod labels the namespace's NetworkPolicies key on (the contract in docs/kubernetes.md).
EGRESS_HTTPS_LABEL = "mlkeel.io/egress-https"
METRICS_LABEL = "mlkeel.io/metrics"
SERVING_LABEL = "mlkeel.io/serving"
#: Namespace annotation with what prices the namespace's requests (read by ``keel cost``).
PRICING_ANNOTATION = "mlkeel.io/pricing"
#: Where the bundled CRDs live (``crds/NOTICE.md`` names their sources and licence).
CRD_DIR = Path(__file__).resolve().parent / "crds"


def make_provider(
    parent: pulumi.Resource,
    name: str,
    *,
    kubeconfig: pulumi.Input[str] | None = None,
    context: str | None = None,
    namespace: pulumi.Input[str] | None = None,
) -> k8s.Provider:
    """The stack's explicit Kubernetes provider: from a kubeconfig (content or path) and a context.

    ``enable_server_side_apply`` keeps field ownership with the API server, so objects that controllers
    also touch (HPA-managed replicas) do not fight Pulumi.
    """
    return k8s.Provider(
        f"{name}-k8s",
        kubeconfig=kubeconfig,
        context=context,
        namespace=namespace,
        enable_server_side_apply=True,
        opts=pulumi.ResourceOptions(parent=parent),
    )


def eks_kubeconfig(
    cluster_name: pulumi.Input[str],
    endpoint: pulumi.Input[str],
    certificate_authority: pulumi.Input[str],
    region: str,
) -> pulumi.Output[str]:
    """A kubeconfig for an EKS cluster that authenticates with ``aws eks get-token`` (no static token)."""

    def render(values: list[Any]) -> str:
        name, server, ca = values
        return json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": name, "cluster": {"server": server, "certificate-authority-data": ca}}],
                "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
                "current-context": name,
                "users": [
                    {
                        "name": name,
                        "user": {
                            "exec": {
                                "apiVersion": "client.authentication.k8s.io/v1beta1",
                                "command": "aws",
                                "args": ["eks", "get-token", "--cluster-name", name, "--region", region],
                            }
                        },
                    }
                ],
            }
        )

    return pulumi.Output.all(cluster_name, endpoint, certificate_authority).apply(render)


def gke_kubeconfig(
    cluster_name: pulumi.Input[str], endpoint: pulumi.Input[str], certificate_authority: pulumi.Input[str]
) -> pulumi.Output[str]:
    """A kubeconfig for a GKE cluster that authenticates with ``gke-gcloud-auth-plugin`` (no static token)."""

    def render(values: list[Any]) -> str:
        name, server, ca = values
        return json.dumps(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [
                    {
                        "name": name,
                        "cluster": {"server": f"https://{server}", "certificate-authority-data": ca},
                    }
                ],
                "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
                "current-context": name,
                "users": [
                    {
                        "name": name,
                        "user": {
                            "exec": {
                                "apiVersion": "client.authentication.k8s.io/v1beta1",
                                "command": "gke-gcloud-auth-plugin",
                                "provideClusterInfo": True,
                            }
                        },
                    }
                ],
            }
        )

    return pulumi.Output.all(cluster_name, endpoint, certificate_authority).apply(render)


def labels(tags: Mapping[str, str], component: str, app: str | None = None) -> dict[str, str]:
    """The stack's cost tags plus ``component`` (and the app's name), as Kubernetes labels."""
    out = {**tags, "component": component, "app.kubernetes.io/part-of": "mlkeel"}
    if app is not None:
        out["app.kubernetes.io/name"] = app
    return out


def selector(app: str) -> dict[str, str]:
    """The stable selector of an app's pods (a subset of its labels, never a cost tag that may change)."""
    return {"app.kubernetes.io/name": app}


def metadata(
    name: str,
    namespace: pulumi.Input[str] | None,
    object_labels: Mapping[str, str],
    annotations: Mapping[str, pulumi.Input[str]] | None = None,
) -> Any:
    """Object metadata with a fixed name (no random suffix: names are the team's, not Pulumi's)."""
    out: dict[str, Any] = {"name": name, "labels": dict(object_labels)}
    if namespace is not None:
        out["namespace"] = namespace
    if annotations:
        out["annotations"] = dict(annotations)
    return out


def name_of(resource: pulumi.Resource) -> pulumi.Output[str]:
    """The object's ``metadata.name`` as the API server has it, so a reference waits for the object."""
    meta: pulumi.Output[Any] = getattr(resource, "metadata")  # noqa: B009 - CustomResource declares it untyped
    return meta.apply(lambda m: str(m["name"] if isinstance(m, Mapping) else m.name))


def pod_security_context(run_as_user: int = 65532) -> Any:
    """PSA ``restricted`` at pod level: non-root, a fixed non-zero uid, RuntimeDefault seccomp."""
    return {
        "runAsNonRoot": True,
        "runAsUser": run_as_user,
        "runAsGroup": run_as_user,
        "fsGroup": run_as_user,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def container_security_context() -> Any:
    """PSA ``restricted`` at container level, plus a read-only root filesystem (writes go to volumes)."""
    return {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "privileged": False,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def resources(cpu_millis: int, memory_mib: int, gpus: int = 0) -> Any:
    """Requests equal to limits (Guaranteed QoS: what is priced is what is reserved); GPUs as extended."""
    amount: dict[str, str] = {"cpu": f"{cpu_millis}m", "memory": f"{memory_mib}Mi"}
    if gpus:
        amount["nvidia.com/gpu"] = str(gpus)
    return {"requests": dict(amount), "limits": dict(amount)}


def scratch_volume(name: str = "tmp", size_mib: int = 256) -> dict[str, Any]:
    """A bounded ``emptyDir``: where a read-only container writes its temporary files."""
    return {"name": name, "emptyDir": {"sizeLimit": f"{size_mib}Mi"}}


def custom_resource(
    name: str,
    api_version: str,
    kind: str,
    meta: Mapping[str, Any],
    spec: Mapping[str, Any],
    opts: pulumi.ResourceOptions,
) -> k8s.apiextensions.CustomResource:
    """A custom resource (KServe, Prometheus Operator, Karpenter, Kueue); its CRD must be installed."""
    return k8s.apiextensions.CustomResource(
        name, api_version=api_version, kind=kind, metadata=dict(meta), spec=dict(spec), opts=opts
    )


@cache
def crd_schema(api_version: str, kind: str) -> dict[str, Any]:
    """The ``openAPIV3Schema`` of a bundled CRD's version, to validate a custom resource offline."""
    import yaml

    group, version = api_version.split("/")
    for path in sorted(CRD_DIR.glob(f"{group}_*.yaml")):
        with path.open(encoding="utf-8") as handle:
            crd = yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        if crd["spec"]["names"]["kind"] != kind:
            continue
        for served in crd["spec"]["versions"]:
            if served["name"] == version:
                return dict(served["schema"]["openAPIV3Schema"])
    raise LookupError(f"no bundled CRD for {api_version} {kind} (see {CRD_DIR / 'NOTICE.md'})")


__all__ = [
    "CRD_DIR",
    "EGRESS_HTTPS_LABEL",
    "METRICS_LABEL",
    "POOL_LABEL",
    "PRICING_ANNOTATION",
    "SERVING_LABEL",
    "SUPPORTED_VERSIONS",
    "TRAINING_TAINT",
    "container_security_context",
    "crd_schema",
    "custom_resource",
    "eks_kubeconfig",
    "gke_kubeconfig",
    "labels",
    "make_provider",
    "metadata",
    "name_of",
    "pod_security_context",
    "resources",
    "scratch_volume",
    "selector",
]
