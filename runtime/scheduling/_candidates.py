"""The arrays placement works on: the fitted offers as columns, and one job priced on every candidate.

Why columns: a job is priced on every (offer, purchase option) in a few vectorised numpy steps, and
the single-job placement, the batch solver and the explanations all read the same arrays.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from runtime.scheduling._jobs import Job
from runtime.scheduling._offers import DEFAULT_INTERRUPTION_BUCKET, Offer


@dataclass
class OfferArrays:
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
    def build(cls, offers: Sequence[Offer]) -> OfferArrays:
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
class Candidates:
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
