"""What people read: a terminal table and a self-contained HTML page with per-column distribution charts.

Why histograms rather than raw points: a million-row window must still give a page of a few MB that
opens offline, so each column is drawn from its binned shares (reference vs current, same bins), and
plotly.js is inlined once at the top of the page (no CDN: monitoring hosts are often offline).
"""

from __future__ import annotations

import html
import io
from typing import TYPE_CHECKING, Any

import numpy as np

from runtime.drift._profile import CategoricalProfile, NumericalProfile, ReferenceProfile
from runtime.drift._results import ColumnDrift, DatasetDrift
from runtime.drift._scoring import categorical_counts

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["read_table", "render_html", "render_table"]

#: Histogram bins per numerical column in the HTML charts.
CHART_BINS = 40
#: Categories drawn per categorical chart (the most frequent; the rest are summed as "other").
CHART_CATEGORIES = 30


#: Largest data file (CSV or Parquet) ``keel drift`` and ``keel fairness`` read, in bytes: the file is read
#: whole, then parsed, so this bounds memory at a few times its size.
MAX_TABLE_BYTES = 2 * 1024 * 1024 * 1024

#: Suffixes read as CSV (``.gz``: gzip-compressed CSV) and as Parquet.
CSV_SUFFIXES = (".csv", ".txt", ".gz")
PARQUET_SUFFIXES = (".parquet", ".pq")


def read_table(
    path: Any, *, max_bytes: int = MAX_TABLE_BYTES, text_as_categories: bool = False
) -> pd.DataFrame:
    """Read a CSV or Parquet data file; anything unreadable is an ``InputError`` naming the file.

    Why read the bytes first: pandas and pyarrow open paths themselves, so a FIFO would hang them, a
    folder or a truncated file raises one of a dozen exception types, and non-UTF-8 CSV is silently
    mis-decoded or fails deep inside the parser. ``mlkeel.files.read_bytes`` refuses all of those with
    the file named, and the parsers only ever see bytes in memory.

    ``text_as_categories=True`` reads Parquet text columns dictionary-encoded, as pandas categoricals:
    pyarrow then builds a few Python strings per column instead of one per row, which is most of the
    time of reading a text-heavy file. Drift scoring treats both forms alike.
    """
    import gzip
    import zlib
    from pathlib import Path

    import pandas as pd

    from mlkeel.files import InputError, decode_text, read_bytes

    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in CSV_SUFFIXES + PARQUET_SUFFIXES:
        raise InputError.at(p, "", None, f"unsupported file type {suffix!r}; use .csv, .csv.gz or .parquet")
    data = read_bytes(p, what="data file (.csv or .parquet)", max_bytes=max_bytes)
    if suffix in PARQUET_SUFFIXES:
        try:
            if text_as_categories:
                return _parquet_text_as_categories(data)
            return pd.read_parquet(io.BytesIO(data))
        except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ValueError...: all mean "unreadable"
            raise InputError.at(p, "", None, f"cannot read as parquet: {_first_line(exc)}") from None
    if suffix == ".gz":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise InputError.at(p, "", None, f"is not a readable gzip file: {_first_line(exc)}") from None
        if len(data) > max_bytes:
            raise InputError.at(p, "", None, f"decompresses to more than {max_bytes:,} bytes")
    text = decode_text(data, p, what="CSV file")
    if not text.strip():
        raise InputError.at(p, "", None, "is empty; a CSV file starts with a header line naming the columns")
    try:
        return pd.read_csv(io.StringIO(text))
    except Exception as exc:  # pandas' ParserError, EmptyDataError, ValueError...: all mean "unreadable"
        raise InputError.at(p, "", None, f"cannot read as csv: {_first_line(exc)}") from None


def _parquet_text_as_categories(data: bytes) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pq.read_schema(pa.BufferReader(data))
    text = [f.name for f in schema if pa.types.is_string(f.type) or pa.types.is_large_string(f.type)]
    # split_blocks: one block per column, not every float column copied into one 2-D block (a third of
    # the time of reading a million-row file, for a layout nothing here needs)
    return pq.read_table(pa.BufferReader(data), read_dictionary=text).to_pandas(split_blocks=True)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    if value == 0 or 1e-3 <= abs(value) < 1e4:
        return f"{value:.4f}"
    return f"{value:.3e}"


def render_table(result: DatasetDrift, width: int = 120) -> str:
    """A rich table: one row per column (method, statistic, p-value, threshold, verdict)
    and a summary line."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Data drift per column", show_lines=False)
    for name, justify in (
        ("column", "left"),
        ("kind", "left"),
        ("method", "left"),
        ("statistic", "right"),
        ("p-value", "right"),
        ("threshold", "right"),
        ("rule", "left"),
        ("drift", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for col in result.columns:
        verdict = "[bold red]DRIFT[/]" if col.drifted else "[green]ok[/]"
        if col.status != "ok":
            verdict += f" ({col.status})"
        table.add_row(
            col.column,
            col.kind,
            col.method,
            _fmt(col.statistic),
            _fmt(col.p_value),
            _fmt(col.threshold),
            col.comparison,
            verdict,
        )
    buf = io.StringIO()
    console = Console(file=buf, width=width, force_terminal=False, color_system=None)
    console.print(table)
    verdict = "DATASET DRIFT" if result.dataset_drift else "no dataset drift"
    console.print(
        f"{result.n_drifted} of {result.n_columns} columns drifted (share {result.share:.3f}, "
        f"dataset drift at >= {result.drift_share}): {verdict}. "
        f"Reference {result.n_reference_rows} rows, current {result.n_current_rows} rows."
    )
    return buf.getvalue()


def _numeric_chart(
    prof: NumericalProfile, current: pd.Series
) -> tuple[list[float], list[float], list[float]]:
    import pandas as pd

    cur = pd.to_numeric(current, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    cur = cur[np.isfinite(cur)]
    ref = prof.sorted_values
    lo = min(float(ref[0]) if ref.size else np.inf, float(cur.min()) if cur.size else np.inf)
    hi = max(float(ref[-1]) if ref.size else -np.inf, float(cur.max()) if cur.size else -np.inf)
    if not np.isfinite(lo):
        return [], [], []
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    edges = np.linspace(lo, hi, CHART_BINS + 1)
    r = np.histogram(ref, edges)[0] / max(ref.size, 1)
    c = np.histogram(cur, edges)[0] / max(cur.size, 1)
    centers = (edges[:-1] + edges[1:]) / 2
    return centers.tolist(), r.tolist(), c.tolist()


def _categorical_chart(
    prof: CategoricalProfile, current: pd.Series
) -> tuple[list[str], list[float], list[float]]:
    cur_vals, cur_counts, _ = categorical_counts(current)
    ref_map = {str(v): int(c) for v, c in zip(prof.values.tolist(), prof.counts.tolist(), strict=True)}
    cur_map = {str(v): int(c) for v, c in zip(cur_vals.tolist(), cur_counts.tolist(), strict=True)}
    n_ref, n_cur = max(sum(ref_map.values()), 1), max(sum(cur_map.values()), 1)
    keys = sorted(
        set(ref_map) | set(cur_map), key=lambda k: -(ref_map.get(k, 0) / n_ref + cur_map.get(k, 0) / n_cur)
    )
    shown, rest = keys[:CHART_CATEGORIES], keys[CHART_CATEGORIES:]
    r = [ref_map.get(k, 0) / n_ref for k in shown]
    c = [cur_map.get(k, 0) / n_cur for k in shown]
    if rest:
        shown = [*shown, f"other ({len(rest)})"]
        r.append(sum(ref_map.get(k, 0) for k in rest) / n_ref)
        c.append(sum(cur_map.get(k, 0) for k in rest) / n_cur)
    return shown, r, c


def _figure(col: ColumnDrift, prof: Any, current: pd.Series) -> Any:
    import plotly.graph_objects as go

    x: list[Any]
    if isinstance(prof, NumericalProfile):
        x, r, c = _numeric_chart(prof, current)
    else:
        x, r, c = _categorical_chart(prof, current)
    fig = go.Figure()
    fig.add_bar(x=x, y=r, name="reference", marker_color="#4c78a8", opacity=0.75)
    fig.add_bar(x=x, y=c, name="current", marker_color="#e45756", opacity=0.75)
    verdict = "DRIFT" if col.drifted else "no drift"
    stat = _fmt(col.statistic)
    p = f", p = {_fmt(col.p_value)}" if col.p_value is not None else ""
    fig.update_layout(
        title=f"{col.column}: {col.method} {stat}{p} (threshold {_fmt(col.threshold)}) - {verdict}",
        barmode="overlay" if isinstance(prof, NumericalProfile) else "group",
        height=320,
        margin={"l": 40, "r": 20, "t": 50, "b": 40},
        yaxis_title="share of rows",
        legend={"orientation": "h"},
    )
    return fig


def render_html(
    result: DatasetDrift, profile: ReferenceProfile, current: pd.DataFrame, title: str = "Data drift"
) -> str:
    """A self-contained HTML page: summary, the per-column table and one distribution chart per column."""
    import plotly.io as pio

    rows = []
    for col in result.columns:
        cls = "drift" if col.drifted else "ok"
        rows.append(
            f"<tr class='{cls}'><td>{html.escape(col.column)}</td><td>{col.kind}</td><td>{col.method}</td>"
            f"<td>{_fmt(col.statistic)}</td><td>{_fmt(col.p_value)}</td><td>{_fmt(col.threshold)}</td>"
            f"<td>{html.escape(col.comparison)}</td><td>{'DRIFT' if col.drifted else 'ok'}"
            f"{'' if col.status == 'ok' else ' (' + col.status + ')'}</td></tr>"
        )
    charts = []
    first = True
    for col in result.columns:
        prof = profile.columns[col.column]
        fig = _figure(col, prof, current[col.column])
        charts.append(pio.to_html(fig, full_html=False, include_plotlyjs=first))
        first = False
    verdict = "Dataset drift detected" if result.dataset_drift else "No dataset drift"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; margin-bottom: 2em; }}
td, th {{ border: 1px solid #ccc; padding: 4px 8px; text-align: left; }}
tr.drift td {{ background: #fde2e1; }}
.summary {{ font-size: 1.2em; margin-bottom: 1em; }}
</style></head><body>
<h1>{html.escape(title)}</h1>
<p class="summary"><strong>{verdict}</strong>: {result.n_drifted} of {result.n_columns} columns drifted
(share {result.share:.3f}; the dataset drifts at a share of {result.drift_share} or more).
Reference {result.n_reference_rows} rows, current {result.n_current_rows} rows.</p>
<table><thead><tr><th>column</th><th>kind</th><th>method</th><th>statistic</th><th>p-value</th><th>threshold</th>
<th>rule</th><th>verdict</th></tr></thead><tbody>
{"".join(rows)}
</tbody></table>
<h2>Distributions (reference vs current, share of rows)</h2>
{"".join(charts)}
</body></html>
"""
