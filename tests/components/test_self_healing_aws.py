"""Self-healing on AWS: Scheduler → Lambda from the stack's image, its lease table, logs and least privilege.

Read from planned stacks (``self_healing_plans``): the ``full`` stack (network, topic, two endpoints) and
the ``fraud`` example stack. The runtime role is judged by evaluating its parsed policy
document against the controller's calls (``fixtures/self-healing-calls.json``): each is allowed on the
resources it names, anything else (other actions, other teams' resources, data it never touches) is not.
"""

from __future__ import annotations

import json
import os
import re
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import pytest

from components.aws._iam import wildcard_problems
from components.self_healing.aws import (
    CONFIG_VARIABLE,
    CONTROLLER_GRANTS,
    HANDLER,
    IMAGE_TAG,
    LAMBDA_ENVIRONMENT_LIMIT,
    NO_RESOURCE_LEVEL,
    READ_PREFIXES,
    RULES,
    RUNNER_GRANTS,
    VPC_GRANTS,
    WRITE_PREFIXES,
    _checked_environment,
)
from runtime.self_healing import AWS_ACTIONS, BUCKET_PREFIXES
from stacks.engine import PlanResult

from .aws_plans import bare, full, key_arn, name_of, one
from .self_healing_plans import HEALING_PLANS
from .test_iam_documents_lint import ALLOWLIST, SCANNER_PYTHON, allowed_by, documents, run_parliament

CALLS = json.loads(
    (Path(__file__).parent / "fixtures" / "self-healing-calls.json").read_text(encoding="utf-8")
)
FUNCTION = "aws:lambda/function:Function"
TABLE = "aws:dynamodb/table:Table"
SCHEDULE = "aws:scheduler/schedule:Schedule"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
NEW_TYPES = (
    FUNCTION,
    TABLE,
    SCHEDULE,
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
    "aws:ecr/repositoryPolicy:RepositoryPolicy",
)


@pytest.fixture(scope="module", params=sorted(HEALING_PLANS))
def plan(request: pytest.FixtureRequest) -> PlanResult:
    return HEALING_PLANS[request.param]()


def _config(plan: PlanResult) -> dict[str, Any]:
    function = plan.by_type(FUNCTION)[0]["inputs"]
    return dict(json.loads(function["environment"]["variables"][CONFIG_VARIABLE]))


def _runtime_policy(plan: PlanResult) -> dict[str, Any]:
    return dict(json.loads(one(plan, ROLE_POLICY, "self-healing-role-policy")["inputs"]["policy"]))


def _values(plan: PlanResult) -> dict[str, Any]:
    """What the fixture's placeholders stand for in this plan."""
    config = _config(plan)
    return {
        "partition": "aws",
        "region": config["region"],
        "account": "123456789012",
        "prefix": config["stack"],
        "bucket": config["bucket"],
        "key": key_arn(plan),
        "table": plan.by_type(TABLE)[0]["outputs"]["arn"],
        "topic": config["topic_arn"],
        "group": config["model_package_group"],
        "training_role": config["training_role_arn"],
        "model_role": config["model_role_arn"],
        "endpoints": config["endpoints"],
    }


def _expand(template: str, values: dict[str, Any]) -> list[str]:
    fields = {k: v for k, v in values.items() if k != "endpoints"}
    if "{endpoint}" in template:
        return [template.replace("{endpoint}", e).format(**fields) for e in values["endpoints"]]
    return [template.format(**fields)]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def allows(policy: dict[str, Any], action: str, resource: str) -> list[dict[str, Any]]:
    """The Allow statements granting ``action`` on ``resource`` (IAM's case-insensitive action match and
    ``*``/``?`` resource wildcards; conditions are checked by the tests that care about them)."""
    return [
        s
        for s in policy["Statement"]
        if s["Effect"] == "Allow"
        and any(fnmatchcase(action.lower(), a.lower()) for a in _as_list(s["Action"]))
        and any(fnmatchcase(resource, r) for r in _as_list(s["Resource"]))
    ]


# ------------------------------------------------------------------------------------------ resources
def test_self_healing_aws_is_off_unless_the_spec_switches_it_on() -> None:
    for plan in (full(), bare()):
        for token in NEW_TYPES:
            assert plan.by_type(token) == [], token
        assert not [r for r in plan.by_type(ROLE) if "self-healing" in name_of(r)]


def test_self_healing_aws_creates_one_of_each_part(plan: PlanResult) -> None:
    for token in NEW_TYPES:
        assert len(plan.by_type(token)) == 1, token
    assert len([r for r in plan.by_type(ROLE) if "self-healing" in name_of(r)]) == 2


def test_self_healing_aws_lease_table_is_encrypted_recoverable_and_protected(plan: PlanResult) -> None:
    table = plan.by_type(TABLE)[0]["inputs"]
    assert table["hashKey"] == "lease" and table["attributes"] == [{"name": "lease", "type": "S"}]
    assert table["billingMode"] == "PAY_PER_REQUEST"
    assert table["serverSideEncryption"] == {"enabled": True, "kmsKeyArn": key_arn(plan)}
    assert table["pointInTimeRecovery"]["enabled"] is True
    assert table["deletionProtectionEnabled"] is True
    assert table["name"] == f"{_config(plan)['stack']}-self-healing-lease" == _config(plan)["lease_table"]


def test_self_healing_aws_function_runs_the_stack_image_with_its_own_encrypted_logs(plan: PlanResult) -> None:
    function = plan.by_type(FUNCTION)[0]["inputs"]
    repository = plan.by_type("aws:ecr/repository:Repository")[0]["outputs"]["repositoryUrl"]
    assert function["packageType"] == "Image"
    assert function["imageUri"] == f"{repository}:{IMAGE_TAG}"
    assert function["imageConfig"]["commands"] == [HANDLER]
    assert function["timeout"] == 900 and function["reservedConcurrentExecutions"] == 1
    assert function["kmsKeyArn"] == key_arn(plan)
    logs = one(plan, LOG_GROUP, "self-healing-logs")["inputs"]
    assert logs["name"] == f"/aws/lambda/{function['name']}"
    assert function["loggingConfig"]["logGroup"] == logs["name"]
    assert logs["kmsKeyId"] == key_arn(plan)
    assert logs["retentionInDays"] >= 1
    role = one(plan, ROLE, "self-healing-role")
    assert function["role"] == role["outputs"]["arn"]
    trust = json.loads(role["inputs"]["assumeRolePolicy"])["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": "lambda.amazonaws.com"}]
    assert role["inputs"]["path"].startswith("/mlkeel/")  # the key policy lets stack roles use the key


def test_self_healing_aws_function_runs_in_the_stack_private_network(plan: PlanResult) -> None:
    # Serving needs the private network (a spec rule), and self-healing needs serving: always a VPC.
    function = plan.by_type(FUNCTION)[0]["inputs"]
    subnets = sorted(s["outputs"]["id"] for s in plan.by_type("aws:ec2/subnet:Subnet"))
    assert subnets and sorted(function["vpcConfig"]["subnetIds"]) == subnets
    workload = one(plan, "aws:ec2/securityGroup:SecurityGroup", "network-workloads")["outputs"]["id"]
    assert function["vpcConfig"]["securityGroupIds"] == [workload]
    topic = plan.by_type("aws:sns/topic:Topic")[0]["outputs"]["arn"]
    assert function["deadLetterConfig"] == {"targetArn": topic}


def test_self_healing_aws_only_the_function_may_pull_through_the_repository_policy(plan: PlanResult) -> None:
    pull = plan.by_type("aws:ecr/repositoryPolicy:RepositoryPolicy")[0]["inputs"]
    assert pull["repository"] == plan.by_type("aws:ecr/repository:Repository")[0]["inputs"]["name"]
    (stmt,) = json.loads(pull["policy"])["Statement"]
    assert stmt["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert sorted(stmt["Action"]) == ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    name = plan.by_type(FUNCTION)[0]["inputs"]["name"]
    assert stmt["Condition"]["StringLike"]["aws:sourceArn"].endswith(f":function:{name}")


def test_self_healing_aws_schedule_from_the_spec_may_only_invoke_the_function(plan: PlanResult) -> None:
    schedule = plan.by_type(SCHEDULE)[0]["inputs"]
    function = plan.by_type(FUNCTION)[0]
    name = function["inputs"]["name"]
    assert schedule["scheduleExpression"] == "rate(1 hour)" == _config(plan)["policy"]["schedule"]
    assert schedule["kmsKeyArn"] == key_arn(plan) and schedule["state"] == "ENABLED"
    assert schedule["target"]["arn"] == function["outputs"]["arn"]
    role = one(plan, ROLE, "self-healing-scheduler-role")
    assert schedule["target"]["roleArn"] == role["outputs"]["arn"]
    (trust,) = json.loads(role["inputs"]["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"Service": ["scheduler.amazonaws.com"]}
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": "123456789012"}}
    (grant,) = json.loads(one(plan, ROLE_POLICY, "scheduler-role-policy")["inputs"]["policy"])["Statement"]
    assert grant["Action"] == ["lambda:InvokeFunction"]
    assert grant["Resource"] == [f"arn:aws:lambda:{_config(plan)['region']}:123456789012:function:{name}"]


def test_self_healing_aws_config_is_the_controllers_document_within_lambdas_limit(plan: PlanResult) -> None:
    config = _config(plan)
    assert set(config) == {
        "stack", "region", "residency_zone", "bucket", "kms_key_arn", "endpoints", "model_package_group",
        "lease_table", "topic_arn", "training_role_arn", "model_role_arn", "subnet_ids", "security_group_ids",
        "monthly_budget_usd", "budget_name", "cost_tags", "alarms", "rollout", "policy",
    }  # fmt: skip
    assert config["kms_key_arn"] == key_arn(plan)
    assert set(config["alarms"]) == set(config["rollout"]) == set(config["endpoints"])
    for endpoint, alarms in config["alarms"].items():
        assert alarms == [f"{endpoint}-p99-latency", f"{endpoint}-5xx-rate"] or not alarms
    assert config["policy"]["enabled"] is True and config["policy"]["auto_promote"] is True
    text = plan.by_type(FUNCTION)[0]["inputs"]["environment"]["variables"][CONFIG_VARIABLE]
    assert len(CONFIG_VARIABLE) + len(text.encode()) <= LAMBDA_ENVIRONMENT_LIMIT


def test_self_healing_aws_config_over_lambdas_limit_fails_the_plan_naming_the_size() -> None:
    with pytest.raises(ValueError, match=r"is 4\d{3} bytes; Lambda allows 4096"):
        _checked_environment("x" * 4096)


def test_self_healing_aws_names_fit_each_service(plan: PlanResult) -> None:
    for token, rule in ((FUNCTION, "lambda"), (TABLE, "dynamodb-table"), (SCHEDULE, "schedule")):
        name = plan.by_type(token)[0]["inputs"]["name"]
        assert RULES[rule].problem(name) is None, name


# ------------------------------------------------------------------------------------------ least privilege
def test_self_healing_aws_role_allows_every_controller_call_on_its_resources(plan: PlanResult) -> None:
    policy, values = _runtime_policy(plan), _values(plan)
    calls = CALLS["calls"]
    # The component's table, the fixture and the controller's own list name the same calls.
    assert set(calls) == set(CONTROLLER_GRANTS) == set(AWS_ACTIONS)
    missing = []
    for action, templates in calls.items():
        for template in templates:
            for resource in _expand(template, values):
                if not allows(policy, action, resource):
                    missing.append(f"{action} on {resource}")
    assert not missing, "\n".join(missing)


def test_self_healing_aws_bucket_prefixes_are_the_controllers() -> None:
    assert (BUCKET_PREFIXES["read"], BUCKET_PREFIXES["write"]) == (READ_PREFIXES, WRITE_PREFIXES)


def test_self_healing_aws_role_allows_nothing_else(plan: PlanResult) -> None:
    policy, values = _runtime_policy(plan), _values(plan)
    granted = {a for s in policy["Statement"] for a in _as_list(s["Action"])}
    runner = set(RUNNER_GRANTS) | set(VPC_GRANTS)
    assert granted <= set(CALLS["calls"]) | runner, granted - set(CALLS["calls"]) - runner
    for action, template in CALLS["never"]:
        for resource in _expand(template, values):
            assert not allows(policy, action, resource), f"{action} must not be allowed on {resource}"
    assert wildcard_problems(policy) == []
    assert all("*" not in a for a in granted)  # no action wildcards at all


def test_self_healing_aws_role_uses_resource_star_only_without_resource_level_permissions(
    plan: PlanResult,
) -> None:
    for stmt in _runtime_policy(plan)["Statement"]:
        if "*" in _as_list(stmt["Resource"]):
            assert set(stmt["Action"]) <= set(NO_RESOURCE_LEVEL), stmt
    (metrics,) = [s for s in _runtime_policy(plan)["Statement"] if "cloudwatch:PutMetricData" in s["Action"]]
    assert metrics["Condition"] == {"StringEquals": {"cloudwatch:namespace": "mlkeel/ModelMonitoring"}}


def test_self_healing_aws_role_passes_only_the_two_sagemaker_roles_to_sagemaker(plan: PlanResult) -> None:
    values = _values(plan)
    (passing,) = [s for s in _runtime_policy(plan)["Statement"] if "iam:PassRole" in s["Action"]]
    assert passing["Action"] == ["iam:PassRole"]
    assert sorted(passing["Resource"]) == sorted([values["training_role"], values["model_role"]])
    assert passing["Condition"] == {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}


def test_self_healing_aws_role_network_interfaces_only_in_the_stack_vpc(plan: PlanResult) -> None:
    (create,) = [s for s in _runtime_policy(plan)["Statement"] if "ec2:CreateNetworkInterface" in s["Action"]]
    subnets = {s["outputs"]["id"] for s in plan.by_type("aws:ec2/subnet:Subnet")}
    named = {re.sub(r".*:subnet/", "", r) for r in create["Resource"] if ":subnet/" in r}
    assert named == subnets
    groups = {re.sub(r".*:security-group/", "", r) for r in create["Resource"] if ":security-group/" in r}
    assert groups == {one(plan, "aws:ec2/securityGroup:SecurityGroup", "network-workloads")["outputs"]["id"]}


# ------------------------------------------------------------------------------------------ reachability
ENDPOINT_TYPE = "aws:ec2/vpcEndpoint:VpcEndpoint"


def _endpoint(plan: PlanResult, service: str) -> dict[str, Any]:
    found = [e for e in plan.by_type(ENDPOINT_TYPE) if e["inputs"]["serviceName"].endswith(f".{service}")]
    assert len(found) == 1, [e["inputs"]["serviceName"] for e in plan.by_type(ENDPOINT_TYPE)]
    return found[0]


def test_self_healing_aws_lease_is_reachable_from_the_private_subnets_only_for_the_lease_table(
    plan: PlanResult,
) -> None:
    gateway = _endpoint(plan, "dynamodb")
    assert gateway["inputs"]["vpcEndpointType"] == "Gateway"
    policy = json.loads(gateway["inputs"]["policy"])
    table = plan.by_type(TABLE)[0]["outputs"]["arn"]
    assert allows(policy, "dynamodb:UpdateItem", table) and allows(policy, "dynamodb:DeleteItem", table)
    other = re.sub(r"table/.*", "table/other-team-table", table)
    assert not allows(policy, "dynamodb:UpdateItem", other)
    assert not allows(policy, "dynamodb:Scan", table)
    egress = one(plan, "aws:ec2/securityGroup:SecurityGroup", "network-workloads")["inputs"]["egress"]
    assert any("DynamoDB" in rule.get("description", "") and rule.get("prefixListIds") for rule in egress)


def test_self_healing_aws_alerts_are_reachable_from_the_private_subnets_only_to_the_stacks_topics(
    plan: PlanResult,
) -> None:
    sns = _endpoint(plan, "sns")
    assert sns["inputs"]["vpcEndpointType"] == "Interface" and sns["inputs"]["privateDnsEnabled"] is True
    policy = json.loads(sns["inputs"]["policy"])
    topic = _config(plan)["topic_arn"]
    assert allows(policy, "sns:Publish", topic)
    assert not allows(policy, "sns:Publish", re.sub(r":[^:]+$", ":other-team-alerts", topic))
    assert not allows(policy, "sns:Subscribe", topic)


def _key_policy(plan: PlanResult) -> dict[str, Any]:
    return dict(json.loads(one(plan, "aws:kms/key:Key", "encryption-key")["inputs"]["policy"]))


def test_self_healing_aws_key_admits_its_table_function_and_schedule_only_through_their_services(
    plan: PlanResult,
) -> None:
    region = _config(plan)["region"]
    via = {f"{svc}.{region}.amazonaws.com" for svc in ("dynamodb", "lambda", "scheduler")}
    (use,) = [
        s for s in _key_policy(plan)["Statement"] if s["Sid"] == "SelfHealingResourcesThroughTheirServices"
    ]
    assert set(use["Condition"]["StringEquals"]["kms:ViaService"]) == via
    assert use["Condition"]["StringEquals"]["kms:CallerAccount"] == "123456789012"
    assert "kms:CreateGrant" not in use["Action"] and "kms:PutKeyPolicy" not in use["Action"]
    (grants,) = [
        s for s in _key_policy(plan)["Statement"] if s["Sid"] == "GrantsToStackServicesForAwsResources"
    ]
    assert via - {f"scheduler.{region}.amazonaws.com"} <= set(
        grants["Condition"]["StringEquals"]["kms:ViaService"]
    )


def test_self_healing_aws_training_role_reads_the_retrain_inputs_the_controller_writes(
    plan: PlanResult,
) -> None:
    policy = json.loads(one(plan, ROLE_POLICY, "access-training-jobs-policy")["inputs"]["policy"])
    bucket = _config(plan)["bucket"]
    job = f"{_config(plan)['endpoints'][0]}-rt001"
    assert allows(policy, "s3:GetObject", f"arn:aws:s3:::{bucket}/self-healing/training/{job}/train.csv")
    assert not allows(policy, "s3:GetObject", f"arn:aws:s3:::{bucket}/self-healing/audit/2026/x.json")


def test_self_healing_aws_stacks_without_it_get_none_of_its_network_key_or_training_grants() -> None:
    services = {e["inputs"]["serviceName"].rsplit(".", 1)[-1] for e in full().by_type(ENDPOINT_TYPE)}
    assert "dynamodb" not in services and "sns" not in services
    sids = {s["Sid"] for s in _key_policy(full())["Statement"]}
    assert "SelfHealingResourcesThroughTheirServices" not in sids
    training = json.loads(one(full(), ROLE_POLICY, "access-training-jobs-policy")["inputs"]["policy"])
    assert not any("self-healing" in str(s["Resource"]) for s in training["Statement"])


# ------------------------------------------------------------------------------------------ scanners
@pytest.mark.skipif(
    not SCANNER_PYTHON.exists() and not os.environ.get("MLKEEL_REQUIRE_SCANNERS"),
    reason=f"{SCANNER_PYTHON} is missing: run benchmarks/setup_scanners.sh to lint IAM documents",
)
def test_self_healing_aws_policies_pass_parliament_but_reviewed_findings() -> None:
    docs = [
        d
        for name, planned in sorted(HEALING_PLANS.items())
        for d in documents(name, planned())
        if "self-healing" in d["where"]
    ]
    assert len(docs) == 2 * len(HEALING_PLANS)  # the runtime role's policy and the scheduler role's
    entries = json.loads(ALLOWLIST.read_text(encoding="utf-8"))["entries"]
    unreviewed = [
        f"{f['where']}: {f['issue']} {f.get('detail')}"
        for f in run_parliament(docs)
        if allowed_by(f, entries) is None
    ]
    assert not unreviewed, "\n".join(unreviewed)


def test_self_healing_aws_resources_pass_the_policy_pack(tmp_path: Path) -> None:
    from policies._check import check_files

    states = [planned().write(tmp_path / f"{name}.json") for name, planned in sorted(HEALING_PLANS.items())]
    result = check_files(states)
    # Its own resources, and what the network adds for it (the lease and alert endpoints, the egress rule).
    touched = ("self-healing", "aws:ec2/vpcEndpoint:VpcEndpoint", "aws:ec2/securityGroup:SecurityGroup")
    mine = [f"{f.policy}: {f.urn}: {f.message}" for f in result.findings if any(t in f.urn for t in touched)]
    assert not mine, "\n".join(mine)
