"""``GcpBudget``: a Cloud Billing budget for the stack, alerting the stack's channels at each threshold.

The budget counts the stack's project, narrowed to resources labelled with the stack's ``team`` label
(Cloud Billing budgets accept one label filter today), so a project shared by teams still gives each team
its own budget. Threshold rules are the spec's percentages on current spend; the stack's monitoring
notification channels (and the billing account's admins, by default) get every alert.
"""

from collections.abc import Sequence

import pulumi
import pulumi_gcp as gcp

from components.gcp._naming import gcp_name
from components.gcp.args import GcpCapabilityArgs
from components.tagging import capability_options


class GcpBudgetArgs(GcpCapabilityArgs):
    project_number: pulumi.Input[str]
    billing_account: str
    monthly_limit_usd: float
    alert_thresholds: Sequence[int]
    """Percentages of the limit (50, 80, 100...)."""
    notification_channels: Sequence[pulumi.Input[str]]


def amount_units(usd: float) -> tuple[str, int]:
    """Whole dollars as the string ``units`` field and the remainder as ``nanos``."""
    units = int(usd)
    return str(units), round((usd - units) * 1e9)


class GcpBudget(pulumi.ComponentResource):
    """The stack's monthly budget (see module docstring)."""

    def __init__(self, name: str, args: GcpBudgetArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(
            "mlkeel:index:GcpBudget", name, None, capability_options(opts, args["tags"], "budget")
        )
        units, nanos = amount_units(args["monthly_limit_usd"])
        channels = list(args["notification_channels"])
        budget = gcp.billing.Budget(
            f"{name}-budget",
            billing_account=args["billing_account"],
            display_name=gcp_name("budget", args["prefix"], "mlkeel-monthly"),
            budget_filter=gcp.billing.BudgetBudgetFilterArgs(
                projects=[pulumi.Output.concat("projects/", args["project_number"])],
                labels={"team": args["tags"]["team"]},
                calendar_period="MONTH",
                credit_types_treatment="INCLUDE_ALL_CREDITS",
            ),
            amount=gcp.billing.BudgetAmountArgs(
                specified_amount=gcp.billing.BudgetAmountSpecifiedAmountArgs(
                    currency_code="USD", units=units, nanos=nanos or None
                )
            ),
            threshold_rules=[
                gcp.billing.BudgetThresholdRuleArgs(threshold_percent=t / 100, spend_basis="CURRENT_SPEND")
                for t in args["alert_thresholds"]
            ],
            all_updates_rule=gcp.billing.BudgetAllUpdatesRuleArgs(
                monitoring_notification_channels=channels,
                disable_default_iam_recipients=False,
            )
            if channels
            else None,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.budget_id = budget.id
        self.register_outputs({"budget": budget.id})
