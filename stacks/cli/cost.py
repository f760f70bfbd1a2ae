"""``keel cost``: estimate, compare, refresh prices, fetch actual spend.

``keel cost STATE.json ...`` estimates; ``keel cost --compare BASE HEAD`` diffs; ``keel cost
refresh-prices`` rebuilds the price files; ``keel cost actuals`` reads billing data; ``keel cost
usage-skeleton`` prints a usage file with every documented default. Only argument parsing lives here;
the work is in ``runtime.cost`` and ``runtime.pricing``.
"""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from stacks.cli._common import EXIT_BAD_INPUT, EXIT_FINDINGS, fail, write_output

_SUBCOMMANDS = ("estimate", "refresh-prices", "actuals", "usage-skeleton")


class _CostGroup(TyperGroup):
    """``keel cost FILE...`` runs ``estimate``; named subcommands run as usual."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["estimate", *args]
        return super().parse_args(ctx, args)


cost_app = typer.Typer(
    cls=_CostGroup,
    help="Estimate monthly cost from stack states, compare two states, refresh prices, fetch actual spend.",
    no_args_is_help=True,
    add_completion=False,
)

_FORMAT_HELP = (
    "Report format: table, markdown (pull-request comment), csv (FOCUS columns), html, "
    "or json (runtime/cost/cost-report.schema.json)."
)


def _check_format(fmt: str) -> None:
    from runtime.cost import FORMATS

    if fmt not in (*FORMATS, "json"):
        fail(f"--format has bad value {fmt!r}; allowed: {', '.join((*FORMATS, 'json'))}")


def _render(result: Any, fmt: str, keys: list[str], budget: Any = None, period: Any = None) -> str:
    """An estimate in ``fmt``; json is the documented document other tools read."""
    from runtime.cost import render
    from runtime.cost.json_report import estimate_json

    if fmt == "json":
        return estimate_json(result, rollup_keys=keys, budget=budget)
    return str(render(result, fmt, rollup_keys=keys, budget=budget, period=period))


def _month(value: str) -> tuple[str, str]:
    from datetime import date

    from runtime.cost import month_period

    try:
        year, month = (int(x) for x in value.split("-"))
        return month_period(date(year, month, 1))
    except ValueError:
        fail(f"--period has bad value {value!r}; allowed: a month as YYYY-MM, e.g. 2026-12")


def _catalog(prices: Path | None) -> Any:
    from runtime.pricing import CatalogError, load_catalog

    try:
        return load_catalog(prices)
    except CatalogError as exc:
        fail(str(exc))


@cost_app.command("estimate")
def estimate(
    states: list[Path] = typer.Argument(
        None, help="State files (`pulumi stack export` / `keel plan` output) or folders of them."
    ),
    compare: tuple[Path, Path] | None = typer.Option(
        None, "--compare", help="BASE HEAD: monthly delta per resource and tag (instead of STATE arguments)."
    ),
    fmt: str = typer.Option("table", "--format", "-f", help=_FORMAT_HELP),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write the report here instead of standard output."
    ),
    usage: Path | None = typer.Option(
        None, "--usage", help="Usage file (YAML); see `keel cost usage-skeleton`."
    ),
    by: list[str] = typer.Option(
        None,
        "--by",
        help="Tag key to roll up by (repeatable); default team, cost-center, environment, component.",
    ),
    stack_file: Path | None = typer.Option(
        None, "--stack-file", help="Pulumi.<stack>.yaml holding mlkeel:budget.monthlyLimitUsd."
    ),
    budget: float | None = typer.Option(
        None, "--budget", help="Monthly budget in USD, positive (overrides the stack file)."
    ),
    fail_over_budget: bool = typer.Option(
        False, "--fail-over-budget", help="Exit 1 when the estimate exceeds the budget."
    ),
    prices: Path | None = typer.Option(
        None, "--prices", help="Price files directory (default: bundled or $MLKEEL_PRICING_DIR)."
    ),
    period: str | None = typer.Option(
        None, "--period", help="Month the CSV's ChargePeriodStart/End cover, YYYY-MM (default: this month)."
    ),
) -> None:
    """Estimate the monthly cost of stack states, or compare two with --compare."""
    from mlkeel.files import InputError
    from runtime.cost import (
        DEFAULT_ROLLUP_KEYS,
        StateError,
        budget_from_outputs,
        budget_from_stack_file,
        check_budget,
        check_usage_resources,
        diff_estimates,
        estimate_cost,
        load_state,
        load_usage,
        render_diff,
    )

    _check_format(fmt)
    if budget is not None and not (math.isfinite(budget) and budget > 0):
        fail(f"--budget has bad value {budget!r}; allowed: a positive, finite number of USD")
    if compare is not None:
        if states:
            fail(
                "give either state files to estimate or --compare BASE HEAD, not both "
                f"(got {' '.join(map(str, states))} and --compare); "
                "`keel cost STATE...` estimates, `keel cost --compare BASE HEAD` compares"
            )
        given = [
            name
            for name, value in (
                ("--budget", budget),
                ("--stack-file", stack_file),
                ("--fail-over-budget", fail_over_budget or None),
                ("--period", period),
            )
            if value is not None
        ]
        if given:
            fail(
                f"{', '.join(given)} {'applies' if len(given) == 1 else 'apply'} "
                "to an estimate, not to --compare; "
                "check the head's budget with `keel cost HEAD --budget USD` (or --stack-file)"
            )
    charge_period = _month(period) if period else None
    if not states and compare is None:
        fail("give state files to estimate, or --compare BASE HEAD")
    keys = list(by or DEFAULT_ROLLUP_KEYS)
    catalog = _catalog(prices)
    try:
        usage_data = load_usage(usage)
        if compare is not None:
            base_state, head_state = load_state(compare[0]), load_state(compare[1])
            # Usage may name a resource the pull request adds or removes: check against both at once.
            check_usage_resources(usage_data, [base_state, head_state])
            base = estimate_cost(base_state, catalog=catalog, usage=usage_data, check_usage=False)
            head = estimate_cost(head_state, catalog=catalog, usage=usage_data, check_usage=False)
            diff = diff_estimates(base, head)
            if fmt == "json":
                from runtime.cost.json_report import diff_json

                _write(diff_json(diff, rollup_keys=keys), output)
                return
            _write(render_diff(diff, fmt, rollup_keys=by or ("cost-center", "team")), output)
            return
        files = [f for p in states for f in (sorted(p.glob("*.json")) if p.is_dir() else [p])]
        if not files:
            fail(f"no state files (*.json) in {', '.join(map(str, states))}")
        parsed = [load_state(p) for p in files]
        result = estimate_cost(parsed, catalog=catalog, usage=usage_data)
        limit = budget
        if limit is None and stack_file is not None:
            limit = budget_from_stack_file(stack_file)
        if limit is None and len(parsed) == 1:
            limit = budget_from_outputs(parsed[0].outputs, parsed[0].path)
    except (InputError, StateError) as exc:
        fail(str(exc), EXIT_BAD_INPUT)
    check = check_budget(result, limit) if limit is not None else None
    _write(_render(result, fmt, keys, budget=check, period=charge_period), output)
    failing = check is not None and check.exceeded and fail_over_budget
    if check is not None and (check.exceeded or check.may_exceed) and not failing:
        typer.echo(f"keel: warning: {check.message()}", err=True)
    if result.not_priced:
        typer.echo(
            f"keel: warning: {len(result.not_priced)} of {len(result.resources)} resources not priced "
            f"({result.not_priced_share:.0%}); their cost is unknown, not zero",
            err=True,
        )
    if failing:
        assert check is not None
        written = f"; the report is in {output}" if output is not None else ""
        typer.echo(f"keel: over budget (exit 1, --fail-over-budget): {check.message()}{written}", err=True)
        raise typer.Exit(EXIT_FINDINGS)


def _write(text: str, output: Path | None) -> None:
    """Write the report (atomically, when to a file); an unwritable path is bad input, not a traceback."""
    try:
        write_output(text, output)
    except OSError as exc:
        fail(f"{exc.filename or output}: cannot write the report: {exc.strerror or exc}")


@cost_app.command("usage-skeleton")
def usage_skeleton_cmd(
    output: Path | None = typer.Option(None, "--output", "-o", help="Write here."),
) -> None:
    """Print a usage file listing every usage key with its documented default."""
    from runtime.cost import usage_skeleton

    _write(usage_skeleton(), output)


@cost_app.command("refresh-prices")
def refresh_prices(
    provider: str = typer.Option("all", "--provider", help="aws, gcp or all."),
    region: list[str] = typer.Option(
        None, "--region", help="Region to refresh (repeatable; default: the catalog's)."
    ),
    output_dir: Path | None = typer.Option(
        None, "--output-dir", help="Where to write the price files (default: the bundled data)."
    ),
    prices: Path | None = typer.Option(
        None, "--prices", help="Catalog to start from (default: bundled or $MLKEEL_PRICING_DIR)."
    ),
) -> None:
    """Rebuild the price files from the AWS Price List API and the GCP Cloud Billing Catalog API."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from runtime.pricing import BUNDLED_DATA_DIR, clear_catalog_cache
    from runtime.pricing._refresh import RefreshError, refresh_catalog

    if provider not in ("aws", "gcp", "all"):
        fail(f"--provider has bad value {provider!r}; allowed: aws, gcp, all")
    catalog = _catalog(prices)
    regions = list(region or [])
    aws_regions = [r for r in regions if re.match(r"^[a-z]{2}(-gov)?-[a-z]+-\d$", r)] or None  # eu-west-1
    gcp_regions = [r for r in regions if re.match(r"^[a-z]+-[a-z]+\d+$", r)] or None  # europe-west4
    unknown = sorted(set(regions) - set(aws_regions or []) - set(gcp_regions or []))
    if unknown:
        fail(
            f"--region has bad value {unknown[0]!r}; "
            "allowed: an AWS region (eu-west-1) or a GCP region (europe-west4)"
        )
    clients: dict[str, Any] = {}
    try:
        if provider in ("aws", "all"):
            import boto3

            clients["aws"] = boto3.client("pricing", region_name="us-east-1")
        if provider in ("gcp", "all"):
            from google.cloud import billing_v1

            clients["gcp"] = billing_v1.CloudCatalogClient()
    except Exception as exc:  # missing credentials surface here for GCP
        fail(f"cannot create the price API client: {exc}")
    target = output_dir or (prices or BUNDLED_DATA_DIR)
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), transient=True, console=None
    ) as progress:
        task = progress.add_task("refreshing prices", total=None)
        try:
            reports = refresh_catalog(
                catalog,
                Path(target),
                aws_client=clients.get("aws"),
                gcp_client=clients.get("gcp"),
                aws_regions=aws_regions,
                gcp_regions=gcp_regions,
                progress=lambda what: progress.update(task, description=f"asking {what}"),
            )
        except RefreshError as exc:
            fail(str(exc))
    clear_catalog_cache()
    for rep in reports:
        typer.echo(rep.summary())
    typer.echo(f"wrote {target}")


@cost_app.command("actuals")
def actuals(
    provider: str = typer.Option(
        ..., "--provider", help="aws (Cost Explorer) or gcp (BigQuery billing export)."
    ),
    group_by: list[str] = typer.Option(
        ["team"], "--group-by", help="Cost tag key(s) to group by (repeatable)."
    ),
    start: str = typer.Option(..., "--start", help="First day, YYYY-MM-DD."),
    end: str = typer.Option(..., "--end", help="Day after the last day, YYYY-MM-DD (exclusive)."),
    granularity: str = typer.Option("MONTHLY", "--granularity", help="AWS: MONTHLY or DAILY."),
    metric: str = typer.Option("UnblendedCost", "--metric", help="AWS Cost Explorer metric."),
    endpoint_url: str | None = typer.Option(
        None, "--endpoint-url", help="AWS: Cost Explorer endpoint (e.g. a local moto server)."
    ),
    billing_table: str | None = typer.Option(
        None, "--billing-table", help="GCP: project.dataset.gcp_billing_export_v1_XXXX."
    ),
    billing_parquet: Path | None = typer.Option(
        None, "--billing-parquet", help="GCP: run the same query locally over an export saved as parquet."
    ),
    project: str | None = typer.Option(None, "--project", help="GCP: project to run the BigQuery job in."),
    fmt: str = typer.Option("table", "--format", "-f", help=_FORMAT_HELP),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write the report here instead of standard output."
    ),
) -> None:
    """Actual spend grouped by cost tags, in the same report formats and columns as estimates."""
    from runtime.cost import ActualsError, aws_actuals, bigquery_runner, duckdb_runner, gcp_actuals

    _check_format(fmt)
    try:
        if provider == "aws":
            import boto3

            client = boto3.client("ce", region_name="us-east-1", endpoint_url=endpoint_url)
            result = aws_actuals(
                client, start=start, end=end, group_by=group_by, granularity=granularity, metric=metric
            )
        elif provider == "gcp":
            table = billing_table or "billing_export"
            if billing_parquet is not None:
                if not billing_parquet.is_file():
                    fail(f"--billing-parquet {billing_parquet}: no such file")
                result = gcp_actuals(
                    duckdb_runner(str(billing_parquet), table),
                    table=table,
                    start=start,
                    end=end,
                    group_by=group_by,
                    dialect="duckdb",
                )
            elif billing_table:
                result = gcp_actuals(
                    bigquery_runner(project), table=billing_table, start=start, end=end, group_by=group_by
                )
            else:
                fail("--provider gcp needs --billing-table (BigQuery) or --billing-parquet (local export)")
        else:
            fail(f"--provider has bad value {provider!r}; allowed: aws, gcp")
    except ActualsError as exc:
        fail(str(exc))
    _write(_render(result, fmt, group_by), output)


def register(app: typer.Typer) -> None:
    """Add ``keel cost`` and its subcommands."""
    app.add_typer(cost_app, name="cost")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(0)
