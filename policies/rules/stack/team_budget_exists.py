"""MLK_STACK_002: a budget filtered by the team's tag exists for every team in the stack."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from pulumi_policy import EnforcementLevel, PolicyResource, Severity

from mlkeel.taggable import is_taggable

from .._base import Resource, RuleMeta, StackRule, as_list, dig

AWS_BUDGET = "aws:budgets/budget:Budget"
GCP_BUDGET = "gcp:billing/budget:Budget"


def _aws_budget_teams(budget: PolicyResource) -> set[str]:
    teams: set[str] = set()
    for f in as_list(dig(budget.props, "costFilters")):
        if dig(f, "name") == "TagKeyValue":
            for value in as_list(dig(f, "values")):
                text = str(value).removeprefix("user:")
                if text.startswith("team$"):
                    teams.add(text.split("$", 1)[1])
    return teams


def _gcp_budget_teams(budget: PolicyResource) -> set[str]:
    labels = dig(budget.props, "budgetFilter.labels")
    if not isinstance(labels, Mapping) or "team" not in labels:
        return set()
    return {str(v) for v in as_list(labels["team"])}


class TeamBudgetExists(StackRule):
    meta = RuleMeta(
        id="MLK_STACK_002",
        name="team-budget-exists",
        title="Ensure a budget filtered by the team tag exists for every team in the stack",
        description="For each `team` value on the stack's taggable AWS/GCP resources there is an AWS budget "
        "with a `TagKeyValue` cost filter `user:team$<team>` or a GCP billing budget with "
        "`budgetFilter.labels.team`.",
        why="A budget with alerts is the one control that catches a runaway training job or endpoint before "
        "the invoice does.",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.ADVISORY,
        resources={
            AWS_BUDGET: "costFilters[name=TagKeyValue].values",
            GCP_BUDGET: "budgetFilter.labels.team",
        },
        remediation="Turn on the budget capability in the stack spec.",
    )

    def check(
        self, resources: Sequence[PolicyResource], config: Mapping[str, Any]
    ) -> Iterator[tuple[str, str]]:
        teams: dict[str, str] = {}
        covered: set[str] = set()
        for r in resources:
            if r.resource_type == AWS_BUDGET:
                covered |= _aws_budget_teams(r)
            elif r.resource_type == GCP_BUDGET:
                covered |= _gcp_budget_teams(r)
            elif r.resource_type.split(":", 1)[0] in ("aws", "gcp") and is_taggable(r.resource_type):
                team = Resource.from_args(r).effective_tags().get("team")
                if team:
                    teams.setdefault(team, r.urn)
        for team, urn in sorted(teams.items()):
            if team not in covered:
                yield (f"team {team!r} must have a budget filtered by its team tag (found none).", urn)
