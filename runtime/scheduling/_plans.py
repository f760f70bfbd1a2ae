"""What placement returns: a plan per job, the placement that explains it, the plans of a batch.

Kept apart from the scheduler so that the placement, batch and explanation modules all speak the same
result types without importing one another.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from runtime.scheduling._jobs import Quota


class Unplaceable(ValueError):
    """No plan meets the job's constraints; the message names the unmet constraint and the closest offer."""


@dataclass(frozen=True)
class Plan:
    """Where, how and when one job runs, and what that is expected to cost.

    ``run_hours`` is the uninterrupted run time on this hardware; ``expected_hours`` adds the expected
    rework, restarts and checkpoint writes under interruptions. ``expected_cost`` = nodes x hourly price
    x time-of-day multiplier x expected hours + egress. ``deadline_probability`` is a lower bound on
    the chance to finish by the deadline (1 when there is none). ``checkpoint_interval_hours`` is Daly's
    interval for a checkpointable spot job (put it in the job's config), else None. ``pool`` lists the
    types a spot node group should offer (the chosen one first); ``pool_worst_cost`` is the expected cost
    if the job lands on the dearest of them: the price of diversification.
    """

    job: str
    cloud: str
    region: str
    instance_type: str
    purchase: str
    nodes: int
    zones: tuple[str, ...]
    start_in_hours: float
    run_hours: float
    expected_hours: float
    hourly_price: float
    price_multiplier: float
    compute_cost: float
    egress_cost: float
    expected_cost: float
    deadline_probability: float
    checkpoint_interval_hours: float | None
    interruption_range: str | None
    interruption_assumed: bool
    run_loss_probability: float | None
    pool: tuple[str, ...] = ()
    pool_worst_cost: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (tuples as lists, floats rounded for reading)."""
        out = asdict(self)
        for key, value in out.items():
            if isinstance(value, float):
                out[key] = round(value, 6)
            elif isinstance(value, tuple):
                out[key] = list(value)
        return out


def differs(a: Plan, b: Plan) -> bool:
    """Whether ``a`` is another choice for a person reading the plan: another cloud, region or type, or
    another expected cost to the cent.

    Why not any other candidate: the next candidate in cost order can be the same type in the same
    region at the same price (the other purchase option priced alike, or the same offer reached
    through a shared-quota batch), and a "runner-up" identical to the plan tells the reader nothing.
    """
    return (a.cloud, a.region, a.instance_type) != (b.cloud, b.region, b.instance_type) or round(
        a.expected_cost, 2
    ) != round(b.expected_cost, 2)


@dataclass(frozen=True)
class Placement:
    """The plan chosen for one job, the runner-up, and the on-demand home-region baseline it beats."""

    job: str
    plan: Plan
    runner_up: Plan | None
    baseline: Plan | None
    reason: str
    feasible_plans: int
    baseline_note: str = ""

    @property
    def savings(self) -> float | None:
        """Baseline cost minus plan cost (USD), or None without a baseline."""
        return None if self.baseline is None else self.baseline.expected_cost - self.plan.expected_cost

    @property
    def savings_fraction(self) -> float | None:
        """Savings as a fraction of the baseline cost."""
        if self.baseline is None or self.baseline.expected_cost <= 0:
            return None
        return (self.baseline.expected_cost - self.plan.expected_cost) / self.baseline.expected_cost

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "job": self.job,
            "plan": self.plan.to_dict(),
            "runner_up": None if self.runner_up is None else self.runner_up.to_dict(),
            "baseline_on_demand_home": None if self.baseline is None else self.baseline.to_dict(),
            "baseline_note": self.baseline_note,
            "savings_usd": None if self.savings is None else round(self.savings, 6),
            "savings_fraction": None if self.savings_fraction is None else round(self.savings_fraction, 6),
            "reason": self.reason,
            "feasible_plans": self.feasible_plans,
        }


@dataclass(frozen=True)
class BatchPlan:
    """Plans for a batch of jobs running at once under shared quotas."""

    method: str
    plans: dict[str, Plan]
    total_cost: float
    status: str
    solve_seconds: float
    unplaced: tuple[str, ...] = ()
    quota_use: tuple[tuple[Quota, float], ...] = ()
    candidates: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "method": self.method,
            "status": self.status,
            "total_cost": round(self.total_cost, 6),
            "solve_seconds": round(self.solve_seconds, 6),
            "unplaced": list(self.unplaced),
            "candidates": self.candidates,
            "quota_use": [{**q.model_dump(), "used": used} for q, used in self.quota_use],
            "plans": {name: plan.to_dict() for name, plan in self.plans.items()},
        }
