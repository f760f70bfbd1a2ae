"""AWS naming rules: each service's length limit and allowed characters, in one table.

Every physical name in an AWS stack goes through :func:`aws_name`, which builds ``<prefix>-<role>`` with the
cloud-neutral :func:`components.naming.physical_name` (shortened with a stable hash when too long) and then
checks the result against the service's own rule. A name the API would refuse fails at plan time with the
rule it broke, instead of minutes into ``pulumi up``. The table is also what the tests check planned names
against, so a limit is written down once.
"""

from __future__ import annotations

from dataclasses import dataclass

from components.naming import NameRule as BaseNameRule
from components.naming import physical_name


@dataclass(frozen=True)
class NameRule(BaseNameRule):
    """What one AWS service accepts as a name (from the service API references)."""

    lowercase: bool = True


_SAGEMAKER = r"[a-zA-Z0-9](-*[a-zA-Z0-9])*"
_SAGEMAKER_TEXT = "letters, digits and '-', starting and ending with a letter or digit"

#: Rule per kind of name. Keys are what components ask for; values cite the API's documented constraint.
RULES: dict[str, NameRule] = {
    # S3 CreateBucket: 3-63, lowercase letters, digits, '-' ('.' avoided: it breaks TLS virtual hosting).
    "s3-bucket": NameRule(
        "S3 bucket",
        3,
        63,
        r"[a-z0-9][a-z0-9-]*[a-z0-9]",
        "a-z0-9-",
        "lowercase letters, digits and '-', starting and ending with a letter or digit",
    ),
    # IAM CreateRole / CreatePolicy: [\w+=,.@-]{1,64} (roles) and 128 (policies).
    "iam-role": NameRule(
        "IAM role", 1, 64, r"[\w+=,.@-]+", r"a-zA-Z0-9+=,.@_-", "letters, digits and +=,.@_-"
    ),
    "iam-policy": NameRule(
        "IAM policy", 1, 128, r"[\w+=,.@-]+", r"a-zA-Z0-9+=,.@_-", "letters, digits and +=,.@_-"
    ),
    # SageMaker CreateEndpoint / CreateModelPackageGroup / CreateMonitoringSchedule / job definitions: 63.
    "sagemaker": NameRule("SageMaker", 1, 63, _SAGEMAKER, "a-zA-Z0-9-", _SAGEMAKER_TEXT, lowercase=False),
    # SageMaker CreateFeatureGroup: ^[a-zA-Z0-9]([_-]*[a-zA-Z0-9]){0,63}
    "feature-group": NameRule(
        "SageMaker feature group",
        1,
        64,
        r"[a-zA-Z0-9]([_-]*[a-zA-Z0-9]){0,63}",
        "a-zA-Z0-9_-",
        "letters, digits, '-' and '_', starting and ending with a letter or digit",
    ),
    # EKS CreateCluster: ^[0-9A-Za-z][A-Za-z0-9\-_]*, 1-100. CreateNodegroup: 1-63.
    "eks-cluster": NameRule(
        "EKS cluster",
        1,
        100,
        r"[0-9A-Za-z][A-Za-z0-9_-]*",
        "a-zA-Z0-9_-",
        "letters, digits, '-' and '_', starting with a letter or digit",
    ),
    "eks-nodegroup": NameRule(
        "EKS node group",
        1,
        63,
        r"[0-9A-Za-z][A-Za-z0-9_-]*",
        "a-zA-Z0-9_-",
        "letters, digits, '-' and '_', starting with a letter or digit",
    ),
    # ECR CreateRepository: 2-256, (?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*
    "ecr-repository": NameRule(
        "ECR repository",
        2,
        256,
        r"(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*",
        "a-z0-9/._-",
        "lowercase path segments of letters and digits joined by '.', '_' or '-'",
    ),
    # CloudWatch Logs CreateLogGroup: 1-512, [\.\-_/#A-Za-z0-9]+
    "log-group": NameRule(
        "CloudWatch log group",
        1,
        512,
        r"[.\-_/#A-Za-z0-9]+",
        r"a-zA-Z0-9._/#-",
        "letters, digits and . - _ / #",
        lowercase=False,
    ),
    # CloudTrail CreateTrail: 3-128, letters, digits, '.', '_', '-',
    # starting and ending with a letter or digit.
    "cloudtrail": NameRule(
        "CloudTrail trail",
        3,
        128,
        r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?",
        "a-zA-Z0-9._-",
        "letters, digits, '.', '_' and '-', starting and ending with a letter or digit",
    ),
    # SNS CreateTopic: 1-256, letters, digits, '-' and '_'.
    "sns-topic": NameRule(
        "SNS topic", 1, 256, r"[A-Za-z0-9_-]+", "a-zA-Z0-9_-", "letters, digits, '-' and '_'"
    ),
    # Budgets CreateBudget: 1-100, no ':' or '\'.
    "budget": NameRule("AWS budget", 1, 100, r"[^:\\]+", "a-zA-Z0-9 _.-", "any characters but ':' and '\\'"),
    # CloudWatch PutMetricAlarm: 1-255. PutDashboard: 1-255, [A-Za-z0-9_-].
    "alarm": NameRule("CloudWatch alarm", 1, 255, r"[^\x00-\x1f]+", "a-zA-Z0-9 _./-", "printable characters"),
    "dashboard": NameRule(
        "CloudWatch dashboard", 1, 255, r"[A-Za-z0-9_-]+", "a-zA-Z0-9_-", "letters, digits, '-' and '_'"
    ),
    # Glue CreateDatabase: 1-255; Athena needs lowercase letters, digits and '_'.
    "glue-database": NameRule(
        "Glue database",
        1,
        255,
        r"[a-z0-9_]+",
        "a-z0-9_",
        "lowercase letters, digits and '_' (Athena-compatible)",
    ),
    # KMS CreateAlias: alias/ + [a-zA-Z0-9/_-], 1-256 in total, not under alias/aws/.
    "kms-alias": NameRule(
        "KMS alias",
        7,
        256,
        r"alias/(?!aws/)[a-zA-Z0-9/_-]+",
        "a-zA-Z0-9/_-",
        "'alias/' then letters, digits, '/', '_' and '-' (not under alias/aws/)",
    ),
    # EC2 security group names: up to 255 characters.
    "security-group": NameRule(
        "EC2 security group",
        1,
        255,
        r"[A-Za-z0-9 ._\-:/()#,@\[\]+=&;{}!$*]+",
        "a-zA-Z0-9._-",
        "letters, digits and ._-:/()#,@[]+=&;{}!$*",
    ),
}

#: Reserve for what AWS appends to a name prefix (``name_prefix``: 26 characters of timestamp and counter).
NAME_PREFIX_SUFFIX = 26


def aws_name(kind: str, prefix: str, role: str, *, reserve: int = 0, separator: str = "-") -> str:
    """``<prefix>-<role>`` valid for ``kind`` (a key of :data:`RULES`), ``reserve`` characters left free."""
    rule = RULES[kind]
    name = physical_name(
        prefix,
        role,
        max_length=rule.max_length - reserve,
        separator=separator,
        lowercase=rule.lowercase,
        allowed=rule.allowed,
    )
    problem = rule.problem(name) if not reserve else None
    if problem:
        raise ValueError(f"name '{name}' (from prefix '{prefix}', role '{role}'): {problem}")
    return name


def name_problem(kind: str, value: str) -> str | None:
    """Why ``value`` is not a valid ``kind`` name (for tests and plan-time checks), or None."""
    return RULES[kind].problem(value)


def bucket_name(prefix: str, role: str, account_id: str) -> str:
    """A globally unique bucket name: ``<prefix>-<role>-<account id>``, within S3's 63 characters.

    Bucket names share one namespace across all AWS accounts; the account id (from ``GetCallerIdentity``)
    makes the name unique without a random suffix, and the same stack always gets the same bucket.
    """
    head = physical_name(
        prefix, role, max_length=63 - len(account_id) - 1, allowed=RULES["s3-bucket"].allowed
    )
    name = f"{head}-{account_id}"
    problem = RULES["s3-bucket"].problem(name)
    if problem:
        raise ValueError(f"bucket name '{name}': {problem}")
    return name
