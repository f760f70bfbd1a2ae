"""Monthly cost estimates of stack states: the estimator and its stateless twin.

``estimate_cost(states)`` prices every custom resource of one or more states against the catalog:
always-on resources at hourly price x 730, usage-based ones from the usage file (or its documented
defaults), spot pools at spot prices with their min..max node range, autoscaled endpoints min..max.
Resources of unknown types are "not priced" (counted and listed), known types whose price the catalog
lacks are "price missing" with the reason; neither is ever silently zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from runtime._errors import NotFittedError
from runtime.cost._model import Estimate, ResourceCost
from runtime.cost._state import StackState, StateResource, load_state
from runtime.cost._usage import Usage, check_usage_resources
from runtime.cost.pricers import (
    FREE_PREFIXES,
    FREE_TYPES,
    PRICERS,
    UNTAGGABLE,
    Context,
    PricedElsewhere,
    PriceMissing,
)
from runtime.pricing import Catalog, RegionNotInCatalog, load_catalog

_PROVIDER_NAMES = {"aws": "AWS", "gcp": "Google Cloud", "kubernetes": "Kubernetes"}


def _price_one(res: StateResource, ctx: Context) -> ResourceCost:
    base: dict[str, Any] = dict(
        urn=res.urn,
        name=res.name,
        type=res.type,
        cloud=_PROVIDER_NAMES.get(res.cloud or "", res.cloud or ""),
        region=res.region or "",
        tags=res.tags,
        resource_id=res.id,
        props=res.props,
    )
    entry = PRICERS.get(res.type)
    untagged_note = ""
    if res.type in UNTAGGABLE:  # provider default tags never reach it: billing shows it untagged
        base["tags"] = {}
        untagged_note = "this resource type takes no tags or labels, so billing shows its cost untagged"
    if entry is not None:
        pricer, service, category = entry
        try:
            lines = pricer(res, ctx)
        except (PriceMissing, RegionNotInCatalog) as exc:
            return ResourceCost(
                **base, service_name=service, service_category=category, status="price_missing", note=str(exc)
            )
        except PricedElsewhere as exc:
            return ResourceCost(**base, service_name="", service_category="", status="free", note=str(exc))
        return ResourceCost(
            **base,
            service_name=service,
            service_category=category,
            status="priced",
            lines=lines,
            note=untagged_note,
        )
    reason = FREE_TYPES.get(res.type)
    if reason is None:
        reason = next((why for prefix, why in FREE_PREFIXES.items() if res.type.startswith(prefix)), None)
    if reason is not None:
        return ResourceCost(**base, service_name="", service_category="", status="free", note=reason)
    return ResourceCost(
        **base,
        service_name="",
        service_category="",
        status="not_priced",
        note=f"resource type {res.type} is not priced by mlkeel yet",
    )


def estimate_cost(
    states: StackState | Sequence[StackState],
    catalog: Catalog | None = None,
    usage: Usage | None = None,
    *,
    check_usage: bool = True,
) -> Estimate:
    """Estimate the monthly cost of ``states`` (see :class:`CostEstimator` for the fitted form).

    Pricing context (endpoint configurations, autoscaling targets) is looked up inside each state. Usage
    for a resource none of ``states`` has raises :class:`UsageError` (it would otherwise be ignored
    silently); ``check_usage=False`` is for callers that checked against a wider set of states already,
    such as a comparison whose usage file covers base and head together.
    """
    cat = catalog or load_catalog()
    use = usage or Usage()
    state_list = [states] if isinstance(states, StackState) else list(states)
    if check_usage:
        check_usage_resources(use, state_list)
    resources: list[ResourceCost] = []
    for state in state_list:
        ctx = Context(catalog=cat, usage=use, resources=state.resources)
        resources.extend(_price_one(res, ctx) for res in state.resources)
    return Estimate(
        stacks=[s.stack for s in state_list],
        resources=resources,
        catalog_source=cat.source,
        catalog_as_of=cat.as_of,
        usage_path=use.path,
    )


def estimate_files(
    paths: Iterable[str | Path], catalog: Catalog | None = None, usage: Usage | None = None
) -> Estimate:
    """Estimate state files by path (what ``keel cost state.json ...`` calls)."""
    return estimate_cost([load_state(p) for p in paths], catalog=catalog, usage=usage)


class CostEstimator:
    """Estimator form of :func:`estimate_cost`, scikit-learn style.

    The constructor stores the catalog and usage; ``fit(states)`` prices them and sets ``estimate_``,
    ``resources_``, ``total_monthly_`` and ``not_priced_`` and returns ``self``; ``rollup(key)`` and
    ``over_budget(limit)`` need a fitted estimator.

    See Also
    --------
    estimate_cost : the stateless function this wraps.
    """

    def __init__(self, *, catalog: Catalog | None = None, usage: Usage | None = None) -> None:
        self.catalog = catalog
        self.usage = usage

    def fit(self, states: StackState | Sequence[StackState]) -> CostEstimator:
        self.estimate_ = estimate_cost(states, catalog=self.catalog, usage=self.usage)
        self.resources_ = self.estimate_.resources
        self.total_monthly_ = self.estimate_.total
        self.not_priced_ = self.estimate_.not_priced
        return self

    def _check_is_fitted(self) -> None:
        if not hasattr(self, "estimate_"):
            raise NotFittedError("This CostEstimator is not fitted yet: call fit(states) first.")

    def rollup(self, key: str):  # type: ignore[no-untyped-def]
        """Cost per value of tag ``key`` (see :func:`runtime.cost.rollup_by_tag`)."""
        from runtime.cost._rollup import rollup_by_tag

        self._check_is_fitted()
        return rollup_by_tag(self.estimate_, key)

    def over_budget(self, limit_usd: float) -> bool:
        """Whether the fitted estimate exceeds ``limit_usd`` per month."""
        self._check_is_fitted()
        return self.total_monthly_ > limit_usd
