"""AWS budget: a monthly cost budget filtered by the stack's ``team`` tag, alerting the SNS topic.

The filter is the cost-allocation tag ``team`` (``user:team$<team>``), so the budget sees every resource
the team's stacks tag, whichever service bills it. Tags only reach billing data once they are activated as
cost-allocation tags; this component activates every mlkeel cost tag key (``aws.costexplorer.
CostAllocationTag``). Activation is account-wide and kept when a stack is destroyed (other stacks rely on
it), and AWS only accepts keys it has already seen on a resource, which can take up to 24 hours after the
first tagged resource exists: a first ``pulumi up`` in a fresh account may need a second run a day later.
"""

from typing import NotRequired

import pulumi
import pulumi_aws as aws

from components.aws._iam import document, statement
from components.aws._naming import aws_name
from components.aws.args import AwsKeyedArgs
from components.tagging import capability_options
from mlkeel.contracts import COST_TAG_KEYS


class AwsBudgetArgs(AwsKeyedArgs):
    """Inputs of :class:`AwsBudget`."""

    team: str
    monthly_limit_usd: float
    alert_thresholds: list[int]
    topic_arn: NotRequired[pulumi.Input[str] | None]
    """The monitoring topic; when monitoring is off the budget creates its own encrypted topic."""
    alert_emails: NotRequired[list[str]]


def team_filter(team: str) -> str:
    """The Budgets cost filter value of a user tag: ``user:<key>$<value>``."""
    return f"user:team${team}"


class AwsBudget(pulumi.ComponentResource):
    """Monthly cost budget on the team tag with actual and forecast alerts; cost-allocation tags active."""

    budget_name: pulumi.Output[str]

    def __init__(self, name: str, args: AwsBudgetArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(
            "mlkeel:index:AwsBudget", name, None, capability_options(opts, args["tags"], "budget")
        )
        child = pulumi.ResourceOptions(parent=self)
        topic_arn = args.get("topic_arn")
        if topic_arn is None:
            topic = aws.sns.Topic(
                f"{name}-alerts",
                name=aws_name("sns-topic", args["prefix"], "budget-alerts"),
                kms_master_key_id=args["encryption_key"],
                opts=child,
            )
            aws.sns.TopicPolicy(
                f"{name}-alerts-policy",
                arn=topic.arn,
                policy=document(
                    [
                        statement(
                            "BudgetsPublish",
                            ["sns:Publish"],
                            [topic.arn],
                            principal={"Service": "budgets.amazonaws.com"},
                            conditions={"StringEquals": {"aws:SourceAccount": args["account_id"]}},
                        )
                    ]
                ),
                opts=child,
            )
            for index, email in enumerate(args.get("alert_emails") or []):
                aws.sns.TopicSubscription(
                    f"{name}-alerts-email-{index}",
                    topic=topic.arn,
                    protocol="email",
                    endpoint=email,
                    opts=child,
                )
            topic_arn = topic.arn
        notifications = [
            aws.budgets.BudgetNotificationArgs(
                comparison_operator="GREATER_THAN",
                threshold=threshold,
                threshold_type="PERCENTAGE",
                notification_type="ACTUAL",
                subscriber_sns_topic_arns=[topic_arn],
            )
            for threshold in args["alert_thresholds"]
        ]
        # Warn before the money is spent: the forecast crossing the limit.
        notifications.append(
            aws.budgets.BudgetNotificationArgs(
                comparison_operator="GREATER_THAN",
                threshold=100,
                threshold_type="PERCENTAGE",
                notification_type="FORECASTED",
                subscriber_sns_topic_arns=[topic_arn],
            )
        )
        budget = aws.budgets.Budget(
            f"{name}-monthly",
            name=aws_name("budget", args["prefix"], "monthly"),
            budget_type="COST",
            time_unit="MONTHLY",
            limit_amount=f"{args['monthly_limit_usd']:.2f}",
            limit_unit="USD",
            cost_filters=[
                aws.budgets.BudgetCostFilterArgs(name="TagKeyValue", values=[team_filter(args["team"])])
            ],
            notifications=notifications,
            opts=child,
        )
        for key in COST_TAG_KEYS:
            aws.costexplorer.CostAllocationTag(
                f"{name}-tag-{key}",
                tag_key=key,
                status="Active",
                opts=pulumi.ResourceOptions(parent=self, retain_on_delete=True),
            )
        self.budget_name = budget.name
        self.register_outputs({"budget_name": budget.name, "topic_arn": topic_arn})
