"""GCP naming rules: each service's length limit and allowed characters, in one table.

Every physical name in a GCP stack goes through :func:`gcp_name`, which builds ``<prefix>-<role>`` with
the cloud-neutral :func:`components.naming.physical_name` (lowercase, shortened with a stable hash when too
long) and then checks the result against the service's own rule, so a name the API would refuse fails at
plan time with the rule it broke instead of minutes into ``pulumi up``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from components.naming import NameRule as BaseNameRule
from components.naming import physical_name


@dataclass(frozen=True)
class NameRule(BaseNameRule):
    """What one GCP service accepts as a name."""

    separator: str = "-"


_RFC1035 = r"[a-z](?:[a-z0-9-]*[a-z0-9])?"
_RFC1035_TEXT = "lowercase letters, digits and '-', starting with a letter, not ending with '-'"

#: Name kind -> the service's rule (Google Cloud API reference for each resource's name field).
NAME_RULES: dict[str, NameRule] = {
    "compute": NameRule(
        "Compute Engine (network, subnet, firewall, router, address)",
        1,
        63,
        _RFC1035,
        "a-z0-9-",
        _RFC1035_TEXT,
        "-",
    ),
    "bucket": NameRule(
        "Cloud Storage bucket",
        3,
        63,
        r"[a-z0-9][a-z0-9._-]*[a-z0-9]",
        "a-z0-9._-",
        "lowercase letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
        "-",
    ),
    "kms": NameRule(
        "Cloud KMS key ring / key", 1, 63, r"[a-zA-Z0-9_-]+", "a-z0-9_-", "letters, digits, '_' and '-'", "-"
    ),
    "cluster": NameRule("GKE cluster", 1, 40, _RFC1035, "a-z0-9-", _RFC1035_TEXT, "-"),
    "node_pool": NameRule("GKE node pool", 1, 40, _RFC1035, "a-z0-9-", _RFC1035_TEXT, "-"),
    "service_account": NameRule("IAM service account id", 6, 30, _RFC1035, "a-z0-9-", _RFC1035_TEXT, "-"),
    "artifact_repository": NameRule(
        "Artifact Registry repository", 1, 63, _RFC1035, "a-z0-9-", _RFC1035_TEXT, "-"
    ),
    "bigquery": NameRule(
        "BigQuery dataset / table", 1, 1024, r"[a-zA-Z0-9_]+", "a-z0-9_", "letters, digits and '_'", "_"
    ),
    "vertex_store": NameRule(
        "Vertex AI feature online store / feature view",
        1,
        60,
        r"[a-z][a-z0-9_]*",
        "a-z0-9_",
        "lowercase letters, digits and '_', starting with a letter",
        "_",
    ),
    "vertex_feature": NameRule(
        "Vertex AI feature group / feature",
        1,
        128,
        r"[a-z][a-z0-9_]*",
        "a-z0-9_",
        "lowercase letters, digits and '_', starting with a letter",
        "_",
    ),
    "vertex_resource": NameRule(
        "Vertex AI metadata store / deployment resource pool", 1, 63, _RFC1035, "a-z0-9-", _RFC1035_TEXT, "-"
    ),
    "log_bucket": NameRule(
        "Cloud Logging bucket / sink",
        1,
        100,
        r"[a-zA-Z0-9_.-]+",
        "a-z0-9_.-",
        "letters, digits, '_', '-' and '.'",
        "-",
    ),
    "budget": NameRule(
        "Cloud Billing budget display name", 1, 60, r".+", "a-z0-9-", "at most 60 characters", "-"
    ),
}


def name_problem(kind: str, value: str) -> str | None:
    """Why ``value`` is not a valid name of ``kind`` (a key of :data:`NAME_RULES`), or None."""
    return NAME_RULES[kind].problem(value)


def gcp_name(kind: str, prefix: str, role: str = "") -> str:
    """``<prefix>-<role>`` shaped to the rule of ``kind``; raises ``ValueError`` naming the rule it breaks.

    ``prefix`` is the stack's ``<team>-<environment>``; a name over the limit keeps its start and gets a
    6-character hash of the full name, so the same spec always gives the same name and two long names
    never collide.
    """
    rule = NAME_RULES[kind]
    base = prefix.replace("-", rule.separator).replace("_", rule.separator)
    name = physical_name(
        base,
        role.replace("-", rule.separator),
        max_length=rule.max_length,
        separator=rule.separator,
        allowed=rule.allowed,
    )
    if len(name) < rule.min_length:
        name = physical_name(
            base,
            f"{role}{rule.separator}mlkeel".strip(rule.separator),
            max_length=rule.max_length,
            separator=rule.separator,
            allowed=rule.allowed,
        )
    problem = rule.problem(name)
    if problem:
        raise ValueError(
            f"cannot make a valid name from prefix '{prefix}' and role '{role}': {problem} ({name!r})"
        )
    return name


def endpoint_id(display_name: str) -> str:
    """The numeric id a Vertex AI endpoint needs (at most 10 digits, no leading zero), stable per name."""
    digest = int(hashlib.sha256(display_name.encode()).hexdigest(), 16)
    return str(1_000_000_000 + digest % 9_000_000_000)
