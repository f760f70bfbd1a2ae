"""AwsFeatureStore: SageMaker feature groups with online and offline stores on the stack key, the offline
store in a private bucket of its own catalogued in the stack's Glue database, written by a role that can
touch nothing else (issue 2)."""

from __future__ import annotations

import json

from stacks.engine import PlanResult

from .aws_plans import bare, full, full_config, key_arn, one


def test_feature_store_aws_groups_have_online_and_offline_stores() -> None:
    plan = full()
    groups = {
        g["inputs"]["featureGroupName"]: g["inputs"]
        for g in plan.by_type("aws:sagemaker/featureGroup:FeatureGroup")
    }
    assert set(groups) == {"payments-prod-merchants", "payments-prod-devices"}
    merchants = groups["payments-prod-merchants"]
    assert merchants["onlineStoreConfig"]["enableOnlineStore"] is True
    assert merchants["recordIdentifierFeatureName"] == "merchant_id"
    assert {f["featureName"]: f["featureType"] for f in merchants["featureDefinitions"]} == {
        "merchant_id": "String",
        "event_time": "Fractional",
        "chargeback_rate_30d": "Fractional",
        "tx_count_1h": "Integral",
    }
    assert "onlineStoreConfig" not in groups["payments-prod-devices"]
    catalog = merchants["offlineStoreConfig"]["dataCatalogConfig"]
    assert (
        catalog["database"] == plan.by_type("aws:glue/catalogDatabase:CatalogDatabase")[0]["inputs"]["name"]
    )
    assert (
        merchants["offlineStoreConfig"]["s3StorageConfig"]["s3Uri"]
        == "s3://payments-prod-features-123456789012/offline-store"
    )


def test_feature_store_aws_every_store_uses_the_stack_key(aws_plan: PlanResult) -> None:
    key = key_arn(aws_plan)
    for group in aws_plan.by_type("aws:sagemaker/featureGroup:FeatureGroup"):
        inputs = group["inputs"]
        assert inputs["offlineStoreConfig"]["s3StorageConfig"]["kmsKeyId"] == key
        if "onlineStoreConfig" in inputs:
            assert inputs["onlineStoreConfig"]["securityConfig"]["kmsKeyId"] == key


def test_feature_store_aws_spec_groups_become_feature_groups_one_to_one() -> None:
    plan = full()
    spec = full_config()["mlkeel:featureStore"]["groups"]
    groups = {
        g["inputs"]["featureGroupName"]: g["inputs"]
        for g in plan.by_type("aws:sagemaker/featureGroup:FeatureGroup")
    }
    assert sorted(groups) == sorted(f"payments-prod-{g['name']}" for g in spec)
    for group in spec:
        made = groups[f"payments-prod-{group['name']}"]
        assert [f["featureName"] for f in made["featureDefinitions"]] == [
            f["name"] for f in group["features"]
        ]
        assert made["eventTimeFeatureName"] == group.get("eventTime", "event_time")
        assert ("onlineStoreConfig" in made) is group.get("online", True)
        assert made["offlineStoreConfig"]["dataCatalogConfig"]["tableName"] == made[
            "featureGroupName"
        ].replace("-", "_")


def test_feature_store_aws_writer_role_touches_only_the_offline_store() -> None:
    plan = full()
    role = one(plan, "aws:iam/role:Role", "-features-role")
    assert role["inputs"]["path"] == "/mlkeel/payments/prod/"
    trust = json.loads(role["inputs"]["assumeRolePolicy"])["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": ["sagemaker.amazonaws.com"]}]
    policy = json.loads(
        one(plan, "aws:iam/rolePolicy:RolePolicy", "-features-role-policy")["inputs"]["policy"]
    )
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    bucket = one(plan, "aws:s3/bucket:Bucket", "-features-offline")["outputs"]["arn"]
    assert by_sid["OfflineStoreObjects"]["Resource"] == [f"{bucket}/offline-store/*"]
    assert by_sid["OfflineStoreBucket"]["Resource"] == [bucket]
    assert by_sid["StackKey"]["Resource"] == [key_arn(plan)]
    database = one(plan, "aws:glue/catalogDatabase:CatalogDatabase", "-features-catalog")["inputs"]["name"]
    assert all(database in r or r.endswith(":catalog") for r in by_sid["OfflineStoreCatalog"]["Resource"])
    assert not any(a.endswith("*") for s in policy["Statement"] for a in s["Action"])
    for group in plan.by_type("aws:sagemaker/featureGroup:FeatureGroup"):
        assert group["inputs"]["roleArn"] == role["outputs"]["arn"]


def test_feature_store_aws_groups_wait_for_their_role_policy_and_bucket_policy() -> None:
    plan = full()
    needed = {
        one(plan, "aws:iam/rolePolicy:RolePolicy", "-features-role-policy")["urn"],
        one(plan, "aws:s3/bucketPolicy:BucketPolicy", "-features-offline-policy")["urn"],
    }
    for group in plan.by_type("aws:sagemaker/featureGroup:FeatureGroup"):
        assert needed <= set(group["dependencies"]), group["urn"]


def test_feature_store_aws_off_creates_nothing() -> None:
    plan = bare()
    assert not plan.by_type("mlkeel:index:AwsFeatureStore")
    assert not plan.by_type("aws:sagemaker/featureGroup:FeatureGroup")
    assert not plan.by_type("aws:glue/catalogDatabase:CatalogDatabase")
