"""Placement: the cheapest expected plan per job that meets its deadline, residency, quotas and hardware.

:class:`SpotScheduler` follows the estimator shape: the constructor stores settings, :meth:`fit` takes the
offers (already filtered by residency and allow-lists) and lays them out as arrays, and :meth:`place`
prices one job on every offer, spot and on-demand, in a few vectorised numpy steps. That enumeration is
the exact optimum for a single job: every candidate is priced, none is skipped by a heuristic.
:meth:`place_batch` couples jobs through shared quotas; the assignment itself is solved in
:mod:`runtime.scheduling._batch`, and the words explaining a plan (or its absence) come from
:mod:`runtime.scheduling._explain`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from runtime._errors import NotFittedError
from runtime.scheduling import _batch
from runtime.scheduling._batch import BatchMethod
from runtime.scheduling._candidates import Candidates, OfferArrays
from runtime.scheduling._egress import EgressTable
from runtime.scheduling._explain import explain, reason
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
from runtime.scheduling._offers import Offer
from runtime.scheduling._plans import BatchPlan, Placement, Plan, Unplaceable, differs
from runtime.scheduling._timewindows import average_multiplier

__all__ = [
    "GIB_TO_GB",
    "BatchMethod",
    "BatchPlan",
    "NotFittedError",
    "Placement",
    "Plan",
    "SpotScheduler",
    "Unplaceable",
    "differs",
    "place_batch",
    "place_job",
]

#: GiB → GB (egress is priced per GB, data sizes are given in GiB).
GIB_TO_GB = 1.073741824
_BUCKET_LABEL = ("<5%", "5-10%", "10-15%", "15-20%", ">20%")


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
        self._arrays = OfferArrays.build(self.offers_)
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

    def _check_fitted(self) -> OfferArrays:
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

    def _evaluate(self, job: Job) -> Candidates:
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
        return Candidates(
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
        self, ev: Candidates, i: int, pool: tuple[str, ...] = (), pool_worst: float | None = None
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

    def _pool(self, ev: Candidates, best: int) -> tuple[tuple[str, ...], float | None]:
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
            raise Unplaceable(explain(ev, self._arrays, self.quotas))
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
            reason=reason(ev, best, plan),
            feasible_plans=feasible_count,
            baseline_note=note,
        )

    def place_all(self, jobs: Sequence[Job]) -> list[Placement]:
        """Each job placed on its own (quotas checked per job, not shared): see :meth:`place_batch`."""
        return [self.place(job) for job in jobs]

    def _baseline(self, ev: Candidates) -> tuple[Plan | None, str]:
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
    def _raw_cost(ev: Candidates) -> NDArray[np.float64]:
        with np.errstate(invalid="ignore"):
            return np.asarray(
                ev.job.resources.nodes * ev.hourly * ev.multiplier * ev.expected_hours + ev.egress
            )

    # -- explaining an impossible job

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
        n_cands = sum(len(c.idx) for c in cands)
        chosen, unplaced, status = _batch.solve(cands, self.quotas, method, time_limit_seconds)
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

    def _batch_candidates(self, job: Job) -> _batch.BatchCandidates:
        """Feasible candidates of ``job`` with their quota usage, pruned for the batch solver."""
        ev = self._evaluate(job)
        if not ev.feasible.any():
            raise Unplaceable(explain(ev, self._arrays, self.quotas))
        idx = np.flatnonzero(ev.feasible)
        usage = np.zeros((len(self.quotas), idx.size))
        for q, quota in enumerate(self.quotas):
            usage[q] = np.where(self._quota_applies[q, idx], self._usage(job, quota)[idx], 0.0)
        return _batch.prune(ev, usage, self._quota_applies[:, idx])

    def batch_lower_bound(self, jobs: Sequence[Job]) -> float:
        """The LP relaxation of :meth:`place_batch`'s integer program: no assignment costs less.

        Used to bound a heuristic's gap when the exact ILP is too slow to finish; ``inf`` when even the
        relaxation is infeasible.
        """
        return _batch.lower_bound([self._batch_candidates(job) for job in jobs], self.quotas)


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
