"""GCP-only spec rules: machine types per region, GPUs per machine family, names, principals (issue 3).

Every case goes through ``stacks.stackspec.spec_from_config``, the path ``keel plan`` and
``keel new-team`` take, and pins the field path, the bad value and what the message says is allowed.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from components.gcp._accelerators import ACCELERATORS, BUNDLED_FAMILIES
from runtime.pricing import load_catalog
from stacks.stackspec import SpecError, spec_from_config

FILE = "Pulumi.fraud-dev.yaml"


def config(**overrides: Any) -> dict[str, str]:
    """A sound GCP dev stack; keyword overrides replace ``mlkeel:<key>`` values."""
    base: dict[str, Any] = {
        "team": "fraud",
        "environment": "dev",
        "cloud": "gcp",
        "region": "europe-west4",
        "residencyZone": "eu",
        "dataClassification": "confidential",
        "costCenter": "cc-1",
        "owner": "ana",
        "project": "fraud-ml-dev",
        "billingAccount": "01ABCD-23EF45-6789AB",
        "training": {"enabled": True, "pools": [{"name": "gpu", "instanceTypes": ["g2-standard-8"]}]},
        "serving": {
            "endpoints": [
                {
                    "name": "scorer",
                    "instanceType": "n1-standard-4",
                    "variants": [{"name": "main", "model": {"image": "img:1", "artifact": "gs://b/m"}}],
                }
            ]
        },
    }
    base.update(overrides)
    return {f"mlkeel:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in base.items()}


def pool(**fields: Any) -> dict[str, Any]:
    return {"enabled": True, "pools": [{"name": "gpu", **fields}]}


def issues(cfg: dict[str, str]) -> list[tuple[str, Any, str]]:
    with pytest.raises(SpecError) as caught:
        spec_from_config(cfg, FILE)
    assert all(i.file == FILE for i in caught.value.issues)
    return [(i.path, i.value, i.message) for i in caught.value.issues]


def test_gcp_spec_rules_accept_a_sound_stack() -> None:
    spec = spec_from_config(config(), FILE)
    assert spec.cloud == "gcp" and spec.training.pools[0].instance_types == ["g2-standard-8"]


def test_gcp_spec_rules_refuse_unknown_machine_type_with_nearest_names() -> None:
    [(path, value, message)] = issues(config(training=pool(instanceTypes=["n1-standrd-8"])))
    assert path == "mlkeel:training.pools[0].instanceTypes[0]" and value == "n1-standrd-8"
    assert "not a machine type offered in europe-west4" in message and "'n1-standard-8'" in message


def test_gcp_spec_rules_point_out_aws_instance_types() -> None:
    [(path, value, message)] = issues(config(training=pool(instanceTypes=["g5.xlarge"])))
    assert path == "mlkeel:training.pools[0].instanceTypes[0]"
    assert value == "g5.xlarge" and "looks like an AWS instance type" in message


def test_gcp_spec_rules_refuse_machine_type_missing_in_region() -> None:
    # a2 machines exist in europe-west4 but not in europe-west2 (London; catalog facts).
    cfg = config(region="europe-west2", residencyZone="uk", training=pool(instanceTypes=["a2-highgpu-1g"]))
    [(path, value, message)] = issues(cfg)
    assert path == "mlkeel:training.pools[0].instanceTypes[0]"
    assert value == "a2-highgpu-1g" and "europe-west2" in message


@pytest.mark.parametrize(
    ("machine", "accelerator", "field", "needle"),
    [
        (
            "n2-standard-8",
            {"type": "nvidia-tesla-t4", "count": 1},
            "type",
            "attaches to n1 machine types only",
        ),
        ("n1-standard-8", {"type": "nvidia-l4", "count": 1}, "type", "comes only with g2 machine types"),
        (
            "n1-standard-8",
            {"type": "nvidia-tesla-a100", "count": 1},
            "type",
            "comes only with a2 machine types",
        ),
        (
            "n1-standard-8",
            {"type": "nvidia-h100-80gb", "count": 8},
            "type",
            "comes only with a3 machine types",
        ),
        (
            "a2-highgpu-1g",
            {"type": "nvidia-tesla-a100", "count": 2},
            "count",
            "comes with 1 × nvidia-tesla-a100",
        ),
        ("a2-highgpu-1g", {"type": "nvidia-a100-80gb", "count": 1}, "type", "comes with nvidia-tesla-a100"),
        ("n1-standard-8", {"type": "nvidia-tesla-t4", "count": 3}, "count", "counts of 1, 2, 4"),
        ("n1-standard-16", {"type": "nvidia-tesla-v100", "count": 1}, "count", "at most 12 vCPUs"),
        ("n1-standard-8", {"type": "t4", "count": 1}, "type", "did you mean 'nvidia-tesla-t4'"),
    ],
)
def test_gcp_spec_rules_refuse_accelerators_that_do_not_fit_the_machine(
    machine: str, accelerator: dict[str, Any], field: str, needle: str
) -> None:
    found = issues(config(training=pool(instanceTypes=[machine], accelerator=accelerator)))
    assert any(p == f"mlkeel:training.pools[0].accelerator.{field}" and needle in m for p, _, m in found), (
        found
    )


def test_gcp_spec_rules_refuse_accelerator_not_offered_in_region() -> None:
    # V100 is priced in europe-west4 but not in europe-west1.
    found = issues(
        config(
            region="europe-west1",
            training=pool(
                instanceTypes=["n1-standard-8"], accelerator={"type": "nvidia-tesla-v100", "count": 1}
            ),
        )
    )
    assert ("mlkeel:training.pools[0].accelerator.type", "nvidia-tesla-v100") in [(p, v) for p, v, _ in found]
    assert any("not offered in europe-west1" in m for _, _, m in found)


def test_gcp_spec_rules_accept_attached_and_bundled_gpus() -> None:
    spec = spec_from_config(
        config(
            training={
                "enabled": True,
                "pools": [
                    {
                        "name": "t4",
                        "instanceTypes": ["n1-standard-8"],
                        "accelerator": {"type": "nvidia-tesla-t4", "count": 2},
                    },
                    {
                        "name": "a100",
                        "instanceTypes": ["a2-highgpu-2g"],
                        "accelerator": {"type": "nvidia-tesla-a100", "count": 2},
                    },
                ],
            }
        ),
        FILE,
    )
    assert [p.name for p in spec.training.pools] == ["t4", "a100"]


def test_gcp_spec_rules_check_serving_machine_and_variant_types() -> None:
    endpoint = {
        "name": "scorer",
        "instanceType": "n1-standard-4",
        "accelerator": {"type": "nvidia-l4", "count": 1},
        "variants": [
            {
                "name": "main",
                "instanceType": "ml.g5.xlarge",
                "model": {"image": "img:1", "artifact": "gs://b/m"},
            }
        ],
    }
    found = issues(config(serving={"endpoints": [endpoint]}))
    paths = [p for p, _, _ in found]
    assert "mlkeel:serving.endpoints[0].accelerator.type" in paths
    assert "mlkeel:serving.endpoints[0].variants[0].instanceType" in paths


def test_gcp_spec_rules_refuse_region_outside_the_residency_zone() -> None:
    found = issues(config(region="us-central1"))
    assert ("mlkeel:region", "us-central1") in [(p, v) for p, v, _ in found]
    assert any("outside residency zone 'eu'" in m and "europe-west4" in m for _, _, m in found)


def test_gcp_spec_rules_refuse_region_without_catalog_facts() -> None:
    found = issues(config(region="europe-west3"))
    assert any(
        p == "mlkeel:region" and "keel cost refresh-prices --region europe-west3" in m for p, _, m in found
    )


def test_gcp_spec_rules_refuse_team_names_gcp_cannot_start_resources_with() -> None:
    found = issues(config(team="9lives"))
    assert any(p == "mlkeel:team" and "start with a lowercase letter" in m for p, _, m in found)
    found = issues(config(team="fraud_ops"))
    assert any(p == "mlkeel:team" and "'-' rather than '_'" in m for p, _, m in found)


@pytest.mark.parametrize(
    "principal", ["allUsers", "allAuthenticatedUsers", "domain:example.com", "arn:aws:iam::1:role/x"]
)
def test_gcp_spec_rules_refuse_principals_that_are_not_members(principal: str) -> None:
    found = issues(config(access={"personas": {"auditor": ["user:a@example.com", principal]}}))
    assert [(p, v) for p, v, _ in found] == [("mlkeel:access.personas.auditor[1]", principal)]


def test_gcp_spec_rules_need_room_for_one_node_pool_per_machine_type() -> None:
    found = issues(
        config(
            training=pool(
                instanceTypes=["g2-standard-8", "g2-standard-12", "a2-highgpu-1g"], minNodes=1, maxNodes=2
            )
        )
    )
    assert any(
        p == "mlkeel:training.pools[0].maxNodes" and "at least minNodes + 2 (3)" in m for p, _, m in found
    )


def test_gcp_spec_rules_report_every_problem_at_once() -> None:
    found = issues(
        config(
            team="ops_1",
            training=pool(instanceTypes=["n9-huge"]),
            access={"personas": {"auditor": ["allUsers"]}},
        )
    )
    assert {p for p, _, _ in found} >= {
        "mlkeel:team",
        "mlkeel:training.pools[0].instanceTypes[0]",
        "mlkeel:access.personas.auditor[0]",
    }


def test_gcp_accelerator_table_agrees_with_the_pricing_catalog() -> None:
    """Two independent sources (compatibility table, price catalog) must name the same families."""
    cat = load_catalog()
    seen = 0
    for region in cat.regions("gcp"):
        for acc in cat.accelerators("gcp", region):
            rule = ACCELERATORS.get(acc.name)
            assert rule is not None, f"catalog accelerator {acc.name} missing from the compatibility table"
            assert acc.attaches_to in rule.families and acc.bundled == rule.bundled, acc
            seen += 1
        for it in cat.instance_types("gcp", region):
            if it.gpu_type:
                assert it.family in BUNDLED_FAMILIES and it.family in ACCELERATORS[it.gpu_type].families, it
    assert seen > 0


def test_cloud_rules_import_no_pulumi() -> None:
    """``keel new-team`` runs the rules of both clouds; neither may pull in Pulumi's SDKs."""
    import subprocess
    import sys

    code = "import sys, stacks.stackspec.rules; print('pulumi' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "False"


_WEST4 = sorted(it.name for it in load_catalog().instance_types("gcp", "europe-west4"))


@settings(max_examples=40, deadline=None)
@given(machine=st.sampled_from(_WEST4))
def test_gcp_spec_rules_accept_every_catalog_machine_of_the_region(machine: str) -> None:
    spec = spec_from_config(config(training=pool(instanceTypes=[machine])), FILE)
    assert spec.training.pools[0].instance_types == [machine]


@settings(max_examples=40, deadline=None)
@given(machine=st.from_regex(r"[a-z][a-z0-9]{1,3}-[a-z]{3,9}-[0-9]{1,3}", fullmatch=True))
def test_gcp_spec_rules_refuse_every_machine_the_region_does_not_offer(machine: str) -> None:
    if machine in _WEST4:
        return
    found = issues(config(training=pool(instanceTypes=[machine])))
    assert ("mlkeel:training.pools[0].instanceTypes[0]", machine) in [(p, v) for p, v, _ in found]
