"""Small hand-built catalogs and offer lists a reader can check with a calculator."""

from __future__ import annotations

import pytest

from runtime.pricing import Catalog, InstanceType
from runtime.scheduling import Offer


def it(
    name: str,
    *,
    region: str = "eu-west-1",
    cloud: str = "aws",
    vcpu: int = 8,
    mem: float = 32.0,
    gpu: str | None = None,
    gpus: int = 0,
    gpu_mem: float | None = None,
    od: float = 1.0,
    spot: float | None = 0.4,
    bucket: int | None = 1,
    service: str = "ec2",
) -> InstanceType:
    """One catalog row with readable defaults."""
    return InstanceType(
        cloud=cloud,
        region=region,
        name=name,
        family=name.split(".")[0].split("-")[0],
        vcpu=vcpu,
        memory_gib=mem,
        gpu_type=gpu,
        gpu_count=gpus,
        gpu_memory_gib=gpu_mem,
        on_demand_hourly=od,
        spot_hourly=spot,
        interruption_bucket=bucket,
        zones=[f"{region}a", f"{region}b"],
        service=service,
    )


@pytest.fixture()
def small_catalog() -> Catalog:
    """Two EU regions and one US region; the US one is cheapest (so residency must exclude it)."""
    rows = [
        it("g5.2xlarge", gpu="nvidia-a10g", gpus=1, gpu_mem=24, od=1.35, spot=0.51, bucket=3),
        it("g6.2xlarge", gpu="nvidia-l4", gpus=1, gpu_mem=24, od=1.09, spot=0.44, bucket=2),
        it("g4dn.2xlarge", gpu="nvidia-t4", gpus=1, gpu_mem=16, od=0.84, spot=0.27, bucket=2),
        it(
            "p4d.24xlarge",
            vcpu=96,
            mem=1152,
            gpu="nvidia-a100",
            gpus=8,
            gpu_mem=40,
            od=36.6,
            spot=14.6,
            bucket=2,
        ),
        it("m5.2xlarge", od=0.43, spot=0.16, bucket=1),
        it(
            "ml.g5.2xlarge",
            gpu="nvidia-a10g",
            gpus=1,
            gpu_mem=24,
            od=0.10,
            spot=None,
            bucket=None,
            service="sagemaker",
        ),
        it(
            "g6.2xlarge",
            region="eu-central-1",
            gpu="nvidia-l4",
            gpus=1,
            gpu_mem=24,
            od=1.20,
            spot=0.48,
            bucket=1,
        ),
        it(
            "g6.2xlarge",
            region="us-east-1",
            gpu="nvidia-l4",
            gpus=1,
            gpu_mem=24,
            od=0.98,
            spot=0.30,
            bucket=1,
        ),
    ]
    return Catalog.from_records(source="hand-built test catalog", as_of="2025-05-01", instance_types=rows)


def offer(
    name: str = "g6.2xlarge",
    *,
    region: str = "eu-west-1",
    cloud: str = "aws",
    vcpu: int = 8,
    mem: float = 32.0,
    gpu: str | None = "nvidia-l4",
    gpus: int = 1,
    gpu_mem: float | None = 24.0,
    od: float = 1.0,
    spot: float | None = 0.4,
    bucket: int | None = 1,
) -> Offer:
    """One offer with readable defaults: a 1-GPU L4 node in eu-west-1."""
    row = it(
        name,
        region=region,
        cloud=cloud,
        vcpu=vcpu,
        mem=mem,
        gpu=gpu if gpus else None,
        gpus=gpus,
        gpu_mem=gpu_mem if gpus else None,
        od=od,
        spot=spot,
        bucket=bucket,
    )
    return Offer(instance=row)
