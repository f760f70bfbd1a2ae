"""Every rule of the StackSpec models and cross-field checks, each executed once: field path and message.

Each case starts from the sound stack in ``fixtures/spec/good/Pulumi.full-aws.yaml``, changes one thing, and
asserts the issue's path (relative to ``mlkeel:``) and the sentence that says what is allowed.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from stacks.stackspec import SpecError, validate_spec_data

SOUND = Path(__file__).parent / "fixtures" / "spec" / "good" / "Pulumi.full-aws.yaml"
BASE = {
    k.removeprefix("mlkeel:"): v
    for k, v in yaml.safe_load(SOUND.read_text())["config"].items()
    if k.startswith("mlkeel:")
}
POOL = ["training", "pools", 0]
ENDPOINT = ["serving", "endpoints", 0]
GCP = {
    "cloud": "gcp",
    "region": "europe-west4",
    "residencyZone": "eu",
    "project": "fraud-ml-dev",
    "billingAccount": "01ABCD-23EF45-6789AB",
    "training": {"enabled": False},
    "serving": {"endpoints": []},
    "featureStore": {"enabled": False},
    "access": {},
    "encryption": {"rotationDays": 30},
}


def _with(changes: list[tuple[list[Any], Any]]) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    for path, value in changes:
        target: Any = data
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
    return data


CASES = {
    # model rules
    "pool minNodes over maxNodes": (
        [([*POOL, "minNodes"], 5), ([*POOL, "maxNodes"], 2)],
        "training.pools[0]",
        "minNodes (5) must be ≤ maxNodes (2)",
    ),
    "pool with both types and requirements": (
        [([*POOL, "requirements"], {"gpus": 0})],
        "training.pools[0]",
        "give exactly one of 'instanceTypes' (a list of types) or 'requirements'",
    ),
    "pool repeating a type": (
        [([*POOL, "instanceTypes"], ["m5.2xlarge", "m5.2xlarge"])],
        "training.pools[0]",
        "instanceTypes must not repeat a type",
    ),
    "pool names unique": (
        [(["training", "pools", 1, "name"], "cpu")],
        "training",
        "training pool names must be unique",
    ),
    "enabled training needs a pool": (
        [(["training", "pools"], [])],
        "training",
        "enabled training needs at least one pool in 'pools'",
    ),
    "control plane not a CIDR": (
        [(["training", "controlPlaneCidrs"], ["office"])],
        "training.controlPlaneCidrs",
        "'office' is not a CIDR block",
    ),
    "control plane open to the internet": (
        [(["training", "controlPlaneCidrs"], ["0.0.0.0/0"])],
        "training.controlPlaneCidrs",
        "opens the control plane to the internet",
    ),
    "spot wait shorter than runtime": (
        [(["training", "spotJobs", "maxWaitHours"], 6)],
        "training.spotJobs",
        "maxWaitHours (6.0) must be ≥ maxRuntimeHours (12.5)",
    ),
    "feature names unique": (
        [(["featureStore", "groups", 0, "features", 2, "name"], "entity_id")],
        "featureStore.groups[0]",
        "feature names must be unique; repeated: entity_id",
    ),
    "record identifier is a feature": (
        [(["featureStore", "groups", 0, "recordIdentifier"], "user_id")],
        "featureStore.groups[0]",
        "'user_id' must be one of the group's features",
    ),
    "feature group names unique": (
        [(["featureStore", "groups"], [BASE["featureStore"]["groups"][0]] * 2)],
        "featureStore",
        "feature group names must be unique",
    ),
    "enabled feature store needs a group": (
        [(["featureStore", "groups"], [])],
        "featureStore",
        "an enabled feature store needs at least one group in 'groups'",
    ),
    "model source both": (
        [([*ENDPOINT, "variants", 0, "model", "modelPackage"], "pkg/1")],
        "serving.endpoints[0].variants[0].model",
        "give either 'modelPackage' or 'image'",
    ),
    "model source neither": (
        [([*ENDPOINT, "variants", 0, "model"], {})],
        "serving.endpoints[0].variants[0].model",
        "give 'modelPackage' (a registry version) or 'image' and 'artifact'",
    ),
    "canary percent range": (
        [([*ENDPOINT, "rollout", "canaryPercent"], 0)],
        "serving.endpoints[0].rollout.canaryPercent",
        "must be a percentage strictly between 0 and 100",
    ),
    "minReplicas over maxReplicas": (
        [([*ENDPOINT, "minReplicas"], 5)],
        "serving.endpoints[0]",
        "minReplicas (5) must be ≤ maxReplicas (4)",
    ),
    "variant names unique with the shadow": (
        [([*ENDPOINT, "shadow", "name"], "baseline")],
        "serving.endpoints[0]",
        "variant names (including the shadow's) must be unique",
    ),
    "endpoint names unique": (
        [(["serving", "endpoints"], [BASE["serving"]["endpoints"][0]] * 2)],
        "serving",
        "endpoint names must be unique",
    ),
    "threshold out of range": (
        [(["budget", "alertThresholds"], [50, 2000])],
        "budget.alertThresholds",
        "threshold 2000 must be a percentage of the limit between 1 and 1000",
    ),
    "thresholds increasing": (
        [(["budget", "alertThresholds"], [80, 50])],
        "budget.alertThresholds",
        "thresholds must be increasing and distinct",
    ),
    "thresholds distinct": (
        [(["budget", "alertThresholds"], [50, 50])],
        "budget.alertThresholds",
        "thresholds must be increasing and distinct",
    ),
    "tag key syntax": ([(["tags"], {"Product": "x"})], "tags", "tag key 'Product' is not valid"),
    "tag key reserved": ([(["tags"], {"cost-center": "x"})], "tags", "is set by mlkeel from the spec"),
    "network CIDR syntax": (
        [(["network", "cidr"], "10.0.0.0/33")],
        "network.cidr",
        "must be an IPv4 CIDR block",
    ),
    "network CIDR public": (
        [(["network", "cidr"], "8.8.0.0/16")],
        "network.cidr",
        "must be a private IPv4 CIDR block with a prefix between /16 and /22",
    ),
    "resource name": ([([*POOL, "name"], "CPU")], "training.pools[0].name", "must be a short resource name"),
    "feature name": (
        [(["featureStore", "groups", 0, "features", 2, "name"], "Score")],
        "featureStore.groups[0].features[2].name",
        "must be a feature name",
    ),
    # cross-field rules
    "restricted data needs a zone": (
        [(["dataClassification"], "restricted"), (["residencyZone"], "any")],
        "residencyZone",
        "restricted data needs a residency zone, not 'any'",
    ),
    "confidential data needs audit": (
        [(["audit", "enabled"], False)],
        "audit.enabled",
        "confidential data needs audit logging on",
    ),
    "serving needs the network": (
        [(["network", "enabled"], False), (["training", "enabled"], False)],
        "network.enabled",
        "serving endpoints run in the private network; turn it on",
    ),
    "training needs the network": (
        [(["network", "enabled"], False), (["serving", "enabled"], False)],
        "network.enabled",
        "training pools run in the private network; turn it on",
    ),
    "rollback needs monitoring": (
        [(["monitoring", "enabled"], False)],
        "serving.endpoints[0].rollout.rollbackOnAlarms",
        "rollback on alarms needs monitoring on",
    ),
    "AWS key rotation": (
        [(["encryption", "rotationDays"], 30)],
        "encryption.rotationDays",
        "must be between 90 and 365 on AWS KMS",
    ),
    "GCP key rotation": (
        [*[([k], v) for k, v in GCP.items()], (["encryption", "rotationDays"], 180)],
        "encryption.rotationDays",
        "must be ≤ 90 on GCP",
    ),
    "GCP project": (
        [*[([k], v) for k, v in GCP.items() if k != "project"]],
        "project",
        "a GCP stack needs its project id ('project')",
    ),
    "GCP billing account": (
        [*[([k], v) for k, v in GCP.items() if k != "billingAccount"]],
        "billingAccount",
        "a GCP budget needs the billing account id",
    ),
    # strict types and finite numbers
    "boolean is not a number": (
        [([*ENDPOINT, "rollout", "canaryPercent"], True)],
        "serving.endpoints[0].rollout.canaryPercent",
        "must be a number (not true/false, not text)",
    ),
    "text is not a whole number": (
        [([*POOL, "maxNodes"], "4")],
        "training.pools[0].maxNodes",
        "must be a whole number (not true/false, not text)",
    ),
    "number is not a boolean": ([(["audit", "enabled"], 1)], "audit.enabled", "must be true or false"),
    "infinity": (
        [(["training", "pools", 1, "requirements", "minGpuMemoryGib"], float("inf"))],
        "training.pools[1].requirements.minGpuMemoryGib",
        "must be a finite number (not inf or nan)",
    ),
    "not a number": (
        [(["budget", "monthlyLimitUsd"], float("nan"))],
        "budget.monthlyLimitUsd",
        "must be a finite number (not inf or nan)",
    ),
    "Kubernetes version sentence": (
        [(["training", "kubernetesVersion"], "1.2")],
        "training.kubernetesVersion",
        "must be a Kubernetes minor version from 1.28 to 1.39, such as '1.31'",
    ),
    "e-mail sentence": (
        [(["monitoring", "alertEmails"], ["kim"])],
        "monitoring.alertEmails[0]",
        "must be an e-mail address such as name@example.com",
    ),
    "list bound": (
        [(["budget", "alertThresholds"], [])],
        "budget.alertThresholds",
        "must have at least 1 item",
    ),
    "lower bound": ([([*POOL, "diskSizeGib"], 10)], "training.pools[0].diskSizeGib", "must be at least 20"),
    "upper bound": (
        [([*ENDPOINT, "dataCapturePercent"], 101)],
        "serving.endpoints[0].dataCapturePercent",
        "must be at most 100",
    ),
    "empty text": (
        [(["training", "pools", 1, "accelerator"], {"type": ""})],
        "training.pools[1].accelerator.type",
        "must not be empty",
    ),
    "choice": (
        [([*ENDPOINT, "rollout", "strategy"], "blue-green")],
        "serving.endpoints[0].rollout.strategy",
        "must be 'all-at-once', 'canary' or 'linear'",
    ),
    "mapping expected": (
        [(["audit"], "on")],
        "audit",
        "must be a mapping of AuditSpec keys (see docs/spec.md#auditspec)",
    ),
    "unknown persona": (
        [(["access", "personas"], {"admin": ["arn:aws:iam::123456789012:role/a"]})],
        "access.personas.admin",
        "must be 'data-scientist', 'ml-engineer', 'platform-admin' or 'auditor'",
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_spec_rule_names_the_field_and_what_is_allowed(name: str) -> None:
    changes, path, message = CASES[name]
    with pytest.raises(SpecError) as caught:
        validate_spec_data(_with(changes), "Pulumi.fraud-prod.yaml")
    found = [(issue.path, issue.message) for issue in caught.value.issues]
    assert any(p == f"mlkeel:{path}" and message in m for p, m in found), found
    assert all(issue.file == "Pulumi.fraud-prod.yaml" for issue in caught.value.issues)


def test_spec_rule_base_is_sound() -> None:
    assert validate_spec_data(BASE, "Pulumi.fraud-prod.yaml").team == "fraud"


@pytest.mark.parametrize(
    ("cloud", "region", "suggestion"),
    [
        ("aws", "us-east-1 ", "did you mean 'us-east-1'?"),
        ("aws", " US-EAST-1", "did you mean 'us-east-1'?"),
        ("aws", "us-east-1a", "did you mean 'us-east-1'?"),
        ("aws", "us east 1", "regions in residency zone 'us'"),
        ("gcp", "EUROPE-WEST4", "did you mean 'europe-west4'?"),
        ("gcp", "europe-west4-a", "did you mean 'europe-west4'?"),
        ("gcp", "EU", "regions in residency zone 'eu'"),
        ("gcp", "eu", "regions in residency zone 'eu'"),
        ("gcp", "europe-west4\t", "did you mean 'europe-west4'?"),
    ],
)
def test_spec_region_must_be_written_as_the_provider_takes_it(
    cloud: str, region: str, suggestion: str
) -> None:
    base = _with([([k], v) for k, v in GCP.items()]) if cloud == "gcp" else _with([])
    data = {**base, "region": region}
    with pytest.raises(SpecError) as caught:
        validate_spec_data(data, "f")
    [issue] = [i for i in caught.value.issues if i.path == "mlkeel:region"]
    assert issue.value == region and suggestion in issue.message, issue.message


def _suggested(message: str) -> list[str]:
    if "did you mean '" in message:
        return [message.split("did you mean '")[1].split("'")[0]]
    return message.rsplit(": ", 1)[1].split(", ")


@pytest.mark.parametrize(
    ("overrides", "region"),
    [
        ({}, "us-east-1 "),
        ({}, "eu-west-1"),
        ({"residencyZone": "eu"}, "us-east-1"),
        (
            {
                **GCP,
                "serving": BASE["serving"]
                | {
                    "endpoints": [
                        {
                            "name": "api",
                            "instanceType": "n1-standard-4",
                            "variants": [
                                {"name": "blue", "model": {"image": "img:1", "artifact": "gs://b/m/"}}
                            ],
                            "minReplicas": 2,
                        }
                    ]
                },
            },
            "EU",
        ),
        ({**GCP}, "us-central1"),
        ({**GCP, "residencyZone": "uk"}, "europe-west4"),
    ],
)
def test_spec_every_suggested_region_passes_every_check(overrides: dict[str, Any], region: str) -> None:
    """Following a suggestion must never lead to the next error about the region."""
    data = {**_with([([k], v) for k, v in overrides.items()]), "region": region}
    with pytest.raises(SpecError) as caught:
        validate_spec_data(data, "f")
    [issue] = [i for i in caught.value.issues if i.path == "mlkeel:region"]
    suggested = _suggested(issue.message)
    assert suggested, issue.message
    for candidate in suggested:
        try:
            validate_spec_data({**data, "region": candidate}, "f")
        except SpecError as exc:
            assert not [i for i in exc.issues if i.path == "mlkeel:region"], (candidate, str(exc))


def test_every_cloud_the_spec_admits_has_its_rules_and_its_composer() -> None:
    """Both maps are explicit, so a cloud added to the spec without rules or a composer is caught here."""
    import typing

    from components.platform import COMPOSERS
    from stacks.stackspec._model import Cloud
    from stacks.stackspec.rules import CLOUD_RULES

    clouds = set(typing.get_args(Cloud))
    assert set(CLOUD_RULES) == clouds
    assert set(COMPOSERS) == clouds
    for cloud, load in COMPOSERS.items():
        assert load().__module__ == f"components.platform.{cloud}"


@pytest.mark.parametrize(
    ("cloud", "changes"),
    [
        (
            "aws",
            [
                ([*POOL, "instanceTypes"], ["m6i.2xlarge", "zz9.large"]),
                (["budget", "alertThresholds"], [1, 2, 3, 4, 5]),
            ],
        ),
        ("gcp", [(["team"], "9lives"), (["access"], {"personas": {"auditor": ["allUsers"]}})]),
    ],
)
def test_cloud_rules_report_problems_relative_to_the_namespace_and_the_loader_places_them(
    cloud: str, changes: list[tuple[list[Any], Any]]
) -> None:
    from stacks.stackspec import Problem, StackSpec
    from stacks.stackspec.rules import CLOUD_RULES

    data = (
        _with(changes)
        if cloud == "aws"
        else {**_with(changes), **{k: v for k, v in GCP.items() if k != "access"}}
    )
    found = CLOUD_RULES[cloud](StackSpec.model_validate(data))
    assert len(found) == 2 and all(isinstance(p, Problem) and p.file == "" for p in found), found
    assert not any(p.path.startswith("mlkeel:") for p in found), found
    with pytest.raises(SpecError) as caught:
        validate_spec_data(data, "Pulumi.x.yaml")
    placed = {(p.file, p.path) for p in caught.value.issues}
    assert {("Pulumi.x.yaml", f"mlkeel:{p.path}") for p in found} <= placed
