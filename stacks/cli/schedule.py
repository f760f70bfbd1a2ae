"""``keel schedule``: place training jobs on spot or on-demand capacity at the lowest expected cost."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from stacks.cli._common import EXIT_BAD_INPUT, fail, write_output


class Format(StrEnum):
    table = "table"
    json = "json"


class Method(StrEnum):
    ilp = "ilp"
    heuristic = "heuristic"


def _hour_of_day(now: str | None) -> float:
    if now is None:
        moment = datetime.now(UTC)
    else:
        try:
            moment = datetime.fromisoformat(now)
        except ValueError:
            fail(f"--now = {now!r}: not an ISO date-time (e.g. 2026-11-22T04:00:00+00:00)")
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC)
    return moment.hour + moment.minute / 60.0


def schedule_command(
    jobs: Annotated[
        Path, typer.Argument(help="Jobs file (YAML): jobs, quotas, price profiles, allow-lists.")
    ],
    stack: Annotated[
        Path, typer.Option("--stack", help="Stack file (Pulumi.<stack>.yaml): cloud, home region, residency.")
    ],
    output_format: Annotated[Format, typer.Option("--format", help="table or json.")] = Format.table,
    method: Annotated[
        Method, typer.Option("--method", help="Batch solver when quotas are shared.")
    ] = Method.ilp,
    time_limit: Annotated[
        float | None,
        typer.Option("--time-limit", min=0.1, help="Seconds CBC may spend on a shared-quota batch."),
    ] = None,
    interruption_scale: Annotated[
        float,
        typer.Option(
            "--interruption-scale", min=0.01, help="Interruptions this many times as often as the advisor's."
        ),
    ] = 1.0,
    now: Annotated[
        str | None,
        typer.Option("--now", help="Current time (ISO) for hour-of-day price profiles; default now."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", help="Write the report here, not to stdout.")
    ] = None,
    chart: Annotated[
        Path | None, typer.Option("--chart", help="Also write an HTML bar chart of cost against on-demand.")
    ] = None,
) -> None:
    """Place each training job (cloud, region, type, spot or on-demand, start) at the lowest expected cost."""
    from mlkeel.files import InputError, load_yaml
    from runtime.scheduling import (
        NoOffers,
        load_jobs_file,
        render_chart,
        render_table,
        schedule,
    )
    from stacks.stackspec import SpecError, spec_from_config

    try:
        stack_data = load_yaml(stack, what="stack file")
    except InputError as exc:
        fail(f"--stack: {exc}")
    config = stack_data.get("config") if isinstance(stack_data, dict) else None
    if not isinstance(config, dict):
        fail(f"{stack}: a stack file needs a 'config:' mapping of 'mlkeel:<key>' values")
    try:
        spec = spec_from_config(config, str(stack))
    except (SpecError, InputError) as exc:
        fail(str(exc))
    try:
        jobs_file = load_jobs_file(jobs)
    except InputError as exc:  # JobsFileError included
        fail(str(exc))
    try:
        report = schedule(
            jobs_file,
            cloud=spec.cloud,
            home_region=spec.region,
            residency_zone=spec.residency_zone,
            now_hour=_hour_of_day(now),
            method=method.value,
            time_limit_seconds=time_limit,
            interruption_scale=interruption_scale,
        )
    except NoOffers as exc:
        fail(f"{jobs}: {exc}")
    text = report.to_json() if output_format is Format.json else render_table(report)
    write_output(text, output)
    if chart is not None and report.placements:
        write_output(render_chart(report), chart)
    if report.unplaceable:
        fail(
            "\n".join(
                [
                    f"{jobs}: jobs that cannot be placed:",
                    *(f"  - {msg}" for msg in report.unplaceable.values()),
                ]
            ),
            code=EXIT_BAD_INPUT,
        )


def register(app: typer.Typer) -> None:
    """Add ``keel schedule`` to the command line."""
    app.command("schedule")(schedule_command)
