"""Stack budgets: where a stack's monthly limit comes from and whether an estimate exceeds it.

The limit is the spec's ``mlkeel:budget`` → ``monthlyLimitUsd`` in the stack file
(``Pulumi.<stack>.yaml``), or the stack resource's ``budgetMonthlyLimitUsd`` output in a state. The
policy pack uses :func:`check_state_budget` on the state it is checking; ``keel cost`` prints the same
check as a warning.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from runtime.cost._model import Estimate

BUDGET_OUTPUT_KEY = "budgetMonthlyLimitUsd"
BUDGET_CONFIG_KEY = "mlkeel:budget"


class BudgetError(ValueError):
    """A stack file's budget is unreadable or not a positive number."""


def _positive(value: object, where: str) -> float:
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise BudgetError(f"{where} has bad value {value!r}; allowed: a positive number of USD") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise BudgetError(f"{where} has bad value {value!r}; allowed: a positive number of USD")
    return float(value)


def budget_from_stack_file(path: str | Path) -> float | None:
    """Monthly limit from a Pulumi stack file's ``mlkeel:budget.monthlyLimitUsd``; None if not set or disabled."""
    p = Path(path)
    try:
        document: Any = yaml.safe_load(p.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise BudgetError(f"{p}: no such stack file") from None
    except yaml.YAMLError as exc:
        raise BudgetError(f"{p}: not valid YAML ({exc})") from None
    config = document.get("config") if isinstance(document, dict) else None
    if not isinstance(config, dict):
        return None
    flat = config.get(f"{BUDGET_CONFIG_KEY}.monthlyLimitUsd")
    if flat is not None:
        return _positive(flat, f"{p}: field 'config.{BUDGET_CONFIG_KEY}.monthlyLimitUsd'")
    budget = config.get(BUDGET_CONFIG_KEY)
    if isinstance(budget, str):  # structured config may arrive JSON-encoded
        try:
            budget = yaml.safe_load(budget)
        except yaml.YAMLError:
            budget = None
    if not isinstance(budget, dict) or budget.get("enabled") is False or "monthlyLimitUsd" not in budget:
        return None
    return _positive(budget["monthlyLimitUsd"], f"{p}: field 'config.{BUDGET_CONFIG_KEY}.monthlyLimitUsd'")


def budget_from_outputs(outputs: Mapping[str, Any]) -> float | None:
    """Monthly limit from a stack resource's outputs (``budgetMonthlyLimitUsd``), or None."""
    value = outputs.get(BUDGET_OUTPUT_KEY)
    if value is None or isinstance(value, dict):  # secret or unknown
        return None
    return _positive(value, f"stack output '{BUDGET_OUTPUT_KEY}'")


@dataclass(frozen=True)
class BudgetCheck:
    """An estimate against a monthly limit."""

    limit_usd: float
    estimate_usd: float
    low_usd: float
    high_usd: float

    @property
    def exceeded(self) -> bool:
        """The point estimate is over the limit."""
        return self.estimate_usd > self.limit_usd

    @property
    def may_exceed(self) -> bool:
        """Scaling to the maximum of every range would go over the limit."""
        return self.high_usd > self.limit_usd

    @property
    def used_share(self) -> float:
        return self.estimate_usd / self.limit_usd

    def message(self) -> str:
        """One line for a terminal warning or a policy violation."""
        if self.exceeded:
            return (
                f"estimated ${self.estimate_usd:,.2f}/month exceeds the stack budget of ${self.limit_usd:,.2f} "
                f"by ${self.estimate_usd - self.limit_usd:,.2f} ({self.used_share:.0%} of budget)"
            )
        if self.may_exceed:
            return (
                f"estimated ${self.estimate_usd:,.2f}/month is within the budget of ${self.limit_usd:,.2f}, "
                f"but scaling to maximum (${self.high_usd:,.2f}/month) would exceed it"
            )
        return f"estimated ${self.estimate_usd:,.2f}/month is within the budget of ${self.limit_usd:,.2f}"


def check_budget(estimate: Estimate, limit_usd: float) -> BudgetCheck:
    """Compare an estimate's total (and its max-scale total) with ``limit_usd``."""
    return BudgetCheck(
        limit_usd=limit_usd,
        estimate_usd=estimate.total,
        low_usd=estimate.total_low,
        high_usd=estimate.total_high,
    )


def check_state_budget(state: Mapping[str, Any], limit_usd: float | None = None) -> BudgetCheck | None:
    """Budget check of a ``pulumi stack export`` document, for the policy pack.

    ``limit_usd`` defaults to the stack's ``budgetMonthlyLimitUsd`` output; None when no limit is known.
    Uses the bundled (or ``MLKEEL_PRICING_DIR``) catalog and the documented usage defaults.
    """
    from runtime.cost._estimate import estimate_cost
    from runtime.cost._state import parse_state

    parsed = parse_state(state)
    limit = limit_usd if limit_usd is not None else budget_from_outputs(parsed.outputs)
    if limit is None:
        return None
    return check_budget(estimate_cost(parsed), limit)


def _attr(obj: Any, name: str, default: Any = None) -> Any:
    return obj.get(name, default) if isinstance(obj, Mapping) else getattr(obj, name, default)


def budget_limit_from_resources(resources: Sequence[Any]) -> float | None:
    """The monthly limit of the stack's budget resource (AWS ``limitAmount`` / GCP ``amount.specifiedAmount``).

    None when the stack has no budget resource, or several with different limits (ambiguous).
    """
    limits: set[float] = set()
    for res in resources:
        rtype, props = _attr(res, "resource_type") or _attr(res, "type"), _attr(res, "props") or {}
        value: object = None
        if rtype == "aws:budgets/budget:Budget":
            value = props.get("limitAmount")
        elif rtype == "gcp:billing/budget:Budget":
            amount = (props.get("amount") or {}).get("specifiedAmount") or {}
            value = amount.get("units") if isinstance(amount, Mapping) else None
        if value is not None and not isinstance(value, Mapping):
            try:
                limits.add(float(str(value)))
            except ValueError:
                continue
    return limits.pop() if len(limits) == 1 else None


def check_resources_budget(resources: Sequence[Any], limit_usd: float | None = None) -> BudgetCheck | None:
    """Budget check over policy-pack resources (``StackValidationArgs.resources``), duck-typed.

    Each item needs ``resource_type``, ``props`` and ``urn``; ``provider`` (with ``props`` holding
    ``region`` / ``defaultTags`` / ``defaultLabels``) and ``dependencies`` are used when present. The limit
    defaults to :func:`budget_limit_from_resources`; None when no limit is known.
    """
    from runtime.cost._estimate import estimate_cost
    from runtime.cost._state import parse_state

    limit = limit_usd if limit_usd is not None else budget_limit_from_resources(resources)
    if limit is None:
        return None
    raw: list[dict[str, Any]] = []
    seen_providers: set[str] = set()
    for res in resources:
        provider = _attr(res, "provider")
        provider_ref = None
        if provider is not None:
            p_urn = _attr(provider, "urn") or f"provider::{_attr(provider, 'resource_type')}"
            provider_ref = f"{p_urn}::policy"
            if p_urn not in seen_providers:
                seen_providers.add(p_urn)
                raw.append(
                    {
                        "urn": p_urn,
                        "custom": True,
                        "id": "policy",
                        "type": _attr(provider, "resource_type") or "pulumi:providers:unknown",
                        "inputs": dict(_attr(provider, "props") or {}),
                    }
                )
        deps = [d if isinstance(d, str) else _attr(d, "urn") for d in (_attr(res, "dependencies") or [])]
        raw.append(
            {
                "urn": _attr(res, "urn"),
                "custom": True,
                "type": _attr(res, "resource_type"),
                "inputs": dict(_attr(res, "props") or {}),
                "provider": provider_ref,
                "dependencies": [d for d in deps if isinstance(d, str)],
            }
        )
    state = parse_state({"deployment": {"resources": raw}}, "<policy resources>")
    return check_budget(estimate_cost(state), limit)
