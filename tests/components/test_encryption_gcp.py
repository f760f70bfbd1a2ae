"""GcpEncryption: one key per stack, rotated at most every 90 days, granted to each service agent that
uses it, and wired into every CMEK consumer (issue 3)."""

from __future__ import annotations

from typing import Any

import pytest

from components.encryption.gcp import ENCRYPTER_DECRYPTER, rotation_period
from stacks.engine import PlanResult

from .gcp_plans import PLANS, key_id, of_type, one

#: Type -> how to read the key it is encrypted with.
CMEK_FIELDS = {
    "gcp:storage/bucket:Bucket": lambda i: i["encryption"]["defaultKmsKeyName"],
    "gcp:vertex/aiMetadataStore:AiMetadataStore": lambda i: i["encryptionSpec"]["kmsKeyName"],
    "gcp:artifactregistry/repository:Repository": lambda i: i["kmsKeyName"],
    "gcp:bigquery/dataset:Dataset": lambda i: i["defaultEncryptionConfiguration"]["kmsKeyName"],
    "gcp:bigquery/table:Table": lambda i: i["encryptionConfiguration"]["kmsKeyName"],
    "gcp:vertex/aiFeatureOnlineStore:AiFeatureOnlineStore": lambda i: i["encryptionSpec"]["kmsKeyName"],
    "gcp:vertex/aiEndpoint:AiEndpoint": lambda i: i["encryptionSpec"]["kmsKeyName"],
    "gcp:container/cluster:Cluster": lambda i: i["databaseEncryption"]["keyName"],
    "gcp:container/nodePool:NodePool": lambda i: i["nodeConfig"]["bootDiskKmsKey"],
    "gcp:logging/projectBucketConfig:ProjectBucketConfig": lambda i: i["cmekSettings"]["kmsKeyName"],
}


@pytest.fixture(scope="module", params=sorted(PLANS))
def plan(request: pytest.FixtureRequest) -> PlanResult:
    return PLANS[request.param]()


def test_encryption_gcp_key_rotates_within_90_days_as_the_spec_says() -> None:
    for name, days in (("full", 90), ("risk", 30), ("template", 30)):
        key = one(PLANS[name](), "gcp:kms/cryptoKey:CryptoKey")["inputs"]
        assert key["rotationPeriod"] == f"{days * 86400}s"
        assert int(key["rotationPeriod"].rstrip("s")) <= 7776000
        assert key["purpose"] == "ENCRYPT_DECRYPT"


def test_encryption_gcp_rotation_period_refuses_more_than_90_days() -> None:
    assert rotation_period(90) == "7776000s"
    with pytest.raises(ValueError, match="at least every 90 days"):
        rotation_period(91)


def test_encryption_gcp_every_cmek_consumer_uses_the_stack_key(plan: PlanResult) -> None:
    key = key_id(plan)
    seen = set()
    for token, read in CMEK_FIELDS.items():
        for resource in of_type(plan, token):
            assert read(resource["inputs"]) == key, resource["urn"]
            seen.add(token)
    assert {
        "gcp:storage/bucket:Bucket",
        "gcp:container/cluster:Cluster",
        "gcp:vertex/aiEndpoint:AiEndpoint",
        "gcp:container/nodePool:NodePool",
    } <= seen
    assert one(plan, "gcp:container/cluster:Cluster")["inputs"]["databaseEncryption"]["state"] == "ENCRYPTED"


def grants(plan: PlanResult) -> dict[str, dict[str, Any]]:
    return {r["inputs"]["member"]: r for r in of_type(plan, "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember")}


def test_encryption_gcp_each_service_agent_may_use_the_key(plan: PlanResult) -> None:
    found = grants(plan)
    key = key_id(plan)
    assert all(
        g["inputs"]["role"] == ENCRYPTER_DECRYPTER and g["inputs"]["cryptoKeyId"] == key
        for g in found.values()
    )
    number = "123456789012"  # the offline engine's project number
    expected = {
        f"serviceAccount:service-{number}@gs-project-accounts.iam.gserviceaccount.com",
        f"serviceAccount:service-{number}@container-engine-robot.iam.gserviceaccount.com",
        f"serviceAccount:service-{number}@compute-system.iam.gserviceaccount.com",
        f"serviceAccount:bq-{number}@bigquery-encryption.iam.gserviceaccount.com",
        f"serviceAccount:service-{number}@gcp-sa-aiplatform.iam.gserviceaccount.com",
        f"serviceAccount:service-{number}@gcp-sa-logging.iam.gserviceaccount.com",
    }
    assert expected <= set(found), sorted(set(expected) - set(found))
    assert (
        one(plan, "gcp:projects/serviceIdentity:ServiceIdentity")["inputs"]["service"]
        == "aiplatform.googleapis.com"
    )


def test_encryption_gcp_cmek_consumers_wait_for_the_grants(plan: PlanResult) -> None:
    grant_urns = {g["urn"] for g in grants(plan).values()}
    for token in CMEK_FIELDS:
        for resource in of_type(plan, token):
            assert grant_urns & set(resource.get("dependencies", [])), (
                f"{resource['urn']} does not wait for the key grants"
            )


def test_encryption_gcp_key_ring_lives_in_the_stack_region(plan: PlanResult) -> None:
    assert one(plan, "gcp:kms/keyRing:KeyRing")["inputs"]["location"] == plan.outputs["region"]
