"""``keel export --format terraform-plan``: Terraform names and shapes, references, secrets, reporting.

The fixture ``fixtures/export/shapes-state.json`` is a trimmed real plan of fraud-dev (a bucket with
its public-access block and lifecycle, an EKS cluster and its key, a VPC and a security group in it) plus
hand-made edge cases: a secret tag, a property no Terraform resource has, a beta-only GCP type, two logical
names that sanitise to the same identifier and one starting with a digit.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlkeel.state import SECRET_SIG, SECRET_SIG_KEY, from_document, load_state
from stacks.export.names import TYPE_EXCEPTIONS, snake, terraform_type, type_candidates
from stacks.export.terraform_plan import SCHEMA_PATH, export_state, load_schema, render

from .export_plans import example_states  # noqa: F401  (a session fixture)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "export"
SHAPES = FIXTURES / "shapes-state.json"
IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


@pytest.fixture(scope="module")
def shapes() -> dict[str, Any]:
    return export_state(load_state(SHAPES)).document


def _planned(document: dict[str, Any], address: str) -> dict[str, Any]:
    return next(r for r in document["planned_values"]["root_module"]["resources"] if r["address"] == address)


def _expressions(document: dict[str, Any], address: str) -> dict[str, Any]:
    resources = document["configuration"]["root_module"]["resources"]
    return dict(next(r for r in resources if r["address"] == address)["expressions"])


# -- names --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "aws_s3_bucket_public_access_block"),
        ("aws:ec2/vpc:Vpc", "aws_vpc"),
        ("aws:cloudtrail/trail:Trail", "aws_cloudtrail"),
        ("gcp:projects/iAMMember:IAMMember", "google_project_iam_member"),
        ("gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember", "google_kms_crypto_key_iam_member"),
        ("mlkeel:index:AwsNetwork", None),
        ("pulumi:providers:aws", None),
        ("kubernetes:core/v1:Namespace", None),
    ],
)
def test_type_tokens_map_to_terraform_types_in_the_schema(token: str, expected: str | None) -> None:
    assert terraform_type(token, load_schema().types) == expected


def test_type_exceptions_name_types_the_schema_has_and_derivation_cannot_find() -> None:
    """An exception that derivation would find anyway, or that names a missing type, is dead weight."""
    types = load_schema().types
    for token, tf_type in TYPE_EXCEPTIONS.items():
        derived = [c for c in type_candidates(token) if c != tf_type]
        assert not any(c in types for c in derived), token
    used = set(json.loads(SCHEMA_PATH.read_text())["types"].values())
    assert {t for t in TYPE_EXCEPTIONS.values() if t in used} <= types


def test_snake_case_keeps_acronyms_together() -> None:
    assert snake("iAMMember") == "iam_member"
    assert snake("kmsKeyId") == "kms_key_id"
    assert snake("cryptoKeyIAMMember") == "crypto_key_iam_member"


# -- shapes -------------------------------------------------------------------------------------------------
def test_single_nested_blocks_become_a_list_of_one(shapes: dict[str, Any]) -> None:
    values = _planned(shapes, "aws_eks_cluster.fraud_dev_training_cluster")["values"]
    assert isinstance(values["vpc_config"], list) and len(values["vpc_config"]) == 1
    assert values["vpc_config"][0]["endpoint_private_access"] is True
    assert values["encryption_config"][0]["provider"] == [
        {"key_arn": values["encryption_config"][0]["provider"][0]["key_arn"]}
    ]
    assert values["enabled_cluster_log_types"][0] == "api"  # a set of scalars stays a flat list


def test_pluralised_block_lists_take_the_terraform_block_name(shapes: dict[str, Any]) -> None:
    values = _planned(shapes, "aws_s3_bucket_lifecycle_configuration.fraud_dev_registry_artifacts_lifecycle")[
        "values"
    ]
    assert "rules" not in values and len(values["rule"]) == 7
    tiering = next(r for r in values["rule"] if r["id"] == "models-intelligent-tiering")
    assert tiering["transition"] == [{"storage_class": "INTELLIGENT_TIERING", "days": 0}]
    assert tiering["filter"] == [{"prefix": "models/"}]
    expiring = next(r for r in values["rule"] if r["id"] == "expire-checkpoints")
    assert expiring["expiration"] == [{"days": 365}]


def test_tag_maps_stay_maps_and_keep_their_keys(shapes: dict[str, Any]) -> None:
    values = _planned(shapes, "aws_security_group.fraud_dev_network_endpoints")["values"]
    assert values["tags"]["cost-center"] == "cc-4411" and values["tags"]["Name"] == "fraud-dev-vpc-endpoints"
    assert values["tags_all"]["team"] == "fraud"
    assert (
        values["ingress"][0]["cidr_blocks"] == ["10.40.0.0/16"] and values["ingress"][0]["from_port"] == 443
    )


def test_addresses_are_unique_terraform_identifiers(shapes: dict[str, Any]) -> None:
    planned = shapes["planned_values"]["root_module"]["resources"]
    addresses = [r["address"] for r in planned]
    assert len(addresses) == len(set(addresses))
    assert {"aws_vpc.fraud_dev_network_vpc", "aws_vpc.fraud_dev_network_vpc_2"} <= set(addresses)
    assert "aws_cloudwatch_log_group._90_day_logs" in addresses
    for r in planned:
        assert IDENTIFIER.match(r["name"]) and r["address"] == f"{r['type']}.{r['name']}"


# -- references ---------------------------------------------------------------------------------------------
def test_property_dependencies_become_references(shapes: dict[str, Any]) -> None:
    bucket = "aws_s3_bucket.fraud_dev_registry_artifacts"
    pab = _expressions(shapes, "aws_s3_bucket_public_access_block.fraud_dev_registry_artifacts_public_access")
    assert pab["bucket"] == {"references": [f"{bucket}.id", bucket]}
    assert pab["block_public_acls"] == {"constant_value": True}
    sg = _expressions(shapes, "aws_security_group.fraud_dev_network_endpoints")
    assert sg["vpc_id"]["references"] == ["aws_vpc.fraud_dev_network_vpc.id", "aws_vpc.fraud_dev_network_vpc"]
    eks = _expressions(shapes, "aws_eks_cluster.fraud_dev_training_cluster")
    assert eks["encryption_config"]["references"][1] == "aws_kms_key.fraud_dev_encryption_key"


def test_example_stacks_reference_only_exported_addresses(example_states: dict[str, Path]) -> None:  # noqa: F811
    connected = 0
    for path in example_states.values():
        document = export_state(load_state(path)).document
        addresses = {r["address"] for r in document["planned_values"]["root_module"]["resources"]}
        for conf in document["configuration"]["root_module"]["resources"]:
            for expression in conf["expressions"].values():
                for ref in expression.get("references", []):
                    assert ref.removesuffix(".id") in addresses, (path.name, conf["address"], ref)
                    connected += 1
    assert connected > 100


# -- secrets ------------------------------------------------------------------------------------------------
def test_secret_tag_is_left_out_and_marked_sensitive(shapes: dict[str, Any]) -> None:
    bucket = _planned(shapes, "aws_s3_bucket.fraud_dev_registry_artifacts")
    assert "secret-tag" not in bucket["values"]["tags"]
    assert bucket["sensitive_values"]["tags"] == {"secret-tag": True}
    assert "fixture-secret-tag-value" not in json.dumps(shapes)


def _place(data: st.DataObject, node: Any, secret: dict[str, str]) -> Any:
    """``node`` with ``secret`` put somewhere inside: replacing a value, added as a key, or as an item."""
    if isinstance(node, dict) and node and data.draw(st.booleans()):
        key = data.draw(st.sampled_from(sorted(node)))
        return {**node, key: _place(data, node[key], secret)}
    if isinstance(node, list) and node and data.draw(st.booleans()):
        i = data.draw(st.integers(0, len(node) - 1))
        return [*node[:i], _place(data, node[i], secret), *node[i + 1 :]]
    if isinstance(node, dict):
        key = data.draw(st.sampled_from(["tags", "name", "policy", "vpcConfig", "rules", "newKey"]))
        return {**node, key: secret}
    if isinstance(node, list):
        return [*node, secret]
    return secret


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(), text=st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=12, max_size=24)
)
def test_a_secret_anywhere_in_a_state_never_reaches_the_export(data: st.DataObject, text: str) -> None:
    document = json.loads(SHAPES.read_text())
    resources = document["deployment"]["resources"]
    i = data.draw(st.integers(0, len(resources) - 1))
    part = data.draw(st.sampled_from(["inputs", "outputs"]))
    marker = f"zz{text}zz"
    form = data.draw(st.sampled_from(["plaintext", "ciphertext", "value"]))
    secret = {SECRET_SIG_KEY: SECRET_SIG, form: json.dumps(marker) if form == "plaintext" else marker}
    resources[i][part] = _place(data, copy.deepcopy(resources[i].get(part) or {}), secret)
    out = render(export_state(from_document(document, "generated.json")))
    assert marker not in out


def test_schema_sensitive_attributes_are_left_out() -> None:
    """GCP ``effective_labels`` is secret in pulumi-gcp (the bridge's Sensitive): withheld even in plain."""
    document = json.loads(SHAPES.read_text())
    document["deployment"]["resources"].append(
        {
            "urn": "urn:pulumi:fraud-dev::mlkeel::gcp:storage/bucket:Bucket::b",
            "custom": True,
            "type": "gcp:storage/bucket:Bucket",
            "id": "b",
            "inputs": {},
            "outputs": {"name": "b", "location": "EU", "effectiveLabels": {"k": "plain-label-value"}},
        }
    )
    out = export_state(from_document(document, "generated.json")).document
    bucket = _planned(out, "google_storage_bucket.b")
    assert (
        "effective_labels" not in bucket["values"] and bucket["sensitive_values"]["effective_labels"] is True
    )
    assert "plain-label-value" not in json.dumps(out)


# -- reporting ----------------------------------------------------------------------------------------------
def test_unmapped_types_and_unknown_properties_are_reported(shapes: dict[str, Any]) -> None:
    assert shapes["mlkeel_unmapped"] == {
        "gcp:projects/serviceIdentity:ServiceIdentity": 1,
        "mlkeel:index:AwsModelRegistry": 1,
        "mlkeel:index:Platform": 1,
        "pulumi:providers:aws": 1,
        "pulumi:pulumi:Stack": 1,
    }
    assert shapes["mlkeel_unknown_properties"] == ["aws_vpc.fraud_dev_network_vpc: mlkeelNotAProperty"]
    assert "mlkeel_not_a_property" not in json.dumps(shapes["planned_values"])


def test_committed_schema_covers_every_type_the_example_and_template_stacks_create(
    example_states: dict[str, Path],  # noqa: F811
) -> None:
    schema = json.loads(SCHEMA_PATH.read_text())
    known_unmapped = set(schema["unmapped"])
    tokens = {
        r.type
        for path in example_states.values()
        for r in load_state(path).resources
        if r.custom and r.type.split(":", 1)[0] in ("aws", "gcp")
    }
    missing = sorted(t for t in tokens if t not in schema["types"] and t not in known_unmapped)
    assert not missing, f"regenerate with scripts/terraform_schema.py: {missing}"
    for token in tokens - known_unmapped:
        assert schema["types"][token] in schema["resources"], token


# -- the plan format ----------------------------------------------------------------------------------------
def _check_plan_format(document: dict[str, Any]) -> None:
    """What Checkov's terraform_plan runner needs (checkov/terraform/plan_parser.py, plan_utils.py): a
    ``terraform_version``; managed resources in ``planned_values.root_module`` with type, name, address and
    a ``values`` object; one ``resource_changes`` entry and one ``configuration`` entry per address, the
    latter found by (type, name); ``references`` as lists of strings."""
    assert document["format_version"] == "1.2" and document["terraform_version"]
    planned = document["planned_values"]["root_module"]["resources"]
    changes = {c["address"]: c for c in document["resource_changes"]}
    configured = {(c["type"], c["name"]): c for c in document["configuration"]["root_module"]["resources"]}
    assert len(changes) == len(planned) == len(configured)
    for r in planned:
        assert r["mode"] == "managed" and r["address"] == f"{r['type']}.{r['name']}"
        assert r["provider_name"].startswith("registry.terraform.io/hashicorp/")
        assert isinstance(r["values"], dict) and isinstance(r["sensitive_values"], dict)
        change = changes[r["address"]]["change"]
        assert change["actions"] == ["create"] and change["after"] == r["values"]
        for expression in configured[(r["type"], r["name"])]["expressions"].values():
            assert set(expression) <= {"references", "constant_value"}
            assert all(isinstance(x, str) for x in expression.get("references", []))


def test_exports_of_every_example_stack_have_the_plan_format(example_states: dict[str, Path]) -> None:  # noqa: F811
    for path in example_states.values():
        result = export_state(load_state(path))
        _check_plan_format(json.loads(render(result)))
        state_types = {r.type for r in load_state(path).resources}
        if not any(t.startswith(("aws:", "gcp:")) for t in state_types):
            # A `cloud: kubernetes` stack has no Terraform resources; its objects are Kubernetes manifests,
            # which Checkov scans as such (policies/coverage.py).
            assert result.exported == 0
            continue
        assert result.exported > 50 and not [t for t in result.unmapped if t.startswith("aws:")]


# -- the command --------------------------------------------------------------------------------------------
def _keel(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from stacks.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(args)
        raise SystemExit(0)
    captured = capsys.readouterr()
    return int(exit_info.value.code or 0), captured.out, captured.err


def test_cli_writes_the_plan_atomically_and_summarises(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "plan.json"
    code, stdout, stderr = _keel(
        ["export", str(SHAPES), "--format", "terraform-plan", "-o", str(out)], capsys
    )
    assert code == 0 and stdout == ""
    assert "exported 9 resources" in stderr and "gcp:projects/serviceIdentity:ServiceIdentity" in stderr
    assert len(stderr.strip().splitlines()) == 1
    _check_plan_format(json.loads(out.read_text()))
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]  # no temporary file left beside it


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "not found"),
        ("{not json", "JSON"),
        ('{"version": 2, "deployment": {}}', "version"),
        ('{"version": 3, "deployment": {"resources": [{"urn": "x"}]}}', "deployment.resources[0]"),
    ],
)
def test_cli_bad_state_exits_2_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None, expected: str
) -> None:
    state = tmp_path / "state.json"
    if content is not None:
        state.write_text(content)
    code, stdout, stderr = _keel(["export", str(state)], capsys)
    assert code == 2 and str(state) in stderr and expected in stderr, stderr
    assert "Traceback" not in stderr and stdout == ""


def test_cli_bad_format_exits_2_naming_the_choices(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, stderr = _keel(["export", str(SHAPES), "--format", "hcl"], capsys)
    assert code == 2 and "'hcl'" in stderr and "terraform-plan" in stderr
