"""The one state reader: effective tags as billing sees them,
the same for ``keel check`` and ``keel cost``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlkeel.state import SECRET_SIG, SECRET_SIG_KEY, StateError, effective_tags, is_secret, load_state

STATES = Path(__file__).resolve().parents[1] / "policies" / "fixtures" / "states"
SECRET = {SECRET_SIG_KEY: SECRET_SIG, "ciphertext": "v1:abc"}
AWS_DEFAULTS = {"defaultTags": json.dumps({"tags": {"team": "fraud", "cost-center": "cc-1"}})}


def test_state_tags_provider_defaults_then_own_tags_win() -> None:
    tags = effective_tags("aws:s3/bucket:Bucket", {"tags": {"team": "risk", "component": "registry"}},
                          "pulumi:providers:aws", AWS_DEFAULTS)  # fmt: skip
    assert tags == {"team": "risk", "cost-center": "cc-1", "component": "registry"}


@pytest.mark.parametrize(
    ("resource_type", "props"),
    [
        # Kubernetes node labels on an EKS node group are not AWS billing tags
        ("aws:eks/nodeGroup:NodeGroup", {"labels": {"mlkeel.io/pool": "cpu"}}),
        # a notification channel's `labels` is its configuration
        ("gcp:monitoring/notificationChannel:NotificationChannel", {"labels": {"email_address": "a@b.c"}}),
        # a secret map of tags is not a map of tags
        ("aws:s3/bucket:Bucket", {"tags": SECRET}),
        ("aws:s3/bucket:Bucket", {"tags": {"owner": SECRET}}),
        # reserved keys
        ("aws:s3/bucket:Bucket", {"tags": {"aws:cloudformation:stack-name": "x"}}),
        ("gcp:storage/bucket:Bucket", {"labels": {"goog-managed-by": "x"}}),
    ],
)
def test_state_tags_only_where_the_type_keeps_them(resource_type: str, props: dict[str, Any]) -> None:
    provider = "pulumi:providers:" + resource_type.split(":", 1)[0]
    defaults = AWS_DEFAULTS if provider.endswith("aws") else {"defaultLabels": json.dumps({"team": "fraud"})}
    expected = {"team": "fraud", "cost-center": "cc-1"} if provider.endswith("aws") else {"team": "fraud"}
    assert effective_tags(resource_type, props, provider, defaults) == expected


def test_state_tags_a_provider_reaches_only_its_own_resources() -> None:
    labels = {"defaultLabels": json.dumps({"team": "recs"})}
    deployment = {"metadata": {"labels": {"component": "feature-store"}}}
    assert effective_tags("kubernetes:apps/v1:Deployment", deployment, "pulumi:providers:gcp", labels) == {
        "component": "feature-store"
    }


def test_state_tags_report_secrets_when_asked() -> None:
    seen: list[str] = []
    effective_tags("aws:s3/bucket:Bucket", {"tags": {"owner": SECRET}}, on_secret=seen.append)
    assert seen == ["tags.owner"]


def test_state_tags_survive_default_tags_beyond_the_limits() -> None:
    deep = {"defaultTags": "[" * 100_000 + "]" * 100_000}
    assert effective_tags("aws:s3/bucket:Bucket", {}, "pulumi:providers:aws", deep) == {}


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5) | st.just(SECRET),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(
        [
            "aws:s3/bucket:Bucket",
            "gcp:container/nodePool:NodePool",
            "kubernetes:batch/v1:Job",
            "aws:kms/alias:Alias",
            "gcp:storage/bucket:Bucket",
        ]
    ),
    st.dictionaries(st.sampled_from(["tags", "labels", "nodeConfig", "metadata", "resourceLabels"]), JSON),
    st.sampled_from(["pulumi:providers:aws", "pulumi:providers:gcp", ""]),
    st.one_of(JSON, st.just(AWS_DEFAULTS)),
)
def test_state_tags_are_always_a_plain_string_map(
    resource_type, props, provider_type, provider_props
) -> None:
    props_map = provider_props if isinstance(provider_props, dict) else {"defaultTags": provider_props}
    tags = effective_tags(resource_type, props, provider_type, props_map)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in tags.items())
    assert SECRET_SIG_KEY not in tags and "ciphertext" not in tags


def test_state_secret_marker_is_the_pulumi_signature() -> None:
    assert is_secret(SECRET) and not is_secret({SECRET_SIG_KEY: "other"}) and not is_secret("x")


def test_state_reader_is_an_input_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text(json.dumps({"version": 3, "deployment": {"resources": [{"urn": 1}]}}))
    with pytest.raises(StateError) as error:
        load_state(path)
    assert (error.value.file, error.value.field, error.value.value) == (
        str(path),
        "deployment.resources[0].urn",
        1,
    )
    assert isinstance(error.value, ValueError)


def test_state_fixture_stack_project_and_outputs() -> None:
    state = load_state(STATES / "aws_good.json")
    assert (state.stack, state.project) == ("fraud-dev", "mlkeel")
    bucket = next(r for r in state.resources if r.name == "fraud-dev-registry-artifacts")
    assert state.effective_tags(bucket)["team"] == "fraud"
