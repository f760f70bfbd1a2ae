"""A schedule for a whole jobs file: offers from the catalog, each job placed, shared quotas solved together.

This is what ``keel schedule`` prints. It takes the stack's cloud, home region and residency zone as plain
values (the command reads them from the stack's spec), so the runtime package stays free of ``stacks``.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from runtime.scheduling._egress import EGRESS_SOURCE
from runtime.scheduling._jobs import JobsFile
from runtime.scheduling._offers import offers_from_catalog
from runtime.scheduling._placement import (
    BatchMethod,
    BatchPlan,
    Placement,
    Plan,
    SpotScheduler,
    Unplaceable,
    differs,
)

if TYPE_CHECKING:
    from runtime.pricing import Catalog


def _where(plan: Plan) -> tuple[str, str, str, str, float]:
    return plan.cloud, plan.region, plan.instance_type, plan.purchase, plan.start_in_hours


@dataclass(frozen=True)
class ScheduleReport:
    """Every job's placement; with quotas, ``batch`` holds the plans that respect them all at once."""

    cloud: str
    home_region: str
    residency_zone: str
    catalog_as_of: str
    offers: int
    placements: list[Placement]
    batch: BatchPlan | None = None
    unplaceable: dict[str, str] = field(default_factory=dict)

    def chosen(self, placement: Placement) -> Plan:
        """The plan the job runs with: the batch's when quotas are shared, else its own best."""
        if self.batch is not None and placement.job in self.batch.plans:
            shared = self.batch.plans[placement.job]
            if _where(shared) != _where(placement.plan):
                return shared
        return placement.plan

    def runner_up(self, placement: Placement) -> Plan | None:
        """The best alternative to the chosen plan that differs from it (see ``differs``).

        When shared quotas moved a job onto its own runner-up, the runner-up is the chosen plan, so the
        job's plan alone (which the quotas ruled out) is the alternative shown instead.
        """
        chosen = self.chosen(placement)
        for alternative in (placement.runner_up, placement.plan):
            if alternative is not None and alternative is not chosen and differs(alternative, chosen):
                return alternative
        return None

    def total_cost(self) -> float:
        """Sum of the chosen plans' expected costs."""
        return sum(self.chosen(p).expected_cost for p in self.placements)

    def total_baseline(self) -> float:
        """Sum of the on-demand home-region baselines (jobs without one count their plan)."""
        return sum((p.baseline or self.chosen(p)).expected_cost for p in self.placements)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict, one entry per job."""
        jobs = []
        for p in self.placements:
            entry = p.to_dict()
            chosen = self.chosen(p)
            runner = self.runner_up(p)
            entry["runner_up"] = None if runner is None else runner.to_dict()
            if chosen is not p.plan:
                entry["plan_alone"] = entry["plan"]
                entry["plan"] = chosen.to_dict()
                if p.baseline is not None:
                    entry["savings_usd"] = round(p.baseline.expected_cost - chosen.expected_cost, 6)
            jobs.append(entry)
        return {
            "cloud": self.cloud,
            "home_region": self.home_region,
            "residency_zone": self.residency_zone,
            "catalog_as_of": self.catalog_as_of,
            "egress_prices": EGRESS_SOURCE,
            "offers": self.offers,
            "total_expected_cost_usd": round(self.total_cost(), 6),
            "total_on_demand_home_usd": round(self.total_baseline(), 6),
            "batch": None
            if self.batch is None
            else {k: v for k, v in self.batch.to_dict().items() if k != "plans"},
            "jobs": jobs,
            "unplaceable": self.unplaceable,
        }

    def to_json(self) -> str:
        """The report as indented JSON."""
        return json.dumps(self.to_dict(), indent=2) + "\n"


def schedule(
    jobs_file: JobsFile,
    *,
    cloud: str,
    home_region: str,
    residency_zone: str,
    catalog: Catalog | None = None,
    now_hour: float = 0.0,
    method: BatchMethod = "ilp",
    time_limit_seconds: float | None = None,
    interruption_scale: float = 1.0,
) -> ScheduleReport:
    """Place every job of ``jobs_file`` for a stack on ``cloud`` homed in ``home_region``.

    Offers come from the pricing catalog inside ``residency_zone`` and the file's allow-lists, on the
    stack's cloud unless ``allow.clouds`` names others. Jobs that cannot be placed are collected with the
    reason in ``unplaceable`` (the command prints them and exits 2); the rest are placed. With quotas,
    the placeable jobs are also solved together (``method``, CBC stopped after ``time_limit_seconds``)
    so that they fit the quotas at once. ``interruption_scale`` multiplies the advisor's interruption
    rates (see :class:`SpotScheduler`).
    """
    from runtime.pricing import load_catalog

    cat = catalog if catalog is not None else load_catalog()
    allow = jobs_file.allow
    offers = offers_from_catalog(
        cat,
        clouds=allow.clouds or [cloud],
        residency_zone=residency_zone,
        regions=allow.regions,
        families=allow.families,
        instance_types=allow.instance_types,
        deny_instance_types=allow.deny_instance_types,
    )
    scheduler = SpotScheduler(
        home=(cloud, home_region),
        quotas=jobs_file.quotas,
        price_profiles=jobs_file.price_profiles,
        now_hour=now_hour,
        interruption_scale=interruption_scale,
    ).fit(offers)
    placements: list[Placement] = []
    unplaceable: dict[str, str] = {}
    for job in jobs_file.jobs:
        try:
            placements.append(scheduler.place(job))
        except Unplaceable as exc:
            unplaceable[job.name] = str(exc)
    batch = None
    if jobs_file.quotas and placements:
        placed = [j for j in jobs_file.jobs if j.name not in unplaceable]
        batch = scheduler.place_batch(placed, method=method, time_limit_seconds=time_limit_seconds)
        if batch.unplaced:
            for name in batch.unplaced:
                unplaceable[name] = (
                    f"job {name!r}: the shared quotas cannot hold every job at once "
                    f"({batch.method} status {batch.status})"
                )
    return ScheduleReport(
        cloud=cloud,
        home_region=home_region,
        residency_zone=residency_zone,
        catalog_as_of=cat.as_of,
        offers=len(offers),
        placements=placements,
        batch=batch,
        unplaceable=unplaceable,
    )


def _money(value: float) -> str:
    return f"${value:,.2f}"


def render_table(report: ScheduleReport, width: int = 160) -> str:
    """The report as a rich text table: plan, expected cost, runner-up, savings, checkpoint interval."""
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f"Training placement for {report.cloud}/{report.home_region} "
        f"(residency {report.residency_zone}, prices as of {report.catalog_as_of})"
    )
    for column, justify in [
        ("job", "left"),
        ("plan", "left"),
        ("start", "right"),
        ("expected", "right"),
        ("exp. cost", "right"),
        ("runner-up", "left"),
        ("on-demand home", "right"),
        ("savings", "right"),
        ("checkpoint", "right"),
    ]:
        table.add_column(column, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for p in report.placements:
        plan = report.chosen(p)
        runner = report.runner_up(p)
        savings = "-"
        if p.baseline is not None:
            saved = p.baseline.expected_cost - plan.expected_cost
            frac = saved / p.baseline.expected_cost if p.baseline.expected_cost > 0 else 0.0
            savings = f"{_money(saved)} ({frac:.0%})"
        ckpt = (
            "-"
            if plan.checkpoint_interval_hours is None
            else (
                "end only"
                if plan.checkpoint_interval_hours >= plan.run_hours
                else f"{plan.checkpoint_interval_hours:.2f} h"
            )
        )
        pool = f" +{len(plan.pool) - 1} types" if len(plan.pool) > 1 else ""
        table.add_row(
            p.job,
            f"{plan.purchase} {plan.nodes}x {plan.instance_type}{pool} {plan.cloud}/{plan.region}",
            f"+{plan.start_in_hours:g} h",
            f"{plan.expected_hours:.2f} h",
            _money(plan.expected_cost),
            "-"
            if runner is None
            else f"{runner.purchase} {runner.instance_type} {runner.region} {_money(runner.expected_cost)}",
            "-" if p.baseline is None else _money(p.baseline.expected_cost),
            savings,
            ckpt,
        )
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, no_color=True, highlight=False, force_terminal=False)
    console.print(table)
    total, base = report.total_cost(), report.total_baseline()
    console.print(
        f"Total expected {_money(total)} against {_money(base)} on-demand in {report.home_region} "
        f"({_money(base - total)} saved). {report.offers} offers considered."
    )
    if report.batch is not None:
        console.print(
            f"Shared quotas solved together: {report.batch.method}, status {report.batch.status}, "
            f"{report.batch.solve_seconds:.2f} s."
        )
    for p in report.placements:
        chosen = report.chosen(p)
        if chosen is not p.plan:
            console.print(
                f"- {p.job}: shared quotas moved it to {chosen.purchase} {chosen.instance_type} in "
                f"{chosen.cloud}/{chosen.region} ({_money(chosen.expected_cost)}); alone: {p.reason}"
            )
        else:
            console.print(f"- {p.job}: {p.reason}")
    return buffer.getvalue()


def render_chart(report: ScheduleReport) -> str:
    """A self-contained HTML bar chart: each job's expected cost against on-demand in the home region."""
    import plotly.graph_objects as go

    names = [p.job for p in report.placements]
    chosen = [report.chosen(p) for p in report.placements]
    fig = go.Figure()
    fig.add_bar(
        name="planned (expected)",
        x=names,
        y=[c.expected_cost for c in chosen],
        text=[f"{c.purchase} {c.instance_type}<br>{c.region}" for c in chosen],
        textposition="auto",
    )
    fig.add_bar(
        name=f"on-demand in {report.home_region}",
        x=names,
        y=[p.baseline.expected_cost if p.baseline else None for p in report.placements],
    )
    fig.update_layout(
        barmode="group",
        title=f"Expected training cost per job (USD), prices as of {report.catalog_as_of}",
        yaxis_title="USD",
    )
    # plotly.js inlined: the page must render on an offline host, as the drift and fairness pages do.
    return str(fig.to_html(include_plotlyjs=True, full_html=True))
