"""Kubernetes objects: none has a charge of its own today, because everything runs on priced nodes.

Pods, services and add-ons the stacks create run on EKS node groups and GKE node pools, whose pricers
count the nodes. A Kubernetes type that makes the cloud bill something new (a ``LoadBalancer`` service
creating a cloud load balancer, a persistent volume claim creating a disk) gets its pricer in ``PRICERS``
here; the registry in ``runtime.cost.pricers`` merges it with the clouds' and it takes precedence over
the free prefix below.
"""

from __future__ import annotations

from runtime.cost.pricers._base import PricerTable

PRICERS: PricerTable = {}

#: Type prefixes whose cost is carried by other resources.
FREE_PREFIXES: dict[str, str] = {
    "kubernetes:": "runs on cluster nodes, which are priced on their node group / node pool",
}
