"""``K8sTraining``: where training Jobs run in the cluster: spot capacity only, tainted, queued.

- Everywhere: a PriorityClass for training (below serving, never preempting it) and a ConfigMap
  ``mlkeel-training-pools`` telling job submitters (the runtime scheduler, ``keel schedule``) each pool's
  node selector, tolerations, priority class and queue.
- On EKS with Karpenter: one ``NodePool`` + ``EC2NodeClass`` per pool, restricted to
  ``karpenter.sh/capacity-type: spot`` (unless the pool says otherwise) and to the instance types the runtime
  scheduler resolved, tainted so only training lands there, IMDSv2 only, volumes encrypted with the stack key.
- On GKE: the stack's existing spot node pools, selected by their ``mlkeel.io/pool`` label (a spec pool is
  one GKE node pool per machine type) and tolerating their ``mlkeel.io/workload`` and spot taints.
- Where the spec asks for queueing: Kueue ``ResourceFlavor`` per pool, a ``ClusterQueue`` with the
  namespace's quota and a ``LocalQueue`` in the namespace.
"""

import json
from typing import Any, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from ..args import KubernetesQuotaArgs
from ..kubernetes import POOL_LABEL, TRAINING_TAINT, custom_resource, labels, metadata, name_of
from ..kubernetes.args import K8sCapabilityArgs
from ..tagging import capability_options

KARPENTER_POOL = ("karpenter.sh/v1", "NodePool")
KARPENTER_CLASS = ("karpenter.k8s.aws/v1", "EC2NodeClass")
KUEUE = "kueue.x-k8s.io/v1beta1"
#: Below pods that name no class (0): serving and the platform's own pods win the nodes; training waits.
TRAINING_PRIORITY = -100
LOCAL_QUEUE = "training"


class K8sPoolArgs(TypedDict):
    name: str
    instance_types: list[str]
    spot: bool
    gpus: int
    """GPUs per node (0 for CPU pools)."""


class K8sKarpenterArgs(TypedDict):
    cluster_name: pulumi.Input[str]
    node_role_name: pulumi.Input[str]
    """The IAM role (name) Karpenter's nodes run as: the cluster's node role, which may join the cluster."""
    subnet_ids: pulumi.Input[list[str]]
    """The stack's private subnets (no discovery tags needed, nothing public)."""
    security_group_ids: pulumi.Input[list[str]]
    encryption_key: pulumi.Input[str]
    disk_size_gib: int


class K8sTrainingArgs(K8sCapabilityArgs):
    cloud: str
    pools: list[K8sPoolArgs]
    quota: KubernetesQuotaArgs
    queueing: bool
    karpenter: K8sKarpenterArgs | None
    """Set on EKS when the spec keeps Karpenter on: NodePools and EC2NodeClasses are created."""


def pool_placement(cloud: str, pool: K8sPoolArgs, priority_class: str, queue: str | None) -> dict[str, Any]:
    """How a training pod lands on ``pool``: node selector, tolerations, priority class and queue."""
    selector = {POOL_LABEL: pool["name"]}
    if cloud == "gcp":
        # The stack's own spot node pools (components/training/gcp.py): one GKE node pool per machine type,
        # all labelled with the spec pool's name and tainted for training (and spot).
        tolerations = [
            {"key": "mlkeel.io/workload", "operator": "Equal", "value": "training", "effect": "NoSchedule"}
        ]
        if pool["spot"]:
            tolerations.append(
                {
                    "key": "cloud.google.com/gke-spot",
                    "operator": "Equal",
                    "value": "true",
                    "effect": "NoSchedule",
                }
            )
    else:
        tolerations = [{**TRAINING_TAINT, "operator": "Equal"}]
    if pool["gpus"]:
        tolerations.append({"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"})
    out = {"nodeSelector": selector, "tolerations": tolerations, "priorityClassName": priority_class}
    if queue is not None:
        out["labels"] = {"kueue.x-k8s.io/queue-name": queue}
    return out


class K8sTraining(pulumi.ComponentResource):
    """PriorityClass, pool placement, Karpenter spot NodePools (EKS) and Kueue queues (when asked)."""

    priority_class: pulumi.Output[str]
    local_queue: pulumi.Output[Any]

    def __init__(self, name: str, args: K8sTrainingArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(
            "mlkeel:index:K8sTraining", name, None, capability_options(opts, args["tags"], "training")
        )
        child = pulumi.ResourceOptions(parent=self)
        ns = args["namespace"]
        prefix = args["prefix"]
        own = labels(args["tags"], "training")
        priority = k8s.scheduling.v1.PriorityClass(
            f"{name}-priority",
            metadata=metadata(f"{prefix}-training", None, own),
            value=TRAINING_PRIORITY,
            global_default=False,
            preemption_policy="Never",
            description=f"Training jobs of {prefix}: below serving, never preempting it",
            opts=child,
        )
        priority_name = name_of(priority)
        queue = LOCAL_QUEUE if args["queueing"] else None
        placement = {
            p["name"]: pool_placement(args["cloud"], p, f"{prefix}-training", queue) for p in args["pools"]
        }
        k8s.core.v1.ConfigMap(
            f"{name}-pools",
            metadata=metadata("mlkeel-training-pools", ns, own),
            data={"pools.json": json.dumps(placement, sort_keys=True)},
            opts=child,
        )
        if args["karpenter"] is not None:
            for pool in args["pools"]:
                self._karpenter(name, args, args["karpenter"], pool, own, child)
        if args["queueing"]:
            self._kueue(name, args, own, child)
        self.priority_class = priority_name
        self.local_queue = pulumi.Output.from_input(queue)
        self.register_outputs({"priority_class": priority_name, "local_queue": queue})

    def _karpenter(
        self,
        name: str,
        args: K8sTrainingArgs,
        karpenter: K8sKarpenterArgs,
        pool: K8sPoolArgs,
        own: dict[str, str],
        child: pulumi.ResourceOptions,
    ) -> None:
        node_name = f"{args['prefix']}-{pool['name']}"
        subnets = pulumi.Output.from_input(karpenter["subnet_ids"]).apply(
            lambda ids: [{"id": i} for i in ids]
        )
        groups = pulumi.Output.from_input(karpenter["security_group_ids"]).apply(
            lambda ids: [{"id": i} for i in ids]
        )
        node_class = custom_resource(
            f"{name}-{pool['name']}-nodeclass",
            *KARPENTER_CLASS,
            metadata(node_name, None, own),
            {
                "role": karpenter["node_role_name"],
                "amiSelectorTerms": [{"alias": "al2023@latest"}],
                "subnetSelectorTerms": subnets,
                "securityGroupSelectorTerms": groups,
                "metadataOptions": {
                    "httpEndpoint": "enabled",
                    "httpTokens": "required",
                    "httpPutResponseHopLimit": 1,
                    "httpProtocolIPv6": "disabled",
                },
                "blockDeviceMappings": [
                    {
                        "deviceName": "/dev/xvda",
                        "ebs": {
                            "volumeSize": f"{karpenter['disk_size_gib']}Gi",
                            "volumeType": "gp3",
                            "encrypted": True,
                            "kmsKeyID": karpenter["encryption_key"],
                            "deleteOnTermination": True,
                        },
                    }
                ],
                "tags": dict(own) | {"mlkeel.io/pool": pool["name"]},
            },
            child,
        )
        taints = [dict(TRAINING_TAINT)]
        if pool["gpus"]:
            taints.append({"key": "nvidia.com/gpu", "value": "true", "effect": "NoSchedule"})
        custom_resource(
            f"{name}-{pool['name']}-nodepool",
            *KARPENTER_POOL,
            metadata(node_name, None, own),
            {
                "template": {
                    "metadata": {"labels": {**own, POOL_LABEL: pool["name"]}},
                    "spec": {
                        "nodeClassRef": {
                            "group": "karpenter.k8s.aws",
                            "kind": "EC2NodeClass",
                            "name": name_of(node_class),
                        },
                        "taints": taints,
                        "requirements": [
                            {
                                "key": "karpenter.sh/capacity-type",
                                "operator": "In",
                                "values": ["spot" if pool["spot"] else "on-demand"],
                            },
                            {
                                "key": "node.kubernetes.io/instance-type",
                                "operator": "In",
                                "values": list(pool["instance_types"]),
                            },
                        ],
                        "expireAfter": "720h",
                    },
                },
                "disruption": {"consolidationPolicy": "WhenEmptyOrUnderutilized", "consolidateAfter": "5m"},
                "limits": {"cpu": str(args["quota"]["cpu"]), "memory": f"{args['quota']['memory_gib']}Gi"},
            },
            child,
        )

    def _kueue(
        self, name: str, args: K8sTrainingArgs, own: dict[str, str], child: pulumi.ResourceOptions
    ) -> None:
        prefix, quota = args["prefix"], args["quota"]
        flavors = []
        for pool in args["pools"]:
            placement = pool_placement(args["cloud"], pool, "", None)
            flavor = custom_resource(
                f"{name}-{pool['name']}-flavor",
                KUEUE,
                "ResourceFlavor",
                metadata(f"{prefix}-{pool['name']}", None, own),
                {"nodeLabels": placement["nodeSelector"], "tolerations": placement["tolerations"]},
                child,
            )
            flavors.append(name_of(flavor))
        resources = [
            ("cpu", str(quota["cpu"])),
            ("memory", f"{quota['memory_gib']}Gi"),
            ("nvidia.com/gpu", ""),
        ]
        gpu_quota = {p["name"]: str(quota["gpus"]) if p["gpus"] else "0" for p in args["pools"]}
        cluster_queue = custom_resource(
            f"{name}-cluster-queue",
            KUEUE,
            "ClusterQueue",
            metadata(prefix, None, own),
            {
                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": args["namespace"]}},
                "queueingStrategy": "BestEffortFIFO",
                "resourceGroups": [
                    {
                        "coveredResources": [r for r, _ in resources],
                        "flavors": [
                            {
                                "name": flavor,
                                # GPUs only on GPU pools' flavors, so the GPU quota is spent where GPUs are.
                                "resources": [
                                    {"name": r, "nominalQuota": q or gpu_quota[pool["name"]]}
                                    for r, q in resources
                                ],
                            }
                            for flavor, pool in zip(flavors, args["pools"], strict=True)
                        ],
                    }
                ],
            },
            child,
        )
        custom_resource(
            f"{name}-local-queue",
            KUEUE,
            "LocalQueue",
            metadata(LOCAL_QUEUE, args["namespace"], own),
            {"clusterQueue": name_of(cluster_queue)},
            child,
        )
