"""``keel fairness``: group fairness metrics of a scored dataset, with an optional deployment gate."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from stacks.cli._common import EXIT_FINDINGS, fail, write_output
from stacks.cli.drift import Engine


class FairnessFormat(StrEnum):
    """Report formats."""

    table = "table"
    json = "json"
    html = "html"


def fairness(
    data: Annotated[
        Path,
        typer.Option(
            "--data", help="Scored data with labels, predictions and sensitive features (.csv or .parquet)."
        ),
    ],
    label: Annotated[
        str, typer.Option("--label", help="Column with the true outcome (0/1 or -1/1, or use --pos-label).")
    ],
    prediction: Annotated[str, typer.Option("--prediction", help="Column with the model's decision.")],
    sensitive: Annotated[
        list[str], typer.Option("--sensitive", help="Sensitive feature column (repeat for intersections).")
    ],
    weight: Annotated[str | None, typer.Option("--weight", help="Sample weight column.")] = None,
    pos_label: Annotated[
        str | None, typer.Option("--pos-label", help="Value of the positive outcome when labels are not 0/1.")
    ] = None,
    output_format: Annotated[
        FairnessFormat, typer.Option("--format", help="table, json or html.")
    ] = FairnessFormat.table,
    output: Annotated[
        Path | None, typer.Option("--output", help="Write the report here instead of standard output.")
    ] = None,
    method: Annotated[
        str, typer.Option("--method", help="between_groups or to_overall, for the gate.")
    ] = "between_groups",
    gate_max_dpd: Annotated[
        float | None,
        typer.Option("--gate-max-dpd", help="Fail when demographic parity difference is above this."),
    ] = None,
    gate_min_dpr: Annotated[
        float | None,
        typer.Option(
            "--gate-min-dpr", help="Fail when demographic parity ratio is below this (0.8: four-fifths rule)."
        ),
    ] = None,
    gate_max_eod: Annotated[
        float | None,
        typer.Option("--gate-max-eod", help="Fail when equalized odds difference is above this."),
    ] = None,
    gate_min_eor: Annotated[
        float | None, typer.Option("--gate-min-eor", help="Fail when equalized odds ratio is below this.")
    ] = None,
    gate_max_eopd: Annotated[
        float | None,
        typer.Option("--gate-max-eopd", help="Fail when equal opportunity difference is above this."),
    ] = None,
    engine: Annotated[
        Engine,
        typer.Option(
            "--engine", help="memory (pandas in this process) or spark (grouped on Spark; same numbers)."
        ),
    ] = Engine.memory,
    spark_master: Annotated[
        str | None,
        typer.Option(
            "--spark-master",
            help="Spark master URL (local[4], spark://host:7077, yarn) or Spark Connect (sc://host:15002). "
            "Default local[2].",
        ),
    ] = None,
) -> None:
    """Selection rate, TPR, FPR and accuracy per group, disparity metrics, and a pass/fail gate (exit 1 on fail)."""  # noqa: E501
    from mlkeel.files import InputError
    from runtime.drift._report import read_table
    from runtime.fairness import FairnessGate, fairness_report, fairness_report_from_data

    if engine is Engine.spark:
        from stacks.cli.drift import read_spark_table, spark_for

        sdf = read_spark_table(spark_for(spark_master), data, "--data")
        # the checks below read only the schema and one label value, never the whole table
        frame = sdf.limit(1).toPandas()  # type: ignore[attr-defined]
        columns = list(sdf.columns)  # type: ignore[attr-defined]
    else:
        from stacks.cli import skip_teardown

        skip_teardown()  # nothing is left running once the report is written (Spark's JVM would be)
        try:
            frame = read_table(data)
        except InputError as exc:
            fail(f"--data: {exc}")
        if len(frame) == 0:
            fail(f"--data {data}: has no rows; fairness cannot be judged on empty data")
        columns = list(frame.columns)
    needed = [("--label", label), ("--prediction", prediction), *[("--sensitive", s) for s in sensitive]]
    if weight:
        needed.append(("--weight", weight))
    for option, column in needed:
        if column not in columns:
            fail(f"{data}: {option} column {column!r} not found; columns: {columns}")
    pos: object = pos_label
    if pos_label is not None and pd_is_numeric(frame[label]):
        try:
            pos = type(frame[label].dropna().iloc[0].item())(pos_label)
        except (ValueError, IndexError):
            fail(
                f"{data}: --pos-label = {pos_label!r}: label column {label!r} is numeric, so the positive "
                "outcome must be one of its numbers"
            )
    limits = {
        "max_demographic_parity_difference": gate_max_dpd,
        "min_demographic_parity_ratio": gate_min_dpr,
        "max_equalized_odds_difference": gate_max_eod,
        "min_equalized_odds_ratio": gate_min_eor,
        "max_equal_opportunity_difference": gate_max_eopd,
    }
    try:
        if engine is Engine.spark:
            report = fairness_report_from_data(
                sdf, label=label, prediction=prediction, sensitive=sensitive, weight=weight, pos_label=pos
            )
        else:
            report = fairness_report(
                frame[label],
                frame[prediction],
                frame[sensitive] if len(sensitive) > 1 else frame[sensitive[0]],
                sample_weight=frame[weight] if weight else None,
                pos_label=pos,
            )
        gate = FairnessGate(method=method, **limits) if any(v is not None for v in limits.values()) else None
    except ValueError as exc:
        fail(f"{data}: {exc}")
    verdict = gate.judge(report) if gate is not None else None

    if output_format is FairnessFormat.json:
        text = verdict.model_dump_json(indent=2) if verdict is not None else report.to_json()
    elif output_format is FairnessFormat.html:
        from runtime.fairness._report import render_fairness_html

        text = render_fairness_html(report, verdict)
    else:
        from runtime.fairness._report import render_fairness_table

        text = render_fairness_table(report, verdict)
    write_output(text, output)
    if verdict is not None and not verdict.passed:
        # One line even when the report went to a file: an exit 1 must say why wherever it is read.
        where = f"; report in {output}" if output is not None else ""
        typer.echo(f"keel: fairness gate failed for {data}: {'; '.join(verdict.reasons)}{where}", err=True)
        raise typer.Exit(EXIT_FINDINGS)


def pd_is_numeric(series: object) -> bool:
    """Whether a column is numeric (kept here so the module imports no pandas at --help time)."""
    import pandas as pd

    return bool(pd.api.types.is_numeric_dtype(series))  # type: ignore[arg-type]


def register(app: typer.Typer) -> None:
    """Add ``keel fairness``."""
    app.command("fairness")(fairness)
