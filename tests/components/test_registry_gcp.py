"""GcpModelRegistry: a locked-down artifact bucket,
a CMEK metadata store and an image repository (issue 3)."""

from __future__ import annotations

import pytest

from stacks.engine import PlanResult

from .gcp_plans import PLANS, one


@pytest.fixture(scope="module", params=["full", "risk"])
def plan(request: pytest.FixtureRequest) -> PlanResult:
    return PLANS[request.param]()


def test_registry_gcp_bucket_is_private_versioned_and_cleaned(plan: PlanResult) -> None:
    bucket = one(plan, "gcp:storage/bucket:Bucket")["inputs"]
    assert bucket["publicAccessPrevention"] == "enforced"
    assert bucket["uniformBucketLevelAccess"] is True
    assert bucket["versioning"] == {"enabled": True}
    assert bucket["location"] == plan.outputs["region"]
    actions = [(r["action"]["type"], r["condition"]) for r in bucket["lifecycleRules"]]
    assert ("Delete", {"age": 365, "withState": "LIVE"}) in actions
    assert ("Delete", {"daysSinceNoncurrentTime": 30, "withState": "ARCHIVED"}) in actions
    assert any(kind == "AbortIncompleteMultipartUpload" for kind, _ in actions)
    assert bucket["softDeletePolicy"]["retentionDurationSeconds"] == 7 * 86400
    assert "retentionPolicy" not in bucket  # Cloud Storage refuses a retention policy on a versioned bucket


def test_registry_gcp_no_bucket_is_granted_to_the_public(plan: PlanResult) -> None:
    for member in plan.by_type("gcp:storage/bucketIAMMember:BucketIAMMember"):
        assert member["inputs"]["member"] not in ("allUsers", "allAuthenticatedUsers")


def test_registry_gcp_metadata_store_and_repository(plan: PlanResult) -> None:
    store = one(plan, "gcp:vertex/aiMetadataStore:AiMetadataStore")["inputs"]
    assert store["region"] == plan.outputs["region"] and store["encryptionSpec"]["kmsKeyName"]
    repo = one(plan, "gcp:artifactregistry/repository:Repository")["inputs"]
    assert repo["format"] == "DOCKER" and repo["dockerConfig"] == {"immutableTags": True}
    assert repo["cleanupPolicyDryRun"] is False
    policies = {p["id"]: p for p in repo["cleanupPolicies"]}
    assert policies["keep-newest"]["action"] == "KEEP"
    assert policies["keep-newest"]["mostRecentVersions"]["keepCount"] == 50
    assert policies["delete-older"]["action"] == "DELETE"
