"""The taggable-type lookup reads the provider SDKs' registries and signatures."""

from __future__ import annotations

import pytest

from policies import is_known_type, is_taggable, known_resource_types, tag_property


def test_taggable_registry_lists_every_provider():
    assert len(known_resource_types("aws")) > 1500
    assert len(known_resource_types("gcp")) > 1000
    assert "kubernetes:apps/v1:Deployment" in known_resource_types("kubernetes")
    assert known_resource_types("random") == frozenset()


@pytest.mark.parametrize(
    ("token", "prop"),
    [
        ("aws:s3/bucket:Bucket", "tags"),
        ("aws:eks/nodeGroup:NodeGroup", "tags"),
        ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", None),
        ("aws:iam/rolePolicy:RolePolicy", None),
        ("gcp:storage/bucket:Bucket", "labels"),
        ("gcp:container/cluster:Cluster", "resourceLabels"),
        ("gcp:projects/iAMMember:IAMMember", None),
        ("kubernetes:batch/v1:Job", "metadata"),
        # `labels` here is channel configuration / label descriptors, not resource labels
        ("gcp:monitoring/notificationChannel:NotificationChannel", None),
        ("gcp:monitoring/metricDescriptor:MetricDescriptor", None),
        # a list of tag blocks provider default tags never reach
        ("aws:autoscaling/group:Group", None),
    ],
)
def test_taggable_tag_property_from_sdk_signature(token, prop):
    assert tag_property(token) == prop
    assert is_taggable(token) is (prop is not None)


def test_taggable_unknown_types():
    assert not is_known_type("aws:s3/buckt:Bucket")
    assert tag_property("aws:s3/buckt:Bucket") is None
    assert is_known_type("gcp:vertex/aiEndpoint:AiEndpoint")
