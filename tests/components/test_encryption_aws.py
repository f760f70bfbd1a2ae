"""The stack key: rotation on, scoped key policy, and every encryptable resource wired to it (issue 8)."""

from __future__ import annotations

import json

import pytest

from components.aws._iam import wildcard_problems

from .aws_plans import PLANS, full, name_of, one


def _key_arn(plan) -> str:
    keys = plan.by_type("aws:kms/key:Key")
    assert len(keys) == 1
    return keys[0]["outputs"]["arn"]


@pytest.mark.parametrize("plan", sorted(PLANS))
def test_encryption_aws_key_rotates_within_spec_period(plan: str) -> None:
    key = PLANS[plan]().by_type("aws:kms/key:Key")[0]["inputs"]
    assert key["enableKeyRotation"] is True
    assert 90 <= key["rotationPeriodInDays"] <= 365
    assert key["customerMasterKeySpec"] == "SYMMETRIC_DEFAULT"
    assert key.get("bypassPolicyLockoutSafetyCheck") is False


def test_encryption_aws_rotation_period_comes_from_the_spec() -> None:
    assert full().by_type("aws:kms/key:Key")[0]["inputs"]["rotationPeriodInDays"] == 180


def test_encryption_aws_key_policy_never_names_everyone_and_scopes_use_to_stack_roles() -> None:
    policy = json.loads(full().by_type("aws:kms/key:Key")[0]["inputs"]["policy"])
    assert wildcard_problems(policy) == []
    statements = {s["Sid"]: s for s in policy["Statement"]}
    for stmt in statements.values():
        assert stmt["Principal"] != "*" and "*" not in json.dumps(stmt["Principal"]), stmt["Sid"]
        assert "kms:*" not in stmt["Action"]
    admin = statements["KeyAdministrationByAccount"]
    assert not {"kms:Decrypt", "kms:Encrypt"} & set(admin["Action"]), "administrators must not read data"
    use = statements["UseByStackRoles"]
    assert (
        use["Condition"]["ArnLike"]["aws:PrincipalArn"]
        == "arn:aws:iam::123456789012:role/mlkeel/payments/prod/*"
    )
    grants = statements["GrantsToStackServicesForAwsResources"]
    assert grants["Condition"]["Bool"] == {"kms:GrantIsForAWSResource": "true"}
    assert "sagemaker.eu-west-1.amazonaws.com" in grants["Condition"]["StringEquals"]["kms:ViaService"]
    assert not {"kms:Decrypt", "kms:Encrypt"} & set(grants["Action"])
    logs = statements["CloudWatchLogsEncryptStackLogGroups"]
    assert logs["Principal"] == {"Service": "logs.eu-west-1.amazonaws.com"}
    assert "kms:EncryptionContext:aws:logs:arn" in logs["Condition"]["StringLike"]
    assert "kms:DescribeKey" not in logs["Action"], "DescribeKey carries no encryption context"


def test_encryption_aws_alias_points_at_the_key() -> None:
    plan = full()
    alias = plan.by_type("aws:kms/alias:Alias")[0]["inputs"]
    assert alias["name"] == "alias/mlkeel/payments-prod"
    assert alias["targetKeyId"] == plan.by_type("aws:kms/key:Key")[0]["outputs"]["keyId"]


def test_encryption_aws_every_store_is_encrypted_with_the_stack_key() -> None:
    plan = full()
    key = _key_arn(plan)
    for sse in plan.by_type(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    ):
        rule = sse["inputs"]["rules"][0]
        assert rule["applyServerSideEncryptionByDefault"] == {
            "sseAlgorithm": "aws:kms",
            "kmsMasterKeyId": key,
        }
        assert rule["bucketKeyEnabled"] is True
    assert len(
        plan.by_type("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
    ) == len(plan.by_type("aws:s3/bucket:Bucket"))
    for group in plan.by_type("aws:cloudwatch/logGroup:LogGroup"):
        assert group["inputs"]["kmsKeyId"] == key, name_of(group)
        assert group["inputs"]["retentionInDays"] == 365
    repo = plan.by_type("aws:ecr/repository:Repository")[0]["inputs"]
    assert repo["encryptionConfigurations"] == [{"encryptionType": "KMS", "kmsKey": key}]
    cluster = plan.by_type("aws:eks/cluster:Cluster")[0]["inputs"]
    assert cluster["encryptionConfig"] == {"provider": {"keyArn": key}, "resources": ["secrets"]}
    for config in plan.by_type("aws:sagemaker/endpointConfiguration:EndpointConfiguration"):
        assert config["inputs"]["kmsKeyArn"] == key
        assert config["inputs"]["dataCaptureConfig"]["kmsKeyId"] == key
    for group in plan.by_type("aws:sagemaker/featureGroup:FeatureGroup"):
        assert group["inputs"]["offlineStoreConfig"]["s3StorageConfig"]["kmsKeyId"] == key
        online = group["inputs"].get("onlineStoreConfig")
        if online:
            assert online["securityConfig"]["kmsKeyId"] == key
    for topic in plan.by_type("aws:sns/topic:Topic"):
        assert topic["inputs"]["kmsMasterKeyId"] == key
    assert plan.by_type("aws:cloudtrail/trail:Trail")[0]["inputs"]["kmsKeyId"] == key
    job = one(plan, "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition", "definition")["inputs"]
    assert job["dataQualityJobOutputConfig"]["kmsKeyId"] == key
    assert job["jobResources"]["clusterConfig"]["volumeKmsKeyId"] == key


def test_encryption_aws_key_is_wired_by_output_dependencies() -> None:
    plan = full()
    key_urn = plan.by_type("aws:kms/key:Key")[0]["urn"]
    config = plan.by_type("aws:sagemaker/endpointConfiguration:EndpointConfiguration")[0]
    assert key_urn in config["propertyDependencies"]["kmsKeyArn"]
    cluster = plan.by_type("aws:eks/cluster:Cluster")[0]
    assert key_urn in cluster["propertyDependencies"]["encryptionConfig"]
