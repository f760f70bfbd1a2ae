"""What a GCP machine type brings: its GPUs and the zones offering it (from the pricing catalog).

Training node pools and serving resource pools both need these facts, so they live with the cloud's
helpers rather than in either capability.
"""

from typing import TypedDict

from components.args import AcceleratorArgs

from ._accelerators import BUNDLED_FAMILIES, machine_family

# No `from __future__ import annotations`: ``GpuArgs`` is read by Pulumi's component analyzer at run time.


class GpuArgs(TypedDict):
    type: str
    count: int


def node_accelerator(region: str, machine: str, accelerator: AcceleratorArgs | None) -> GpuArgs | None:
    """The GPUs a node of ``machine`` carries:
    the machine's own (G2/A2/A3) or the spec's attached ones (N1)."""
    if machine_family(machine) in BUNDLED_FAMILIES:
        from runtime.pricing import load_catalog

        it = load_catalog().instance_type("gcp", region, machine)
        if it is None or not it.gpu_type:
            raise ValueError(f"machine type '{machine}' has no GPU facts for {region} in the pricing catalog")
        return {"type": it.gpu_type, "count": it.gpu_count}
    if accelerator:
        return {"type": accelerator["type"], "count": accelerator["count"]}
    return None


def machine_zones(region: str, machine: str) -> list[str]:
    """Zones of ``region`` offering ``machine`` (from the catalog); empty means every zone of the region."""
    from runtime.pricing import load_catalog

    it = load_catalog().instance_type("gcp", region, machine)
    return list(it.zones) if it else []
