"""AWS self-healing with ``budget.costExportS3Uri``: both runners (the Lambda function and the EKS CronJob)
hand the controller the export's URI, and their role may list exactly that prefix of the export's bucket and
read the objects below it: nothing more than without it, no wildcard beyond ``prefix*``.

Planned with the offline engine from the example stack ``Pulumi.fraud-dev.yaml`` with ``selfHealing`` on,
with and without the export, for each runner.
"""

from __future__ import annotations

import asyncio
import json
import os
from functools import cache
from typing import Any

import pytest

from components.aws._iam import wildcard_problems
from stacks.engine import PlanResult, plan_config
from stacks.engine._config import load_stack_config

from .aws_plans import FRAUD_STACK
from .kubernetes_plans import kubernetes_objects, manifest
from .self_healing_plans import SELF_HEALING, healing_fraud, healing_fraud_eks
from .test_iam_documents_lint import ALLOWLIST, SCANNER_PYTHON, allowed_by, documents, run_parliament
from .test_self_healing_aws import allows

URI = "s3://billing-exports-123456789012/cur/"
BUCKET_ARN = "arn:aws:s3:::billing-exports-123456789012"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"


@cache
def _plan(runner: str) -> PlanResult:
    stack = load_stack_config(FRAUD_STACK)
    budget = {**json.loads(stack.values["mlkeel:budget"]), "costExportS3Uri": URI}
    section = {**SELF_HEALING, "runner": runner}
    values = {**stack.values, "mlkeel:selfHealing": json.dumps(section), "mlkeel:budget": json.dumps(budget)}
    try:
        asyncio.get_event_loop_policy().get_event_loop()
    except RuntimeError:
        asyncio.set_event_loop(asyncio.new_event_loop())
    return plan_config(values, stack=stack.stack, project=stack.project)


WITHOUT = {"lambda": healing_fraud, "kubernetes": healing_fraud_eks}


def _policy(plan: PlanResult) -> dict[str, Any]:
    (policy,) = [
        r
        for r in plan.by_type(ROLE_POLICY)
        if "SelfHealing" in r["urn"] and r["urn"].endswith("self-healing-role-policy")
    ]
    return dict(json.loads(policy["inputs"]["policy"]))


def _config(plan: PlanResult, runner: str) -> dict[str, Any]:
    if runner == "lambda":
        (function,) = [r for r in plan.by_type("aws:lambda/function:Function") if "SelfHealing" in r["urn"]]
        return dict(json.loads(function["inputs"]["environment"]["variables"]["MLKEEL_SELF_HEALING_CONFIG"]))
    (config_map,) = [
        manifest(r)
        for r in kubernetes_objects(plan)
        if "SelfHealing" in r["urn"] and r["type"].endswith(":ConfigMap")
    ]
    return dict(json.loads(config_map["data"]["config.json"]))


@pytest.mark.parametrize("runner", ["lambda", "kubernetes"])
def test_the_controller_config_carries_the_cost_export_uri_on_both_runners(runner: str) -> None:
    from runtime.self_healing._config import load_config

    config = _config(_plan(runner), runner)
    assert config["cost_export_uri"] == URI
    parsed = load_config(json.dumps(config), source=runner)
    assert parsed.cost_export_uri == URI and parsed.stack_tags() == {"team": "fraud", "environment": "dev"}
    # stacks without the field keep their configuration as it was (no new key)
    assert "cost_export_uri" not in _config(WITHOUT[runner](), runner)


@pytest.mark.parametrize("runner", ["lambda", "kubernetes"])
def test_the_role_may_list_the_prefix_and_read_below_it_and_nothing_more(runner: str) -> None:
    with_export, without = _policy(_plan(runner)), _policy(WITHOUT[runner]())
    added = [s for s in with_export["Statement"] if s not in without["Statement"]]
    assert added == [
        {
            "Sid": "S3CostExportList",
            "Effect": "Allow",
            "Action": ["s3:ListBucket"],
            "Resource": [BUCKET_ARN],
            "Condition": {"StringEquals": {"s3:prefix": "cur/"}},
        },
        {
            "Sid": "S3CostExportRead",
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": [f"{BUCKET_ARN}/cur/*"],
        },
    ]
    assert len(with_export["Statement"]) == len(without["Statement"]) + 2
    assert allows(
        with_export, "s3:GetObject", f"{BUCKET_ARN}/cur/mlkeel-focus/data/BILLING_PERIOD=2026-12/x.csv.gz"
    )
    for action, resource in [
        ("s3:GetObject", f"{BUCKET_ARN}/other/secret.csv"),
        ("s3:PutObject", f"{BUCKET_ARN}/cur/x.csv.gz"),
        ("s3:GetObject", "arn:aws:s3:::billing-exports-123456789012-other/cur/x.csv.gz"),
    ]:
        assert not allows(with_export, action, resource), (action, resource)
    assert wildcard_problems(with_export) == []


@pytest.mark.skipif(
    not SCANNER_PYTHON.exists() and not os.environ.get("MLKEEL_REQUIRE_SCANNERS"),
    reason=f"{SCANNER_PYTHON} is missing: run benchmarks/setup_scanners.sh to lint IAM documents",
)
def test_the_role_with_the_cost_export_passes_parliament_but_reviewed_findings() -> None:
    docs = [d for d in documents("fraud-cost-export", _plan("lambda")) if "self-healing" in d["where"]]
    entries = json.loads(ALLOWLIST.read_text(encoding="utf-8"))["entries"]
    unreviewed = [
        f"{f['where']}: {f['issue']} {f.get('detail')}"
        for f in run_parliament(docs)
        if allowed_by(f, entries) is None
    ]
    assert not unreviewed, "\n".join(unreviewed)


@pytest.mark.parametrize("runner", ["lambda", "kubernetes"])
def test_the_s3_gateway_lets_the_stack_read_the_export_prefix_and_nothing_more_of_its_bucket(
    runner: str,
) -> None:
    """The controller runs in the private subnets: its read leaves through the S3 gateway endpoint, whose
    policy names only the stack's buckets plus, read only, this prefix (no write to a bucket outside)."""

    def gateway(plan: PlanResult) -> dict[str, Any]:
        (s3,) = [
            e
            for e in plan.by_type("aws:ec2/vpcEndpoint:VpcEndpoint")
            if e["inputs"]["serviceName"].endswith(".s3")
        ]
        return dict(json.loads(s3["inputs"]["policy"]))

    with_export, without = gateway(_plan(runner)), gateway(WITHOUT[runner]())
    added = [s for s in with_export["Statement"] if s not in without["Statement"]]
    assert [(s["Action"], s["Resource"], s.get("Condition")) for s in added] == [
        (["s3:ListBucket"], [BUCKET_ARN], {"StringEquals": {"s3:prefix": "cur/"}}),
        (["s3:GetObject"], [f"{BUCKET_ARN}/cur/*"], None),
    ]
    assert all(s["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"} for s in added)
    assert not allows(with_export, "s3:PutObject", f"{BUCKET_ARN}/cur/x")
