"""The usage file: numbers a state cannot tell, such as stored gigabytes or requests per month.

Shaped like Infracost's ``infracost-usage.yml``: ``resource_type_default_usage`` sets values for every
resource of a type, ``resource_usage`` for one resource (by its name, the last URN segment, or its full
URN). Every key has a documented default (``USAGE_DEFAULTS``), so an estimate works without a usage file
and every line says which number it assumed and where the number came from.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlkeel.files import InputError, load_yaml

if TYPE_CHECKING:
    from runtime.cost._state import StackState, StateResource

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
    **{
        f"kubernetes:{token}": {
            "replicas": (-1.0, "expected running replicas; -1 = the HPA minimum, else spec.replicas"),
        }
        for token in ("apps/v1:Deployment", "apps/v1:StatefulSet", "apps/v1:ReplicaSet")
    },
    "kubernetes:serving.kserve.io/v1beta1:InferenceService": {
        "replicas": (-1.0, "expected running replicas of each component; -1 = its minReplicas"),
    },
    "kubernetes:apps/v1:DaemonSet": {
        "nodes": (3.0, "nodes the DaemonSet runs one pod on"),
    },
    "kubernetes:batch/v1:Job": {
        "run_hours": (24.0, "hours a month the Job's pods run (a planned Job runs once, to completion)"),
    },
    "kubernetes:batch/v1:CronJob": {
        "run_minutes": (30.0, "minutes each scheduled run's pods run"),
    },
}

SUPPORTED_VERSIONS = ("0.1",)

#: Largest usage value accepted: far above any real monthly quantity, and small enough that a value times
#: any catalog price stays a finite number of dollars.
MAX_USAGE_VALUE = 1e15

#: Keys whose documented default is -1, meaning "take it from the state" (node and replica counts).
_FROM_STATE = -1.0

_TOP_LEVEL = ("version", "resource_type_default_usage", "resource_usage")


class UsageError(InputError):
    """A usage file is unreadable or malformed, or names what no state has;
    says file, field, value, allowed."""


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


def _takes_from_state(key: str, resource_type: str | None) -> bool:
    """Whether -1 ("from the state") is a meaningful value of ``key`` (of ``resource_type``,
    or of any type)."""
    types = [resource_type] if resource_type is not None else list(USAGE_DEFAULTS)
    return any(USAGE_DEFAULTS.get(t, {}).get(key, (0.0, ""))[0] == _FROM_STATE for t in types)


def _allowed_values(key: str, resource_type: str | None) -> str:
    allowed = f"a number from 0 to {MAX_USAGE_VALUE:g}"
    if _takes_from_state(key, resource_type):
        allowed += ", or -1 to take it from the state"
    return allowed


def _number(path: str, where: str, key: str, resource_type: str | None, value: object) -> float:
    """A usage value as a float, refusing what would price nonsense: text, booleans, NaN, inf, negatives."""
    allowed = _allowed_values(key, resource_type)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise UsageError.at(path, where, value, allowed)
    try:
        number = float(value)
    except OverflowError:  # an integer literal too long for a double
        raise UsageError.at(path, where, value, allowed) from None
    if not math.isfinite(number) or number > MAX_USAGE_VALUE:
        raise UsageError.at(path, where, value, allowed)
    if number < 0 and not (number == _FROM_STATE and _takes_from_state(key, resource_type)):
        raise UsageError.at(path, where, value, allowed)
    return number


def _usage_keys(resource_type: str | None) -> set[str]:
    if resource_type is not None:
        return set(USAGE_DEFAULTS[resource_type])
    return {key for keys in USAGE_DEFAULTS.values() for key in keys}


def _check_keys(path: str, where: str, resource_type: str | None, values: object) -> dict[str, float]:
    if not isinstance(values, dict):
        raise UsageError.at(path, where, values, "a mapping of usage keys to numbers")
    allowed = _usage_keys(resource_type)
    out: dict[str, float] = {}
    for key, value in values.items():
        if not isinstance(key, str) or key not in allowed:
            of = f" of {resource_type}" if resource_type else ""
            raise UsageError.at(
                path,
                f"{where}.{key}",
                None,
                f"is not a usage key{of}; allowed: {', '.join(sorted(allowed)) or 'none'}",
            )
        out[key] = _number(path, f"{where}.{key}", key, resource_type, value)
    return out


def _section(path: str, document: Mapping[Any, Any], name: str, what: str) -> Mapping[Any, Any]:
    raw = document.get(name)
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise UsageError.at(path, name, raw, f"a mapping of {what}")
    return raw


def parse_usage(document: object, path: str = "<memory>") -> Usage:
    """Validate a decoded usage document (see module docs) into :class:`Usage`."""
    if document is None:
        return Usage(path=path)
    if not isinstance(document, dict):
        raise UsageError.at(
            path, "(top level)", None, f"is a {type(document).__name__}; expected a mapping with 'version'"
        )
    unknown = sorted(str(k) for k in document if k not in _TOP_LEVEL)
    if unknown:
        raise UsageError.at(path, unknown[0], None, f"is not allowed; allowed: {', '.join(_TOP_LEVEL)}")
    version = document.get("version")
    if isinstance(version, bool) or str(version) not in SUPPORTED_VERSIONS:
        raise UsageError.at(path, "version", version, f"allowed: {', '.join(SUPPORTED_VERSIONS)}")
    type_defaults: dict[str, dict[str, float]] = {}
    raw_types = _section(path, document, "resource_type_default_usage", "resource types to usage keys")
    for rtype, values in raw_types.items():
        if rtype not in USAGE_DEFAULTS:
            raise UsageError.at(
                path,
                f"resource_type_default_usage.{rtype}",
                None,
                f"is not a usage-priced resource type; allowed: {', '.join(sorted(USAGE_DEFAULTS))}",
            )
        type_defaults[rtype] = _check_keys(path, f"resource_type_default_usage.{rtype}", rtype, values)
    resources: dict[str, dict[str, float]] = {}
    raw_res = _section(path, document, "resource_usage", "resource names or URNs to usage keys")
    for name, values in raw_res.items():
        if not isinstance(name, str) or not name:
            raise UsageError.at(
                path, f"resource_usage.{name}", None, "a resource is named by its name or full URN (a string)"
            )
        resources[name] = _check_keys(path, f"resource_usage.{name}", None, values)
    return Usage(type_defaults=type_defaults, resources=resources, path=path)


def load_usage(path: str | Path | None) -> Usage:
    """Read a usage file (YAML, at most ``MAX_DOCUMENT_BYTES``); None gives the documented defaults.

    Every failure, from a missing or binary file to a bad value, is a :class:`UsageError` naming the file.
    """
    if path is None:
        return Usage()
    try:
        document: Any = load_yaml(path, what="usage file")
    except UsageError:
        raise
    except InputError as exc:
        raise UsageError(
            str(exc), file=exc.file, field=exc.field, value=exc.value, allowed=exc.allowed
        ) from None
    return parse_usage(document, str(path))


def check_usage_resources(usage: Usage, states: Sequence[StackState]) -> None:
    """Refuse usage for a resource no state has, or a key its type does not use.

    Either would be silently ignored by the pricers, so the estimate would quietly differ from what the
    usage file says; a near miss (a typo, a renamed resource) gets the closest names as suggestions.
    """
    by_key: dict[str, list[StateResource]] = {}
    for state in states:
        for res in state.resources:
            by_key.setdefault(res.name, []).append(res)
            by_key.setdefault(res.urn, []).append(res)
    where = usage.path or "<usage>"
    for name, values in usage.resources.items():
        matches = by_key.get(name)
        if not matches:
            close = difflib.get_close_matches(name, list(by_key), n=3, cutoff=0.6)
            hint = f"did you mean {', '.join(repr(c) for c in close)}? " if close else ""
            stacks = ", ".join(s.stack or s.path for s in states) or "no state"
            raise UsageError.at(
                where,
                f"resource_usage.{name}",
                None,
                f"names no resource of {stacks}; "
                f"{hint}name a resource by its name (last URN segment) or full URN",
            )
        for res in matches:
            own = USAGE_DEFAULTS.get(res.type, {})
            for key, value in values.items():
                if key not in own:
                    allowed = ", ".join(own) if own else "none (its cost does not depend on usage)"
                    raise UsageError.at(
                        where,
                        f"resource_usage.{name}.{key}",
                        None,
                        f"is not a usage key of {res.type} (the type of {res.name}); allowed: {allowed}",
                    )
                _number(where, f"resource_usage.{name}.{key}", key, res.type, value)


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
