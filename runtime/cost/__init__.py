"""Cost: monthly estimates from stack states, tag rollups, diffs, finance reports and actual spend.

``estimate_cost`` / ``CostEstimator`` price a ``pulumi stack export`` state against the pricing catalog
and a usage file; ``rollup_by_tag`` and ``tag_coverage`` allocate it; ``diff_estimates`` compares two
states; ``render`` writes table, markdown, FOCUS CSV or HTML; ``aws_actuals`` / ``gcp_actuals`` fetch
real spend in the same shape; ``check_state_budget`` is the budget input of the policy pack.
"""

from runtime._errors import NotFittedError
from runtime.cost._actuals import (
    ActualsError,
    aws_actuals,
    bigquery_runner,
    duckdb_runner,
    gcp_actuals,
    gcp_actuals_sql,
    gcp_query_params,
)
from runtime.cost._budget import (
    BUDGET_OUTPUT_KEY,
    BudgetCheck,
    BudgetError,
    budget_from_outputs,
    budget_from_stack_file,
    budget_limit,
    budget_limit_from_resources,
    check_budget,
    check_resources_budget,
    check_state_budget,
)
from runtime.cost._diff import CostDiff, ResourceDelta, TagDelta, diff_estimates
from runtime.cost._estimate import CostEstimator, estimate_cost, estimate_files
from runtime.cost._model import HOURS_PER_MONTH, CostLine, Estimate, ResourceCost
from runtime.cost._report import FOCUS_COLUMNS, FORMATS, focus_rows, month_period, render, render_diff
from runtime.cost._rollup import (
    DEFAULT_ROLLUP_KEYS,
    UNTAGGED,
    Rollup,
    RollupLine,
    TagCoverage,
    rollup_by_tag,
    tag_coverage,
)
from runtime.cost._state import StackState, StateError, StateResource, load_state, parse_state
from runtime.cost._usage import (
    MAX_USAGE_VALUE,
    USAGE_DEFAULTS,
    Usage,
    UsageError,
    check_usage_resources,
    load_usage,
    parse_usage,
    usage_skeleton,
)
from runtime.cost.pricers import FREE_TYPES, PRICERS, UNTAGGABLE

__all__ = [
    "BUDGET_OUTPUT_KEY",
    "DEFAULT_ROLLUP_KEYS",
    "FOCUS_COLUMNS",
    "FORMATS",
    "FREE_TYPES",
    "HOURS_PER_MONTH",
    "MAX_USAGE_VALUE",
    "PRICERS",
    "UNTAGGABLE",
    "UNTAGGED",
    "USAGE_DEFAULTS",
    "ActualsError",
    "BudgetCheck",
    "BudgetError",
    "CostDiff",
    "CostEstimator",
    "CostLine",
    "Estimate",
    "NotFittedError",
    "ResourceCost",
    "ResourceDelta",
    "Rollup",
    "RollupLine",
    "StackState",
    "StateError",
    "StateResource",
    "TagCoverage",
    "TagDelta",
    "Usage",
    "UsageError",
    "aws_actuals",
    "bigquery_runner",
    "budget_from_outputs",
    "budget_from_stack_file",
    "budget_limit",
    "budget_limit_from_resources",
    "check_budget",
    "check_resources_budget",
    "check_state_budget",
    "check_usage_resources",
    "diff_estimates",
    "duckdb_runner",
    "estimate_cost",
    "estimate_files",
    "focus_rows",
    "gcp_actuals",
    "gcp_actuals_sql",
    "gcp_query_params",
    "load_state",
    "load_usage",
    "month_period",
    "parse_state",
    "parse_usage",
    "render",
    "render_diff",
    "rollup_by_tag",
    "tag_coverage",
    "usage_skeleton",
]
