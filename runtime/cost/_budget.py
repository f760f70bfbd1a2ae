"""Stack budgets: where a stack's monthly limit comes from and whether an estimate exceeds it.

The limit is the spec's ``mlkeel:budget`` → ``monthlyLimitUsd`` in the stack file
(``Pulumi.<stack>.yaml``), or the stack resource's ``budgetMonthlyLimitUsd`` output in a state. The
policy pack uses :func:`check_state_budget` on the state it is checking; ``keel cost`` prints the same
check as a warning.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlkeel.files import InputError, load_yaml, parse_yaml
from runtime.cost._model import Estimate

BUDGET_OUTPUT_KEY = "budgetMonthlyLimitUsd"
BUDGET_CONFIG_KEY = "mlkeel:budget"


_ALLOWED_LIMIT = "a positive, finite number of USD"


class BudgetError(InputError):
    """A budget is unreadable or not a positive, finite number; names the file, field and value."""


def budget_limit(value: object, file: str, field: str = "") -> float:
    """``value`` as a monthly limit in USD, or a :class:`BudgetError` (zero, negative, NaN and inf never are).

    A limit that is not positive and finite would make every comparison meaningless: NaN is never
    exceeded, a negative limit always is.
    """
    number: object = value
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            raise BudgetError.at(file, field, value, _ALLOWED_LIMIT) from None
    if isinstance(number, bool) or not isinstance(number, (int, float)):
        raise BudgetError.at(file, field, value, _ALLOWED_LIMIT)
    try:
        limit = float(number)
    except OverflowError:
        raise BudgetError.at(file, field, value, _ALLOWED_LIMIT) from None
    if not math.isfinite(limit) or limit <= 0:
        raise BudgetError.at(file, field, value, _ALLOWED_LIMIT)
    return limit


def _as_budget_error(exc: InputError) -> BudgetError:
    return BudgetError(str(exc), file=exc.file, field=exc.field, value=exc.value, allowed=exc.allowed)


def budget_from_stack_file(path: str | Path) -> float | None:
    """Monthly limit from a Pulumi stack file's ``mlkeel:budget.monthlyLimitUsd``;
    None if not set or disabled."""
    where = str(path)
    try:
        document: Any = load_yaml(path, what="stack file")
    except InputError as exc:
        raise _as_budget_error(exc) from None
    if document is None:
        return None
    if not isinstance(document, dict):
        raise BudgetError.at(where, "(top level)", None, "a stack file is a mapping with a 'config' section")
    config = document.get("config")
    if config is None:
        return None
    if not isinstance(config, dict):
        raise BudgetError.at(where, "config", None, "a mapping of configuration keys to values")
    field = f"config.{BUDGET_CONFIG_KEY}.monthlyLimitUsd"
    flat = config.get(f"{BUDGET_CONFIG_KEY}.monthlyLimitUsd")
    if flat is not None:
        return budget_limit(flat, where, field)
    budget = config.get(BUDGET_CONFIG_KEY)
    if budget is None:
        return None
    if isinstance(budget, str):  # structured config may arrive JSON-encoded
        try:
            budget = parse_yaml(budget, where)
        except InputError as exc:
            raise BudgetError.at(
                where,
                f"config.{BUDGET_CONFIG_KEY}",
                None,
                f"is a string that is not a JSON map ({exc.allowed})",
            ) from None
    if not isinstance(budget, dict):
        raise BudgetError.at(
            where,
            f"config.{BUDGET_CONFIG_KEY}",
            budget,
            "a map with monthlyLimitUsd (and optionally enabled)",
        )
    if budget.get("enabled") is False or "monthlyLimitUsd" not in budget:
        return None
    return budget_limit(budget["monthlyLimitUsd"], where, field)


def budget_from_outputs(outputs: Mapping[str, Any], source: str = "state") -> float | None:
    """Monthly limit from a stack resource's outputs (``budgetMonthlyLimitUsd``), or None.

    ``source`` (the state's file) is what an error names.
    """
    value = outputs.get(BUDGET_OUTPUT_KEY)
    if value is None or isinstance(value, dict):  # secret or unknown
        return None
    return budget_limit(value, source, f"outputs.{BUDGET_OUTPUT_KEY}")


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
                f"estimated ${self.estimate_usd:,.2f}/month exceeds the stack budget of "
                f"${self.limit_usd:,.2f} by ${self.estimate_usd - self.limit_usd:,.2f} "
                f"({self.used_share:.0%} of budget)"
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
    limit = limit_usd if limit_usd is not None else budget_from_outputs(parsed.outputs, parsed.path)
    if limit is None:
        return None
    return check_budget(estimate_cost(parsed), limit)


def _attr(obj: Any, name: str, default: Any = None) -> Any:
    return obj.get(name, default) if isinstance(obj, Mapping) else getattr(obj, name, default)


def budget_limit_from_resources(resources: Sequence[Any]) -> float | None:
    """The monthly limit of the stack's budget resource
    (AWS ``limitAmount`` / GCP ``amount.specifiedAmount``).

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
                limit = float(str(value))
            except ValueError:
                continue
            if (
                math.isfinite(limit) and limit > 0
            ):  # NaN is never exceeded and <= 0 always is: no limit at all
                limits.add(limit)
    return limits.pop() if len(limits) == 1 else None


def _default_provider_urn(resource_urn: object, provider_type: str) -> str:
    """A URN for a provider the policy engine gives without one, in the shape Pulumi gives default providers.

    The state reader accepts only ``urn:pulumi:<stack>::<project>::<type>::<name>``; stack and project are
    the resource's, the name is Pulumi's ``default``.
    """
    prefix = "urn:pulumi:policy::policy"
    if (
        isinstance(resource_urn, str)
        and resource_urn.startswith("urn:pulumi:")
        and resource_urn.count("::") >= 3
    ):
        prefix = "::".join(resource_urn.split("::")[:2])
    return f"{prefix}::{provider_type}::default"


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
            p_type = _attr(provider, "resource_type") or "pulumi:providers:unknown"
            p_urn = _attr(provider, "urn") or _default_provider_urn(_attr(res, "urn"), p_type)
            provider_ref = f"{p_urn}::policy"
            if p_urn not in seen_providers:
                seen_providers.add(p_urn)
                raw.append(
                    {
                        "urn": p_urn,
                        "custom": True,
                        "id": "policy",
                        "type": p_type,
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
