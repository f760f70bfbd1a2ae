"""Base args of every Kubernetes capability component: the cloud-neutral ones plus the team's namespace."""

from typing import TypedDict

import pulumi

from ..args import CapabilityArgs

# No `from __future__ import annotations` here: Pulumi's component analyzer reads these annotations at
# run time (pulumi-offline notes 1.1).


class K8sCapabilityArgs(CapabilityArgs):
    namespace: pulumi.Input[str]
    """The team's namespace (``K8sTenancy.namespace``, so every object depends on it)."""


class K8sWorkloadArgs(TypedDict):
    """A service account of one workload."""

    automount_token: bool
    """Whether the pod gets an API token; only workloads that call the Kubernetes API do."""
    annotations: dict[str, pulumi.Input[str]]
    """Workload-identity annotations (IRSA role ARN, GKE service account)."""
