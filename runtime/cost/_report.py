"""Reports of estimates, actuals and diffs: terminal table, markdown, FOCUS-aligned CSV and HTML.

Estimates and actual spend render through the same functions and columns so a finance reader can put
them side by side. The CSV follows the FinOps FOCUS column names (``BilledCost``, ``EffectiveCost``,
``ListCost``, ``ChargePeriodStart/End``, ``ProviderName``, ``ServiceName``, ``ServiceCategory``,
``RegionId``, ``ResourceId``, ``ResourceType``, ``PricingCategory``, ``Tags`` as JSON) with mlkeel's own
columns prefixed ``x_`` as FOCUS requires. A resource without a price has empty cost cells, not zeros.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any, Literal

from runtime.cost._budget import BudgetCheck
from runtime.cost._diff import CostDiff
from runtime.cost._model import Estimate
from runtime.cost._rollup import DEFAULT_ROLLUP_KEYS, UNTAGGED, rollup_by_tag, tag_coverage

Format = Literal["table", "markdown", "csv", "html"]
FORMATS: tuple[str, ...] = ("table", "markdown", "csv", "html")

FOCUS_COLUMNS: tuple[str, ...] = (
    "BilledCost",
    "EffectiveCost",
    "ListCost",
    "ContractedCost",
    "BillingCurrency",
    "ChargeCategory",
    "ChargeDescription",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "ProviderName",
    "ServiceName",
    "ServiceCategory",
    "RegionId",
    "ResourceId",
    "ResourceName",
    "ResourceType",
    "PricingCategory",
    "PricingQuantity",
    "PricingUnit",
    "ListUnitPrice",
    "Tags",
    "x_Kind",
    "x_Status",
    "x_MonthlyLow",
    "x_MonthlyHigh",
    "x_UsageBased",
    "x_Assumption",
    "x_PriceSource",
    "x_Urn",
)


def month_period(today: date | None = None) -> tuple[str, str]:
    """ISO start and end of the calendar month containing ``today`` (UTC), FOCUS ChargePeriod style."""
    d = today or datetime.now(UTC).date()
    start = d.replace(day=1)
    end = (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )
    return f"{start.isoformat()}T00:00:00Z", f"{end.isoformat()}T00:00:00Z"


def _usd(value: float) -> str:
    return f"-${-value:,.2f}" if value < 0 else f"${value:,.2f}"


def _signed(value: float) -> str:
    return ("+" if value >= 0 else "-") + f"${abs(value):,.2f}"


def _cell(value: float, status: str) -> str:
    """A cost cell that never shows an unknown price as $0.00."""
    if status in ("not_priced", "price_missing"):
        return "not priced"
    return _usd(value) if status else "—"


def _range(low: float, high: float) -> str:
    return _usd(low) if abs(high - low) < 0.005 else f"{_usd(low)} – {_usd(high)}"


def _period_words(est: Estimate) -> str:
    """``from 2026-10-01 to 2026-11-01 (end exclusive)`` for actual spend."""
    return f"from {est.period_start[:10]} to {est.period_end[:10]} (end exclusive)"


def _title(est: Estimate) -> str:
    what = "Actual spend" if est.kind == "actual" else "Estimated monthly cost"
    stacks = ", ".join(s for s in est.stacks if s) or "stack"
    return f"{what}: {stacks}"


def _source_line(est: Estimate) -> str:
    if est.kind == "actual":
        return (
            f"Source: {est.catalog_source}; "
            f"period {est.period_start[:10]} to {est.period_end[:10]} (end exclusive)."
        )
    usage = f"usage file {est.usage_path}" if est.usage_path else "documented usage defaults (no usage file)"
    return f"Prices as of {est.catalog_as_of} ({est.catalog_source.split(':')[0]}); {usage}; 730 h/month."


# --------------------------------------------------------------------------------------------------- CSV
def focus_rows(est: Estimate, period: tuple[str, str] | None = None) -> list[dict[str, object]]:
    """One FOCUS row per cost line (one per resource when it has no lines)."""
    start, end = (est.period_start, est.period_end) if est.period_start else (period or month_period())
    source = est.catalog_source if est.kind == "actual" else f"mlkeel catalog as of {est.catalog_as_of}"
    rows: list[dict[str, object]] = []
    for res in est.resources:
        common = {
            "BillingCurrency": "USD",
            "ChargeCategory": "Usage",
            "ChargePeriodStart": start,
            "ChargePeriodEnd": end,
            "ProviderName": res.cloud,
            "ServiceName": res.service_name,
            "ServiceCategory": res.service_category,
            "RegionId": res.region,
            "ResourceId": res.resource_id or res.urn,
            "ResourceName": res.name,
            "ResourceType": res.type,
            "Tags": json.dumps(dict(res.tags), sort_keys=True),
            "x_Kind": est.kind,
            "x_Status": res.status,
            "x_PriceSource": source,
            "x_Urn": res.urn,
        }
        if not res.lines:
            free = res.status == "free"
            rows.append(
                {
                    **common,
                    "BilledCost": 0.0 if free else "",
                    "EffectiveCost": 0.0 if free else "",
                    "ListCost": 0.0 if free else "",
                    "ContractedCost": 0.0 if free else "",
                    "ChargeDescription": res.note,
                    "PricingCategory": "",
                    "PricingQuantity": "",
                    "PricingUnit": "",
                    "ListUnitPrice": "",
                    "x_MonthlyLow": "",
                    "x_MonthlyHigh": "",
                    "x_UsageBased": "",
                    "x_Assumption": res.note,
                }
            )
            continue
        for line in res.lines:
            cost = round(line.monthly, 6)
            rows.append(
                {
                    **common,
                    "BilledCost": cost,
                    "EffectiveCost": cost,
                    "ListCost": cost,
                    "ContractedCost": cost,
                    "ChargeDescription": line.name,
                    "PricingCategory": line.pricing_category,
                    "PricingQuantity": round(line.quantity, 6),
                    "PricingUnit": line.unit,
                    "ListUnitPrice": line.unit_price,
                    "x_MonthlyLow": round(line.low, 6),
                    "x_MonthlyHigh": round(line.high, 6),
                    "x_UsageBased": line.usage_based,
                    "x_Assumption": line.assumption,
                }
            )
    return rows


def to_csv(est: Estimate, period: tuple[str, str] | None = None) -> str:
    """FOCUS-aligned CSV of an estimate or of actual spend."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(FOCUS_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(focus_rows(est, period))
    return buf.getvalue()


# ---------------------------------------------------------------------------------------------- markdown
def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _not_priced_md(est: Estimate) -> list[str]:
    missing = est.not_priced
    if not missing:
        return []
    out = [
        f"**Not priced: {len(missing)} of {len(est.resources)} resources ({est.not_priced_share:.0%})** "
        "— their cost is unknown, not zero:",
        "",
    ]
    for r in missing:
        out.append(f"- `{r.name}` ({r.type}): {_md_escape(r.note)}")
    return [*out, ""]


def to_markdown(
    est: Estimate,
    *,
    rollup_keys: Sequence[str] = DEFAULT_ROLLUP_KEYS,
    budget: BudgetCheck | None = None,
    max_rows: int = 50,
) -> str:
    """Markdown for a pull-request comment or a wiki page."""
    lines = [f"### {_title(est)}", ""]
    if est.kind == "actual":
        lines.append(f"**{_usd(est.total)}** {_period_words(est)}  ")
    else:
        lines.append(f"**{_usd(est.total)} / month** (range {_range(est.total_low, est.total_high)})  ")
    lines.append(_source_line(est))
    lines.append("")
    if budget is not None:
        icon = "⚠️" if budget.exceeded or budget.may_exceed else "✅"
        lines += [f"{icon} Budget: {budget.message()}", ""]
    priced = sorted((r for r in est.resources if r.status == "priced"), key=lambda r: -r.monthly)
    lines += ["| Resource | Type | Monthly | Range | Assumptions |", "|---|---|---:|---:|---|"]
    for r in priced[:max_rows]:
        lines.append(
            f"| `{r.name}` | {r.type.split(':')[-1]} | {_usd(r.monthly)} | {_range(r.low, r.high)} | "
            f"{_md_escape(r.assumptions)} |"
        )
    if len(priced) > max_rows:
        rest = sum(r.monthly for r in priced[max_rows:])
        lines.append(f"| … {len(priced) - max_rows} more | | {_usd(rest)} | | |")
    free = sum(1 for r in est.resources if r.status == "free")
    lines += [
        "",
        f"{free} resources have no charge of their own (IAM, policies, configuration)." if free else "",
    ]
    for key in rollup_keys:
        roll = rollup_by_tag(est, key)
        if not roll.lines:
            continue
        lines += [f"#### By {key}", "", f"| {key} | Monthly | Share | Resources |", "|---|---:|---:|---:|"]
        for line in roll.lines:
            share = line.monthly / roll.total if roll.total else 0.0
            lines.append(f"| {line.value} | {_usd(line.monthly)} | {share:.1%} | {line.resources} |")
        lines.append("")
    cov = tag_coverage(est)
    if cov.total_count:
        lines += [
            "#### Tag coverage by cost",
            "",
            "| Cost tags | Monthly | Share of cost | Resources |",
            "|---|---:|---:|---:|",
            f"| all {len(cov.required)} keys | {_usd(cov.full_cost)} | {cov.share('full'):.1%} | "
            f"{cov.full_count} |",
            f"| some keys missing | {_usd(cov.partial_cost)} | {cov.share('partial'):.1%} | "
            f"{cov.partial_count} |",
            f"| untagged | {_usd(cov.none_cost)} | {cov.share('none'):.1%} | {cov.none_count} |",
            "",
        ]
    lines += _not_priced_md(est)
    lines += [f"_{n}_" for n in est.notes]
    return "\n".join(lines).rstrip() + "\n"


def diff_markdown(
    diff: CostDiff, *, rollup_keys: Sequence[str] = ("cost-center", "team"), max_rows: int = 40
) -> str:
    """Pull-request comment: total delta, per-resource changes, per-tag deltas."""
    base, head = diff.base, diff.head
    lines = [
        "### mlkeel cost diff",
        "",
        f"**{_signed(diff.total_delta)} / month** ({_usd(base.total)} → {_usd(head.total)}; "
        f"head range {_range(head.total_low, head.total_high)})",
        "",
    ]
    for key in rollup_keys:
        for t in diff.by_tag(key):
            if abs(t.delta) >= 0.005 and t.value != UNTAGGED:
                verb = "adds" if t.delta > 0 else "saves"
                lines.append(f"- This change {verb} {_usd(abs(t.delta))} a month to {key} **{t.value}**.")
    lines.append("")
    changed = diff.changed
    if changed:
        lines += [
            "| Change | Resource | Type | Base | Head | Delta | What changed |",
            "|---|---|---|---:|---:|---:|---|",
        ]
        for r in changed[:max_rows]:
            lines.append(
                f"| {r.change} | `{r.name}` | {r.type.split(':')[-1]} | {_cell(r.base, r.base_status)} | "
                f"{_cell(r.head, r.head_status)} | {_signed(r.delta)} | {_md_escape(r.summary)} |"
            )
        if len(changed) > max_rows:
            lines.append(f"| … {len(changed) - max_rows} more | | | | | | |")
    else:
        lines.append("No resource changes its cost.")
    lines.append("")
    for key in rollup_keys:
        rows = [t for t in diff.by_tag(key) if abs(t.delta) >= 0.005]
        if rows:
            lines += [f"#### By {key}", "", f"| {key} | Base | Head | Delta |", "|---|---:|---:|---:|"]
            lines += [f"| {t.value} | {_usd(t.base)} | {_usd(t.head)} | {_signed(t.delta)} |" for t in rows]
            lines.append("")
    lines += _not_priced_md(head)
    lines.append(_source_line(head))
    return "\n".join(lines).rstrip() + "\n"


# ------------------------------------------------------------------------------------------------- table
def _console(width: int = 160):  # type: ignore[no-untyped-def]
    from rich.console import Console

    return Console(file=io.StringIO(), width=width, force_terminal=False, color_system=None, record=False)


def to_table(
    est: Estimate,
    *,
    rollup_keys: Sequence[str] = DEFAULT_ROLLUP_KEYS,
    budget: BudgetCheck | None = None,
    max_rows: int = 60,
    width: int = 160,
) -> str:
    """Terminal report: resources, rollups, coverage, not-priced list and budget warning."""
    from rich.table import Table

    console = _console(width)
    table = Table(title=_title(est), caption=_source_line(est), show_footer=True)
    table.add_column("Resource", footer="Total")
    table.add_column("Type")
    table.add_column("Monthly", justify="right", footer=_usd(est.total))
    table.add_column("Range", justify="right", footer=_range(est.total_low, est.total_high))
    table.add_column("Assumptions", overflow="fold", max_width=70)
    priced = sorted((r for r in est.resources if r.status == "priced"), key=lambda r: -r.monthly)
    for r in priced[:max_rows]:
        table.add_row(r.name, r.type.split(":")[-1], _usd(r.monthly), _range(r.low, r.high), r.assumptions)
    if len(priced) > max_rows:
        table.add_row(
            f"… {len(priced) - max_rows} more", "", _usd(sum(r.monthly for r in priced[max_rows:])), "", ""
        )
    console.print(table)
    for key in rollup_keys:
        roll = rollup_by_tag(est, key)
        if not roll.lines:
            continue
        t = Table(title=f"By {key}")
        for col, justify in ((key, "left"), ("Monthly", "right"), ("Share", "right"), ("Resources", "right")):
            t.add_column(col, justify=justify)  # type: ignore[arg-type]
        for line in roll.lines:
            t.add_row(
                line.value,
                _usd(line.monthly),
                f"{line.monthly / roll.total:.1%}" if roll.total else "-",
                str(line.resources),
            )
        console.print(t)
    cov = tag_coverage(est)
    if cov.total_count:
        console.print(
            f"Tag coverage by cost: all keys {cov.share('full'):.1%}, some missing "
            f"{cov.share('partial'):.1%}, untagged {cov.share('none'):.1%} (by count "
            f"{cov.count_share('full'):.0%} fully tagged)."
        )
    missing = est.not_priced
    if missing:
        counts = ", ".join(f"{t} x{n}" for t, n in est.not_priced_counts().items())
        console.print(
            f"Not priced: {len(missing)} of {len(est.resources)} resources ({est.not_priced_share:.0%}): "
            f"{counts}"
        )
        for r in missing:
            console.print(f"  - {r.name}: {r.note}")
    if budget is not None:
        console.print(
            ("WARNING: " if budget.exceeded or budget.may_exceed else "Budget: ") + budget.message()
        )
    for note in est.notes:
        console.print(note)
    return console.file.getvalue()  # type: ignore[attr-defined, no-any-return]


def diff_table(
    diff: CostDiff, *, rollup_keys: Sequence[str] = ("cost-center", "team"), width: int = 160
) -> str:
    """Terminal form of :func:`diff_markdown`."""
    from rich.table import Table

    console = _console(width)
    table = Table(
        title=f"Cost diff: {_signed(diff.total_delta)} / month "
        f"({_usd(diff.base.total)} -> {_usd(diff.head.total)})"
    )
    for col in ("Change", "Resource", "Type", "Base", "Head", "Delta", "What changed"):
        table.add_column(col, justify="right" if col in {"Base", "Head", "Delta"} else "left")
    for r in diff.changed:
        table.add_row(
            r.change,
            r.name,
            r.type.split(":")[-1],
            _cell(r.base, r.base_status),
            _cell(r.head, r.head_status),
            _signed(r.delta),
            r.summary,
        )
    console.print(table)
    for key in rollup_keys:
        rows = [t for t in diff.by_tag(key) if abs(t.delta) >= 0.005]
        for t in rows:
            console.print(f"{key} {t.value}: {_usd(t.base)} -> {_usd(t.head)} ({_signed(t.delta)})")
    return console.file.getvalue()  # type: ignore[attr-defined, no-any-return]


def diff_csv(diff: CostDiff) -> str:
    """Per-resource deltas as CSV (FOCUS-style names for the shared columns)."""
    buf = io.StringIO()
    cols = [
        "x_Change",
        "ResourceName",
        "ResourceType",
        "x_BaseMonthly",
        "x_HeadMonthly",
        "x_DeltaMonthly",
        "x_BaseStatus",
        "x_HeadStatus",
        "Tags",
        "x_Summary",
        "x_Urn",
    ]
    writer = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
    writer.writeheader()
    for r in diff.resources:
        writer.writerow(
            {
                "x_Change": r.change,
                "ResourceName": r.name,
                "ResourceType": r.type,
                "x_BaseMonthly": round(r.base, 6),
                "x_HeadMonthly": round(r.head, 6),
                "x_DeltaMonthly": round(r.delta, 6),
                "x_BaseStatus": r.base_status,
                "x_HeadStatus": r.head_status,
                "Tags": json.dumps(r.tags, sort_keys=True),
                "x_Summary": r.summary,
                "x_Urn": r.urn,
            }
        )
    return buf.getvalue()


# -------------------------------------------------------------------------------------------------- HTML
def _figures(est: Estimate) -> list[tuple[str, Any]]:
    import plotly.graph_objects as go

    figs: list[tuple[str, Any]] = []
    for key in ("team", "component", "environment"):
        roll = rollup_by_tag(est, key)
        if roll.lines:
            fig = go.Figure(
                go.Bar(
                    x=[line.value for line in roll.lines],
                    y=[round(line.monthly, 2) for line in roll.lines],
                    marker_color=["#b0b0b0" if line.value == UNTAGGED else "#2f6fb0" for line in roll.lines],
                    hovertemplate="%{x}: $%{y:,.2f}/month<extra></extra>",
                )
            )
            fig.update_layout(
                title=f"{'Spend' if est.kind == 'actual' else 'Monthly cost'} by {key}",
                yaxis_title="USD" if est.kind == "actual" else "USD / month",
                height=340,
                margin=dict(l=50, r=20, t=50, b=60),
            )
            figs.append((f"by-{key}", fig))
    spot = sum(line.monthly for r in est.resources for line in r.lines if line.pricing_category == "Dynamic")
    other = est.total - spot
    fig = go.Figure(
        go.Pie(
            labels=["Spot (Dynamic)", "On-demand / Standard"],
            values=[round(spot, 2), round(other, 2)],
            hole=0.45,
            marker_colors=["#3aa655", "#2f6fb0"],
        )
    )
    fig.update_layout(title="Spot vs on-demand", height=340, margin=dict(l=20, r=20, t=50, b=20))
    figs.append(("spot", fig))
    cov = tag_coverage(est)
    fig = go.Figure(
        go.Pie(
            labels=["All cost tags", "Some tags missing", "Untagged"],
            values=[round(cov.full_cost, 2), round(cov.partial_cost, 2), round(cov.none_cost, 2)],
            hole=0.45,
            marker_colors=["#2f6fb0", "#e0a030", "#c0392b"],
        )
    )
    fig.update_layout(
        title="Tag coverage by cost (untagged share)", height=340, margin=dict(l=20, r=20, t=50, b=20)
    )
    figs.append(("coverage", fig))
    return figs


_CSS = """
body{font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;margin:24px;color:#1d2733}
h1{font-size:22px;margin:0 0 4px} .total{font-size:28px;font-weight:600;margin:8px 0}
.muted{color:#5b6775;font-size:13px}
.warn{background:#fff3cd;border:1px solid #e0a030;padding:8px 12px;margin:10px 0}
.ok{background:#e8f5e9;border:1px solid #3aa655;padding:8px 12px;margin:10px 0}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(420px,1fr));gap:12px}
table{border-collapse:collapse;width:100%;font-size:13px;margin-top:12px;table-layout:fixed}
th,td{overflow-wrap:anywhere}
th,td{border-bottom:1px solid #e3e7eb;padding:5px 8px;text-align:left;vertical-align:top}
td.num,th.num{text-align:right;white-space:nowrap} tr.np td{color:#c0392b}
"""


def to_html(est: Estimate, *, budget: BudgetCheck | None = None, include_plotlyjs: bool | str = True) -> str:
    """Self-contained HTML page: totals, budget, five charts and the resource table (plotly.js inlined)."""
    parts: list[str] = []
    for index, (div_id, fig) in enumerate(_figures(est)):
        parts.append(
            fig.to_html(
                full_html=False,
                include_plotlyjs=include_plotlyjs if index == 0 else False,
                div_id=div_id,
                config={"displayModeBar": False, "responsive": True},
            )
        )
    rows = []
    for r in sorted(est.resources, key=lambda r: (r.status != "priced", -r.monthly, r.name)):
        cls = ' class="np"' if r.status in ("not_priced", "price_missing") else ""
        cost = _usd(r.monthly) if r.status in ("priced", "free") else "not priced"
        rows.append(
            f"<tr{cls}><td>{html.escape(r.name)}</td><td>{html.escape(r.type)}</td>"
            f"<td>{html.escape(r.region)}</td><td>{html.escape(r.tags.get('team', ''))}</td>"
            f"<td>{html.escape(r.tags.get('cost-center', ''))}</td>"
            f"<td>{html.escape(r.tags.get('component', ''))}</td><td class='num'>{cost}</td>"
            f"<td class='num'>{_range(r.low, r.high) if r.status == 'priced' else ''}</td>"
            f"<td>{html.escape(r.assumptions or r.note)}</td></tr>"
        )
    budget_html = ""
    if budget is not None:
        css = "warn" if budget.exceeded or budget.may_exceed else "ok"
        budget_html = f"<div class='{css}'>Budget: {html.escape(budget.message())}</div>"
    missing = est.not_priced
    missing_html = ""
    if missing:
        counts = ", ".join(f"{html.escape(t)} ×{n}" for t, n in est.not_priced_counts().items())
        missing_html = (
            f"<div class='warn'>Not priced: {len(missing)} of {len(est.resources)} resources "
            f"({est.not_priced_share:.0%}) — cost unknown, not zero: {counts}</div>"
        )
    notes = "".join(f"<p class='muted'>{html.escape(n)}</p>" for n in est.notes)
    if est.kind == "actual":
        headline = f"{_usd(est.total)} <span class='muted'>{html.escape(_period_words(est))}</span>"
    else:
        headline = (
            f"{_usd(est.total)} / month <span class='muted'>range "
            f"{_range(est.total_low, est.total_high)}</span>"
        )
    title = html.escape(_title(est))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title><style>{_CSS}</style></head>
<body>
<h1>{title}</h1>
<div class="total">{headline}</div>
<p class="muted">{html.escape(_source_line(est))}</p>
{budget_html}{missing_html}{notes}
<div class="grid">{"".join(f"<div>{p}</div>" for p in parts)}</div>
<table><colgroup><col style="width:15%"><col style="width:15%"><col style="width:7%"><col style="width:6%">
<col style="width:6%"><col style="width:7%"><col style="width:8%"><col style="width:11%">
<col style="width:25%"></colgroup>
<thead><tr><th>Resource</th><th>Type</th><th>Region</th><th>team</th><th>cost-center</th><th>component</th>
<th class="num">Monthly</th><th class="num">Range</th><th>Assumptions</th></tr></thead>
<tbody>{"".join(rows)}</tbody></table>
</body></html>
"""


def render(
    est: Estimate,
    fmt: str,
    *,
    rollup_keys: Sequence[str] = DEFAULT_ROLLUP_KEYS,
    budget: BudgetCheck | None = None,
    period: tuple[str, str] | None = None,
) -> str:
    """Render an estimate (or actual spend) in ``fmt``: table, markdown, csv or html."""
    if fmt == "table":
        return to_table(est, rollup_keys=rollup_keys, budget=budget)
    if fmt == "markdown":
        return to_markdown(est, rollup_keys=rollup_keys, budget=budget)
    if fmt == "csv":
        return to_csv(est, period)
    if fmt == "html":
        return to_html(est, budget=budget)
    raise ValueError(f"unknown report format {fmt!r}; allowed: {', '.join(FORMATS)}")


def render_diff(diff: CostDiff, fmt: str, *, rollup_keys: Sequence[str] = ("cost-center", "team")) -> str:
    """Render a diff in ``fmt``: table, markdown or csv
    (html shows the head estimate with the diff on top)."""
    if fmt == "table":
        return diff_table(diff, rollup_keys=rollup_keys)
    if fmt == "markdown":
        return diff_markdown(diff, rollup_keys=rollup_keys)
    if fmt == "csv":
        return diff_csv(diff)
    if fmt == "html":
        page = to_html(diff.head)
        summary = (
            f"<div class='warn'>Compared with the base: {_signed(diff.total_delta)} / month "
            f"({_usd(diff.base.total)} → {_usd(diff.head.total)}), "
            f"{len(diff.changed)} resources changed.</div>"
        )
        return page.replace('<div class="grid">', summary + '<div class="grid">', 1)
    raise ValueError(f"unknown report format {fmt!r}; allowed: {', '.join(FORMATS)}")
