"""Batches: jobs running at once under shared quotas, assigned at least total cost.

Why a module apart from single-job placement: a batch couples jobs only through the quotas, so once
each job's feasible candidates are priced (by the scheduler) the assignment is a problem on plain
arrays: an integer program (pulp/CBC) or a Lagrangian-priced greedy heuristic whose gap to the optimum
the benchmark measures (``docs/performance.md``).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any, Literal, NamedTuple

import numpy as np
from numpy.typing import NDArray

from runtime.scheduling._candidates import Candidates
from runtime.scheduling._jobs import Quota

BatchMethod = Literal["ilp", "heuristic"]


class BatchCandidates(NamedTuple):
    """One job's feasible candidates kept for the batch: indices into the job's :class:`Candidates`,
    their costs, their usage of each quota (quota x candidate) and the priced job itself."""

    idx: NDArray[np.int64]
    costs: NDArray[np.float64]
    usage: NDArray[np.float64]
    ev: Candidates


def prune(ev: Candidates, usage: NDArray[np.float64], applies: NDArray[np.bool_]) -> BatchCandidates:
    """Feasible candidates of ``ev`` pruned to the non-dominated ones per quota signature.

    ``usage`` and ``applies`` are quota x feasible-candidate. Among one job's candidates touching the
    same quotas, one that costs more and uses no less of every quota can never be in an optimum, so
    dropping it keeps the optimum while shrinking the integer program.
    """
    idx = np.flatnonzero(ev.feasible)
    signature = applies if applies.shape[0] else np.zeros((0, idx.size), dtype=bool)
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
    return BatchCandidates(idx[keep_arr], costs[keep_arr], usage[:, keep_arr], ev)


def solve(
    cands: Sequence[BatchCandidates],
    quotas: Sequence[Quota],
    method: BatchMethod,
    time_limit_seconds: float | None,
) -> tuple[list[int | None], list[str], str]:
    """The pick per job (an index into its candidates, None when unplaced), the unplaced jobs, a status.

    The ILP answers when CBC finds a solution in time; otherwise the heuristic does (status
    ``heuristic (ilp ...)``), so a batch always gets the best answer available.
    """
    if method not in ("ilp", "heuristic"):
        raise ValueError(f"method {method!r} is unknown; allowed: ilp, heuristic")
    if method == "heuristic":
        chosen, unplaced = heuristic(cands, quotas)
        return chosen, unplaced, "heuristic" if not unplaced else "infeasible"
    chosen, unplaced, status = solve_ilp(cands, quotas, time_limit_seconds)
    if status not in ("optimal", "feasible", "infeasible"):  # no answer in time: fall back
        chosen, unplaced = heuristic(cands, quotas)
        status = f"heuristic (ilp {status})" if not unplaced else "infeasible"
    return chosen, unplaced, status


def lower_bound(cands: Sequence[BatchCandidates], quotas: Sequence[Quota]) -> float:
    """The LP relaxation of the assignment: no assignment costs less; ``inf`` when it is infeasible."""
    import pulp

    prob, _variables = model(cands, quotas, relax=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        prob.solve(pulp.PULP_CBC_CMD(msg=False))
    if pulp.LpStatus[prob.status] != "Optimal":
        return math.inf
    return float(pulp.value(prob.objective))


def heuristic(
    cands: Sequence[BatchCandidates], quotas: Sequence[Quota], iterations: int = 60
) -> tuple[list[int | None], list[str]]:
    """Lagrangian pricing of the quotas, a greedy repair, then single-job moves.

    1. Price each quota (λ ≥ 0, USD per unit) by subgradient steps: every job picks the candidate
       minimising cost + λ·usage; over-used quotas get dearer, idle ones cheaper.
    2. Repair (every 10 steps, keeping the best result): jobs in order of regret under those prices
       (second-best − best priced cost) take the cheapest-priced candidate that still fits.
    3. Every job in turn moves to a cheaper candidate whose capacity is free, until nothing moves.
    """
    if not cands:
        return [], []
    limits = np.array([float(q.limit) for q in quotas])
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
            chosen, unplaced = repair(cands, lam, limits)
            total = sum(float(c[1][k]) for c, k in zip(cands, chosen, strict=True) if k is not None)
            key = (len(unplaced), total)
            if best is None or key < (len(best[2]), best[0]):
                best = (total, chosen, unplaced)
    assert best is not None
    return best[1], best[2]


def repair(
    cands: Sequence[BatchCandidates], lam: NDArray[np.float64], limits: NDArray[np.float64]
) -> tuple[list[int | None], list[str]]:
    """Jobs in order of regret take the cheapest candidate still fitting, then move to cheaper free ones."""
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


def model(
    cands: Sequence[BatchCandidates], quotas: Sequence[Quota], relax: bool = False
) -> tuple[Any, list[list[Any]]]:
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
    for q, quota in enumerate(quotas):
        terms = [
            float(usage[q, k]) * variables[j][k]
            for j, (_idx, _costs, usage, _ev) in enumerate(cands)
            for k in np.flatnonzero(usage[q] > 0)
        ]
        if terms:
            prob += pulp.lpSum(terms) <= quota.limit, f"quota_{q}"
    return prob, variables


def solve_ilp(
    cands: Sequence[BatchCandidates], quotas: Sequence[Quota], time_limit: float | None
) -> tuple[list[int | None], list[str], str]:
    """Solve the assignment exactly with CBC, warm-started from the heuristic.

    The heuristic's assignment is given to CBC as a MIP start, so a run cut short by ``time_limit``
    still returns an answer at least as good as the heuristic's (status ``feasible``).
    """
    import pulp

    prob, variables = model(cands, quotas)
    start, start_unplaced = heuristic(cands, quotas)
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
