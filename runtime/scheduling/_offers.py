"""Offers: every (cloud, region, instance/machine type, purchase prices, interruption bucket) a stack may use.

An offer is one row of the pricing catalog seen through a stack's constraints: its residency zone, the
clouds it may run on and any allow- or deny-lists. The scheduler never reads the catalog directly, so the
same placement code runs on hand-built offer lists in tests and on the full catalog in production.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from mlkeel.contracts import ANY_ZONE, RESIDENCY_ZONES, location_in_zone
from runtime.pricing import Accelerator, Catalog, InstanceType

#: Services whose types can back a training node: EC2 instances on AWS, Compute Engine machines on GCP.
#: SageMaker ``ml.*`` types are a different product (managed training jobs), never a node-pool type.
NODE_SERVICES: dict[str, str] = {"aws": "ec2", "gcp": "compute"}

#: Interruption bucket assumed when the catalog publishes none (GCP never publishes one; some AWS types
#: lack advisor data). Bucket 2 is the 10-15 % monthly range: the middle of the advisor's scale, so an
#: unknown pool is neither favoured nor shunned. Offers built with it carry ``interruption_assumed=True``.
DEFAULT_INTERRUPTION_BUCKET = 2

#: Largest vCPU count of an N1 machine per attached GPU count (GCP "GPU machine types" page, N1 table):
#: ``{accelerator: {gpu_count: max_vcpu}}``. Only these combinations are offered.
GCP_N1_ATTACH_LIMITS: dict[str, dict[int, int]] = {
    "nvidia-tesla-t4": {1: 48, 2: 48, 4: 96},
    "nvidia-tesla-v100": {1: 12, 2: 24, 4: 48, 8: 96},
    "nvidia-tesla-p100": {1: 16, 2: 32, 4: 96},
    "nvidia-tesla-p4": {1: 24, 2: 48, 4: 96},
}


@dataclass(frozen=True, slots=True)
class Offer:
    """One catalog row a job may run on, plus what the offer adds to it.

    The row (:class:`~runtime.pricing.InstanceType`) is kept as it is so that the offer cannot drift
    from the catalog; the offer adds only what the catalog does not say on that row: GPUs attached to
    a GCP N1 machine (``n1-standard-8`` + 2 x T4, priced as the machine's price plus the GPUs') and the
    interruption bucket assumed when the catalog publishes none. The properties give the combined view
    the scheduler prices: ``gpu_memory_gib`` is per GPU, ``zones`` are the availability zones offering
    the type (a spot pool spreads across all of them).
    """

    instance: InstanceType
    attached: Accelerator | None = None
    attached_count: int = 0
    assumed_interruption_bucket: int | None = None

    def __post_init__(self) -> None:
        if (self.attached is None) != (self.attached_count == 0) or self.attached_count < 0:
            raise ValueError(
                f"attached_count = {self.attached_count} with attached = {self.attached!r}: an offer has "
                "an attached accelerator exactly when it attaches at least one"
            )
        if self.assumed_interruption_bucket is not None and self.instance.interruption_bucket is not None:
            raise ValueError(
                f"assumed_interruption_bucket = {self.assumed_interruption_bucket}: the catalog already "
                f"publishes bucket {self.instance.interruption_bucket} for {self.instance.name}; assume "
                "one only where none is published"
            )

    @property
    def cloud(self) -> str:
        return self.instance.cloud

    @property
    def region(self) -> str:
        return self.instance.region

    @property
    def instance_type(self) -> str:
        """The catalog's type name (``n1-standard-8``), without attached GPUs: see :attr:`label`."""
        return self.instance.name

    @property
    def family(self) -> str:
        return self.instance.family

    @property
    def vcpu(self) -> int:
        return self.instance.vcpu

    @property
    def memory_gib(self) -> float:
        return self.instance.memory_gib

    @property
    def service(self) -> str:
        return self.instance.service

    @property
    def zones(self) -> tuple[str, ...]:
        return tuple(self.instance.zones)

    @property
    def gpu_type(self) -> str | None:
        return self.instance.gpu_type if self.attached is None else self.attached.name

    @property
    def gpu_count(self) -> int:
        return self.instance.gpu_count if self.attached is None else self.attached_count

    @property
    def gpu_memory_gib(self) -> float | None:
        return self.instance.gpu_memory_gib if self.attached is None else self.attached.gpu_memory_gib

    @property
    def on_demand_hourly(self) -> float:
        if self.attached is None:
            return self.instance.on_demand_hourly
        return self.instance.on_demand_hourly + self.attached_count * self.attached.on_demand_hourly

    @property
    def spot_hourly(self) -> float | None:
        """The spot price, or None when the machine (or an attached GPU) has none."""
        if self.attached is None:
            return self.instance.spot_hourly
        if self.instance.spot_hourly is None or self.attached.spot_hourly is None:
            return None
        return self.instance.spot_hourly + self.attached_count * self.attached.spot_hourly

    @property
    def interruption_bucket(self) -> int | None:
        published = self.instance.interruption_bucket
        return self.assumed_interruption_bucket if published is None else published

    @property
    def interruption_assumed(self) -> bool:
        """Whether :attr:`interruption_bucket` is an assumption rather than the advisor's figure."""
        return self.assumed_interruption_bucket is not None

    @property
    def accelerator_attached(self) -> bool:
        return self.attached is not None

    @property
    def key(self) -> str:
        """``cloud/region/type`` (plus the attached GPUs), unique within an offer list."""
        return f"{self.cloud}/{self.region}/{self.label}"

    @property
    def label(self) -> str:
        """The type as a person reads it: ``g5.2xlarge`` or ``n1-standard-8+2xnvidia-tesla-t4``."""
        if self.accelerator_attached:
            return f"{self.instance_type}+{self.gpu_count}x{self.gpu_type}"
        return self.instance_type

    def hourly(self, spot: bool) -> float | None:
        """Price per node-hour for the purchase option; None when ``spot`` is asked and there is none."""
        return self.spot_hourly if spot else self.on_demand_hourly


class NoOffers(ValueError):
    """The stack's constraints leave no offer at all; the message says which constraint emptied the list."""


def _check_zone(zone: str) -> None:
    if zone not in RESIDENCY_ZONES:
        raise ValueError(f"residency zone {zone!r} is unknown; allowed: {', '.join(RESIDENCY_ZONES)}")


def offers_from_catalog(
    catalog: Catalog,
    *,
    clouds: Sequence[str] = ("aws", "gcp"),
    residency_zone: str = ANY_ZONE,
    regions: Iterable[str] | None = None,
    families: Iterable[str] | None = None,
    instance_types: Iterable[str] | None = None,
    deny_instance_types: Iterable[str] = (),
    attach_gcp_accelerators: bool = True,
    default_interruption_bucket: int = DEFAULT_INTERRUPTION_BUCKET,
) -> list[Offer]:
    """Every node type of ``clouds`` in regions inside ``residency_zone``, filtered by the allow-lists.

    ``regions``, ``families`` and ``instance_types`` are allow-lists (None: everything);
    ``deny_instance_types`` removes types. With ``attach_gcp_accelerators`` GCP N1 machines are also
    offered with each attachable GPU (T4, V100...) at the counts GCP allows. Spot offers without a
    published interruption bucket get ``default_interruption_bucket`` and ``interruption_assumed=True``.

    Raises :class:`NoOffers` naming the constraint that left nothing.
    """
    _check_zone(residency_zone)
    if not 0 <= default_interruption_bucket <= 4:
        raise ValueError(f"default_interruption_bucket {default_interruption_bucket} must be 0..4")
    region_allow = set(regions) if regions is not None else None
    family_allow = set(families) if families is not None else None
    type_allow = set(instance_types) if instance_types is not None else None
    deny = set(deny_instance_types)
    out: list[Offer] = []
    in_zone_regions: list[str] = []
    for cloud in clouds:
        if cloud not in NODE_SERVICES:
            raise ValueError(f"cloud {cloud!r} is unknown; allowed: {', '.join(NODE_SERVICES)}")
        for region in catalog.regions(cloud):
            if not location_in_zone(cloud, region, residency_zone):
                continue
            in_zone_regions.append(f"{cloud}/{region}")
            if region_allow is not None and region not in region_allow:
                continue
            for it in catalog.instance_types(cloud, region):
                if it.service != NODE_SERVICES[cloud]:
                    continue
                if family_allow is not None and it.family not in family_allow:
                    continue
                if type_allow is not None and it.name not in type_allow:
                    continue
                if it.name in deny:
                    continue
                assumed = it.spot_hourly is not None and it.interruption_bucket is None
                base = Offer(
                    instance=it, assumed_interruption_bucket=default_interruption_bucket if assumed else None
                )
                out.append(base)
                if attach_gcp_accelerators and cloud == "gcp" and it.gpu_count == 0:
                    out.extend(_with_attached_gpus(catalog, base))
    if not in_zone_regions:
        raise NoOffers(
            f"no region of {', '.join(clouds)} in the pricing catalog lies in residency zone "
            f"{residency_zone!r}"
        )
    if not out:
        raise NoOffers(
            f"no node type is left in {', '.join(in_zone_regions)} after the allow-lists "
            f"(regions={sorted(region_allow) if region_allow is not None else 'any'}, "
            f"families={sorted(family_allow) if family_allow is not None else 'any'}, "
            f"instance_types={sorted(type_allow) if type_allow is not None else 'any'}, deny={sorted(deny)})"
        )
    return out


def _with_attached_gpus(catalog: Catalog, machine: Offer) -> list[Offer]:
    """The N1 machine with each attachable GPU at every count GCP allows for its vCPU count."""
    out: list[Offer] = []
    for acc in catalog.accelerators(machine.cloud, machine.region):
        if acc.bundled or acc.attaches_to != machine.family:
            continue
        limits = GCP_N1_ATTACH_LIMITS.get(acc.name)
        if limits is None:
            continue
        for count, max_vcpu in sorted(limits.items()):
            if machine.vcpu > max_vcpu:
                continue
            out.append(replace(machine, attached=acc, attached_count=count))
    return out
