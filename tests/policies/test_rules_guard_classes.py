"""The issue-19 rule classes judge the whole class and only it: the forms they must leave alone pass, and
their settings widen or tighten them as documented (the failing forms are the cases in fixtures/cases)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from policies.analyzer import parse_state
from policies.rules import RULES_BY_ID
from policies.testing import Outcome, run_rule

from ._kit import base_state, resource_urn

OTHER_ACCOUNT = "999988887777"


def _outcome(rule_id: str, data: dict, config: dict[str, Any] | None = None) -> Outcome:
    return run_rule(RULES_BY_ID[rule_id](), parse_state(json.dumps(data), Path("case.json")), config)


def _set(data: dict, name: str, **values: Any) -> None:
    urn = resource_urn(data, name)
    target = next(r for r in data["deployment"]["resources"] if r["urn"] == urn)
    for key in ("inputs", "outputs"):
        target[key].update(json.loads(json.dumps(values)))


def _trust(statement: dict) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", **statement}]})


def test_another_account_may_assume_a_role_with_an_external_id_or_organisation_condition() -> None:
    for condition in (
        {"StringEquals": {"sts:ExternalId": "vendor-4411"}},
        {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}},
    ):
        data = base_state("aws_good.json")
        principal = {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:role/ci"}
        _set(data, "fraud-dev-access-ml-engineer", assumeRolePolicy=_trust(
            {"Principal": principal, "Action": "sts:AssumeRole", "Condition": condition}
        ))  # fmt: skip
        assert _outcome("MLK_IAM_005", data).violations == [], condition


def test_trusted_accounts_setting_admits_an_organisation_account_without_conditions() -> None:
    data = base_state("aws_good.json")
    _set(data, "fraud-dev-access-ml-engineer", assumeRolePolicy=_trust(
        {"Principal": {"AWS": f"arn:aws:iam::{OTHER_ACCOUNT}:root"}, "Action": "sts:AssumeRole"}
    ))  # fmt: skip
    assert _outcome("MLK_IAM_005", data).violations
    assert _outcome("MLK_IAM_005", data, {"trustedAccounts": [OTHER_ACCOUNT]}).violations == []


def test_the_account_a_service_trust_names_is_the_stacks_own() -> None:
    data = base_state("aws_good.json")
    # Both service trusts (SageMaker's and the Pod Identity agent's) go, and the association using one.
    names = (
        "fraud-dev-access-data-scientist",
        "fraud-dev-self-healing-role",
        "fraud-dev-self-healing-identity",
    )
    gone = {resource_urn(data, name) for name in names}
    data["deployment"]["resources"] = [r for r in data["deployment"]["resources"] if r["urn"] not in gone]
    outcome = _outcome("MLK_IAM_005", data)
    # Without the service trusts' aws:SourceAccount nothing says 123456789012 is the stack's own account.
    assert [u for u, _ in outcome.violations] == [resource_urn(data, "fraud-dev-access-ml-engineer")]


def test_deny_acl_entries_egress_and_deny_firewalls_from_anywhere_pass() -> None:
    aws = base_state("aws_good.json")
    every_port = {"protocol": "-1", "fromPort": 0, "toPort": 0}
    _set(aws, "fraud-dev-network-acl", ingress=[
        {"ruleNo": 50, "action": "deny", "cidrBlock": "0.0.0.0/0", **every_port},
        {"ruleNo": 100, "action": "allow", "cidrBlock": "10.40.0.0/16", **every_port},
    ])  # fmt: skip
    _set(aws, "fraud-dev-network-acl-https", egress=True, cidrBlock="0.0.0.0/0")
    assert _outcome("MLK_NET_007", aws).violations == []
    for change in (
        {"direction": "EGRESS", "destinationRanges": ["0.0.0.0/0"], "sourceRanges": None},
        {"allows": [], "denies": [{"protocol": "all"}], "sourceRanges": ["0.0.0.0/0"]},
        {"disabled": True, "sourceRanges": ["0.0.0.0/0"]},
        {"sourceRanges": None, "sourceTags": ["gke-nodes"]},
    ):
        gcp = base_state("gcp_good.json")
        _set(gcp, "vision-prod-network-allow-internal", **change)
        assert _outcome("MLK_NET_007", gcp).violations == [], change


def test_unscoped_actions_setting_decides_what_may_run_on_every_resource() -> None:
    data = base_state("aws_good.json")
    policy = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["ec2:DescribeSubnets", "xray:PutTraceSegments"], "Resource": "*"}
    ]}  # fmt: skip
    _set(data, "fraud-dev-access-data-scientist-policy", policy=json.dumps(policy))
    messages = [m for _, m in _outcome("MLK_IAM_008", data).violations]
    assert len(messages) == 1 and "xray:PutTraceSegments" in messages[0] and "ec2:" not in messages[0]
    widened = {"unscopedActions": ["ec2:Describe*", "xray:PutTraceSegments"]}
    assert _outcome("MLK_IAM_008", data, widened).violations == []


def test_wildcard_actions_on_every_resource_are_left_to_the_wildcard_rule() -> None:
    data = base_state("aws_good.json")
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
    _set(data, "fraud-dev-access-data-scientist-policy", policy=json.dumps(policy))
    assert _outcome("MLK_IAM_008", data).violations == []
    assert _outcome("MLK_IAM_001", data).violations


def test_mfa_delete_is_required_only_for_the_configured_classifications() -> None:
    data = base_state("aws_good.json")
    _set(
        data,
        "fraud-dev-registry-artifacts",
        tags={"component": "registry", "data-classification": "restricted"},
    )
    assert _outcome("MLK_RET_003", data).violations == []
    required = _outcome("MLK_RET_003", data, {"mfaDeleteClassifications": ["restricted"]}).violations
    assert [u for u, _ in required] == [resource_urn(data, "fraud-dev-registry-artifacts")]
    _set(data, "fraud-dev-registry-artifacts-versioning",
         versioningConfiguration={"status": "Enabled", "mfaDelete": "Enabled"})  # fmt: skip
    assert _outcome("MLK_RET_003", data, {"mfaDeleteClassifications": ["restricted"]}).violations == []


def test_a_cluster_without_node_config_that_removes_its_default_pool_is_judged_by_its_pools() -> None:
    data = base_state("gcp_good.json")
    urn = resource_urn(data, "vision-prod-training-cluster")
    cluster = next(r for r in data["deployment"]["resources"] if r["urn"] == urn)
    for key in ("inputs", "outputs"):
        cluster[key].pop("nodeConfig", None)
        cluster[key]["removeDefaultNodePool"] = True
    assert _outcome("MLK_CLUSTER_001", data).violations == []
    for key in ("inputs", "outputs"):
        cluster[key]["removeDefaultNodePool"] = False
    assert [u for u, _ in _outcome("MLK_CLUSTER_001", data).violations] == [urn, urn]
