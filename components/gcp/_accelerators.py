"""Which GPUs go with which Compute Engine machine families, and in which counts.

Two kinds of GPU machines exist on GCP (Compute Engine GPU docs, "GPU machine types"):

- attached GPUs: NVIDIA T4, V100, P100 and P4 are added to an N1 machine with ``guest_accelerators``, in
  counts of 1, 2 or 4 (V100 also 8), and each count caps the vCPUs and memory of the N1 machine;
- bundled GPUs: L4 comes with G2 machines, A100 40/80 GB with A2, H100 with A3; the machine type fixes
  type and count (``a2-highgpu-2g`` is two A100s), so naming another GPU or count is a contradiction.

Prices and per-region availability come from the pricing catalog (``runtime.pricing``); this table holds
the compatibility facts the catalog does not carry.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GpuLimit:
    """How many of one attached GPU an N1 machine may carry, and the machine size each count allows."""

    count: int
    max_vcpu: int
    max_memory_gib: float


@dataclass(frozen=True)
class AcceleratorRule:
    """One GPU model: the machine families it goes with and, when attached, the allowed counts."""

    name: str
    families: tuple[str, ...]
    bundled: bool
    limits: tuple[GpuLimit, ...] = ()

    @property
    def counts(self) -> tuple[int, ...]:
        """Allowed counts per machine (attached GPUs); bundled GPUs take the machine's own count."""
        return tuple(limit.count for limit in self.limits)

    def limit(self, count: int) -> GpuLimit | None:
        """The machine-size cap for ``count`` GPUs, or None when that count is not allowed."""
        return next((limit for limit in self.limits if limit.count == count), None)


#: GPU model (the accelerator type name GKE and Vertex AI take) -> its rule.
ACCELERATORS: dict[str, AcceleratorRule] = {
    rule.name: rule
    for rule in (
        AcceleratorRule(
            "nvidia-tesla-t4",
            ("n1",),
            False,
            (GpuLimit(1, 48, 312), GpuLimit(2, 48, 312), GpuLimit(4, 96, 624)),
        ),
        AcceleratorRule(
            "nvidia-tesla-v100",
            ("n1",),
            False,
            (GpuLimit(1, 12, 78), GpuLimit(2, 24, 156), GpuLimit(4, 48, 312), GpuLimit(8, 96, 624)),
        ),
        AcceleratorRule(
            "nvidia-tesla-p100",
            ("n1",),
            False,
            (GpuLimit(1, 16, 104), GpuLimit(2, 32, 208), GpuLimit(4, 64, 208)),
        ),
        AcceleratorRule(
            "nvidia-tesla-p4",
            ("n1",),
            False,
            (GpuLimit(1, 24, 156), GpuLimit(2, 48, 312), GpuLimit(4, 96, 624)),
        ),
        AcceleratorRule("nvidia-l4", ("g2",), True),
        AcceleratorRule("nvidia-tesla-a100", ("a2",), True),
        AcceleratorRule("nvidia-a100-80gb", ("a2",), True),
        AcceleratorRule("nvidia-h100-80gb", ("a3",), True),
        AcceleratorRule("nvidia-h100-mega-80gb", ("a3",), True),
    )
}

#: Short names people write -> the accelerator type name, for "did you mean" hints.
ALIASES: dict[str, str] = {
    "t4": "nvidia-tesla-t4",
    "v100": "nvidia-tesla-v100",
    "p100": "nvidia-tesla-p100",
    "p4": "nvidia-tesla-p4",
    "l4": "nvidia-l4",
    "a100": "nvidia-tesla-a100",
    "a100-80gb": "nvidia-a100-80gb",
    "h100": "nvidia-h100-80gb",
}

#: Machine families whose GPUs come with the machine type.
BUNDLED_FAMILIES: frozenset[str] = frozenset(
    family for rule in ACCELERATORS.values() if rule.bundled for family in rule.families
)


def machine_family(machine_type: str) -> str:
    """``n1-standard-8`` -> ``n1``; ``a2-highgpu-1g`` -> ``a2``."""
    return machine_type.split("-", 1)[0]


def accelerator_rule(name: str) -> AcceleratorRule | None:
    """The rule for GPU ``name`` (exact accelerator type name), or None when unknown."""
    return ACCELERATORS.get(name)


def suggest(name: str) -> str | None:
    """The accelerator type name a short or mistyped ``name`` most likely means."""
    key = name.lower().removeprefix("nvidia-").removeprefix("tesla-")
    return ALIASES.get(key)
