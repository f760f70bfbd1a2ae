"""Training pools in the cluster: spot-only Karpenter NodePools on EKS, Kueue queues with the namespace's
quota where the spec asks for queueing, and a PriorityClass that never preempts serving."""

from __future__ import annotations

import json

from components.training.aws import PLATFORM_POOL

from .kubernetes_plans import fraud, of_kind, plain, search


def test_karpenter_pools_are_spot_only_on_the_resolved_types_and_tainted() -> None:
    result = fraud()
    # The EKS managed node group `platform` (untainted, on demand) hosts the layer's services, not training.
    resolved = {
        p: v["instanceTypes"]
        for p, v in result.outputs["platform"]["training"]["pools"].items()
        if p != PLATFORM_POOL
    }
    pools = of_kind(result, "NodePool")
    assert len(pools) == len(resolved)
    for pool in pools:
        template = pool["spec"]["template"]
        name = template["metadata"]["labels"]["mlkeel.io/pool"]
        requirements = {r["key"]: r for r in template["spec"]["requirements"]}
        assert requirements["karpenter.sh/capacity-type"]["values"] == ["spot"]
        assert requirements["node.kubernetes.io/instance-type"]["values"] == resolved[name]
        assert {"key": "mlkeel.io/training", "value": "true", "effect": "NoSchedule"} in template["spec"][
            "taints"
        ]


def test_karpenter_nodes_use_imdsv2_and_the_stack_key() -> None:
    result = fraud()
    key = result.outputs["platform"]["encryption"]["keyArn"]
    for node_class in of_kind(result, "EC2NodeClass"):
        spec = node_class["spec"]
        assert spec["metadataOptions"]["httpTokens"] == "required"
        assert spec["metadataOptions"]["httpPutResponseHopLimit"] == 1
        (device,) = spec["blockDeviceMappings"]
        assert device["ebs"]["encrypted"] is True and device["ebs"]["kmsKeyID"] == key
        assert spec["subnetSelectorTerms"] and all("id" in t for t in spec["subnetSelectorTerms"])


def test_kueue_spends_the_gpu_quota_only_on_gpu_pools() -> None:
    result = search()
    (queue,) = of_kind(result, "ClusterQueue")
    (group,) = queue["spec"]["resourceGroups"]
    assert group["coveredResources"] == ["cpu", "memory", "nvidia.com/gpu"]
    quotas = {f["name"]: {r["name"]: r["nominalQuota"] for r in f["resources"]} for f in group["flavors"]}
    assert quotas["search-dev-gpu-spot"]["nvidia.com/gpu"] == "4"
    assert quotas["search-dev-cpu-spot"]["nvidia.com/gpu"] == "0"
    assert queue["spec"]["namespaceSelector"] == {
        "matchLabels": {"kubernetes.io/metadata.name": "search-dev"}
    }
    (local,) = of_kind(result, "LocalQueue")
    assert local["spec"]["clusterQueue"] == "search-dev" and local["metadata"]["namespace"] == "search-dev"


def test_training_priority_never_preempts_and_pools_tell_jobs_where_to_land() -> None:
    for result in (search(), plain(), fraud()):
        (priority,) = of_kind(result, "PriorityClass")
        assert priority["preemptionPolicy"] == "Never" and priority["value"] < 0
    (pools,) = [c for c in of_kind(search(), "ConfigMap") if c["metadata"]["name"] == "mlkeel-training-pools"]
    placement = json.loads(pools["data"]["pools.json"])
    assert placement["gpu-spot"]["nodeSelector"] == {"mlkeel.io/pool": "gpu-spot"}
    assert {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"} in placement["gpu-spot"][
        "tolerations"
    ]
    assert placement["cpu-spot"]["labels"] == {"kueue.x-k8s.io/queue-name": "training"}
