"""Pulumi names -> Terraform names: type tokens, property names.

Shared by the exporter and the schema generator so both derive the same Terraform type from a token. A
derived name is only a *candidate*: it is used when the Terraform schema has it, otherwise the explicit
exceptions below decide, otherwise the token is reported as unmapped (never guessed).
"""

from __future__ import annotations

import re

#: Pulumi package -> Terraform type prefix and provider address.
PACKAGES: dict[str, tuple[str, str]] = {
    "aws": ("aws", "registry.terraform.io/hashicorp/aws"),
    "gcp": ("google", "registry.terraform.io/hashicorp/google"),
}

#: Tokens whose Terraform type neither derived candidate names (checked against the schema's type list).
TYPE_EXCEPTIONS: dict[str, str] = {
    "aws:cloudtrail/trail:Trail": "aws_cloudtrail",
    "aws:costexplorer/costAllocationTag:CostAllocationTag": "aws_ce_cost_allocation_tag",
    "gcp:projects/iAMMember:IAMMember": "google_project_iam_member",
    "gcp:projects/iAMAuditConfig:IAMAuditConfig": "google_project_iam_audit_config",
    "gcp:serviceaccount/account:Account": "google_service_account",
    "gcp:serviceaccount/iAMMember:IAMMember": "google_service_account_iam_member",
    "gcp:servicenetworking/connection:Connection": "google_service_networking_connection",
    "gcp:projects/service:Service": "google_project_service",
    "gcp:artifactregistry/repository:Repository": "google_artifact_registry_repository",
}

_ACRONYM = re.compile(r"([A-Z]+)([A-Z][a-z])")
_CAMEL = re.compile(r"([a-z\d])([A-Z])")


def snake(name: str) -> str:
    """``bucketPublicAccessBlock`` -> ``bucket_public_access_block``, ``iAMMember`` -> ``iam_member``.

    Pulumi lower-cases only the first letter of a member (``IAMMember`` -> ``iAMMember``), so that letter
    is raised again before the acronym rule runs."""
    name = name[:1].upper() + name[1:]
    return _CAMEL.sub(r"\1_\2", _ACRONYM.sub(r"\1_\2", name)).lower()


def type_candidates(token: str) -> list[str]:
    """Terraform types a Pulumi token may stand for, most likely first (empty: not a bridged provider).

    ``aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock`` -> ``aws_s3_bucket_public_access_block``,
    then ``aws_bucket_public_access_block``; ``aws:ec2/vpc:Vpc`` -> ``aws_ec2_vpc``, then ``aws_vpc``.
    """
    parts = token.split(":")
    if len(parts) != 3 or parts[0] not in PACKAGES or "/" not in parts[1]:
        return []
    prefix = PACKAGES[parts[0]][0]
    module, member = parts[1].split("/", 1)
    member_snake = snake(member)
    candidates = [f"{prefix}_{snake(module)}_{member_snake}", f"{prefix}_{member_snake}"]
    exception = TYPE_EXCEPTIONS.get(token)
    return [exception, *candidates] if exception else candidates


def terraform_type(token: str, known: set[str] | frozenset[str]) -> str | None:
    """The Terraform type of ``token`` among ``known`` types, or None when nothing matches."""
    return next((c for c in type_candidates(token) if c in known), None)


def singular_forms(name: str) -> list[str]:
    """Terraform block names Pulumi may have pluralised into ``name`` (``rules`` -> ``rule``,
    ``policies`` -> ``policy``, ``addresses`` -> ``address``, ``oidcs`` -> ``oidc``)."""
    forms = []
    if name.endswith("ies"):
        forms.append(name[:-3] + "y")
    if name.endswith("es"):
        forms.append(name[:-2])
    if name.endswith("s"):
        forms.append(name[:-1])
    return forms


#: Top-level properties the Pulumi providers renamed from their Terraform attribute (pulumi-aws's
#: ``resources.go`` overrides), by Terraform type: Pulumi name -> Terraform name.
PROPERTY_RENAMES: dict[str, dict[str, str]] = {
    "aws_cloudwatch_metric_alarm": {"name": "alarm_name"},
    "aws_sns_topic_subscription": {"topic": "topic_arn"},
}
