"""How the bundled price files under ``data/`` were produced, kept so anyone can see every number's basis.

The bundled catalog cannot be fetched here (no cloud account, no internet), so it is written from list
prices recorded by hand from the public AWS and GCP price pages, with a ``basis`` column on every row that
says whether the number is a recorded list price or derived (a regional factor applied to the home-region
list price, a SageMaker/Vertex markup, or a plausible spot discount). ``keel cost refresh-prices`` replaces
these files with API data. Run ``python -m runtime.pricing._seed`` to rewrite the files from this table.
"""

from __future__ import annotations

from pathlib import Path

from runtime.pricing._refresh import DATA_FILES, catalog_meta_text, csv_text, write_catalog_files

DATA_DIR = Path(__file__).resolve().parent / "data"
AS_OF = "2025-05-01"

# ---------------------------------------------------------------- AWS EC2 (us-east-1, Linux, shared tenancy)
# name: (vcpu, memory_gib, gpu_type, gpu_count, gpu_memory_gib_per_gpu, on_demand_usd_per_hour)
_AWS_EC2: dict[str, tuple[int, float, str | None, int, float, float]] = {}


def _add_family(family: str, sizes: dict[str, tuple[int, float, float]]) -> None:
    for size, (vcpu, mem, price) in sizes.items():
        _AWS_EC2[f"{family}.{size}"] = (vcpu, mem, None, 0, 0.0, price)


_GP = {
    "large": 2,
    "xlarge": 4,
    "2xlarge": 8,
    "4xlarge": 16,
    "8xlarge": 32,
    "12xlarge": 48,
    "16xlarge": 64,
    "24xlarge": 96,
}
for fam, per_vcpu_mem, base in (
    ("m5", 4, 0.048),
    ("m6i", 4, 0.048),
    ("m7i", 4, 0.0504),
    ("r5", 8, 0.063),
    ("r6i", 8, 0.063),
):
    _add_family(fam, {s: (v, float(v * per_vcpu_mem), round(base * v, 4)) for s, v in _GP.items()})
_add_family(
    "c5",
    {
        s: (v, float(v * 2), round(0.0425 * v, 4))
        for s, v in {
            "large": 2,
            "xlarge": 4,
            "2xlarge": 8,
            "4xlarge": 16,
            "9xlarge": 36,
            "12xlarge": 48,
            "18xlarge": 72,
            "24xlarge": 96,
        }.items()
    },
)
_add_family("c6i", {s: (v, float(v * 2), round(0.0425 * v, 4)) for s, v in _GP.items()})
_add_family(
    "t3",
    {
        "nano": (2, 0.5, 0.0052),
        "micro": (2, 1.0, 0.0104),
        "small": (2, 2.0, 0.0208),
        "medium": (2, 4.0, 0.0416),
        "large": (2, 8.0, 0.0832),
        "xlarge": (4, 16.0, 0.1664),
        "2xlarge": (8, 32.0, 0.3328),
    },
)

_GPU_ROWS: list[tuple[str, int, float, str, int, float, float]] = [
    # name, vcpu, mem, gpu, count, gpu mem each, on-demand
    ("g4dn.xlarge", 4, 16, "nvidia-t4", 1, 16, 0.526),
    ("g4dn.2xlarge", 8, 32, "nvidia-t4", 1, 16, 0.752),
    ("g4dn.4xlarge", 16, 64, "nvidia-t4", 1, 16, 1.204),
    ("g4dn.8xlarge", 32, 128, "nvidia-t4", 1, 16, 2.176),
    ("g4dn.12xlarge", 48, 192, "nvidia-t4", 4, 16, 3.912),
    ("g4dn.16xlarge", 64, 256, "nvidia-t4", 1, 16, 4.352),
    ("g5.xlarge", 4, 16, "nvidia-a10g", 1, 24, 1.006),
    ("g5.2xlarge", 8, 32, "nvidia-a10g", 1, 24, 1.212),
    ("g5.4xlarge", 16, 64, "nvidia-a10g", 1, 24, 1.624),
    ("g5.8xlarge", 32, 128, "nvidia-a10g", 1, 24, 2.448),
    ("g5.12xlarge", 48, 192, "nvidia-a10g", 4, 24, 5.672),
    ("g5.16xlarge", 64, 256, "nvidia-a10g", 1, 24, 4.096),
    ("g5.24xlarge", 96, 384, "nvidia-a10g", 4, 24, 8.144),
    ("g5.48xlarge", 192, 768, "nvidia-a10g", 8, 24, 16.288),
    ("g6.xlarge", 4, 16, "nvidia-l4", 1, 24, 0.8048),
    ("g6.2xlarge", 8, 32, "nvidia-l4", 1, 24, 0.9776),
    ("g6.4xlarge", 16, 64, "nvidia-l4", 1, 24, 1.3232),
    ("g6.8xlarge", 32, 128, "nvidia-l4", 1, 24, 2.0144),
    ("g6.12xlarge", 48, 192, "nvidia-l4", 4, 24, 4.6016),
    ("g6.16xlarge", 64, 256, "nvidia-l4", 1, 24, 3.3968),
    ("g6.24xlarge", 96, 384, "nvidia-l4", 4, 24, 6.6752),
    ("g6.48xlarge", 192, 768, "nvidia-l4", 8, 24, 13.3504),
    ("g6e.xlarge", 4, 32, "nvidia-l40s", 1, 48, 1.861),
    ("g6e.2xlarge", 8, 64, "nvidia-l40s", 1, 48, 2.24208),
    ("g6e.4xlarge", 16, 128, "nvidia-l40s", 1, 48, 3.00424),
    ("g6e.8xlarge", 32, 256, "nvidia-l40s", 1, 48, 4.52856),
    ("g6e.12xlarge", 48, 384, "nvidia-l40s", 4, 48, 10.49264),
    ("g6e.16xlarge", 64, 512, "nvidia-l40s", 1, 48, 7.57719),
    ("g6e.24xlarge", 96, 768, "nvidia-l40s", 4, 48, 15.06559),
    ("g6e.48xlarge", 192, 1536, "nvidia-l40s", 8, 48, 30.13118),
    ("p3.2xlarge", 8, 61, "nvidia-v100", 1, 16, 3.06),
    ("p3.8xlarge", 32, 244, "nvidia-v100", 4, 16, 12.24),
    ("p3.16xlarge", 64, 488, "nvidia-v100", 8, 16, 24.48),
    ("p4d.24xlarge", 96, 1152, "nvidia-a100", 8, 40, 32.7726),
    ("p5.48xlarge", 192, 2048, "nvidia-h100", 8, 80, 98.32),
]
for _n, _v, _m, _g, _c, _gm, _p in _GPU_ROWS:
    _AWS_EC2[_n] = (_v, float(_m), _g, _c, float(_gm), _p)

# Regional factor on the us-east-1 list price (general purpose / GPU), from comparing recorded
# list prices of m5.xlarge and g5.xlarge across regions.
_AWS_REGIONS: dict[str, tuple[float, float, list[str]]] = {
    "us-east-1": (1.0, 1.0, ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d", "us-east-1f"]),
    "us-west-2": (1.0, 1.0, ["us-west-2a", "us-west-2b", "us-west-2c", "us-west-2d"]),
    "eu-west-1": (1.115, 1.116, ["eu-west-1a", "eu-west-1b", "eu-west-1c"]),
    "eu-central-1": (1.198, 1.25, ["eu-central-1a", "eu-central-1b", "eu-central-1c"]),
    "eu-west-2": (1.156, 1.173, ["eu-west-2a", "eu-west-2b", "eu-west-2c"]),
}
# GPU families are not offered everywhere: region -> families absent there.
_AWS_ABSENT = {
    "eu-west-1": {"p5", "g6e"},
    "eu-central-1": {"p3"},
    "eu-west-2": {"p4d", "g6e", "p3"},
}
# Plausible Spot Advisor values per family: (savings vs on-demand, interruption bucket 0..4).
# From the shape of the public advisor feed (notes: us-east-1 g5.2xlarge 62 % / bucket 3, g6e.4xlarge
# 62 % / bucket 4, p5.48xlarge 57 % / bucket 0); other families are plausible, not recorded.
_AWS_SPOT = {
    "m5": (0.62, 1),
    "m6i": (0.60, 1),
    "m7i": (0.55, 0),
    "c5": (0.64, 1),
    "c6i": (0.60, 0),
    "r5": (0.66, 1),
    "r6i": (0.62, 1),
    "t3": (0.70, 0),
    "g4dn": (0.68, 2),
    "g5": (0.62, 3),
    "g6": (0.60, 2),
    "g6e": (0.62, 4),
    "p3": (0.70, 3),
    "p4d": (0.60, 2),
    "p5": (0.57, 0),
}
# SageMaker real-time hosting twins: recorded us-east-1 list prices where known, else EC2 × factor.
_SAGEMAKER_KNOWN = {
    "ml.m5.large": 0.115,
    "ml.m5.xlarge": 0.23,
    "ml.m5.2xlarge": 0.461,
    "ml.m5.4xlarge": 0.922,
    "ml.m5.12xlarge": 2.765,
    "ml.m5.24xlarge": 5.53,
    "ml.c5.large": 0.102,
    "ml.c5.xlarge": 0.204,
    "ml.c5.2xlarge": 0.408,
    "ml.c5.4xlarge": 0.816,
    "ml.c5.9xlarge": 1.836,
    "ml.c5.18xlarge": 3.672,
    "ml.g4dn.xlarge": 0.736,
    "ml.g4dn.2xlarge": 0.94,
    "ml.g4dn.4xlarge": 1.505,
    "ml.g4dn.8xlarge": 2.72,
    "ml.g4dn.12xlarge": 4.89,
    "ml.g4dn.16xlarge": 5.44,
    "ml.g5.xlarge": 1.408,
    "ml.g5.2xlarge": 1.515,
    "ml.g5.4xlarge": 2.03,
    "ml.g5.8xlarge": 3.06,
    "ml.g5.12xlarge": 7.09,
    "ml.g5.16xlarge": 5.12,
    "ml.g5.24xlarge": 10.18,
    "ml.g5.48xlarge": 20.36,
    "ml.p3.2xlarge": 3.825,
    "ml.p3.8xlarge": 14.688,
    "ml.p3.16xlarge": 28.152,
    "ml.p4d.24xlarge": 37.688,
    "ml.p5.48xlarge": 113.068,
}
_SAGEMAKER_FAMILIES = (
    "m5",
    "m6i",
    "m7i",
    "c5",
    "c6i",
    "r5",
    "r6i",
    "g4dn",
    "g5",
    "g6",
    "g6e",
    "p3",
    "p4d",
    "p5",
)
_SAGEMAKER_FACTOR = 1.25

# ---------------------------------------------------------------- GCP Compute Engine (us-central1)
# Per-family (vCPU $/h, GiB $/h) on-demand resource prices; machine price = vcpu*a + mem*b.
_GCP_RATES = {
    "n1": (0.031611, 0.004237),
    "n2": (0.031611, 0.004237),
    "e2": (0.021811, 0.002923),
    "c2": (0.03398, 0.00455),
}
_GCP_N1_FLAT = {  # n1 list prices are published per machine
    "n1-standard-1": (1, 3.75, 0.0475),
    "n1-standard-2": (2, 7.5, 0.095),
    "n1-standard-4": (4, 15, 0.19),
    "n1-standard-8": (8, 30, 0.38),
    "n1-standard-16": (16, 60, 0.76),
    "n1-standard-32": (32, 120, 1.52),
    "n1-standard-64": (64, 240, 3.04),
    "n1-standard-96": (96, 360, 4.56),
    "n1-highmem-2": (2, 13, 0.1184),
    "n1-highmem-4": (4, 26, 0.2368),
    "n1-highmem-8": (8, 52, 0.4736),
    "n1-highmem-16": (16, 104, 0.9472),
    "n1-highmem-32": (32, 208, 1.8944),
    "n1-highmem-64": (64, 416, 3.7888),
}
_GCP_MACHINES: dict[str, tuple[int, float, str | None, int, float, float]] = {}
for _name, (_v, _m, _p) in _GCP_N1_FLAT.items():
    _GCP_MACHINES[_name] = (_v, float(_m), None, 0, 0.0, _p)
for _fam, _shape, _ratio in (
    ("n2", "standard", 4),
    ("n2", "highmem", 8),
    ("e2", "standard", 4),
    ("e2", "highmem", 8),
):
    a, b = _GCP_RATES[_fam]
    for _v in (2, 4, 8, 16, 32):
        _GCP_MACHINES[f"{_fam}-{_shape}-{_v}"] = (
            _v,
            float(_v * _ratio),
            None,
            0,
            0.0,
            round(_v * a + _v * _ratio * b, 6),
        )
for _name, (_v, _m, _p) in {
    "e2-micro": (2, 1, 0.008376),
    "e2-small": (2, 2, 0.016751),
    "e2-medium": (2, 4, 0.033503),
}.items():
    _GCP_MACHINES[_name] = (_v, float(_m), None, 0, 0.0, _p)  # shared-core: 2 burstable vCPUs
a, b = _GCP_RATES["c2"]
for _v in (4, 8, 16, 30, 60):
    _GCP_MACHINES[f"c2-standard-{_v}"] = (_v, float(_v * 4), None, 0, 0.0, round(_v * a + _v * 4 * b, 6))
for _name, _v, _m, _g, _c, _gm, _p in [
    ("g2-standard-4", 4, 16, "nvidia-l4", 1, 24, 0.706832),
    ("g2-standard-8", 8, 32, "nvidia-l4", 1, 24, 0.853548),
    ("g2-standard-12", 12, 48, "nvidia-l4", 1, 24, 1.000264),
    ("g2-standard-16", 16, 64, "nvidia-l4", 1, 24, 1.14698),
    ("g2-standard-24", 24, 96, "nvidia-l4", 2, 24, 2.000528),
    ("g2-standard-32", 32, 128, "nvidia-l4", 1, 24, 1.733844),
    ("g2-standard-48", 48, 192, "nvidia-l4", 4, 24, 4.001056),
    ("g2-standard-96", 96, 384, "nvidia-l4", 8, 24, 8.002112),
    ("a2-highgpu-1g", 12, 85, "nvidia-tesla-a100", 1, 40, 3.673385),
    ("a2-highgpu-2g", 24, 170, "nvidia-tesla-a100", 2, 40, 7.34677),
    ("a2-highgpu-4g", 48, 340, "nvidia-tesla-a100", 4, 40, 14.69354),
    ("a2-highgpu-8g", 96, 680, "nvidia-tesla-a100", 8, 40, 29.38708),
    ("a2-ultragpu-1g", 12, 170, "nvidia-a100-80gb", 1, 80, 5.0688),
    ("a2-ultragpu-8g", 96, 1360, "nvidia-a100-80gb", 8, 80, 40.5504),
    ("a3-highgpu-8g", 208, 1872, "nvidia-h100-80gb", 8, 80, 88.253),
]:
    _GCP_MACHINES[_name] = (_v, float(_m), _g, _c, float(_gm), _p)
# Plausible spot discount per family (GCP Spot prices move at most once a month; "up to 91 %" off).
_GCP_SPOT = {"n1": 0.70, "n2": 0.71, "e2": 0.70, "c2": 0.72, "g2": 0.60, "a2": 0.70, "a3": 0.65}
_GCP_REGIONS: dict[str, tuple[float, list[str]]] = {
    "us-central1": (1.0, ["us-central1-a", "us-central1-b", "us-central1-c", "us-central1-f"]),
    "europe-west4": (1.1, ["europe-west4-a", "europe-west4-b", "europe-west4-c"]),
    "europe-west1": (1.1, ["europe-west1-b", "europe-west1-c", "europe-west1-d"]),
    "europe-west2": (1.287, ["europe-west2-a", "europe-west2-b", "europe-west2-c"]),
}
_GCP_ABSENT = {"europe-west1": {"a3", "c2"}, "europe-west2": {"a2", "a3"}}
# accelerator: (on-demand us-central1 per GPU-hour, spot per GPU-hour, attaches_to, gpu_memory_gib, regions)
_GCP_GPUS = {
    "nvidia-tesla-t4": (
        0.35,
        0.14,
        "n1",
        16,
        ["us-central1", "europe-west4", "europe-west1", "europe-west2"],
    ),
    "nvidia-tesla-v100": (2.48, 0.992, "n1", 16, ["us-central1", "europe-west4"]),
    "nvidia-l4": (
        0.560028,
        0.224011,
        "g2",
        24,
        ["us-central1", "europe-west4", "europe-west1", "europe-west2"],
    ),
    "nvidia-tesla-a100": (2.933908, 1.17356, "a2", 40, ["us-central1", "europe-west4"]),
    "nvidia-a100-80gb": (3.92828, 1.57131, "a2", 80, ["us-central1", "europe-west4"]),
    "nvidia-h100-80gb": (9.79655, 3.42879, "a3", 80, ["us-central1", "europe-west4"]),
}
_VERTEX_FACTOR = 1.15  # Vertex AI prediction node-hours over the Compute Engine machine price

# ---------------------------------------------------------------- other priced units
# (cloud, sku, unit, us price, regional overrides, basis, description)
_OTHER: list[tuple[str, str, str, float, dict[str, float], str, str]] = [
    ("aws", "eks.cluster", "hour", 0.10, {}, "list", "EKS cluster, standard support"),
    (
        "aws",
        "ebs.gp3.storage",
        "GB-month",
        0.08,
        {"eu-west-1": 0.088, "eu-central-1": 0.0952, "eu-west-2": 0.0928},
        "list",
        "EBS gp3 volume storage (node disks)",
    ),
    (
        "aws",
        "s3.standard.storage",
        "GB-month",
        0.023,
        {"eu-central-1": 0.0245, "eu-west-2": 0.024},
        "list",
        "S3 Standard, first 50 TB",
    ),
    (
        "aws",
        "s3.requests.tier1",
        "1k requests",
        0.005,
        {"eu-central-1": 0.0054, "eu-west-2": 0.0053},
        "list",
        "S3 PUT/COPY/POST/LIST",
    ),
    (
        "aws",
        "s3.requests.tier2",
        "1k requests",
        0.0004,
        {"eu-central-1": 0.00043, "eu-west-2": 0.00042},
        "list",
        "S3 GET and all other requests",
    ),
    ("aws", "kms.key", "key-month", 1.00, {}, "list", "KMS customer managed key"),
    ("aws", "kms.requests", "10k requests", 0.03, {}, "list", "KMS API requests beyond the free tier"),
    (
        "aws",
        "cloudwatch.logs.ingest",
        "GB",
        0.50,
        {"eu-west-1": 0.57, "eu-central-1": 0.63, "eu-west-2": 0.57},
        "list",
        "CloudWatch Logs standard ingestion",
    ),
    (
        "aws",
        "cloudwatch.logs.storage",
        "GB-month",
        0.03,
        {"eu-central-1": 0.0324, "eu-west-2": 0.0315},
        "list",
        "CloudWatch Logs archived storage",
    ),
    (
        "aws",
        "cloudwatch.alarm",
        "alarm-month",
        0.10,
        {},
        "list",
        "CloudWatch standard-resolution metric alarm",
    ),
    (
        "aws",
        "vpc.interface-endpoint",
        "endpoint-AZ-hour",
        0.01,
        {"eu-west-1": 0.011, "eu-central-1": 0.012, "eu-west-2": 0.011},
        "list",
        "VPC interface endpoint (PrivateLink) per AZ",
    ),
    (
        "aws",
        "vpc.interface-endpoint.data",
        "GB",
        0.01,
        {},
        "list",
        "Data processed by interface endpoints, first PB",
    ),
    (
        "aws",
        "vpc.nat-gateway",
        "hour",
        0.045,
        {"eu-west-1": 0.048, "eu-central-1": 0.052, "eu-west-2": 0.05},
        "list",
        "NAT gateway hour",
    ),
    (
        "aws",
        "cloudtrail.data-events",
        "100k events",
        0.10,
        {},
        "list",
        "CloudTrail data events delivered to S3",
    ),
    (
        "aws",
        "cloudtrail.management-events",
        "100k events",
        0.0,
        {},
        "list",
        "First copy of management events is free",
    ),
    ("aws", "ecr.storage", "GB-month", 0.10, {}, "list", "ECR private repository storage"),
    (
        "aws",
        "sagemaker.featurestore.write",
        "million write units",
        1.25,
        {"eu-west-1": 1.40, "eu-central-1": 1.50, "eu-west-2": 1.45},
        "list",
        "Feature Store online write request units",
    ),
    (
        "aws",
        "sagemaker.featurestore.read",
        "million read units",
        0.25,
        {"eu-west-1": 0.28, "eu-central-1": 0.30, "eu-west-2": 0.29},
        "list",
        "Feature Store online read request units",
    ),
    (
        "aws",
        "sagemaker.featurestore.storage",
        "GB-month",
        0.45,
        {"eu-west-1": 0.50, "eu-central-1": 0.54, "eu-west-2": 0.52},
        "list",
        "Feature Store online storage",
    ),
    (
        "aws",
        "sagemaker.data-capture.storage",
        "GB-month",
        0.023,
        {"eu-central-1": 0.0245, "eu-west-2": 0.024},
        "derived: S3 Standard",
        "Endpoint data capture lands in S3",
    ),
    (
        "aws",
        "cloudwatch.dashboard",
        "dashboard-month",
        3.00,
        {},
        "list",
        "CloudWatch dashboard beyond the 3 free",
    ),
    ("aws", "sns.requests", "million requests", 0.50, {}, "list", "SNS standard topic publishes"),
    ("gcp", "gke.cluster", "hour", 0.10, {}, "list", "GKE cluster management fee (Standard)"),
    (
        "gcp",
        "pd.balanced.storage",
        "GB-month",
        0.10,
        {"europe-west4": 0.11, "europe-west1": 0.11, "europe-west2": 0.12},
        "list",
        "Balanced persistent disk (node boot disks)",
    ),
    (
        "gcp",
        "gcs.standard.storage",
        "GB-month",
        0.020,
        {"europe-west2": 0.023},
        "list",
        "Cloud Storage Standard, regional",
    ),
    (
        "gcp",
        "gcs.standard.storage.multi-region",
        "GB-month",
        0.026,
        {},
        "list",
        "Cloud Storage Standard, multi-region (EU/US)",
    ),
    ("gcp", "gcs.class-a", "10k operations", 0.05, {}, "list", "Class A operations (writes, lists)"),
    ("gcp", "gcs.class-b", "10k operations", 0.004, {}, "list", "Class B operations (reads)"),
    ("gcp", "kms.key-version", "key-version-month", 0.06, {}, "list", "Cloud KMS software key version"),
    ("gcp", "kms.operations", "10k operations", 0.03, {}, "list", "Cloud KMS cryptographic operations"),
    (
        "gcp",
        "bigquery.storage.active",
        "GB-month",
        0.02,
        {"europe-west2": 0.023},
        "list",
        "BigQuery active logical storage",
    ),
    ("gcp", "bigquery.query", "TiB", 6.25, {"europe-west2": 7.82}, "list", "BigQuery on-demand query bytes"),
    (
        "gcp",
        "artifactregistry.storage",
        "GB-month",
        0.10,
        {},
        "list",
        "Artifact Registry storage beyond 0.5 GB",
    ),
    (
        "gcp",
        "vertex.featureonlinestore.optimized-node",
        "node-hour",
        0.30,
        {"europe-west4": 0.33, "europe-west1": 0.33, "europe-west2": 0.386},
        "list",
        "Vertex AI Feature Store optimized online serving node",
    ),
    (
        "gcp",
        "vertex.featureonlinestore.bigtable-node",
        "node-hour",
        0.65,
        {"europe-west4": 0.715, "europe-west1": 0.715, "europe-west2": 0.837},
        "list",
        "Vertex AI Feature Store Bigtable online serving node",
    ),
    (
        "gcp",
        "vertex.featureonlinestore.storage",
        "GB-month",
        0.25,
        {},
        "list",
        "Vertex AI Feature Store online storage",
    ),
    ("gcp", "vertex.metadata.storage", "GiB-month", 10.0, {}, "list", "Vertex ML Metadata storage"),
    (
        "gcp",
        "cloudnat.vm",
        "VM-hour",
        0.0014,
        {},
        "list",
        "Cloud NAT gateway, per VM using it (up to 32 VMs)",
    ),
    ("gcp", "cloudnat.data", "GB", 0.045, {}, "list", "Cloud NAT data processing"),
    ("gcp", "logging.ingest", "GiB", 0.50, {}, "list", "Cloud Logging ingestion beyond 50 GiB/project"),
    (
        "gcp",
        "monitoring.alert-condition",
        "condition-month",
        0.10,
        {},
        "list",
        "Cloud Monitoring alerting condition",
    ),
]


def _aws_rows() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for region, (gp_factor, gpu_factor, zones) in _AWS_REGIONS.items():
        absent = _AWS_ABSENT.get(region, set())
        for name, (vcpu, mem, gpu, count, gmem, price) in _AWS_EC2.items():
            family = name.split(".")[0]
            if family in absent:
                continue
            factor = gpu_factor if gpu else gp_factor
            od = round(price * factor, 5)
            savings, bucket = _AWS_SPOT[family]
            basis = "list us-east-1" if factor == 1.0 else f"us-east-1 list x {factor} regional factor"
            gpu_zones = (
                zones if not gpu else zones[: max(2, len(zones) - (2 if family in {"p4d", "p5"} else 1))]
            )
            rows.append(
                dict(
                    cloud="aws",
                    service="ec2",
                    region=region,
                    name=name,
                    family=family,
                    vcpu=vcpu,
                    memory_gib=mem,
                    gpu_type=gpu or "",
                    gpu_count=count,
                    gpu_memory_gib=gmem or "",
                    on_demand_hourly=od,
                    spot_hourly=round(od * (1 - savings), 5),
                    interruption_bucket=bucket,
                    zones=" ".join(gpu_zones),
                    basis=basis + f"; spot = on-demand x {1 - savings:.2f} (plausible advisor savings)",
                )
            )
            if family in _SAGEMAKER_FAMILIES:
                ml = f"ml.{name}"
                known = _SAGEMAKER_KNOWN.get(ml)
                base = known if known is not None else round(price * _SAGEMAKER_FACTOR, 5)
                ml_basis = (
                    "list us-east-1"
                    if known is not None
                    else f"EC2 list x {_SAGEMAKER_FACTOR} SageMaker hosting markup"
                )
                if factor != 1.0:
                    ml_basis += f", x {factor} regional factor"
                rows.append(
                    dict(
                        cloud="aws",
                        service="sagemaker",
                        region=region,
                        name=ml,
                        family=f"ml.{family}",
                        vcpu=vcpu,
                        memory_gib=mem,
                        gpu_type=gpu or "",
                        gpu_count=count,
                        gpu_memory_gib=gmem or "",
                        on_demand_hourly=round(base * factor, 5),
                        spot_hourly="",
                        interruption_bucket="",
                        zones=" ".join(gpu_zones),
                        basis=ml_basis,
                    )
                )
    return rows


def _gcp_rows() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for region, (factor, zones) in _GCP_REGIONS.items():
        absent = _GCP_ABSENT.get(region, set())
        for name, (vcpu, mem, gpu, count, gmem, price) in _GCP_MACHINES.items():
            family = name.split("-")[0]
            if family in absent:
                continue
            od = round(price * factor, 6)
            basis = "list us-central1" if factor == 1.0 else f"us-central1 list x {factor} regional factor"
            discount = _GCP_SPOT[family]
            rows.append(
                dict(
                    cloud="gcp",
                    service="compute",
                    region=region,
                    name=name,
                    family=family,
                    vcpu=vcpu,
                    memory_gib=mem,
                    gpu_type=gpu or "",
                    gpu_count=count,
                    gpu_memory_gib=gmem or "",
                    on_demand_hourly=od,
                    spot_hourly=round(od * (1 - discount), 6),
                    interruption_bucket="",
                    zones=" ".join(zones if not gpu else zones[:2]),
                    basis=basis + f"; spot = on-demand x {1 - discount:.2f} (plausible)",
                )
            )
    return rows


def _accelerator_rows() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for region, (factor, _zones) in _GCP_REGIONS.items():
        for name, (od, spot, attaches, gmem, regions) in _GCP_GPUS.items():
            if region not in regions:
                continue
            rows.append(
                dict(
                    cloud="gcp",
                    region=region,
                    accelerator=name,
                    on_demand_hourly=round(od * factor, 6),
                    spot_hourly=round(spot * factor, 6),
                    attaches_to=attaches,
                    bundled="false" if attaches == "n1" else "true",
                    gpu_memory_gib=gmem,
                    basis=("list us-central1" if factor == 1.0 else f"us-central1 list x {factor}")
                    + "; spot plausible",
                )
            )
    return rows


def _price_rows() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for cloud, sku, unit, price, overrides, basis, desc in _OTHER:
        cloud_regions = list(_AWS_REGIONS if cloud == "aws" else _GCP_REGIONS)
        for region in cloud_regions:
            value = overrides.get(region, price)
            rows.append(
                dict(cloud=cloud, region=region, sku=sku, unit=unit, usd=value, basis=basis, description=desc)
            )
    for region, (factor, _zones) in _GCP_REGIONS.items():  # Vertex prediction node-hours
        for name, (_v, _m, _gpu, _c, _gm, price) in _GCP_MACHINES.items():
            family = name.split("-")[0]
            if family in _GCP_ABSENT.get(region, set()) or family in {"c2"}:
                continue
            rows.append(
                dict(
                    cloud="gcp",
                    region=region,
                    sku=f"vertex.prediction.{name}",
                    unit="node-hour",
                    usd=round(price * factor * _VERTEX_FACTOR, 6),
                    basis=f"Compute Engine list x {_VERTEX_FACTOR} Vertex prediction markup"
                    + (f" x {factor} regional factor" if factor != 1.0 else ""),
                    description=f"Vertex AI online prediction node {name}",
                )
            )
        for acc, (od, _spot, _attaches, _gm, regions) in _GCP_GPUS.items():
            if region in regions:
                rows.append(
                    dict(
                        cloud="gcp",
                        region=region,
                        sku=f"vertex.prediction.gpu.{acc}",
                        unit="GPU-hour",
                        usd=round(od * factor * _VERTEX_FACTOR, 6),
                        basis=f"Compute Engine GPU list x {_VERTEX_FACTOR} Vertex prediction markup",
                        description=f"Vertex AI online prediction accelerator {acc}",
                    )
                )
    return rows


def _csv(rows: list[dict[str, object]]) -> str:
    header = list(rows[0])
    return csv_text(header, ([row[k] for k in header] for row in rows))


def main() -> None:
    """Rewrite the bundled files from the tables above (each atomically, ``catalog.json`` last)."""
    source = (
        "Bundled seed: AWS and GCP public on-demand list prices (Linux, shared tenancy) as recorded by hand "
        f"from the public price pages around {AS_OF}, home regions us-east-1 and us-central1; other regions, "
        "SageMaker/Vertex twins without a recorded price, spot prices and interruption buckets are derived "
        "or plausible values, as each row's 'basis' column says. Not fetched from an API: refresh with "
        "`keel cost refresh-prices` (AWS Price List API / GCP Cloud Billing Catalog API)."
    )
    spot_source = (
        "plausible values shaped like the AWS Spot Advisor feed and GCP Spot discounts; not a live feed"
    )
    write_catalog_files(
        DATA_DIR,
        {
            DATA_FILES["instance_types"]: _csv(_aws_rows() + _gcp_rows()),
            DATA_FILES["accelerators"]: _csv(_accelerator_rows()),
            DATA_FILES["prices"]: _csv(_price_rows()),
            "catalog.json": catalog_meta_text(source=source, as_of=AS_OF, spot_source=spot_source),
        },
    )


if __name__ == "__main__":
    main()
