"""Explanations: why a plan was chosen, and why a job has no plan at all.

Both are read by people deciding what to change (a deadline, an allow-list, a quota), so they name the
deciding constraint and the numbers behind it rather than restating the plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from runtime.scheduling._candidates import Candidates, OfferArrays
from runtime.scheduling._jobs import Quota
from runtime.scheduling._plans import Plan


def reason(ev: Candidates, best: int, plan: Plan) -> str:
    """Why ``plan`` won, in the words a reviewer checks: the cost rank, the deadline probability, the
    checkpoint interval, assumptions, a delayed start, and why on-demand beat spot when it did."""
    n = ev.n
    job = ev.job
    where = f"{plan.purchase} {plan.instance_type} in {plan.cloud}/{plan.region}"
    head = f"{where}: lowest expected cost of {int(ev.feasible.sum())} feasible plans"
    if job.deadline_hours is not None:
        shown = "> 99.9%" if plan.deadline_probability > 0.999 else f"≥ {plan.deadline_probability:.1%}"
        head += (
            f"; meets the {job.deadline_hours:g} h deadline with probability {shown} "
            f"(asked {job.confidence:.0%})"
        )
    if plan.checkpoint_interval_hours is not None:
        every = plan.checkpoint_interval_hours
        head += f"; checkpoint every {every:.2f} h (Young/Daly)"
        if every >= plan.run_hours:
            head += ", longer than the run: only the final save"
    if plan.interruption_assumed:
        head += "; interruption rate assumed (none published for this type)"
    if plan.run_loss_probability is not None:
        head += f"; not checkpointable: each attempt is lost with probability {plan.run_loss_probability:.1%}"
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


def explain(ev: Candidates, a: OfferArrays, quotas: Sequence[Quota]) -> str:
    """The first constraint that leaves a job with no plan, and the closest any offer comes to it.

    The hardware needs are checked in the order a person would relax them, so the message names one
    thing to change rather than every shortfall at once.
    """
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
        q = [f"{x.cloud}/{x.region} {x.purchase} {x.resource} ≤ {x.limit}" for x in quotas]
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
            f"{ob.cloud}/{ob.region}; "
            "allow on-demand (purchase: auto), lower confidence or extend the deadline"
        ).replace("no  plan", "no plan")
    return (
        f"job {job.name!r}: no plan has a finite expected cost "
        "(a non-checkpointable run far longer than spot survives)"
    )
