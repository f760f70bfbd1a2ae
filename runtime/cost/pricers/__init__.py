"""Pricers: per resource type, how a resource's properties become cost lines; one module per cloud.

The modules mirror ``components/``: ``aws``, ``gcp`` and ``kubernetes`` each hold their pricers and their
free types, ``_base`` what they share (the lookup :class:`Context`, catalog look-ups raising
:class:`PriceMissing`, and the line builders). This package only assembles the registry the estimator
reads, so adding a priced type touches one cloud's module and nothing else.
"""

from __future__ import annotations

from mlkeel.taggable import takes_no_tags
from runtime.cost.pricers import aws, gcp, kubernetes
from runtime.cost.pricers._base import Context, PricedElsewhere, PriceMissing, Pricer, PricerTable

#: type token -> (pricer, FOCUS ServiceName, FOCUS ServiceCategory), every cloud's.
PRICERS: PricerTable = {**aws.PRICERS, **gcp.PRICERS, **kubernetes.PRICERS}

#: Priced types that take no tags or labels: billing shows their cost untagged whatever the provider's
#: default tags say. Decided by the registry every package shares (``mlkeel.taggable``, read from the
#: provider SDKs' signatures without importing them), not by a hand list that goes stale.
UNTAGGABLE: frozenset[str] = frozenset(token for token in PRICERS if takes_no_tags(token))

#: Types with no charge of their own, and why (listed as "free", not as "not priced").
FREE_TYPES: dict[str, str] = {**aws.FREE_TYPES, **gcp.FREE_TYPES}

#: Type prefixes whose cost is carried elsewhere.
FREE_PREFIXES: dict[str, str] = {
    **kubernetes.FREE_PREFIXES,
    "random:": "local value, no cloud charge",
    # mlkeel's dynamic resources: ModelDeployment (components/serving/vertex_deployment.py) deploys model
    # versions on the endpoint's deployment resource pool, whose nodes are priced on the pool.
    "pulumi-python:dynamic:": "model versions on the endpoint's deployment resource pool (priced there)",
    "tls:": "local value, no cloud charge",
}

__all__ = [
    "FREE_PREFIXES",
    "FREE_TYPES",
    "PRICERS",
    "UNTAGGABLE",
    "Context",
    "PriceMissing",
    "PricedElsewhere",
    "Pricer",
    "PricerTable",
]
