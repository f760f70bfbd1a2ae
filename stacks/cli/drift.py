"""``keel drift``: compare a current window with a reference (or a saved reference profile)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from stacks.cli._common import EXIT_FINDINGS, fail, write_output


class DriftFormat(StrEnum):
    """Report formats."""

    table = "table"
    json = "json"
    html = "html"


class Engine(StrEnum):
    """Where the passes over the data run."""

    memory = "memory"
    spark = "spark"


#: Rows of a Spark window brought to the driver for the HTML report's charts (the numbers use every row).
HTML_SAMPLE_ROWS = 200_000


def spark_for(master: str | None) -> object:
    """A Spark session for ``--engine spark``, or exit 2 saying what is missing."""
    from runtime._spark import SparkUnavailableError, spark_session

    try:
        return spark_session(master)
    except SparkUnavailableError as exc:
        fail(f"--engine spark: {exc}")


def read_spark_table(session: object, path: Path, option: str) -> object:
    """A .parquet or .csv file (or a folder of parquet parts) as a Spark DataFrame; exit 2 if unreadable."""
    if not path.exists():
        fail(f"{option} {path}: no such file or folder")
    reader = session.read  # type: ignore[attr-defined]
    try:
        if path.suffix.lower() == ".csv":
            return reader.csv(str(path), header=True, inferSchema=True)
        return reader.parquet(str(path))
    except Exception as exc:  # AnalysisException and friends: pyspark's own classes
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        fail(f"{option} {path}: Spark cannot read it as {path.suffix or 'parquet'}: {first}")


def drift(
    current: Annotated[Path, typer.Option("--current", help="Current window (.csv or .parquet).")],
    reference: Annotated[
        Path | None, typer.Option("--reference", help="Reference data (.csv or .parquet).")
    ] = None,
    profile: Annotated[
        Path | None,
        typer.Option("--profile", help="Saved reference profile (.npz or .json) instead of --reference."),
    ] = None,
    save_profile: Annotated[
        Path | None, typer.Option("--save-profile", help="Write the reference profile here for later runs.")
    ] = None,
    output_format: Annotated[
        DriftFormat, typer.Option("--format", help="table, json or html.")
    ] = DriftFormat.table,
    output: Annotated[
        Path | None, typer.Option("--output", help="Write the report here instead of standard output.")
    ] = None,
    method: Annotated[
        str | None,
        typer.Option(
            "--method",
            help=(
                "Test for every column: ks, wasserstein, psi, psi_quantile, jensenshannon, chisquare, z. "
                "Default: Evidently's choice per column."
            ),
        ),
    ] = None,
    num_method: Annotated[
        str | None, typer.Option("--num-method", help="Test for numerical columns.")
    ] = None,
    cat_method: Annotated[
        str | None, typer.Option("--cat-method", help="Test for categorical columns.")
    ] = None,
    threshold: Annotated[
        float | None, typer.Option("--threshold", help="Threshold for every column (default: the method's).")
    ] = None,
    drift_share: Annotated[
        float, typer.Option("--drift-share", help="Dataset drifts when this share of columns drifts.")
    ] = 0.5,
    numerical: Annotated[
        list[str] | None,
        typer.Option("--numerical", help="Numerical column (repeat). Inferred when not given."),
    ] = None,
    categorical: Annotated[
        list[str] | None, typer.Option("--categorical", help="Categorical column (repeat).")
    ] = None,
    prometheus: Annotated[
        Path | None, typer.Option("--prometheus", help="Also write Prometheus exposition text here.")
    ] = None,
    cloudwatch_endpoint: Annotated[
        str | None,
        typer.Option(
            "--cloudwatch-endpoint",
            help=(
                "Also publish CloudWatch metrics for this endpoint name "
                "(boto3 credentials from the environment)."
            ),
        ),
    ] = None,
    fail_on_drift: Annotated[
        bool, typer.Option("--fail-on-drift", help="Exit 1 when the dataset drifts.")
    ] = False,
    engine: Annotated[
        Engine,
        typer.Option(
            "--engine",
            help="memory (pandas in this process) or spark (the passes over the data run on Spark).",
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
    threads: Annotated[
        int | None,
        typer.Option(
            "--threads",
            min=1,
            help="Threads for reading the files, profiling and scoring columns (default: one per core).",
        ),
    ] = None,
    p_values: Annotated[
        bool,
        typer.Option(
            "--p-values",
            help="Report every KS p-value; without it, KS on large samples is decided by scipy's critical D.",
        ),
    ] = False,
) -> None:
    """Test every column of a window for drift against a reference, with Evidently's methods."""
    from runtime.drift._kernels import load_in_background
    from stacks.cli import skip_teardown

    if (reference is None) == (profile is None):
        fail("give exactly one of --reference (data) or --profile (a saved profile)")
    if engine is Engine.memory:
        load_in_background()  # the compiled kernels load while the files are read
        skip_teardown()  # nothing is left running once the report is written (Spark's JVM would be)
    from mlkeel.files import InputError
    from runtime.drift import DriftDetector
    from runtime.drift._arrow import is_parquet_path
    from runtime.drift._report import read_table, render_html, render_table

    if threads is not None:
        import pyarrow

        pyarrow.set_cpu_count(threads)  # the Parquet reader's pool; scoring's is n_jobs below
    try:
        detector = DriftDetector(
            method=method,
            num_method=num_method,
            cat_method=cat_method,
            threshold=threshold,
            drift_share=drift_share,
            numerical=numerical or None,
            categorical=categorical or None,
            p_values=p_values,
            n_jobs=threads,
        )
        detector._validate_params()
    except ValueError as exc:
        fail(str(exc))
    if profile is not None:
        try:
            detector.load(profile)
        except InputError as exc:
            fail(f"--profile: {exc}")
        except ValueError as exc:
            fail(f"--profile {profile}: {exc}")
    else:
        assert reference is not None
        if engine is Engine.spark:
            session = spark_for(spark_master)
            ref_frame = read_spark_table(session, reference, "--reference")
        elif is_parquet_path(reference):
            ref_frame = reference  # profiled column by column from the file
        else:
            try:
                ref_frame = read_table(reference, text_as_categories=True)
            except InputError as exc:
                fail(f"--reference: {exc}")
        try:
            detector.fit(ref_frame)
        except InputError as exc:
            fail(f"--reference: {exc}")
        except ValueError as exc:
            fail(f"--reference {reference}: {_unprefixed(exc, 'reference: ')}")
    if save_profile is not None:
        try:
            detector.save(save_profile)
        except InputError as exc:
            fail(f"--save-profile: {exc}")
        except OSError as exc:
            fail(f"--save-profile {save_profile}: cannot write: {exc.strerror or exc}")
    cur_frame: Any
    if engine is Engine.spark:
        cur_frame = read_spark_table(spark_for(spark_master), current, "--current")
    elif is_parquet_path(current) and output_format is not DriftFormat.html:
        cur_frame = current  # scored column by column from the file; only the HTML charts need a frame
    else:
        try:
            cur_frame = read_table(current, text_as_categories=True)
        except InputError as exc:
            fail(f"--current: {exc}")
    try:
        result = detector.score(cur_frame)
    except InputError as exc:
        fail(f"--current: {exc}")
    except ValueError as exc:
        # Either file may be the one at fault (a renamed column in either), so name both.
        fail(f"--current {current}: {_unprefixed(exc, 'current: ')} (compared with {reference or profile})")

    if output_format is DriftFormat.json:
        text = result.to_json()
    elif output_format is DriftFormat.html:
        shown = cur_frame
        if engine is Engine.spark:
            shown = cur_frame.limit(HTML_SAMPLE_ROWS).toPandas()  # type: ignore[attr-defined]
        text = render_html(result, detector.profile_, shown, title=f"Data drift: {current.name}")
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
        # One line even when the report went to a file: an exit 1 must say why wherever it is read.
        if result.n_columns == 0:
            why = "no column could be tested against the reference"
        else:
            names = ", ".join(result.drifted_columns[:10]) + (
                " ..." if len(result.drifted_columns) > 10 else ""
            )
            why = (
                f"{result.n_drifted} of {result.n_columns} columns drifted ({names}); share "
                f"{result.share:.3f} >= --drift-share {result.drift_share}"
            )
        where = f"; report in {output}" if output is not None else ""
        typer.echo(f"keel: dataset drift in {current}: {why}{where}", err=True)
        raise typer.Exit(EXIT_FINDINGS)


def _unprefixed(exc: Exception, prefix: str) -> str:
    """The library's message without the side it names, which the option already says."""
    return str(exc).removeprefix(prefix)


def register(app: typer.Typer) -> None:
    """Add ``keel drift``."""
    app.command("drift")(drift)
