"""The usage file: numbers a state cannot tell, such as stored gigabytes or requests per month.

Shaped like Infracost's ``infracost-usage.yml``: ``resource_type_default_usage`` sets values for every
resource of a type, ``resource_usage`` for one resource (by its name, the last URN segment, or its full
URN). Every key has a documented default (``USAGE_DEFAULTS``), so an estimate works without a usage file
and every line says which number it assumed and where the number came from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

#: Resource type -> usage key -> (default, unit and meaning). The single source of defaults and their docs.
USAGE_DEFAULTS: dict[str, dict[str, tuple[float, str]]] = {
    "aws:s3/bucket:Bucket": {
        "storage_gb": (50.0, "GB stored in S3 Standard, month average"),
        "monthly_tier1_requests": (100_000.0, "PUT/COPY/POST/LIST requests per month"),
        "monthly_tier2_requests": (1_000_000.0, "GET and other requests per month"),
    },
    "aws:kms/key:Key": {
        "monthly_requests": (0.0, "KMS API requests per month beyond the account's 20,000 free"),
    },
    "aws:cloudwatch/logGroup:LogGroup": {
        "monthly_ingest_gb": (5.0, "GB of logs ingested per month"),
    },
    "aws:ec2/vpcEndpoint:VpcEndpoint": {
        "monthly_data_gb": (10.0, "GB processed per month by an interface endpoint"),
    },
    "aws:cloudtrail/trail:Trail": {
        "monthly_data_events": (1_000_000.0, "data events per month (S3 object / SageMaker API calls)"),
    },
    "aws:ecr/repository:Repository": {
        "storage_gb": (20.0, "GB of images stored"),
    },
    "aws:sagemaker/featureGroup:FeatureGroup": {
        "monthly_write_units_millions": (5.0, "millions of online-store write request units per month"),
        "monthly_read_units_millions": (20.0, "millions of online-store read request units per month"),
        "online_storage_gb": (5.0, "GB held in the online store"),
        "offline_storage_gb": (50.0, "GB held in the offline store (S3 Standard)"),
    },
    "aws:sagemaker/endpoint:Endpoint": {
        "data_capture_gb": (10.0, "GB of captured requests/responses stored per month"),
    },
    "aws:sagemaker/monitoringSchedule:MonitoringSchedule": {
        "run_minutes": (10.0, "minutes each scheduled monitoring job runs (billed per second)"),
    },
    "aws:sns/topic:Topic": {
        "monthly_requests_millions": (0.01, "millions of publishes per month"),
    },
    "aws:eks/nodeGroup:NodeGroup": {
        "nodes": (-1.0, "expected running nodes; -1 = the desired size (else the minimum) from the state"),
    },
    "aws:appautoscaling/target:Target": {},
    "gcp:container/nodePool:NodePool": {
        "nodes": (-1.0, "expected running nodes in total; -1 = the minimum from the state"),
    },
    "gcp:vertex/aiDeploymentResourcePool:AiDeploymentResourcePool": {
        "replicas": (-1.0, "expected running replicas; -1 = the minimum from the state"),
    },
    "gcp:vertex/aiFeatureOnlineStore:AiFeatureOnlineStore": {
        "optimized_nodes": (2.0, "serving nodes of an optimized online store"),
        "online_storage_gb": (5.0, "GB held in the online store"),
    },
    "gcp:storage/bucket:Bucket": {
        "storage_gb": (50.0, "GB stored in Standard class, month average"),
        "monthly_class_a_operations": (100_000.0, "class A operations (writes, lists) per month"),
        "monthly_class_b_operations": (1_000_000.0, "class B operations (reads) per month"),
    },
    "gcp:kms/cryptoKey:CryptoKey": {
        "key_versions": (
            1.0,
            "active (billed) key versions; rotation adds one per period unless old ones are destroyed",
        ),
        "monthly_operations": (10_000.0, "cryptographic operations per month"),
    },
    "gcp:bigquery/dataset:Dataset": {
        "storage_gb": (100.0, "GB of active logical storage"),
        "monthly_query_tib": (1.0, "TiB scanned by on-demand queries per month"),
    },
    "gcp:artifactregistry/repository:Repository": {
        "storage_gb": (20.0, "GB of images and packages stored"),
    },
    "gcp:monitoring/alertPolicy:AlertPolicy": {},
    "gcp:compute/routerNat:RouterNat": {
        "vms": (4.0, "VMs (GKE nodes) sending traffic through the NAT gateway"),
        "monthly_data_gb": (10.0, "GB processed per month"),
    },
    "gcp:vertex/aiMetadataStore:AiMetadataStore": {
        "storage_gib": (1.0, "GiB of ML metadata stored"),
    },
}

SUPPORTED_VERSIONS = ("0.1",)


class UsageError(ValueError):
    """A usage file is malformed; the message names the file, field, value and what is allowed."""


@dataclass(frozen=True)
class Usage:
    """Usage values from a usage file, falling back to :data:`USAGE_DEFAULTS`."""

    type_defaults: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    resources: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    path: str = ""

    def value(self, resource_type: str, key: str, *names: str) -> tuple[float, str]:
        """The value of ``key`` for a resource (looked up by each of ``names``) and where it came from."""
        for name in names:
            per = self.resources.get(name)
            if per is not None and key in per:
                return float(per[key]), f"usage file ({name})"
        per_type = self.type_defaults.get(resource_type)
        if per_type is not None and key in per_type:
            return float(per_type[key]), "usage file (type default)"
        default, _ = USAGE_DEFAULTS[resource_type][key]
        return default, "default"


def _check_keys(path: str, where: str, resource_type: str | None, values: object) -> dict[str, float]:
    if not isinstance(values, dict):
        raise UsageError(
            f"{path}: field '{where}' must be a mapping of usage keys to numbers, got {values!r}"
        )
    out: dict[str, float] = {}
    allowed: set[str] = set()
    if resource_type is not None:
        allowed = set(USAGE_DEFAULTS[resource_type])
    else:
        for keys in USAGE_DEFAULTS.values():
            allowed |= set(keys)
    for key, value in values.items():
        if key not in allowed:
            raise UsageError(
                f"{path}: field '{where}.{key}' is not a usage key"
                + (f" of {resource_type}" if resource_type else "")
                + f"; allowed: {', '.join(sorted(allowed)) or 'none'}"
            )
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (value < 0 and value != -1):
            raise UsageError(f"{path}: field '{where}.{key}' has bad value {value!r}; allowed: a number >= 0")
        out[str(key)] = float(value)
    return out


def parse_usage(document: object, path: str = "<memory>") -> Usage:
    """Validate a decoded usage document (see module docs) into :class:`Usage`."""
    if document is None:
        return Usage(path=path)
    if not isinstance(document, dict):
        raise UsageError(f"{path}: top level must be a mapping with 'version', got {type(document).__name__}")
    unknown = set(document) - {"version", "resource_type_default_usage", "resource_usage"}
    if unknown:
        raise UsageError(
            f"{path}: field '{sorted(unknown)[0]}' is not allowed; allowed: version, resource_type_default_usage, resource_usage"
        )
    version = str(document.get("version", ""))
    if version not in SUPPORTED_VERSIONS:
        raise UsageError(f"{path}: field 'version' has bad value {document.get('version')!r}; allowed: 0.1")
    type_defaults: dict[str, dict[str, float]] = {}
    raw_types = document.get("resource_type_default_usage") or {}
    if not isinstance(raw_types, dict):
        raise UsageError(f"{path}: field 'resource_type_default_usage' must be a mapping of resource types")
    for rtype, values in raw_types.items():
        if rtype not in USAGE_DEFAULTS:
            raise UsageError(
                f"{path}: field 'resource_type_default_usage.{rtype}' is not a usage-priced resource type; "
                f"allowed: {', '.join(sorted(USAGE_DEFAULTS))}"
            )
        type_defaults[rtype] = _check_keys(path, f"resource_type_default_usage.{rtype}", rtype, values)
    resources: dict[str, dict[str, float]] = {}
    raw_res = document.get("resource_usage") or {}
    if not isinstance(raw_res, dict):
        raise UsageError(f"{path}: field 'resource_usage' must be a mapping of resource names or URNs")
    for name, values in raw_res.items():
        resources[str(name)] = _check_keys(path, f"resource_usage.{name}", None, values)
    return Usage(type_defaults=type_defaults, resources=resources, path=path)


def load_usage(path: str | Path | None) -> Usage:
    """Read a usage file (YAML); None gives the documented defaults."""
    if path is None:
        return Usage()
    p = Path(path)
    try:
        document: Any = yaml.safe_load(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"{p}: no such usage file") from None
    except yaml.YAMLError as exc:
        raise UsageError(f"{p}: not valid YAML ({exc})") from None
    return parse_usage(document, str(p))


def usage_skeleton() -> str:
    """A commented usage file listing every key with its default (``keel cost --usage-skeleton``)."""
    lines = ["version: 0.1", "# Values for every resource of a type:", "resource_type_default_usage:"]
    for rtype, keys in USAGE_DEFAULTS.items():
        if not keys:
            continue
        lines.append(f"  {rtype}:")
        for key, (default, meaning) in keys.items():
            value = (
                int(default) if float(default).is_integer() else default
            )  # YAML 1.1 reads 1e+06 as a string
            lines.append(f"    {key}: {value}  # {meaning}")
    lines += ["# Values for one resource, by name (last URN segment) or full URN:", "resource_usage: {}"]
    return "\n".join(lines) + "\n"
