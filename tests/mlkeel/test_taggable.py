"""One taggable registry (``mlkeel.taggable``): read from the SDKs' sources, never by importing them."""

from __future__ import annotations

import importlib
import inspect
import json
import subprocess
import sys
from pathlib import Path

import pytest

from mlkeel import taggable
from mlkeel.taggable import TAG_FIELDS, is_taggable, known_type, known_types, tag_field, takes_no_tags


def test_taggable_registry_lists_every_provider() -> None:
    assert len(known_types("aws")) > 1500
    assert len(known_types("gcp")) > 1000
    assert "kubernetes:apps/v1:Deployment" in known_types("kubernetes")
    assert known_types("random") == frozenset()


@pytest.mark.parametrize(
    ("token", "field"),
    [
        ("aws:s3/bucket:Bucket", "tags"),
        ("aws:eks/nodeGroup:NodeGroup", "tags"),
        ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", None),
        ("aws:iam/rolePolicy:RolePolicy", None),
        ("gcp:storage/bucket:Bucket", "labels"),
        ("gcp:container/cluster:Cluster", "resourceLabels"),
        ("gcp:container/nodePool:NodePool", "nodeConfig.resourceLabels"),
        ("gcp:projects/iAMMember:IAMMember", None),
        ("kubernetes:batch/v1:Job", "metadata.labels"),
        # `labels` here is channel configuration / label descriptors, not resource labels
        ("gcp:monitoring/notificationChannel:NotificationChannel", None),
        ("gcp:monitoring/metricDescriptor:MetricDescriptor", None),
        # a list of tag blocks provider default tags never reach
        ("aws:autoscaling/group:Group", None),
        # registry module names that do not match their file names
        ("aws:glue/mLTransform:MLTransform", "tags"),
        ("gcp:bigtable/gCPolicy:GCPolicy", None),
    ],
)
def test_taggable_tag_field_from_sdk_signature(token: str, field: str | None) -> None:
    assert tag_field(token) == field
    assert is_taggable(token) is (field is not None)
    assert takes_no_tags(token) is (field is None)


def test_taggable_unknown_types_are_neither_taggable_nor_untaggable() -> None:
    assert not known_type("aws:s3/buckt:Bucket")
    assert tag_field("aws:s3/buckt:Bucket") is None
    assert not takes_no_tags("aws:s3/buckt:Bucket")  # nothing is claimed about a type no SDK knows
    assert known_type("gcp:vertex/aiEndpoint:AiEndpoint")


def _imported_decision(token: str) -> str | None:
    """What the SDK class says once imported: the definition the source reading must agree with."""
    module, name = taggable._registry(token.split(":", 1)[0])[token]
    cls = getattr(importlib.import_module(module), name)
    params = inspect.signature(cls._internal_init).parameters
    if token in taggable._GCP_SPECIAL:
        return taggable._GCP_SPECIAL[token]
    package = token.split(":", 1)[0]
    if (
        package == "aws"
        and hasattr(cls, "tags_all")
        and taggable._is_string_map(str(params["tags"].annotation) if "tags" in params else None)
    ):
        return "tags"
    if (
        package == "gcp"
        and hasattr(cls, "effective_labels")
        and taggable._is_string_map(str(params["labels"].annotation) if "labels" in params else None)
    ):
        return "labels"
    if package == "kubernetes" and "metadata" in params:
        return "metadata.labels"
    return None


def _sample() -> list[str]:
    """Every type the example stacks and the cost pricers use, plus a spread of each SDK's registry."""
    tokens: set[str] = set()
    tests = Path(__file__).resolve().parents[1]
    for state in [
        *(tests / "policies/fixtures/states").glob("*.json"),
        *(tests / "runtime/fixtures/cost").glob("*.json"),
    ]:
        data = json.loads(state.read_text())
        tokens |= {
            r["type"]
            for r in data["deployment"]["resources"]
            if known_type(r["type"])
            and r["type"] not in taggable.KUBERNETES_CUSTOM_RESOURCES
            and not r["type"].startswith("random:")
        }
    for package in ("aws", "gcp", "kubernetes"):
        tokens |= set(sorted(known_types(package))[::300])
    return sorted(tokens)


@pytest.mark.parametrize("token", _sample())
def test_taggable_source_reading_agrees_with_the_imported_class(token: str) -> None:
    assert taggable._decide(token) == _imported_decision(token)


def test_taggable_custom_resources_of_the_kubernetes_layer_are_known_and_labelled() -> None:
    token = "kubernetes:serving.kserve.io/v1beta1:InferenceService"
    assert token in taggable.KUBERNETES_CUSTOM_RESOURCES
    assert known_type(token) and tag_field(token) == "metadata.labels" and not takes_no_tags(token)
    assert not known_type("kubernetes:serving.kserve.io/v1beta1:InferenceServce")
    assert known_type("random:index/randomPassword:RandomPassword") and not is_taggable(
        "random:index/randomPassword:RandomPassword"
    )
    assert not known_type("random:index/randomPasswrd:RandomPassword")


def test_taggable_fields_are_one_vocabulary() -> None:
    assert set(TAG_FIELDS) == {
        "tags",
        "labels",
        "resourceLabels",
        "nodeConfig.resourceLabels",
        "metadata.labels",
    }


def test_taggable_answers_import_no_pulumi_and_survive_a_corrupt_cache(tmp_path: Path) -> None:
    cache = tmp_path / "mlkeel" / "taggable-types.json"
    cache.parent.mkdir()
    cache.write_bytes(b"\xff\xfe not json")
    code = (
        "import sys; from mlkeel.taggable import tag_field; "
        "print(tag_field('aws:s3/bucket:Bucket'), tag_field('gcp:compute/routerNat:RouterNat'), "
        "any(m.split('.')[0].startswith('pulumi') for m in sys.modules))"
    )
    env = {"XDG_CACHE_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["tags", "None", "False"]
    saved = json.loads(cache.read_text())  # the corrupt cache was replaced by the answers
    assert saved["types"]["aws:s3/bucket:Bucket"] == "tags"
    again = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert again.stdout == out.stdout
