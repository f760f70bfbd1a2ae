"""When a review fails: a stack over its budget fails it unless the change lowers the cost; a head that
cannot be planned fails it; the budget's state shows in the comment and in JUnit."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest

from runtime.cost import BudgetCheck, CostLine, Estimate, ResourceCost, diff_estimates
from stacks.review import Review, Revision, StackChange, StackReview, render_junit, render_markdown

FILE = "stacks/config/Pulumi.fraud-dev.yaml"


def _estimate(monthly: float) -> Estimate:
    line = CostLine("Instances", "hours", 730.0, monthly / 730.0, monthly, monthly, monthly)
    endpoint = ResourceCost(
        urn="urn:pulumi:fraud-dev::mlkeel::aws:sagemaker/endpoint:Endpoint::e",
        name="fraud-dev-serving-scorer-endpoint",
        type="aws:sagemaker/endpoint:Endpoint",
        cloud="AWS",
        region="us-east-1",
        tags={"team": "fraud"},
        service_name="Amazon SageMaker",
        service_category="AI and Machine Learning",
        status="priced",
        lines=[line],
    )
    return Estimate(["fraud-dev"], [endpoint], catalog_source="test", catalog_as_of="2025-05-01")


def _review(delta: float, *, limit: float = 1000.0, head_total: float = 1500.0, error: str = "") -> Review:
    diff = diff_estimates(_estimate(head_total - delta), _estimate(head_total))
    stack = StackReview(
        change=StackChange("fraud-dev", "modified", FILE, FILE),
        diff=diff,
        budget=BudgetCheck(limit_usd=limit, estimate_usd=head_total, low_usd=head_total, high_usd=head_total),
    )
    if error:
        stack.errors["head"] = error
    return Review(base=Revision("main", "a" * 40), head=Revision("pr", "b" * 40), stacks=[stack], cost=diff)


def test_a_change_that_adds_cost_to_a_stack_over_budget_fails() -> None:
    review = _review(delta=+300.0)
    assert review.exit_code == 1 and [s.stack for s in review.over_budget] == ["fraud-dev"]
    comment = render_markdown(review)
    assert "1 stack over budget" in comment and "| fraud-dev | $1,000.00 | $1,500.00 (150%) |" in comment
    assert "❌ over by $500.00" in comment
    junit = ET.fromstring(render_junit(review).split("\n", 1)[1])
    [failure] = [c for c in junit.iter("testcase") if c.get("classname") == "mlkeel.budget"]
    assert failure.find("failure") is not None


def test_a_change_that_lowers_the_cost_of_a_stack_over_budget_passes() -> None:
    review = _review(delta=-200.0)
    assert review.exit_code == 0 and review.over_budget == []
    assert "(this change lowers it)" in render_markdown(review)


@pytest.mark.parametrize(("limit", "expected"), [(2000.0, 0), (1499.99, 1)])
def test_the_budget_line_is_the_point_estimate(limit: float, expected: int) -> None:
    assert _review(delta=+10.0, limit=limit).exit_code == expected


def test_a_head_that_cannot_be_planned_fails_and_says_why() -> None:
    review = _review(
        delta=0.0, limit=5000.0, error="Pulumi.fraud-dev.yaml: serving.endpoints[0].minReplicas = 0"
    )
    assert review.exit_code == 1
    comment = render_markdown(review)
    assert "1 stack could not be planned" in comment and "minReplicas = 0" in comment
