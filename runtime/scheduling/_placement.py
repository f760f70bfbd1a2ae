"""Placement: the cheapest expected plan per job that meets its deadline, residency, quotas and hardware.

:class:`SpotScheduler` follows the estimator shape: the constructor stores settings, :meth:`fit` takes the
offers (already filtered by residency and allow-lists) and lays them out as arrays, and :meth:`place`
prices one job on every offer, spot and on-demand, in a few vectorised numpy steps. That enumeration is
the exact optimum for a single job: every candidate is priced, none is skipped by a heuristic.
:meth:`place_batch` couples jobs through shared quotas and solves the assignment as an integer program
(pulp/CBC), or with a Lagrangian-priced greedy heuristic whose gap to the optimum the benchmark measures.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from runtime.scheduling._egress import EgressTable
from runtime.scheduling._interruption import (
    BUCKET_RATE_HIGH,
    BUCKET_RATE_MID,
    daly_interval,
    deadline_probability,
    expected_wall_hours,
    mean_time_between_interruptions,
    run_loss_probability,
)
from runtime.scheduling._jobs import Job, PriceProfile, Quota
from runtime.scheduling._offers import DEFAULT_INTERRUPTION_BUCKET, Offer
from runtime.scheduling._timewindows import average_multiplier

#: GiB → GB (egress is priced per GB, data sizes are given in GiB).
GIB_TO_GB = 1.073741824
_BUCKET_LABEL = ("<5%", "5-10%", "10-15%", "15-20%", ">20%")
BatchMethod = Literal["ilp", "heuristic"]


class Unplaceable(ValueError):
    """No plan meets the job's constraints; the message names the unmet constraint and the closest offer."""


class NotFittedError(ValueError):
    """The scheduler was asked to place a job before :meth:`SpotScheduler.fit` gave it offers."""


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


# --------------------------------------------------------------------------------------- offer arrays
@dataclass
class _Arrays:
    """The offers as columns, built once by ``fit``."""

    offers: list[Offer]
    cloud: NDArray[np.str_]
    region: NDArray[np.str_]
    name: NDArray[np.str_]
    label: NDArray[np.str_]
    family: NDArray[np.str_]
    gpu_type: NDArray[np.str_]
    vcpu: NDArray[np.float64]
    memory: NDArray[np.float64]
    gpus: NDArray[np.float64]
    gpu_memory: NDArray[np.float64]
    on_demand: NDArray[np.float64]
    spot: NDArray[np.float64]
    bucket: NDArray[np.int64]
    region_index: NDArray[np.int64]
    regions: list[tuple[str, str]]

    @classmethod
    def build(cls, offers: Sequence[Offer]) -> _Arrays:
        regions: list[tuple[str, str]] = []
        index: dict[tuple[str, str], int] = {}
        region_index = []
        for o in offers:
            key = (o.cloud, o.region)
            if key not in index:
                index[key] = len(regions)
                regions.append(key)
            region_index.append(index[key])
        return cls(
            offers=list(offers),
            cloud=np.array([o.cloud for o in offers], dtype=str),
            region=np.array([o.region for o in offers], dtype=str),
            name=np.array([o.instance_type for o in offers], dtype=str),
            label=np.array([o.label for o in offers], dtype=str),
            family=np.array([o.family for o in offers], dtype=str),
            gpu_type=np.array([o.gpu_type or "" for o in offers], dtype=str),
            vcpu=np.array([o.vcpu for o in offers], dtype=float),
            memory=np.array([o.memory_gib for o in offers], dtype=float),
            gpus=np.array([o.gpu_count for o in offers], dtype=float),
            gpu_memory=np.array([o.gpu_memory_gib or 0.0 for o in offers], dtype=float),
            on_demand=np.array([o.on_demand_hourly for o in offers], dtype=float),
            spot=np.array([np.nan if o.spot_hourly is None else o.spot_hourly for o in offers], dtype=float),
            bucket=np.array(
                [
                    DEFAULT_INTERRUPTION_BUCKET if o.interruption_bucket is None else o.interruption_bucket
                    for o in offers
                ],
                dtype=np.int64,
            ),
            region_index=np.array(region_index, dtype=np.int64),
            regions=regions,
        )

    def __len__(self) -> int:
        return len(self.offers)


@dataclass
class _Candidates:
    """One job priced on every (offer, purchase): index i < n is spot on offer i, i ≥ n on-demand on i − n."""

    job: Job
    n: int
    hardware: NDArray[np.bool_]  # per offer
    priced: NDArray[np.bool_]  # per candidate: the purchase option exists and the job allows it
    quota_ok: NDArray[np.bool_]
    run_hours: NDArray[np.float64]
    expected_hours: NDArray[np.float64]
    probability: NDArray[np.float64]
    interval: NDArray[np.float64]
    loss: NDArray[np.float64]
    hourly: NDArray[np.float64]
    multiplier: NDArray[np.float64]
    start: NDArray[np.float64]
    egress: NDArray[np.float64]
    cost: NDArray[np.float64]
    feasible: NDArray[np.bool_]
    deadline_ok: NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, dtype=bool))


# ------------------------------------------------------------------------------------------ scheduler
class SpotScheduler:
    """Place training jobs on spot or on-demand capacity at the lowest expected cost that meets deadlines.

    Parameters
    ----------
    home : (cloud, region), optional
        The stack's home region: savings are reported against on-demand there.
    quotas : sequence of Quota
        Limits every plan must respect; in :meth:`place_batch` they are shared by all jobs.
    price_profiles : sequence of PriceProfile
        Per-hour-of-day price multipliers; with one, a plan may start later when that is cheaper.
    now_hour : float, default=0
        Current time as hours since midnight UTC, to read the price profiles.
    diversify : int, default=4
        Types in a spot plan's pool (Karpenter-style: several types, one interruption domain each).
    diversify_within : float, default=0.25
        A type joins the pool when its expected cost is within this fraction of the chosen plan's.
    min_pool_types : int, default=2
        A spot pool gets at least this many types when the region has them, even beyond
        ``diversify_within`` (the plan reports the dearest one's expected cost).
    egress : EgressTable, optional
        Data-transfer prices; the default is the documented list-price table.
    max_start_delay_hours : int, default=23
        Latest whole-hour delay tried when a price profile applies.
    interruption_scale : float, default=1
        Interruptions happen this many times as often as the advisor bucket says (its mean time between
        interruptions is divided by it). The advisor's rates are optimistic for GPU pools; set this from
        the preemptions you measure.

    Attributes
    ----------
    offers_ : list of Offer
        The offers given to :meth:`fit`.

    See Also
    --------
    place_job : the function twin for one job.
    place_batch : the function twin for a batch under shared quotas.
    """

    def __init__(
        self,
        *,
        home: tuple[str, str] | None = None,
        quotas: Sequence[Quota] = (),
        price_profiles: Sequence[PriceProfile] = (),
        now_hour: float = 0.0,
        diversify: int = 4,
        diversify_within: float = 0.25,
        min_pool_types: int = 2,
        egress: EgressTable | None = None,
        max_start_delay_hours: int = 23,
        interruption_scale: float = 1.0,
    ) -> None:
        self.home = home
        self.quotas = quotas
        self.price_profiles = price_profiles
        self.now_hour = now_hour
        self.diversify = diversify
        self.diversify_within = diversify_within
        self.min_pool_types = min_pool_types
        self.egress = egress
        self.max_start_delay_hours = max_start_delay_hours
        self.interruption_scale = interruption_scale

    # -- fitting
    def fit(self, offers: Sequence[Offer]) -> SpotScheduler:
        """Lay out ``offers`` as arrays for fast pricing; returns self."""
        if not offers:
            raise ValueError("fit needs at least one offer; check the residency zone and allow-lists")
        if self.diversify < 1:
            raise ValueError(f"diversify = {self.diversify}: must be ≥ 1")
        if not 1 <= self.min_pool_types <= self.diversify:
            raise ValueError(
                f"min_pool_types = {self.min_pool_types}: must be 1..diversify ({self.diversify})"
            )
        if self.diversify_within < 0:
            raise ValueError(f"diversify_within = {self.diversify_within}: must be ≥ 0")
        if not self.interruption_scale > 0:
            raise ValueError(f"interruption_scale = {self.interruption_scale}: must be > 0")
        if not 0 <= self.max_start_delay_hours <= 168:
            raise ValueError(f"max_start_delay_hours = {self.max_start_delay_hours}: must be 0..168")
        self.offers_ = list(offers)
        self._arrays = _Arrays.build(self.offers_)
        self._egress = self.egress or EgressTable()
        a = self._arrays
        # per-node mean time between interruptions of every offer (expected and pessimistic rates)
        scale = self.interruption_scale
        self._mtbi_mid = mean_time_between_interruptions(np.take(BUCKET_RATE_MID, a.bucket)) / scale
        self._mtbi_high = mean_time_between_interruptions(np.take(BUCKET_RATE_HIGH, a.bucket)) / scale
        n = len(a)
        # which profile applies to each candidate (spot half, on-demand half): exact purchase, else "any"
        profiles = {
            (p.cloud, p.region, p.purchase): np.asarray(p.multipliers, dtype=float)
            for p in self.price_profiles
        }
        self._profile_list: list[NDArray[np.float64]] = list(profiles.values())
        keys = list(profiles)
        self._profile_of = np.full(2 * n, -1, dtype=np.int64)
        for i in range(n):
            for half, purchase in ((0, "spot"), (1, "on-demand")):
                for key in ((a.cloud[i], a.region[i], purchase), (a.cloud[i], a.region[i], "any")):
                    if key in profiles:
                        self._profile_of[half * n + i] = keys.index(key)
                        break
        self._home_mask = (
            (a.cloud == self.home[0]) & (a.region == self.home[1]) if self.home else np.zeros(n, dtype=bool)
        )
        # quota usage matrix: quota q applies to candidate c
        self._quota_applies = np.zeros((len(self.quotas), 2 * n), dtype=bool)
        for q, quota in enumerate(self.quotas):
            here = (a.cloud == quota.cloud) & (a.region == quota.region)
            if quota.purchase in ("spot", "any"):
                self._quota_applies[q, :n] = here
            if quota.purchase in ("on-demand", "any"):
                self._quota_applies[q, n:] = here
        return self

    def _check_fitted(self) -> _Arrays:
        if not hasattr(self, "offers_"):
            raise NotFittedError("this SpotScheduler has no offers yet: call fit(offers) first")
        return self._arrays

    # -- pricing one job on every offer
    def _speed(self, job: Job) -> NDArray[np.float64]:
        a = self._arrays
        speed = np.ones(len(a))
        if job.speed_factors:
            for column in (a.gpu_type, a.family, a.name, a.label):  # least to most specific
                for key, factor in job.speed_factors.items():
                    speed[column == key] = factor
            if job.reference_type is not None:
                ref = np.flatnonzero((a.name == job.reference_type) | (a.label == job.reference_type))
                if ref.size:
                    speed = speed / speed[ref[0]]
        return speed

    def _hardware(self, job: Job) -> NDArray[np.bool_]:
        a, r = self._arrays, job.resources
        ok = (a.gpus >= r.gpus_needed) & (a.vcpu >= r.min_vcpu) & (a.memory >= r.min_memory_gib)
        if r.min_gpu_memory_gib > 0:
            ok &= a.gpu_memory >= r.min_gpu_memory_gib
        if r.gpu_types:
            ok &= np.isin(a.gpu_type, r.gpu_types)
        return np.asarray(ok, dtype=bool)

    def _usage(self, job: Job, quota: Quota) -> NDArray[np.float64]:
        a = self._arrays
        per_node = a.gpus if quota.resource == "gpus" else a.vcpu
        return np.concatenate([per_node, per_node]) * job.resources.nodes

    def _evaluate(self, job: Job) -> _Candidates:
        a = self._check_fitted()
        n = len(a)
        nodes = job.resources.nodes
        hardware = self._hardware(job)
        work = job.runtime_hours / self._speed(job)
        write = job.checkpoint_write_minutes / 60.0
        restart = job.restart_minutes / 60.0
        deadline = math.inf if job.deadline_hours is None else job.deadline_hours

        # spot half, computed only where the hardware fits and a spot price exists, then scattered back
        sub = np.flatnonzero(hardware & ~np.isnan(a.spot))
        w_sub = work[sub]
        m_mid = self._mtbi_mid[sub] / nodes
        m_high = self._mtbi_high[sub] / nodes
        daly = np.full(n, np.nan)
        tau = np.full(n, np.nan)
        spot_hours = np.full(n, np.inf)
        loss = np.full(n, np.nan)
        if job.checkpointable:
            daly[sub] = daly_interval(write, m_mid)  # reported as is: > run time means "only the final save"
            tau[sub] = np.minimum(daly[sub], w_sub)
            spot_hours[sub] = expected_wall_hours(
                w_sub,
                m_mid,
                checkpointable=True,
                write_hours=write,
                restart_hours=restart,
                interval_hours=tau[sub],
            )
        else:
            spot_hours[sub] = expected_wall_hours(w_sub, m_mid, checkpointable=False, restart_hours=restart)
            loss[sub] = run_loss_probability(w_sub, m_mid)

        def spot_probability(d: float) -> NDArray[np.float64]:
            out = np.zeros(n)
            if job.checkpointable:
                out[sub] = deadline_probability(
                    w_sub,
                    m_high,
                    d,
                    checkpointable=True,
                    write_hours=write,
                    restart_hours=restart,
                    interval_hours=tau[sub],
                )
            else:
                out[sub] = deadline_probability(w_sub, m_high, d, checkpointable=False, restart_hours=restart)
            return out

        run = np.concatenate([work, work])
        expected = np.concatenate([spot_hours, work])
        hourly = np.concatenate([a.spot, a.on_demand])
        interval = np.concatenate([daly, np.full(n, np.nan)])
        loss_all = np.concatenate([loss, np.full(n, np.nan)])
        if math.isinf(deadline):
            probability = np.ones(2 * n)
        else:
            probability = np.concatenate(
                [spot_probability(deadline), (work <= deadline + 1e-9).astype(float)]
            )

        allow_spot = job.purchase in ("auto", "spot")
        allow_od = job.purchase in ("auto", "on-demand")
        priced = np.concatenate([~np.isnan(a.spot) & allow_spot, np.full(n, allow_od)])
        hw2 = np.concatenate([hardware, hardware])

        quota_ok = np.ones(2 * n, dtype=bool)
        for q, quota in enumerate(self.quotas):
            applies = self._quota_applies[q]
            quota_ok &= ~applies | (self._usage(job, quota) <= quota.limit)

        # egress of the input data to each region
        egress = np.zeros(2 * n)
        if job.data is not None and job.data.size_gib > 0:
            src_cloud = job.data.cloud or (self.home[0] if self.home else None)
            per_region = np.array(
                [
                    self._egress.per_gb(src_cloud or cloud, job.data.region, cloud, region)
                    for cloud, region in a.regions
                ]
            )
            per_offer = per_region[a.region_index] * job.data.size_gib * GIB_TO_GB
            egress = np.concatenate([per_offer, per_offer])

        multiplier = np.ones(2 * n)
        start = np.zeros(2 * n)
        live = hw2 & priced & quota_ok
        if self._profile_list:
            self._apply_time_windows(
                job, live, expected, run, probability, multiplier, start, deadline, spot_probability, n
            )

        deadline_ok = probability >= job.confidence - 1e-12
        with np.errstate(invalid="ignore"):
            cost = nodes * hourly * multiplier * expected + egress
        feasible = live & deadline_ok & np.isfinite(cost)
        return _Candidates(
            job=job,
            n=n,
            hardware=hardware,
            priced=priced,
            quota_ok=quota_ok,
            run_hours=run,
            expected_hours=expected,
            probability=probability,
            interval=interval,
            loss=loss_all,
            hourly=hourly,
            multiplier=multiplier,
            start=start,
            egress=egress,
            cost=np.where(feasible, cost, np.inf),
            feasible=feasible,
            deadline_ok=deadline_ok,
        )

    def _apply_time_windows(
        self,
        job: Job,
        live: NDArray[np.bool_],
        expected: NDArray[np.float64],
        run: NDArray[np.float64],
        probability: NDArray[np.float64],
        multiplier: NDArray[np.float64],
        start: NDArray[np.float64],
        deadline: float,
        spot_probability: Any,
        n: int,
    ) -> None:
        """For candidates under a price profile, pick the whole-hour delay with the cheapest average price.

        A delay is allowed only while the plan still meets the deadline with the job's confidence.
        Updates ``multiplier``, ``start`` and ``probability`` in place.
        """
        delays = np.arange(0, self.max_start_delay_hours + 1, dtype=float)
        for p, profile in enumerate(self._profile_list):
            idx = np.flatnonzero((self._profile_of == p) & live & np.isfinite(expected))
            if idx.size == 0:
                continue
            avg = average_multiplier(profile, self.now_hour + delays[None, :], expected[idx, None])
            if math.isinf(deadline):
                prob = np.ones_like(avg)
            else:
                prob = np.empty_like(avg)
                spot_rows = idx < n
                for k, delay in enumerate(delays):
                    left = deadline - delay
                    if spot_rows.any():
                        prob[spot_rows, k] = spot_probability(left)[idx[spot_rows]]
                    od = ~spot_rows
                    if od.any():
                        prob[od, k] = (run[idx[od]] <= left + 1e-9).astype(float)
            ok = prob >= job.confidence - 1e-12
            ok[:, 0] = True  # starting now is always tried; the deadline check then applies as usual
            masked = np.where(ok, avg, np.inf)
            best = np.argmin(masked, axis=1)
            rows = np.arange(idx.size)
            multiplier[idx] = avg[rows, best]
            start[idx] = delays[best]
            probability[idx] = prob[rows, best]

    # -- plans
    def _plan(
        self, ev: _Candidates, i: int, pool: tuple[str, ...] = (), pool_worst: float | None = None
    ) -> Plan:
        a = self._arrays
        n = ev.n
        spot = i < n
        o = a.offers[i % n]
        interval = float(ev.interval[i]) if spot and np.isfinite(ev.interval[i]) else None
        loss = float(ev.loss[i]) if spot and np.isfinite(ev.loss[i]) else None
        nodes = ev.job.resources.nodes
        compute = nodes * ev.hourly[i] * ev.multiplier[i] * ev.expected_hours[i]
        return Plan(
            job=ev.job.name,
            cloud=o.cloud,
            region=o.region,
            instance_type=o.label,
            purchase="spot" if spot else "on-demand",
            nodes=nodes,
            zones=o.zones,
            start_in_hours=float(ev.start[i]),
            run_hours=float(ev.run_hours[i]),
            expected_hours=float(ev.expected_hours[i]),
            hourly_price=float(ev.hourly[i]),
            price_multiplier=float(ev.multiplier[i]),
            compute_cost=float(compute),
            egress_cost=float(ev.egress[i]),
            expected_cost=float(compute + ev.egress[i]),
            deadline_probability=float(ev.probability[i]),
            checkpoint_interval_hours=interval,
            interruption_range=_BUCKET_LABEL[int(a.bucket[i % n])] if spot else None,
            interruption_assumed=bool(spot and o.interruption_assumed),
            run_loss_probability=loss,
            pool=pool or (o.label,),
            pool_worst_cost=pool_worst,
        )

    def _pool(self, ev: _Candidates, best: int) -> tuple[tuple[str, ...], float | None]:
        """Karpenter-style diversification of a spot plan, and the expected cost of its dearest type.

        The pool holds the chosen type plus the next-cheapest feasible spot types in the same region:
        every one within ``diversify_within`` of the best, and at least ``min_pool_types`` whatever their
        cost (one type is one interruption domain), at most ``diversify``. On-demand plans keep one type.
        """
        a = self._arrays
        n = ev.n
        if best >= n:
            return (str(a.label[best - n]),), None
        same = (a.region_index == a.region_index[best]) & ev.feasible[:n]
        idx = np.flatnonzero(same)
        idx = idx[np.lexsort((idx, ev.cost[idx]))]
        limit = ev.cost[best] * (1.0 + self.diversify_within) + 1e-12
        labels: list[str] = [str(a.label[best])]
        worst = float(ev.cost[best])
        for i in idx:
            if len(labels) >= self.diversify:
                break
            label = str(a.label[i])
            if label in labels:
                continue
            if ev.cost[i] > limit and len(labels) >= self.min_pool_types:
                break
            labels.append(label)
            worst = max(worst, float(ev.cost[i]))
        return tuple(labels), worst

    def place(self, job: Job) -> Placement:
        """The exact cheapest expected plan for ``job``, with runner-up and home on-demand baseline.

        Raises :class:`Unplaceable` naming the unmet constraint when no plan is feasible.
        """
        ev = self._evaluate(job)
        if not ev.feasible.any():
            raise Unplaceable(self._explain(ev))
        order = np.lexsort((np.arange(ev.cost.size), ev.cost))
        best = int(order[0])
        plan = self._plan(ev, best, *self._pool(ev, best))
        feasible_count = int(ev.feasible.sum())
        runner = None
        for i in order[1:feasible_count]:
            candidate = self._plan(ev, int(i))
            if differs(candidate, plan):
                runner = candidate
                break
        baseline, note = self._baseline(ev)
        return Placement(
            job=job.name,
            plan=plan,
            runner_up=runner,
            baseline=baseline,
            reason=self._reason(ev, best, plan),
            feasible_plans=feasible_count,
            baseline_note=note,
        )

    def place_all(self, jobs: Sequence[Job]) -> list[Placement]:
        """Each job placed on its own (quotas checked per job, not shared): see :meth:`place_batch`."""
        return [self.place(job) for job in jobs]

    def _baseline(self, ev: _Candidates) -> tuple[Plan | None, str]:
        if self.home is None:
            return None, "no home region given"
        n = ev.n
        home = self._home_mask & ev.hardware
        if not home.any():
            return None, f"no on-demand type in the home region {self.home[1]} meets the job's hardware needs"
        od_cost = self._raw_cost(ev)[n:]
        ok = home & ev.deadline_ok[n:]
        note = "cheapest on-demand type in the home region that meets the deadline"
        if not ok.any():
            ok = home
            note = "cheapest on-demand type in the home region (none meets the deadline there)"
        idx = np.flatnonzero(ok)
        i = int(idx[np.argmin(od_cost[idx])]) + n
        return self._plan(ev, i), note

    @staticmethod
    def _raw_cost(ev: _Candidates) -> NDArray[np.float64]:
        with np.errstate(invalid="ignore"):
            return np.asarray(
                ev.job.resources.nodes * ev.hourly * ev.multiplier * ev.expected_hours + ev.egress
            )

    def _reason(self, ev: _Candidates, best: int, plan: Plan) -> str:
        n = ev.n
        job = ev.job
        where = f"{plan.purchase} {plan.instance_type} in {plan.cloud}/{plan.region}"
        head = f"{where}: lowest expected cost of {int(ev.feasible.sum())} feasible plans"
        if job.deadline_hours is not None:
            shown = "> 99.9%" if plan.deadline_probability > 0.999 else f"≥ {plan.deadline_probability:.1%}"
            head += f"; meets the {job.deadline_hours:g} h deadline with probability {shown} (asked {job.confidence:.0%})"
        if plan.checkpoint_interval_hours is not None:
            every = plan.checkpoint_interval_hours
            head += f"; checkpoint every {every:.2f} h (Young/Daly)"
            if every >= plan.run_hours:
                head += ", longer than the run: only the final save"
        if plan.interruption_assumed:
            head += "; interruption rate assumed (none published for this type)"
        if plan.run_loss_probability is not None:
            head += (
                f"; not checkpointable: each attempt is lost with probability {plan.run_loss_probability:.1%}"
            )
        if plan.start_in_hours > 0:
            head += f"; starts in {plan.start_in_hours:g} h when prices are {plan.price_multiplier:.2f}x"
        if best >= n and job.purchase == "auto":
            spot_live = ev.hardware & ev.priced[:n] & ev.quota_ok[:n]
            if spot_live.any():
                if not (spot_live & ev.deadline_ok[:n]).any():
                    top = float(np.max(ev.probability[:n][spot_live]))
                    head += (
                        f"; on-demand because no spot plan meets the deadline with {job.confidence:.0%} "
                        f"confidence (best spot: {top:.0%})"
                    )
                else:
                    head += "; on-demand because spot's expected rework and restarts cost more"
        return head

    # -- explaining an impossible job
    def _explain(self, ev: _Candidates) -> str:
        a = self._arrays
        job = ev.job
        r = job.resources
        n = ev.n
        regions = sorted({f"{c}/{g}" for c, g in a.regions})
        where = f"in {', '.join(regions)}" if len(regions) <= 6 else f"in the {len(regions)} allowed regions"
        steps: list[tuple[str, NDArray[np.bool_], NDArray[Any] | None, str]] = []
        if r.gpu_types:
            steps.append((f"gpuTypes in {r.gpu_types}", np.isin(a.gpu_type, r.gpu_types), None, ""))
        steps += [
            (f"gpus ≥ {r.gpus_needed}", a.gpus >= r.gpus_needed, a.gpus, "GPUs per node"),
            (
                f"minGpuMemoryGib ≥ {r.min_gpu_memory_gib:g}",
                a.gpu_memory >= r.min_gpu_memory_gib,
                a.gpu_memory,
                "GiB of GPU memory",
            ),
            (f"minVcpu ≥ {r.min_vcpu}", a.vcpu >= r.min_vcpu, a.vcpu, "vCPU"),
            (f"minMemoryGib ≥ {r.min_memory_gib:g}", a.memory >= r.min_memory_gib, a.memory, "GiB of memory"),
        ]
        keep = np.ones(n, dtype=bool)
        for label, ok, column, unit in steps:
            if not (keep & ok).any():
                if column is None:
                    offered = sorted(set(a.gpu_type[keep].tolist()) - {""})
                    detail = f"GPU types offered: {', '.join(offered) or 'none'}"
                else:
                    top = int(np.argmax(np.where(keep, column, -1.0)))
                    detail = f"the most offered is {column[top]:g} {unit} ({a.label[top]} in {a.region[top]})"
                return f"job {job.name!r}: no offer {where} meets {label}: {detail}"
            keep &= ok
        hw2 = np.concatenate([ev.hardware, ev.hardware])
        if not (hw2 & ev.priced).any():
            return (
                f"job {job.name!r}: purchase {job.purchase!r} impossible: none of the {int(ev.hardware.sum())} "
                f"types that fit has a spot price {where}"
            )
        live = hw2 & ev.priced
        if not (live & ev.quota_ok).any():
            q = [f"{x.cloud}/{x.region} {x.purchase} {x.resource} ≤ {x.limit}" for x in self.quotas]
            return (
                f"job {job.name!r}: quotas exclude every type that fits ({'; '.join(q)}); the job needs "
                f"{r.nodes} node(s) of {r.gpus_needed} GPU(s)"
            )
        live &= ev.quota_ok
        if job.deadline_hours is not None:
            fastest = int(np.argmin(np.where(live, ev.run_hours, np.inf)))
            fast_hours = float(ev.run_hours[fastest])
            o = a.offers[fastest % n]
            if fast_hours > job.deadline_hours:
                return (
                    f"job {job.name!r}: deadline {job.deadline_hours:g} h is shorter than the fastest run: "
                    f"{fast_hours:.2f} h on {o.label} in {o.cloud}/{o.region}"
                )
            best_p = int(np.argmax(np.where(live, ev.probability, -1.0)))
            ob = a.offers[best_p % n]
            return (
                f"job {job.name!r}: no {job.purchase if job.purchase != 'auto' else ''} plan meets the "
                f"{job.deadline_hours:g} h deadline with {job.confidence:.0%} confidence; the best is "
                f"{ev.probability[best_p]:.0%} on {'spot' if best_p < n else 'on-demand'} {ob.label} in "
                f"{ob.cloud}/{ob.region}; allow on-demand (purchase: auto), lower confidence or extend the deadline"
            ).replace("no  plan", "no plan")
        return f"job {job.name!r}: no plan has a finite expected cost (a non-checkpointable run far longer than spot survives)"

    # -- batches sharing quotas
    def place_batch(
        self, jobs: Sequence[Job], *, method: BatchMethod = "ilp", time_limit_seconds: float | None = None
    ) -> BatchPlan:
        """Place ``jobs`` running at once so that together they respect every quota, at least total cost.

        ``method="ilp"`` solves the exact assignment with pulp/CBC: one binary per (job, candidate), one
        candidate per job, usage ≤ limit per quota, warm-started from the heuristic's answer so a run cut
        short by ``time_limit_seconds`` is never worse than it. Candidates are first pruned without losing the
        optimum: among one job's candidates touching the same quotas, only those not dominated in
        (cost, usage of each quota) are kept. If CBC finds no solution within ``time_limit_seconds`` the
        heuristic answers instead (status ``heuristic (ilp ...)``). ``method="heuristic"`` prices the
        quotas by Lagrangian subgradient steps, then lets jobs in order of regret take their cheapest
        fitting candidate, then moves single jobs to cheaper free candidates (see ``docs/scheduling.md``
        and the measured gap in ``docs/performance.md``).
        Raises :class:`Unplaceable` when a job has no plan even alone; a batch the quotas cannot hold
        gives status ``infeasible`` and lists the jobs left unplaced.
        """
        if method not in ("ilp", "heuristic"):
            raise ValueError(f"method {method!r} is unknown; allowed: ilp, heuristic")
        started = time.perf_counter()
        cands = [self._batch_candidates(job) for job in jobs]
        n_cands = sum(len(c[0]) for c in cands)
        if method == "heuristic":
            chosen, unplaced = self._heuristic(cands)
            status = "heuristic" if not unplaced else "infeasible"
        else:
            chosen, unplaced, status = self._ilp(cands, time_limit_seconds)
            if status not in ("optimal", "feasible", "infeasible"):  # no answer in time: fall back
                chosen, unplaced = self._heuristic(cands)
                status = f"heuristic (ilp {status})" if not unplaced else "infeasible"
        elapsed = time.perf_counter() - started
        plans: dict[str, Plan] = {}
        use = np.zeros(len(self.quotas))
        for (idx, _costs, usage, ev), pick in zip(cands, chosen, strict=True):
            if pick is None:
                continue
            chosen_index = int(idx[pick])
            plans[ev.job.name] = self._plan(ev, chosen_index, *self._pool(ev, chosen_index))
            use += usage[:, pick]
        total = float(sum(p.expected_cost for p in plans.values()))
        return BatchPlan(
            method=method,
            plans=plans,
            total_cost=total,
            status=status,
            solve_seconds=elapsed,
            unplaced=tuple(unplaced),
            quota_use=tuple(zip(self.quotas, (float(u) for u in use), strict=True)),
            candidates=n_cands,
        )

    def _batch_candidates(
        self, job: Job
    ) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64], _Candidates]:
        """Feasible candidates of ``job`` pruned to the non-dominated ones per quota signature."""
        ev = self._evaluate(job)
        if not ev.feasible.any():
            raise Unplaceable(self._explain(ev))
        idx = np.flatnonzero(ev.feasible)
        usage = np.zeros((len(self.quotas), idx.size))
        for q, quota in enumerate(self.quotas):
            usage[q] = np.where(self._quota_applies[q, idx], self._usage(job, quota)[idx], 0.0)
        signature = self._quota_applies[:, idx] if len(self.quotas) else np.zeros((0, idx.size), dtype=bool)
        sig_keys = [tuple(col) for col in signature.T]
        costs = ev.cost[idx]
        keep: list[int] = []
        groups: dict[tuple[bool, ...], list[int]] = {}
        for k in np.lexsort((idx, costs)):
            groups.setdefault(sig_keys[k], []).append(int(k))
        for members in groups.values():
            front: list[int] = []
            for k in members:  # cheapest first: keep k unless a cheaper kept one uses no more of any quota
                if any(np.all(usage[:, f] <= usage[:, k]) for f in front):
                    continue
                front.append(k)
            keep.extend(front)
        keep_arr = np.array(sorted(keep, key=lambda k: (costs[k], idx[k])), dtype=np.int64)
        return idx[keep_arr], costs[keep_arr], usage[:, keep_arr], ev

    def _heuristic(self, cands: list[Any], iterations: int = 60) -> tuple[list[int | None], list[str]]:
        """Lagrangian pricing of the quotas, a greedy repair, then single-job moves.

        1. Price each quota (λ ≥ 0, USD per unit) by subgradient steps: every job picks the candidate
           minimising cost + λ·usage; over-used quotas get dearer, idle ones cheaper.
        2. Repair (every 10 steps, keeping the best result): jobs in order of regret under those prices
           (second-best − best priced cost) take the cheapest-priced candidate that still fits.
        3. Every job in turn moves to a cheaper candidate whose capacity is free, until nothing moves.
        """
        if not cands:
            return [], []
        limits = np.array([float(q.limit) for q in self.quotas])
        if limits.size == 0:
            return [0] * len(cands), []
        scale = float(np.median([c[1][0] / max(float(c[2][:, 0].sum()), 1.0) for c in cands])) or 1.0
        lam = np.zeros(limits.size)
        best: tuple[float, list[int | None], list[str]] | None = None
        for it in range(1, iterations + 1):
            use = np.zeros(limits.size)
            for _idx, costs, usage, _ev in cands:
                use += usage[:, int(np.argmin(costs + lam @ usage))]
            over = (use - limits) / np.maximum(limits, 1.0)
            lam = np.maximum(0.0, lam + scale * over / math.sqrt(it))
            if it % 10 == 0 or it == 1:
                chosen, unplaced = self._repair(cands, lam, limits)
                total = sum(float(c[1][k]) for c, k in zip(cands, chosen, strict=True) if k is not None)
                key = (len(unplaced), total)
                if best is None or key < (len(best[2]), best[0]):
                    best = (total, chosen, unplaced)
        assert best is not None
        return best[1], best[2]

    @staticmethod
    def _repair(
        cands: list[Any], lam: NDArray[np.float64], limits: NDArray[np.float64]
    ) -> tuple[list[int | None], list[str]]:
        priced = [c[1] + lam @ c[2] for c in cands]
        regret = []
        for p in priced:
            two = np.partition(p, 1)[:2] if p.size > 1 else np.array([p[0], math.inf])
            regret.append(float(two[1] - two[0]))
        order = sorted(range(len(cands)), key=lambda j: (-regret[j], j))
        remaining = limits.copy()
        chosen: list[int | None] = [None] * len(cands)
        unplaced: list[str] = []
        for j in order:
            usage = cands[j][2]
            fits = np.flatnonzero(np.all(usage <= remaining[:, None] + 1e-9, axis=0))
            if fits.size == 0:
                unplaced.append(cands[j][3].job.name)
                continue
            pick = int(fits[np.argmin(priced[j][fits])])
            chosen[j] = pick
            remaining -= usage[:, pick]
        for _ in range(20):  # single-job moves to cheaper candidates while capacity allows
            moved = False
            for j in order:
                current = chosen[j]
                if current is None:
                    continue
                costs, usage = cands[j][1], cands[j][2]
                freed = remaining + usage[:, current]
                cheaper = np.flatnonzero(costs < costs[current] - 1e-12)
                if cheaper.size == 0:
                    continue
                fits = cheaper[np.all(usage[:, cheaper] <= freed[:, None] + 1e-9, axis=0)]
                if fits.size:
                    pick = int(fits[np.argmin(costs[fits])])
                    chosen[j] = pick
                    remaining = freed - usage[:, pick]
                    moved = True
            if not moved:
                break
        return chosen, unplaced

    def batch_lower_bound(self, jobs: Sequence[Job]) -> float:
        """The LP relaxation of :meth:`place_batch`'s integer program: no assignment costs less.

        Used to bound a heuristic's gap when the exact ILP is too slow to finish; ``inf`` when even the
        relaxation is infeasible.
        """
        import pulp

        cands = [self._batch_candidates(job) for job in jobs]
        prob, _variables = self._model(cands, relax=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            prob.solve(pulp.PULP_CBC_CMD(msg=False))
        if pulp.LpStatus[prob.status] != "Optimal":
            return math.inf
        return float(pulp.value(prob.objective))

    def _model(self, cands: list[Any], relax: bool = False) -> tuple[Any, list[list[Any]]]:
        """The assignment program: one variable per (job, candidate), one plan per job, quotas as rows."""
        import pulp

        prob = pulp.LpProblem("mlkeel_batch_placement", pulp.LpMinimize)
        # pulp ≥ 3.3 attaches variables to the model; older pulp (the project allows ≥ 2.8) has LpVariable only
        new_var = getattr(prob, "add_variable", None) or (
            lambda name, low, up, cat: pulp.LpVariable(name, lowBound=low, upBound=up, cat=cat)
        )
        variables: list[list[Any]] = []
        objective: list[Any] = []
        for j, (_idx, costs, _usage, _ev) in enumerate(cands):
            xs = [new_var(f"x_{j}_{k}", 0, 1, "Continuous" if relax else "Binary") for k in range(costs.size)]
            variables.append(xs)
            objective.extend(float(c) * x for c, x in zip(costs, xs, strict=True))
            prob += pulp.lpSum(xs) == 1, f"one_plan_{j}"
        prob += pulp.lpSum(objective)
        for q, quota in enumerate(self.quotas):
            terms = [
                float(usage[q, k]) * variables[j][k]
                for j, (_idx, _costs, usage, _ev) in enumerate(cands)
                for k in np.flatnonzero(usage[q] > 0)
            ]
            if terms:
                prob += pulp.lpSum(terms) <= quota.limit, f"quota_{q}"
        return prob, variables

    def _ilp(self, cands: list[Any], time_limit: float | None) -> tuple[list[int | None], list[str], str]:
        """Solve the assignment exactly with CBC, warm-started from the heuristic.

        The heuristic's assignment is given to CBC as a MIP start, so a run cut short by ``time_limit``
        still returns an answer at least as good as the heuristic's (status ``feasible``).
        """
        import pulp

        prob, variables = self._model(cands)
        start, start_unplaced = self._heuristic(cands)
        warm = not start_unplaced
        if warm:
            for xs, pick in zip(variables, start, strict=True):
                for k, x in enumerate(xs):
                    x.setInitialValue(1.0 if k == pick else 0.0)
        with warnings.catch_warnings():
            # PULP_CBC_CMD (the CBC binary bundled in the pulp wheel) is deprecated for pulp 4; it is the
            # one solver every install has, so keep using it until pulp 4 ships its replacement.
            warnings.simplefilter("ignore", DeprecationWarning)
            solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit, warmStart=warm)
            prob.solve(solver)
        status = pulp.LpStatus[prob.status].lower()
        if status == "infeasible":
            return [None] * len(cands), [c[3].job.name for c in cands], "infeasible"
        if prob.sol_status == pulp.LpSolutionIntegerFeasible:
            status = "feasible"  # stopped by the time limit with a solution that may not be optimal
        elif status != "optimal":
            return [None] * len(cands), [c[3].job.name for c in cands], status
        chosen: list[int | None] = []
        for xs in variables:
            values = [x.varValue or 0.0 for x in xs]
            chosen.append(int(np.argmax(values)))
        if warm and status == "feasible":  # never return worse than the start CBC was given

            def total(picks: list[int | None]) -> float:
                return sum(float(c[1][k]) for c, k in zip(cands, picks, strict=True) if k is not None)

            if total(start) < total(chosen):
                chosen = start
        return chosen, [], status


def place_job(job: Job, offers: Sequence[Offer], **params: Any) -> Placement:
    """Place one job on ``offers`` (the function twin of :meth:`SpotScheduler.place`).

    ``params`` are :class:`SpotScheduler`'s settings (home, quotas, price_profiles, now_hour...).
    """
    return SpotScheduler(**params).fit(offers).place(job)


def place_batch(
    jobs: Sequence[Job], offers: Sequence[Offer], *, method: BatchMethod = "ilp", **params: Any
) -> BatchPlan:
    """Place ``jobs`` sharing quotas (the function twin of :meth:`SpotScheduler.place_batch`)."""
    return SpotScheduler(**params).fit(offers).place_batch(jobs, method=method)
