"""The offline engine records the graph as the Pulumi engine would (issue 2: engine fidelity)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stacks.engine import PlanResult, plan_config, plan_stack_file

from . import programs

STACK = "urn:pulumi:test::mlkeel::"
#: The public access block of the bucket the nested component ``Inner`` (inside ``Store``) creates.
INNER_PAB_URN = (
    STACK
    + "mlkeel:index:Store$mlkeel:index:Inner$"
    + "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock::store-inner-pab"
)
WEBHOOK = "https://hooks.example.com/very-secret-token-123"


@pytest.fixture(scope="module")
def graph() -> PlanResult:
    programs.ORDER.clear()
    return plan_config(
        {"mlkeel:team": "fraud", "mlkeel:webhook": WEBHOOK, "aws:region": "us-west-2"},
        secret_keys={"mlkeel:webhook"},
        program=programs.graph_program,
    )


def _urns(result: PlanResult) -> list[str]:
    return [r["urn"] for r in result.resources]


def test_engine_state_is_deployment_version_3_with_stack_first(graph: PlanResult) -> None:
    assert graph.state["version"] == 3
    assert graph.state["deployment"]["manifest"]["version"].startswith("v3.")
    first = graph.resources[0]
    assert (
        first["type"] == "pulumi:pulumi:Stack" and first["urn"] == STACK + "pulumi:pulumi:Stack::mlkeel-test"
    )


def test_engine_urns_carry_the_full_parent_type_chain(graph: PlanResult) -> None:
    urns = _urns(graph)
    assert STACK + "mlkeel:index:Store::store" in urns
    assert STACK + "mlkeel:index:Store$mlkeel:index:Inner::store-inner" in urns
    assert STACK + "mlkeel:index:Store$mlkeel:index:Inner$aws:s3/bucket:Bucket::store-inner-bucket" in urns, (
        "the stock mock monitor keeps only the nearest parent type; the engine keeps the chain"
    )
    assert STACK + "aws:s3/bucket:Bucket::loose" in urns


def test_engine_records_parents_in_registration_order(graph: PlanResult) -> None:
    index = {urn: i for i, urn in enumerate(_urns(graph))}
    for resource in graph.resources:
        if "parent" in resource:
            assert index[resource["parent"]] < index[resource["urn"]]
        for dep in resource.get("dependencies", []):
            assert index[dep] < index[resource["urn"]]
    bucket = graph.by_urn(
        STACK + "mlkeel:index:Store$mlkeel:index:Inner$aws:s3/bucket:Bucket::store-inner-bucket"
    )
    assert bucket["parent"] == STACK + "mlkeel:index:Store$mlkeel:index:Inner::store-inner"


def test_engine_explicit_provider_is_inherited_and_default_provider_is_synthesised(graph: PlanResult) -> None:
    explicit = graph.by_urn(STACK + "pulumi:providers:aws::eu")
    bucket = graph.by_urn(
        STACK + "mlkeel:index:Store$mlkeel:index:Inner$aws:s3/bucket:Bucket::store-inner-bucket"
    )
    assert bucket["provider"] == f"{explicit['urn']}::{explicit['id']}"
    assert json.loads(explicit["inputs"]["defaultTags"]) == {"tags": {"team": "fraud"}}
    default = graph.by_type("pulumi:providers:aws")
    defaults = [p for p in default if p["urn"].endswith("::default_7_51_1")]
    assert len(defaults) == 1 and defaults[0]["inputs"]["region"] == "us-west-2"
    loose = graph.by_urn(STACK + "aws:s3/bucket:Bucket::loose")
    assert loose["provider"] == f"{defaults[0]['urn']}::{defaults[0]['id']}"
    assert loose["outputs"]["region"] == "us-west-2" and bucket["outputs"]["region"] == "eu-west-1"


def test_engine_records_dependencies_and_property_dependencies(graph: PlanResult) -> None:
    bucket_urn = STACK + "mlkeel:index:Store$mlkeel:index:Inner$aws:s3/bucket:Bucket::store-inner-bucket"
    pab = graph.by_urn(INNER_PAB_URN)
    assert pab["dependencies"] == [bucket_urn]
    assert pab["propertyDependencies"] == {"bucket": [bucket_urn]}
    assert pab["inputs"]["bucket"] == graph.by_urn(bucket_urn)["id"]
    topic = graph.by_urn(STACK + "aws:sns/topic:Topic::alerts")
    assert STACK + "aws:s3/bucket:Bucket::loose" in topic["dependencies"]


def test_engine_runs_transforms_in_engine_order(graph: PlanResult) -> None:
    bucket = graph.by_urn(
        STACK + "mlkeel:index:Store$mlkeel:index:Inner$aws:s3/bucket:Bucket::store-inner-bucket"
    )
    # own (none) -> parent (inner) -> grandparent (store) -> stack
    assert bucket["inputs"]["tags"]["order"] == "self,inner,store,stack"
    assert programs.ORDER.index("inner:store-inner-bucket") < programs.ORDER.index("store:store-inner-bucket")
    loose = graph.by_urn(STACK + "aws:s3/bucket:Bucket::loose")
    assert loose["inputs"]["tags"]["order"] == "stack"
    assert bucket["outputs"]["tagsAll"] == {"team": "fraud", "order": "self,inner,store,stack"}


def test_engine_keeps_secrets_secret_in_the_exported_state(graph: PlanResult) -> None:
    text = json.dumps(graph.state)
    assert WEBHOOK not in text and "component-secret" not in text
    subscription = graph.by_urn(STACK + "aws:sns/topicSubscription:TopicSubscription::hook")
    envelope = subscription["inputs"]["endpoint"]
    assert envelope["4dabf18193072939515e22adb298388d"] == "1b47061264138c4ac30d75fd1eb44270"
    assert "ciphertext" in envelope and "value" not in envelope
    assert (
        subscription["outputs"]["endpoint"]["4dabf18193072939515e22adb298388d"]
        == "1b47061264138c4ac30d75fd1eb44270"
    )
    assert "ciphertext" in graph.outputs["webhook"]
    assert graph.outputs["secretKeys"] is True
    assert "ciphertext" in graph.by_urn(STACK + "mlkeel:index:Store::store")["outputs"]["token"]


def test_engine_component_outputs_and_stack_outputs_are_recorded(graph: PlanResult) -> None:
    store = graph.by_urn(STACK + "mlkeel:index:Store::store")
    assert store["custom"] is False and "id" not in store
    assert store["outputs"]["bucketName"] == graph.outputs["bucket"]
    assert graph.outputs["bucket"].startswith("store-inner-bucket-")


def test_engine_outputs_look_like_the_provider_would_answer(graph: PlanResult) -> None:
    topic = graph.by_urn(STACK + "aws:sns/topic:Topic::alerts")
    assert topic["outputs"]["arn"].startswith("arn:aws:sns:us-west-2:123456789012:alerts-")
    pab = graph.by_urn(INNER_PAB_URN)
    assert "arn" not in pab["outputs"], "only types with an arn output get one"


def test_engine_is_deterministic_across_runs(graph: PlanResult) -> None:
    again = plan_config(
        {"mlkeel:team": "fraud", "mlkeel:webhook": WEBHOOK, "aws:region": "us-west-2"},
        secret_keys={"mlkeel:webhook"},
        program=programs.graph_program,
    )
    # Registration order of independent resources may vary (the SDK registers them concurrently, as with
    # the real engine); their content may not.
    assert {r["urn"]: r for r in again.resources} == {r["urn"]: r for r in graph.resources}


def test_engine_spec_errors_surface_before_any_resource(tmp_path: Path) -> None:
    from stacks.stackspec import SpecError

    with pytest.raises(SpecError, match="mlkeel:cloud"):
        plan_config({"mlkeel:team": "t", "mlkeel:cloud": "azure"})


def test_engine_plans_a_stack_file_with_project_defaults(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text(
        "name: demo\nruntime: python\nconfig:\n  team:\n    type: string\n    default: fraud\n"
        "  aws:region:\n    value: eu-west-1\n"
    )
    stack = tmp_path / "Pulumi.dev.yaml"
    stack.write_text("config:\n  demo:webhook:\n    secure: v1:abc\n")

    def program() -> None:
        import pulumi

        config = pulumi.Config()
        pulumi.export("team", config.require("team"))
        pulumi.export("secret", pulumi.runtime.is_config_secret("demo:webhook"))
        pulumi.export("region", pulumi.Config("aws").require("region"))

    result = plan_stack_file(stack, program=program)
    assert result.project == "demo" and result.stack == "dev"
    assert result.outputs == {"team": "fraud", "secret": True, "region": "eu-west-1"}


def test_engine_transform_may_return_outputs_of_other_resources() -> None:
    import pulumi
    import pulumi_aws as aws

    calls: list[str] = []

    def program() -> None:
        first = aws.s3.Bucket("first")

        def name_topic(a: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
            if a.type_ != "aws:sns/topic:Topic":
                return None
            calls.append(a.name)
            return pulumi.ResourceTransformResult({**a.props, "displayName": first.bucket}, a.opts)

        aws.sns.Topic("alerts", opts=pulumi.ResourceOptions(transforms=[name_topic]))

    result = plan_config({}, program=program)
    topic = result.by_type("aws:sns/topic:Topic")[0]
    assert topic["inputs"]["displayName"] == result.by_type("aws:s3/bucket:Bucket")[0]["outputs"]["bucket"]
    assert calls and set(calls) == {"alerts"}
