"""AwsBudget: a monthly cost budget on the team's cost tag, actual and forecast alerts to an encrypted
topic, every cost tag key activated for billing (issue 2)."""

from __future__ import annotations

from mlkeel.contracts import COST_TAG_KEYS
from stacks.engine import PlanResult

from .aws_plans import PLANS, bare, full, full_config, key_arn, one


def test_budget_aws_filters_the_team_tag_and_alerts_the_topic() -> None:
    plan = full()
    budget = plan.by_type("aws:budgets/budget:Budget")[0]["inputs"]
    assert budget["costFilters"] == [{"name": "TagKeyValue", "values": ["user:team$payments"]}]
    assert budget["limitAmount"] == "25000.00" and budget["timeUnit"] == "MONTHLY"
    assert budget["budgetType"] == "COST" and budget["limitUnit"] == "USD"
    topic = plan.by_type("aws:sns/topic:Topic")[0]["outputs"]["arn"]
    actual = sorted(n["threshold"] for n in budget["notifications"] if n["notificationType"] == "ACTUAL")
    assert actual == sorted(full_config()["mlkeel:budget"]["alertThresholds"])
    assert all(n["subscriberSnsTopicArns"] == [topic] for n in budget["notifications"])
    tags = sorted(
        t["inputs"]["tagKey"] for t in plan.by_type("aws:costexplorer/costAllocationTag:CostAllocationTag")
    )
    assert tags == sorted(COST_TAG_KEYS)


def test_budget_aws_every_budget_warns_on_the_forecast_before_the_money_is_spent(
    aws_plan: PlanResult,
) -> None:
    for budget in aws_plan.by_type("aws:budgets/budget:Budget"):
        forecast = [n for n in budget["inputs"]["notifications"] if n["notificationType"] == "FORECASTED"]
        assert len(forecast) == 1
        assert forecast[0]["threshold"] == 100 and forecast[0]["thresholdType"] == "PERCENTAGE"
        assert forecast[0]["comparisonOperator"] == "GREATER_THAN"


def test_budget_aws_is_named_for_the_stack_and_filters_its_team(aws_plan: PlanResult) -> None:
    team = aws_plan.stack.split("-")[0]
    for budget in aws_plan.by_type("aws:budgets/budget:Budget"):
        assert budget["inputs"]["name"] == f"{aws_plan.stack}-monthly"
        assert budget["inputs"]["costFilters"][0]["values"] == [f"user:team${team}"]
        assert float(budget["inputs"]["limitAmount"]) > 0 and budget["inputs"]["limitAmount"].count(".") == 1


def test_budget_aws_brings_its_own_encrypted_topic_without_monitoring() -> None:
    plan = bare()
    topics = plan.by_type("aws:sns/topic:Topic")
    assert [t["inputs"]["name"] for t in topics] == ["growth-test-budget-alerts"]
    assert topics[0]["inputs"]["kmsMasterKeyId"] == key_arn(plan)
    budget = plan.by_type("aws:budgets/budget:Budget")[0]["inputs"]
    assert all(n["subscriberSnsTopicArns"] == [topics[0]["outputs"]["arn"]] for n in budget["notifications"])
    publish = one(plan, "aws:sns/topicPolicy:TopicPolicy", "-budget-alerts-policy")["inputs"]["policy"]
    assert "budgets.amazonaws.com" in publish and "aws:SourceAccount" in publish
    emails = [s["inputs"]["endpoint"] for s in plan.by_type("aws:sns/topicSubscription:TopicSubscription")]
    assert emails == ["growth@example.com"]


def test_budget_aws_with_monitoring_uses_its_topic_and_makes_none() -> None:
    for name in ("full", "fraud", "small_aws"):
        plan = PLANS[name]()
        assert not [
            t for t in plan.by_type("aws:sns/topic:Topic") if t["inputs"]["name"].endswith("-budget-alerts")
        ]
