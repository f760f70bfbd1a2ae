"""The budget guard's month-to-date spend where no cloud API answers it: run-rate plus the loop's ledger.

Why: AWS Budgets has no VPC endpoint (a controller in private subnets cannot reach it) and Google Cloud
has no API that returns a budget's spend at all. The loop still knows two things for sure:

- what the stack costs to keep running: the monthly estimate the component priced from the spec
  (``monthly_run_rate_usd``, what ``keel cost`` shows), of which ``elapsed share of the month`` is spent;
- what it spent itself: every training job it started, billable time x the runtime.pricing price of the
  instance (spot where spot), recorded in the endpoint's state when the job ends (the *ledger*).

:func:`month_spend` combines them. The guard (``_policy.decide_window``) then compares the result with
``monthly_budget_usd x (100 - budgetReservePercent) %``; it still fails closed (no retrain) when a budget is
set and neither the cloud's figure nor a run-rate is known, because the ledger alone leaves out serving.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

__all__ = [
    "job_cost",
    "ledger_entry",
    "ledger_since",
    "ledger_total",
    "month_elapsed_share",
    "month_spend",
]


def month_elapsed_share(now: datetime) -> float:
    """Share of the calendar month (UTC) elapsed at ``now``: 0 at its first instant, 1 at its end."""
    days = calendar.monthrange(now.year, now.month)[1]
    start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return min(1.0, max(0.0, (now - start).total_seconds() / (days * 86400)))


def job_cost(
    cloud: str, region: str, instance_type: str, billable_seconds: float, *, spot: bool = True
) -> tuple[float | None, str]:
    """Cost of one training job at the catalog's price; (None, why) when the catalog has no price."""
    from runtime.pricing import load_catalog

    name = instance_type.removeprefix("ml.")
    found = load_catalog().instance_type(cloud, region, name)
    hourly = None if found is None else found.hourly(spot=spot)
    if hourly is None and spot and found is not None:
        hourly = found.hourly(spot=False)  # no spot price published: the on-demand price bounds it
    if hourly is None:
        return None, f"no price for {cloud} {region} {name} in runtime.pricing"
    basis = "spot" if spot and found is not None and found.hourly(spot=True) is not None else "on-demand"
    return round(hourly * billable_seconds / 3600, 6), f"{basis} {hourly} USD/h x {billable_seconds:.0f} s"


def ledger_entry(
    *,
    job: str,
    ended: datetime,
    cloud: str,
    region: str,
    instance_type: str,
    billable_seconds: float | None,
    max_seconds: float,
    spot: bool = True,
) -> dict[str, Any]:
    """The state's record of one job's spend; an unknown billable time is charged at its maximum runtime."""
    seconds = max_seconds if billable_seconds is None else float(billable_seconds)
    usd, basis = job_cost(cloud, region, instance_type, seconds, spot=spot)
    if usd is None:
        # unpriced: charge nothing we cannot justify, but say so in the record a person reads
        usd = 0.0
    if billable_seconds is None:
        basis += " (billable time not reported: the job's maximum runtime charged)"
    return {
        "job": job,
        "month": f"{ended:%Y-%m}",
        "ended": ended.isoformat(),
        "instance_type": instance_type,
        "region": region,
        "purchase": "spot" if spot else "on-demand",
        "billable_seconds": seconds,
        "usd": usd,
        "basis": basis,
    }


def ledger_total(entries: Iterable[Mapping[str, Any]], now: datetime) -> float:
    """What the loop spent itself in ``now``'s calendar month."""
    month = f"{now:%Y-%m}"
    return round(sum(float(e.get("usd", 0.0)) for e in entries if e.get("month") == month), 6)


def ledger_since(entries: Iterable[Mapping[str, Any]], after: datetime | None, now: datetime) -> float:
    """What the loop's jobs that ended after ``after`` cost, in ``now``'s month.

    Why: Google Cloud's billing export lags usage by hours, so a figure read from it leaves out a retrain
    that ended since its newest row (``after``); None (no row this month yet) counts the whole month.
    """
    month = f"{now:%Y-%m}"
    total = 0.0
    for entry in entries:
        if entry.get("month") != month:
            continue
        ended = datetime.fromisoformat(str(entry.get("ended")))
        if after is None or ended > after:
            total += float(entry.get("usd", 0.0))
    return round(total, 6)


def month_spend(
    *, cloud_figure: float | None, run_rate_usd: float | None, ledger_usd: float, now: datetime
) -> tuple[float | None, str]:
    """Month-to-date spend for the guard, and where it came from.

    The cloud's figure when it could be read (it already includes the loop's own jobs, hours late);
    else the priced run-rate x elapsed share + the ledger; else None (unknown: the guard fails closed).
    """
    if cloud_figure is not None:
        return cloud_figure, "cloud"
    if run_rate_usd is None:
        return None, "unknown"
    share = month_elapsed_share(now)
    return round(run_rate_usd * share + ledger_usd, 4), "run-rate+ledger"
