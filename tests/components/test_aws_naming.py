"""Physical names within AWS limits: the naming table, planned names, and generated prefixes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.aws._naming import RULES, aws_name, bucket_name, name_problem

from .aws_plans import PLANS

#: Type token -> (name property, rule) for every named AWS resource the components create.
NAMED = {
    "aws:s3/bucket:Bucket": ("bucket", "s3-bucket"),
    "aws:iam/role:Role": ("name", "iam-role"),
    "aws:iam/policy:Policy": ("name", "iam-policy"),
    "aws:sagemaker/endpoint:Endpoint": ("name", "sagemaker"),
    "aws:sagemaker/model:Model": ("name", "sagemaker"),
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": ("name", "sagemaker"),
    "aws:sagemaker/modelPackageGroup:ModelPackageGroup": ("modelPackageGroupName", "sagemaker"),
    "aws:sagemaker/monitoringSchedule:MonitoringSchedule": ("name", "sagemaker"),
    "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition": ("name", "sagemaker"),
    "aws:sagemaker/featureGroup:FeatureGroup": ("featureGroupName", "feature-group"),
    "aws:eks/cluster:Cluster": ("name", "eks-cluster"),
    "aws:eks/nodeGroup:NodeGroup": ("nodeGroupName", "eks-nodegroup"),
    "aws:ecr/repository:Repository": ("name", "ecr-repository"),
    "aws:cloudwatch/logGroup:LogGroup": ("name", "log-group"),
    "aws:cloudtrail/trail:Trail": ("name", "cloudtrail"),
    "aws:sns/topic:Topic": ("name", "sns-topic"),
    "aws:budgets/budget:Budget": ("name", "budget"),
    "aws:cloudwatch/metricAlarm:MetricAlarm": ("name", "alarm"),
    "aws:cloudwatch/dashboard:Dashboard": ("dashboardName", "dashboard"),
    "aws:glue/catalogDatabase:CatalogDatabase": ("name", "glue-database"),
    "aws:kms/alias:Alias": ("name", "kms-alias"),
    "aws:ec2/securityGroup:SecurityGroup": ("name", "security-group"),
}


@pytest.mark.parametrize("plan", sorted(PLANS))
def test_aws_naming_every_planned_name_fits_its_service(plan: str) -> None:
    result = PLANS[plan]()
    checked = 0
    for token, (prop, rule) in NAMED.items():
        for resource in result.by_type(token):
            # names the provider completes (name_prefix) are checked on the final name
            value = resource["outputs"].get(prop) or resource["inputs"].get(prop)
            assert value, f"{resource['urn']} has no {prop}"
            assert name_problem(rule, value) is None, f"{resource['urn']}: {name_problem(rule, value)}"
            checked += 1
    assert checked > 10


@given(
    team=st.from_regex(r"[a-z][a-z0-9-]{0,61}[a-z0-9]", fullmatch=True),
    env=st.sampled_from(["dev", "test", "staging", "prod"]),
    role=st.from_regex(r"[a-z][a-z0-9-]{0,30}[a-z0-9]", fullmatch=True),
)
def test_aws_naming_any_team_and_role_fit_every_service(team: str, env: str, role: str) -> None:
    prefix = f"{team}-{env}"
    for kind in (
        "s3-bucket",
        "iam-role",
        "sagemaker",
        "feature-group",
        "eks-nodegroup",
        "sns-topic",
        "dashboard",
    ):
        name = aws_name(kind, prefix, role)
        assert RULES[kind].problem(name) is None, (kind, name)
        assert aws_name(kind, prefix, role) == name  # deterministic
    assert name_problem("s3-bucket", bucket_name(prefix, "registry", "123456789012")) is None


def test_aws_naming_long_names_are_shortened_with_a_stable_hash() -> None:
    prefix = "a-very-long-team-name-that-keeps-going-and-going-for-ever-x-prod"
    first, second = aws_name("sagemaker", prefix, "scoring"), aws_name("sagemaker", prefix, "ranking")
    assert len(first) <= 63 and len(second) <= 63
    assert first != second
    assert bucket_name(prefix, "registry", "123456789012").endswith("-123456789012")


@pytest.mark.parametrize(
    ("kind", "value", "fragment"),
    [
        ("s3-bucket", "Has-Capitals", "lowercase"),
        ("sagemaker", "ends-with-", "letters, digits"),
        ("iam-role", "x" * 65, "1-64"),
        ("kms-alias", "alias/aws/mine", "not under alias/aws/"),
    ],
)
def test_aws_naming_rule_messages_say_what_is_allowed(kind: str, value: str, fragment: str) -> None:
    problem = name_problem(kind, value)
    assert problem is not None and fragment in problem
