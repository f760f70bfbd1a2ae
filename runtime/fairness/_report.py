"""Terminal table and self-contained HTML page for a fairness report (and gate verdict)."""

from __future__ import annotations

import html
import io
import math

from runtime.fairness._gate import GateResult
from runtime.fairness._metrics import RATES, FairnessReport

__all__ = ["render_fairness_html", "render_fairness_table"]


def _fmt(value: float) -> str:
    return "undefined" if math.isnan(value) else f"{value:.4f}"


def _group(value: object) -> str:
    return " / ".join(map(str, value)) if isinstance(value, list) else str(value)


def render_fairness_table(report: FairnessReport, verdict: GateResult | None = None, width: int = 120) -> str:
    """Per-group rates, the disparity metrics (both methods) and the gate verdict with its reasons."""
    from rich.console import Console
    from rich.table import Table

    buf = io.StringIO()
    console = Console(file=buf, width=width, force_terminal=False, color_system=None)
    groups = Table(title=f"Rates by {' x '.join(report.sensitive_features)}")
    groups.add_column("group")
    groups.add_column("rows", justify="right")
    for rate in RATES:
        groups.add_column(rate.replace("_", " "), justify="right")
    for g in [*report.by_group, report.overall]:
        groups.add_row(_group(g.group), f"{g.count:g}", *[_fmt(getattr(g, r)) for r in RATES])
    console.print(groups)
    metrics = Table(title="Disparity metrics")
    metrics.add_column("metric")
    metrics.add_column("between groups", justify="right")
    metrics.add_column("to overall", justify="right")
    for name in [k for k in report.metrics if not k.endswith("_to_overall")]:
        metrics.add_row(name, _fmt(report.metrics[name]), _fmt(report.metrics[name + "_to_overall"]))
    console.print(metrics)
    for note in report.notes:
        console.print(f"note: {note}")
    if verdict is not None:
        console.print("gate: PASS" if verdict.passed else "gate: FAIL")
        for reason in verdict.reasons:
            console.print(f"  - {reason}")
    return buf.getvalue()


def render_fairness_html(report: FairnessReport, verdict: GateResult | None = None) -> str:
    """A self-contained page: gate verdict, a selection-rate/TPR/FPR chart per group and the tables."""
    import plotly.graph_objects as go
    import plotly.io as pio

    labels = [_group(g.group) for g in report.by_group]
    fig = go.Figure()
    for rate in ("selection_rate", "true_positive_rate", "false_positive_rate"):
        fig.add_bar(x=labels, y=[getattr(g, rate) for g in report.by_group], name=rate.replace("_", " "))
    fig.update_layout(barmode="group", height=380, title="Rates by group", yaxis_title="rate")
    chart = pio.to_html(fig, full_html=False, include_plotlyjs=True)
    rows = "".join(
        f"<tr><td>{html.escape(_group(g.group))}</td><td>{g.count:g}</td>"
        + "".join(f"<td>{_fmt(getattr(g, r))}</td>" for r in RATES)
        + "</tr>"
        for g in [*report.by_group, report.overall]
    )
    metric_rows = "".join(
        f"<tr><td>{name}</td><td>{_fmt(v)}</td><td>{_fmt(report.metrics[name + '_to_overall'])}</td></tr>"
        for name, v in report.metrics.items()
        if not name.endswith("_to_overall")
    )
    gate = ""
    if verdict is not None:
        reasons = "".join(f"<li>{html.escape(r)}</li>" for r in verdict.reasons)
        gate = f"<p><strong>Gate: {'PASS' if verdict.passed else 'FAIL'}</strong></p><ul>{reasons}</ul>"
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in report.notes)
    head = "".join(f"<th>{r.replace('_', ' ')}</th>" for r in RATES)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Fairness report</title>
<style>body {{ font-family: system-ui, sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; margin-bottom: 2em; }}
td, th {{ border: 1px solid #ccc; padding: 4px 8px; }}</style></head><body>
<h1>Fairness by {html.escape(" x ".join(report.sensitive_features))}</h1>
{gate}
{chart}
<h2>Rates by group</h2><table><tr><th>group</th><th>rows</th>{head}</tr>{rows}</table>
<h2>Disparity metrics</h2>
<table><tr><th>metric</th><th>between groups</th><th>to overall</th></tr>{metric_rows}</table>
<ul>{notes}</ul>
</body></html>
"""
