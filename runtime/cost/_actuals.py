"""Actual spend by cost tag: AWS Cost Explorer and the GCP BigQuery billing export.

Both return an :class:`~runtime.cost.Estimate` of kind ``"actual"`` whose "resources" are the groups
(one per tag value and period), so the same reports, FOCUS columns and rollups apply and estimates and
actuals line up. Untagged spend (Cost Explorer's ``team$`` group, GCP rows without the label) is its own
``(untagged)`` line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from mlkeel.files import InputError
from runtime.cost._model import CostLine, Estimate, ResourceCost

METRICS = ("AmortizedCost", "BlendedCost", "NetAmortizedCost", "NetUnblendedCost", "UnblendedCost")


class ActualsError(InputError):
    """Bad arguments for an actual-spend query, or a billing API refusing them (credentials, table, dates).

    Both are fixed by changing what the user gave, so ``keel`` reports either as bad input (exit 2).
    """


def _check_dates(start: str, end: str) -> None:
    try:
        s, e = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        raise ActualsError(f"--start/--end must be dates YYYY-MM-DD, got {start!r} and {end!r}") from None
    if e <= s:
        raise ActualsError(f"--end ({end}) must be after --start ({start}); the end date is exclusive")


def _group_resource(
    provider: str,
    tags: dict[str, str],
    amount: float,
    start: str,
    end: str,
    unit: str,
    service: str = "",
    region: str = "",
    note: str = "",
) -> ResourceCost:
    label = ", ".join(f"{k}={v}" for k, v in tags.items()) or "(untagged)"
    if service:
        label += f" · {service}"
    line = CostLine(
        name=f"{start[:10]}..{end[:10]}",
        unit=unit,
        quantity=1,
        unit_price=amount,
        monthly=amount,
        low=amount,
        high=amount,
        assumption=note,
    )
    return ResourceCost(
        urn=f"{provider}:{label}:{start}",
        name=label,
        type="billing/group",
        cloud=provider,
        region=region,
        tags=tags,
        service_name=service,
        service_category="",
        status="priced",
        lines=[line],
        note="",
    )


# --------------------------------------------------------------------------------------------------- AWS
def aws_actuals(
    client: Any,
    *,
    start: str,
    end: str,
    group_by: Sequence[str],
    granularity: str = "MONTHLY",
    metric: str = "UnblendedCost",
) -> Estimate:
    """Spend grouped by up to two cost tags through Cost Explorer ``GetCostAndUsage``.

    ``client`` is a boto3 ``ce`` client. Tags appear only once activated as cost allocation tags.
    """
    _check_dates(start, end)
    if not 1 <= len(group_by) <= 2:
        raise ActualsError(f"Cost Explorer groups by 1 or 2 tag keys, got {len(group_by)}: {list(group_by)}")
    if granularity not in ("DAILY", "MONTHLY"):
        raise ActualsError(f"--granularity must be DAILY or MONTHLY, got {granularity!r}")
    if metric not in METRICS:
        raise ActualsError(f"--metric must be one of {', '.join(METRICS)}, got {metric!r}")
    request: dict[str, Any] = {
        "TimePeriod": {"Start": start, "End": end},
        "Granularity": granularity,
        "Metrics": [metric],
        "GroupBy": [{"Type": "TAG", "Key": k} for k in group_by],
    }
    resources: list[ResourceCost] = []
    notes: list[str] = []
    token: str | None = None
    while True:
        kwargs = dict(request, NextPageToken=token) if token else request
        try:
            page = client.get_cost_and_usage(**kwargs)
        except Exception as exc:  # botocore ClientError, NoCredentialsError, EndpointConnectionError
            raise ActualsError(f"Cost Explorer GetCostAndUsage failed: {exc}") from exc
        for period in page.get("ResultsByTime", []):
            p_start, p_end = period["TimePeriod"]["Start"], period["TimePeriod"]["End"]
            if period.get("Estimated"):
                notes.append(f"Cost Explorer marks {p_start}..{p_end} as estimated (month not closed).")
            for group in period.get("Groups", []):
                tags: dict[str, str] = {}
                for raw in group.get("Keys", []):
                    key, _, value = raw.partition("$")
                    if value:
                        tags[key] = value
                m = group.get("Metrics", {}).get(metric, {})
                resources.append(
                    _group_resource(
                        "AWS", tags, float(m.get("Amount", 0)), p_start, p_end, m.get("Unit", "USD")
                    )
                )
        token = page.get("NextPageToken")
        if not token:
            break
    return Estimate(
        stacks=[f"AWS Cost Explorer, grouped by {', '.join(group_by)}"],
        resources=resources,
        catalog_source=f"AWS Cost Explorer GetCostAndUsage ({metric}, {granularity})",
        catalog_as_of=end,
        kind="actual",
        period_start=f"{start}T00:00:00Z",
        period_end=f"{end}T00:00:00Z",
        notes=notes,
    )


# --------------------------------------------------------------------------------------------------- GCP
_TABLE = re.compile(r"^[A-Za-z0-9_-]+(?:[.:][A-Za-z0-9_-]+){0,2}$")

RowRunner = Callable[[str, Mapping[str, Any]], list[dict[str, Any]]]


def gcp_actuals_sql(table: str, group_by: Sequence[str], *, dialect: str = "bigquery") -> str:
    """Parameterised query over the standard billing export (``gcp_billing_export_v1_<ID>``).

    Label keys and the time window are query parameters (``@key0``.., ``@start_time``, ``@end_time``);
    only the table name is spliced in, after validation. Net cost = ``cost`` + the row's credits.
    ``dialect="duckdb"`` swaps quoting and parameter markers so the same query runs locally on an
    export downloaded as parquet (and in tests).
    """
    if not _TABLE.match(table):
        raise ActualsError(
            f"--billing-table {table!r} must look like project.dataset.gcp_billing_export_v1_XXXX"
        )
    if not 1 <= len(group_by) <= 4:
        raise ActualsError(f"group by 1 to 4 label keys, got {list(group_by)}")
    label_cols = ",\n    ".join(
        f"(SELECT l.value FROM UNNEST(labels) AS l WHERE l.key = @key{i} LIMIT 1) AS g{i}"
        for i in range(len(group_by))
    )
    groups = ", ".join(f"g{i}" for i in range(len(group_by)))
    sql = f"""WITH billed AS (
  SELECT
    {label_cols},
    service.description AS service_name,
    location.region AS region,
    cost + IFNULL((SELECT SUM(c.amount) FROM UNNEST(credits) AS c), 0) AS net_cost
  FROM `{table}`
  WHERE usage_start_time >= @start_time AND usage_start_time < @end_time
)
SELECT {groups}, service_name, region, SUM(net_cost) AS cost
FROM billed
GROUP BY {groups}, service_name, region
ORDER BY cost DESC"""
    if dialect == "duckdb":
        sql = re.sub(r"`([^`]+)`", lambda m: '"' + m.group(1) + '"', sql)
        sql = re.sub(r"@(\w+)", r"$\1", sql)
    elif dialect != "bigquery":
        raise ActualsError(f"unknown SQL dialect {dialect!r}")
    return sql


def gcp_query_params(group_by: Sequence[str], start: str, end: str) -> dict[str, Any]:
    """Values of the query's parameters."""
    _check_dates(start, end)
    params: dict[str, Any] = {f"key{i}": k for i, k in enumerate(group_by)}
    params["start_time"] = datetime.fromisoformat(f"{start}T00:00:00+00:00")
    params["end_time"] = datetime.fromisoformat(f"{end}T00:00:00+00:00")
    return params


def gcp_actuals(
    run: RowRunner, *, table: str, start: str, end: str, group_by: Sequence[str], dialect: str = "bigquery"
) -> Estimate:
    """Spend by label from the billing export; ``run(sql, params)`` executes the query and returns rows."""
    sql = gcp_actuals_sql(table, group_by, dialect=dialect)
    params = gcp_query_params(group_by, start, end)
    try:
        rows = run(sql, params)
    except Exception as exc:  # google.api_core / duckdb errors
        raise ActualsError(f"billing export query on {table} failed: {exc}") from exc
    resources = []
    for row in rows:
        tags = {k: str(row[f"g{i}"]) for i, k in enumerate(group_by) if row.get(f"g{i}")}
        resources.append(
            _group_resource(
                "Google Cloud",
                tags,
                float(row["cost"] or 0.0),
                f"{start}T00:00:00Z",
                f"{end}T00:00:00Z",
                "USD",
                service=str(row.get("service_name") or ""),
                region=str(row.get("region") or ""),
            )
        )
    return Estimate(
        stacks=[f"GCP billing export {table}, grouped by {', '.join(group_by)}"],
        resources=resources,
        catalog_source=f"GCP billing export {table} (cost + credits)",
        catalog_as_of=end,
        kind="actual",
        period_start=f"{start}T00:00:00Z",
        period_end=f"{end}T00:00:00Z",
    )


def bigquery_runner(project: str | None = None) -> RowRunner:
    """Run the query on BigQuery with typed query parameters (needs Google credentials)."""
    from google.cloud import bigquery

    client = bigquery.Client(project=project)

    def run(sql: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        qparams = [
            bigquery.ScalarQueryParameter(k, "TIMESTAMP" if isinstance(v, datetime) else "STRING", v)
            for k, v in params.items()
        ]
        job = client.query(sql, job_config=bigquery.QueryJobConfig(query_parameters=qparams))
        return [dict(row.items()) for row in job.result()]

    return run


def duckdb_runner(parquet_path: str, table: str) -> RowRunner:
    """Run the query with DuckDB over a billing export saved as parquet (offline analysis and tests)."""
    import duckdb

    con = duckdb.connect()
    con.execute("SET TimeZone='UTC'")
    if not _TABLE.match(table):
        raise ActualsError(f"table name {table!r} must look like project.dataset.gcp_billing_export_v1_XXXX")
    quoted = parquet_path.replace("'", "''")  # DDL cannot take parameters; quote the path as a literal
    con.execute(f"CREATE VIEW \"{table}\" AS SELECT * FROM read_parquet('{quoted}')")

    def run(sql: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        cur = con.execute(sql, dict(params))
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    return run
