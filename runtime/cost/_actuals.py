"""Actual spend by cost tag: AWS Cost Explorer and the GCP BigQuery billing export.

Both return an :class:`~runtime.cost.Estimate` of kind ``"actual"`` whose "resources" are the groups
(one per tag value and period), so the same reports, FOCUS columns and rollups apply and estimates and
actuals line up. Untagged spend (Cost Explorer's ``team$`` group, GCP rows without the label) is its own
``(untagged)`` line.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from mlkeel.contracts import COST_TAG_KEYS
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


def gcp_actuals_sql(
    table: str, group_by: Sequence[str], *, dialect: str = "bigquery", where_labels: int = 0
) -> str:
    """Parameterised query over the standard billing export (``gcp_billing_export_v1_<ID>``).

    Label keys and the time window are query parameters (``@key0``.., ``@start_time``, ``@end_time``);
    only the table name is spliced in, after validation. Net cost = ``cost`` + the row's credits.
    ``where_labels=n`` keeps only rows carrying n given label values (``@where_key0``/``@where_value0``..,
    see :func:`gcp_query_params`): one stack's spend, for the self-healing budget guard. ``latest_usage_end``
    per group says how far the export has caught up (it lags usage by hours).
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
    if not 0 <= where_labels <= len(COST_TAG_KEYS):
        raise ActualsError(f"filter on 0 to {len(COST_TAG_KEYS)} labels, got {where_labels}")
    where = "".join(
        f"\n    AND EXISTS (SELECT 1 FROM UNNEST(labels) AS w WHERE w.key = @where_key{i}"
        f" AND w.value = @where_value{i})"
        for i in range(where_labels)
    )
    sql = f"""WITH billed AS (
  SELECT
    {label_cols},
    service.description AS service_name,
    location.region AS region,
    usage_end_time,
    cost + IFNULL((SELECT SUM(c.amount) FROM UNNEST(credits) AS c), 0) AS net_cost
  FROM `{table}`
  WHERE usage_start_time >= @start_time AND usage_start_time < @end_time{where}
)
SELECT {groups}, service_name, region, SUM(net_cost) AS cost, MAX(usage_end_time) AS latest_usage_end
FROM billed
GROUP BY {groups}, service_name, region
ORDER BY cost DESC"""
    if dialect == "duckdb":
        sql = re.sub(r"`([^`]+)`", lambda m: '"' + m.group(1) + '"', sql)
        sql = re.sub(r"@(\w+)", r"$\1", sql)
    elif dialect != "bigquery":
        raise ActualsError(f"unknown SQL dialect {dialect!r}")
    return sql


def gcp_query_params(
    group_by: Sequence[str], start: str, end: str, where_labels: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """Values of the query's parameters."""
    _check_dates(start, end)
    params: dict[str, Any] = {f"key{i}": k for i, k in enumerate(group_by)}
    params["start_time"] = datetime.fromisoformat(f"{start}T00:00:00+00:00")
    params["end_time"] = datetime.fromisoformat(f"{end}T00:00:00+00:00")
    for i, (key, value) in enumerate((where_labels or {}).items()):
        params[f"where_key{i}"], params[f"where_value{i}"] = key, value
    return params


def gcp_actual_rows(
    run: RowRunner,
    *,
    table: str,
    start: str,
    end: str,
    group_by: Sequence[str],
    dialect: str = "bigquery",
    where_labels: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """The billing export query's rows: ``g0``.., ``service_name``, ``region``, ``cost``, ``latest_usage_end``

    The one query both ``keel cost actuals`` (:func:`gcp_actuals`) and the self-healing budget guard run,
    so the guard's figure is the one the cost report shows for the same labels and month.
    """
    where = dict(where_labels or {})
    sql = gcp_actuals_sql(table, group_by, dialect=dialect, where_labels=len(where))
    params = gcp_query_params(group_by, start, end, where)
    try:
        return run(sql, params)
    except Exception as exc:  # google.api_core / duckdb errors
        raise ActualsError(f"billing export query on {table} failed: {exc}") from exc


def gcp_actuals(
    run: RowRunner, *, table: str, start: str, end: str, group_by: Sequence[str], dialect: str = "bigquery"
) -> Estimate:
    """Spend by label from the billing export; ``run(sql, params)`` executes the query and returns rows."""
    rows = gcp_actual_rows(run, table=table, start=start, end=end, group_by=group_by, dialect=dialect)
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


# ------------------------------------------------------------------------------- AWS cost export (S3)
#: ``s3://bucket/prefix/``: where an AWS Data Exports export is delivered (the prefix ends with ``/``).
#: The prefix is required and has no IAM wildcard characters: the controller's grant is exactly ``prefix*``.
_EXPORT_URI = re.compile(r"^s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/((?:[A-Za-z0-9!_.=-]+/)+)$")
_EXPORT_URI_RULE = (
    "s3://<bucket>/<prefix>/ (the export's S3 bucket and its non-empty prefix, ending with '/'; "
    "prefix characters A-Z a-z 0-9 ! _ . = -)"
)

#: Columns read from an export: FOCUS 1.0 with AWS columns (preferred: the project's cost reports speak
#: FOCUS) or CUR 2.0. cost, end of the charge's period, tags.
EXPORT_COLUMNS: dict[str, tuple[str, str, str]] = {
    "FOCUS 1.0": ("BilledCost", "ChargePeriodEnd", "Tags"),
    "CUR 2.0": ("line_item_unblended_cost", "line_item_usage_end_date", "resource_tags"),
}


def parse_export_uri(uri: str, *, field: str = "cost_export_uri") -> tuple[str, str]:
    """``(bucket, prefix)`` of a cost export URI; :class:`ActualsError` naming the field otherwise."""
    match = _EXPORT_URI.match(uri)
    if not match:
        raise ActualsError(
            f"{field}: {uri!r} is not an S3 prefix URI; expected {_EXPORT_URI_RULE}",
            field=field,
            value=uri,
            allowed=_EXPORT_URI_RULE,
        )
    return match.group(1), match.group(2)


@dataclass(frozen=True)
class ExportSpend:
    """One stack's spend this billing period in the cost export, and how far the export has caught up."""

    usd: float
    latest_usage_end: datetime | None
    """Newest end of a charge period among the stack's rows (None: no row yet)."""
    objects: tuple[str, ...]
    rows: int
    schema: str


def _export_tags(value: Any) -> dict[str, str]:
    """A row's tags as a dict, whatever the file made of the map column.

    Parquet gives a list of ``(key, value)`` pairs, CSV a JSON object. AWS names user-defined cost
    allocation tags ``user:<key>`` (FOCUS) or ``user_<key>`` (CUR 2.0); both are read as ``<key>``.
    """
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else {}
        except ValueError:
            return {}
    if isinstance(value, Mapping):
        pairs = list(value.items())
    elif isinstance(value, list | tuple):
        pairs = [tuple(p) for p in value if isinstance(p, list | tuple) and len(p) == 2]
    else:
        return {}
    out: dict[str, str] = {}
    for key, val in pairs:
        name = str(key)
        for prefix in ("user:", "user_"):
            name = name.removeprefix(prefix)
        out.setdefault(name, str(val))
    return out


def _read_export_object(body: bytes, key: str) -> Any:
    import pandas as pd

    wanted = {c for cols in EXPORT_COLUMNS.values() for c in cols}
    if key.endswith(".parquet"):
        try:
            frame = pd.read_parquet(io.BytesIO(body))
        except ImportError as exc:
            raise ActualsError(
                f"{key}: a parquet export needs pyarrow, which the runtime image leaves out; "
                "create the export with the CSV format (GZIP), as docs/aws.md says"
            ) from exc
        return frame[[c for c in frame.columns if c in wanted]]
    compression = "gzip" if key.endswith(".gz") else None
    return pd.read_csv(
        io.BytesIO(body),
        compression=compression,
        usecols=lambda c: c in wanted,
        dtype=str,
        keep_default_na=False,
    )


def aws_export_spend(s3: Any, uri: str, *, tags: Mapping[str, str], month: str) -> ExportSpend:
    """This billing period's spend of the rows carrying all of ``tags``, from an AWS Data Exports export.

    Why the export: Budgets and Cost Explorer have no VPC endpoint, S3 does (the stack's gateway endpoint),
    so a controller in private subnets can read it. ``s3`` is a boto3 S3 client; ``month`` is ``YYYY-MM``.
    Reads every data file of the ``BILLING_PERIOD=<month>`` partition under the URI (the export must
    overwrite its files on each refresh, or old versions would be counted twice). Raises
    :class:`ActualsError` when nothing is there yet or a file cannot be read: the caller falls back.
    """
    import pandas as pd

    bucket, prefix = parse_export_uri(uri)
    if not tags:
        raise ActualsError("no cost tags to select the stack's rows by", field="cost_tags", value={})
    partition = f"BILLING_PERIOD={month}/"
    keys: list[str] = []
    try:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for obj in page.get("Contents", []):
                key = obj["Key"]
                if (
                    partition in key
                    and "/data/" in f"/{key}"
                    and key.endswith((".csv.gz", ".csv", ".parquet"))
                ):
                    keys.append(key)
    except Exception as exc:  # AccessDenied, NoSuchBucket, endpoint unreachable
        raise ActualsError(f"cannot list the cost export {uri}: {type(exc).__name__}: {exc}") from exc
    if not keys:
        raise ActualsError(f"the cost export {uri} has no data file for {partition.rstrip('/')} yet")
    total, rows, latest, schema = 0.0, 0, None, ""
    for key in sorted(keys):
        try:
            body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            frame = _read_export_object(body, key)
        except ActualsError:
            raise
        except Exception as exc:
            raise ActualsError(f"cannot read s3://{bucket}/{key}: {type(exc).__name__}: {exc}") from exc
        found = [name for name, cols in EXPORT_COLUMNS.items() if set(cols) <= set(frame.columns)]
        if not found:
            needed = "; ".join(f"{n}: {', '.join(c)}" for n, c in EXPORT_COLUMNS.items())
            raise ActualsError(
                f"s3://{bucket}/{key} has neither the FOCUS 1.0 nor the CUR 2.0 columns it needs ({needed})",
                file=f"s3://{bucket}/{key}",
                field="columns",
                value=sorted(frame.columns),
                allowed=needed,
            )
        schema = found[0]
        cost_col, end_col, tags_col = EXPORT_COLUMNS[schema]
        mine = frame[[all(_export_tags(t).get(k) == v for k, v in tags.items()) for t in frame[tags_col]]]
        costs = pd.to_numeric(mine[cost_col], errors="coerce")
        if costs.isna().any():
            raise ActualsError(f"s3://{bucket}/{key}: {cost_col} has a value that is not a number")
        ends = pd.to_datetime(mine[end_col], utc=True, errors="coerce").dropna()
        total += float(costs.sum())
        rows += len(mine)
        if len(ends):
            newest = ends.max().to_pydatetime()
            latest = newest if latest is None or newest > latest else latest
    return ExportSpend(round(total, 4), latest, tuple(sorted(keys)), rows, schema)
