"""``keel drift``: compare a current window with a reference (or a saved reference profile)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from stacks.cli._common import EXIT_FINDINGS, fail, write_output


class DriftFormat(StrEnum):
    """Report formats."""

    table = "table"
    json = "json"
    html = "html"


def drift(
    current: Annotated[Path, typer.Option("--current", help="Current window (.csv or .parquet).")],
    reference: Annotated[Path | None, typer.Option("--reference", help="Reference data (.csv or .parquet).")] = None,
    profile: Annotated[Path | None, typer.Option("--profile", help="Saved reference profile (.npz or .json) instead of --reference.")] = None,
    save_profile: Annotated[Path | None, typer.Option("--save-profile", help="Write the reference profile here for later runs.")] = None,
    output_format: Annotated[DriftFormat, typer.Option("--format", help="table, json or html.")] = DriftFormat.table,
    output: Annotated[Path | None, typer.Option("--output", help="Write the report here instead of standard output.")] = None,
    method: Annotated[str | None, typer.Option("--method", help="Test for every column: ks, wasserstein, psi, psi_quantile, jensenshannon, chisquare, z. Default: Evidently's choice per column.")] = None,
    num_method: Annotated[str | None, typer.Option("--num-method", help="Test for numerical columns.")] = None,
    cat_method: Annotated[str | None, typer.Option("--cat-method", help="Test for categorical columns.")] = None,
    threshold: Annotated[float | None, typer.Option("--threshold", help="Threshold for every column (default: the method's).")] = None,
    drift_share: Annotated[float, typer.Option("--drift-share", help="Dataset drifts when this share of columns drifts.")] = 0.5,
    numerical: Annotated[list[str] | None, typer.Option("--numerical", help="Numerical column (repeat). Inferred when not given.")] = None,
    categorical: Annotated[list[str] | None, typer.Option("--categorical", help="Categorical column (repeat).")] = None,
    prometheus: Annotated[Path | None, typer.Option("--prometheus", help="Also write Prometheus exposition text here.")] = None,
    cloudwatch_endpoint: Annotated[str | None, typer.Option("--cloudwatch-endpoint", help="Also publish CloudWatch metrics for this endpoint name (boto3 credentials from the environment).")] = None,
    fail_on_drift: Annotated[bool, typer.Option("--fail-on-drift", help="Exit 1 when the dataset drifts.")] = False,
) -> None:
    """Test every column of a window for drift against a reference, with Evidently's methods."""
    from runtime.drift import DriftDetector
    from runtime.drift._report import read_table, render_html, render_table

    if (reference is None) == (profile is None):
        fail("give exactly one of --reference (data) or --profile (a saved profile)")
    try:
        detector = DriftDetector(method=method, num_method=num_method, cat_method=cat_method, threshold=threshold,
                                 drift_share=drift_share, numerical=numerical or None, categorical=categorical or None)
        if profile is not None:
            detector.load(profile)
        else:
            assert reference is not None
            try:
                ref_frame = read_table(reference)
            except (FileNotFoundError, ValueError) as exc:
                fail(f"--reference: {exc}")
            try:
                detector.fit(ref_frame)
            except ValueError as exc:
                fail(f"--reference {reference}: {exc}")
        if save_profile is not None:
            detector.save(save_profile)
    except (FileNotFoundError, ValueError) as exc:
        fail(str(exc))
    try:
        cur_frame = read_table(current)
    except (FileNotFoundError, ValueError) as exc:
        fail(f"--current: {exc}")
    try:
        result = detector.score(cur_frame)
    except ValueError as exc:
        fail(f"--current {current}: {exc}")

    if output_format is DriftFormat.json:
        text = result.to_json()
    elif output_format is DriftFormat.html:
        text = render_html(result, detector.profile_, cur_frame, title=f"Data drift: {current.name}")
    else:
        text = render_table(result)
    write_output(text, output)
    if prometheus is not None:
        from runtime.metrics import drift_registry, prometheus_text

        write_output(prometheus_text(drift_registry(result, cloudwatch_endpoint or current.stem)), prometheus)
    if cloudwatch_endpoint is not None:
        from runtime.metrics import drift_metric_data, publish_metric_data

        publish_metric_data(drift_metric_data(result, cloudwatch_endpoint))
    if fail_on_drift and result.dataset_drift:
        raise typer.Exit(EXIT_FINDINGS)


def register(app: typer.Typer) -> None:
    """Add ``keel drift``."""
    app.command("drift")(drift)
