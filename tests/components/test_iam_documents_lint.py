"""Every IAM document of the planned AWS stacks passes parliament, AWS's action/resource/condition tables.

Our own checks (``wildcard_problems``) only know what we taught them; the grants issue 13 found broken (a
condition key an action never carries, an action missing the resource type it needs) were invisible to
them. parliament knows which resources and condition keys each action takes. It runs from its own venv
(``benchmarks/setup_scanners.sh`` creates ``.venv-scanners``), over one subprocess for all stacks.

Linted: identity policies (role policies, inline role policies, the permissions boundary) and resource
policies (bucket, key, topic, VPC endpoint policies). Not linted: role trust policies, which have no
``Resource`` by design; parliament reads them as malformed identity policies.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from stacks.engine import PlanResult

from .aws_plans import PLANS, ROOT, name_of, one

HERE = Path(__file__).resolve().parent
SCANNER_PYTHON = ROOT / ".venv-scanners" / "bin" / "python"
RUNNER = HERE / "scanners" / "parliament_run.py"
ALLOWLIST = HERE / "fixtures" / "parliament-allowlist.json"
KNOWN_BAD = HERE / "fixtures" / "parliament-known-bad.json"
#: (type token, input) of every policy document parliament reads.
LINTED = (
    ("aws:iam/rolePolicy:RolePolicy", "policy"),
    ("aws:iam/policy:Policy", "policy"),
    ("aws:s3/bucketPolicy:BucketPolicy", "policy"),
    ("aws:kms/key:Key", "policy"),
    ("aws:sns/topicPolicy:TopicPolicy", "policy"),
    ("aws:ec2/vpcEndpoint:VpcEndpoint", "policy"),
)

# scripts/test.sh sets MLKEEL_REQUIRE_SCANNERS=1 after building the environment: in CI a missing scanner
# fails.
pytestmark = pytest.mark.skipif(
    not SCANNER_PYTHON.exists() and not os.environ.get("MLKEEL_REQUIRE_SCANNERS"),
    reason=(
        f"{SCANNER_PYTHON} is missing: run benchmarks/setup_scanners.sh to lint IAM documents with parliament"
    ),
)


def documents(plan_name: str, plan: PlanResult) -> list[dict[str, Any]]:
    """Every linted policy of one plan, named ``<plan>:<logical name without stack prefix>.<input>``."""
    prefix = str(one(plan, "aws:iam/policy:Policy", "-access-boundary")["inputs"]["name"]).removesuffix(
        "-boundary"
    )
    out = []
    for token, key in LINTED:
        for resource in plan.by_type(token):
            text = resource["inputs"].get(key)
            if isinstance(text, str) and text.strip():
                short = name_of(resource).removeprefix(f"{prefix}-")
                out.append({"where": f"{plan_name}:{short}.{key}", "policy": json.loads(text)})
    for role in plan.by_type("aws:iam/role:Role"):
        for inline in role["inputs"].get("inlinePolicies") or []:
            short = name_of(role).removeprefix(f"{prefix}-")
            out.append(
                {
                    "where": f"{plan_name}:{short}.inline.{inline['name']}",
                    "policy": json.loads(inline["policy"]),
                }
            )
    return out


def run_parliament(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    result = subprocess.run(
        [str(SCANNER_PYTHON), str(RUNNER)],
        input=json.dumps({"documents": docs}),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return list(json.loads(result.stdout))


@cache
def findings() -> tuple[int, list[dict[str, Any]]]:
    docs = [d for name in sorted(PLANS) for d in documents(name, PLANS[name]())]
    return len(docs), run_parliament(docs)


def finding_actions(finding: dict[str, Any]) -> set[str]:
    """The actions a finding is about: community auditors put them in the location,
    RESOURCE_STAR in detail."""
    location = finding.get("location") or {}
    if isinstance(location, dict) and location.get("actions"):
        return {str(a).lower() for a in location["actions"]}
    detail = finding.get("detail")
    if isinstance(detail, str) and detail.startswith("["):
        return {a.strip(" '\"").lower() for a in detail.strip("[]").split(",") if a.strip()}
    return set()


def allowed_by(finding: dict[str, Any], entries: list[dict[str, Any]]) -> set[int] | None:
    """The allowlist entries that together cover every action of ``finding``,
    or None if some action is not."""
    policy = finding["where"].split(":", 1)[1]
    actions = finding_actions(finding)
    if not actions:
        return None
    used = set()
    for action in actions:
        matches = [
            i
            for i, e in enumerate(entries)
            if e["issue"] == finding["issue"] and re.fullmatch(e["policy"], policy) and action in e["actions"]
        ]
        if not matches:
            return None
        used.update(matches)
    return used


def test_iam_documents_lint_parliament_flags_the_broken_grants_it_is_here_for() -> None:
    known = json.loads(KNOWN_BAD.read_text(encoding="utf-8"))["documents"]
    reported = run_parliament([{"where": d["where"], "policy": d["policy"]} for d in known])
    for doc in known:
        issues = {f["issue"] for f in reported if f["where"] == doc["where"]}
        assert doc["expect"] in issues, (
            f"parliament no longer reports {doc['expect']} for {doc['where']}: {issues}"
        )


def test_iam_documents_lint_every_stack_policy_passes_parliament_but_reviewed_findings() -> None:
    count, reported = findings()
    assert count >= 40, f"only {count} documents collected: the collector lost some"
    entries = json.loads(ALLOWLIST.read_text(encoding="utf-8"))["entries"]
    for entry in entries:
        assert entry["reason"].strip() and entry["actions"], entry
    used: set[int] = set()
    unreviewed = []
    for finding in reported:
        covering = allowed_by(finding, entries)
        if covering is None:
            unreviewed.append(
                f"{finding['where']}: {finding['issue']} {finding['detail']} {finding['location']}"
            )
        else:
            used |= covering
    assert not unreviewed, "parliament findings nobody reviewed:\n" + "\n".join(unreviewed)
    stale = [entries[i]["issue"] + " " + entries[i]["policy"] for i in range(len(entries)) if i not in used]
    assert not stale, f"allowlist entries that match nothing any more (remove them): {stale}"
