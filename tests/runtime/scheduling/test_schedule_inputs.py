"""``keel schedule`` on broken files, typos, offline charts and a runner-up worth reading (issue 11)."""

from __future__ import annotations

import json
import os
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlkeel.files import InputError
from runtime.scheduling import (
    Allow,
    DataLocation,
    Job,
    JobsFile,
    JobsFileError,
    PriceProfile,
    Quota,
    Resources,
    load_jobs_file,
    parse_jobs,
    place_job,
    schedule,
)
from runtime.scheduling._jobs import _model_at, _model_in
from runtime.scheduling._placement import differs
from tests.runtime.test_drift_inputs import run

from .conftest import offer

FIXTURES = Path(__file__).parent / "fixtures"
STACK = FIXTURES / "Pulumi.fraud-dev.yaml"
JOBS_OK = FIXTURES / "jobs-ok.yaml"
EXAMPLE = Path(__file__).resolve().parents[3] / "stacks" / "config" / "jobs.example.yaml"
#: A jobs file using every level of the format, so a typo can be made at each of them.
EVERY_LEVEL: dict[str, Any] = {
    "version": 1,
    "jobs": [
        {
            "name": "train",
            "resources": {"gpus": 1, "minGpuMemoryGib": 16, "minVcpu": 4, "minMemoryGib": 16, "nodes": 1},
            "runtimeHours": 3,
            "deadlineHours": 24,
            "data": {"region": "eu-west-1", "sizeGib": 10},
        }
    ],
    "quotas": [{"cloud": "aws", "region": "eu-west-1", "purchase": "spot", "resource": "gpus", "limit": 8}],
    "priceProfiles": [{"cloud": "aws", "region": "eu-west-1", "purchase": "spot", "multipliers": [1.0] * 24}],
    "allow": {"families": ["g4dn", "g5", "g6"]},
}


def _broken(folder: Path, kind: str) -> Path:
    path = folder / f"{kind.replace(' ', '-')}.yaml"
    if kind == "not utf-8":
        path.write_bytes(JOBS_OK.read_bytes().replace(b"relaxed", "d\xe9tendu".encode("latin-1")))
    elif kind == "binary":
        path.write_bytes(bytes(range(256)) * 3)
    elif kind == "folder":
        path.mkdir()
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "duplicate key":
        path.write_text("version: 1\nversion: 1\njobs: []\n")
    elif kind == "alias bomb":
        lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
        lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 8)]
        path.write_text("\n".join(lines) + "\n")
    elif kind == "symlink loop":
        path.symlink_to(path)
    # "missing": nothing is created
    return path


KINDS = ["not utf-8", "binary", "folder", "fifo", "duplicate key", "alias bomb", "symlink loop", "missing"]


@pytest.mark.parametrize("kind", KINDS)
def test_schedule_refuses_each_class_of_broken_jobs_file_naming_it(tmp_path: Path, kind: str) -> None:
    jobs = _broken(tmp_path, kind)
    code, out, err = run(["schedule", str(jobs), "--stack", str(STACK)])
    assert code == 2 and out == "", err
    assert err.startswith("keel: error: ") and str(jobs) in err and "Traceback" not in err, err


@pytest.mark.parametrize("kind", KINDS)
def test_schedule_refuses_each_class_of_broken_stack_file_naming_it(tmp_path: Path, kind: str) -> None:
    stack = _broken(tmp_path, kind)
    code, out, err = run(["schedule", str(JOBS_OK), "--stack", str(stack)])
    assert code == 2 and out == "", err
    assert err.startswith("keel: error: --stack: ") and str(stack) in err, err


def test_jobs_file_error_is_an_input_error_carrying_the_file() -> None:
    with pytest.raises(JobsFileError) as info:
        parse_jobs({"jobs": []}, "jobs.yaml")
    assert isinstance(info.value, InputError) and info.value.file == "jobs.yaml"


# -- typos at every level ------------------------------------------------------------------------------------
def _key_locations() -> list[tuple[tuple[Any, ...], str]]:
    """(path of the mapping, key) for every key of EVERY_LEVEL a user can misspell."""
    out: list[tuple[tuple[Any, ...], str]] = []

    def walk(value: Any, path: tuple[Any, ...]) -> None:
        if isinstance(value, dict):
            for key, child in value.items():
                out.append((path, key))
                walk(child, (*path, key))
        elif isinstance(value, list):
            for i, child in enumerate(value):
                walk(child, (*path, i))

    walk(EVERY_LEVEL, ())
    return [(p, k) for p, k in out if len(k) > 4]


def _typo(key: str) -> str:
    """The key with its middle letter left out, as fingers do."""
    i = len(key) // 2
    return key[:i] + key[i + 1 :]


def test_every_level_document_is_valid() -> None:
    assert isinstance(parse_jobs(json.loads(json.dumps(EVERY_LEVEL)), "jobs.yaml"), JobsFile)


@pytest.mark.parametrize("path,key", _key_locations(), ids=lambda v: str(v))
def test_a_misspelt_key_at_any_level_gets_did_you_mean(path: tuple[Any, ...], key: str) -> None:
    doc = json.loads(json.dumps(EVERY_LEVEL))
    holder = doc
    for part in path:
        holder = holder[part]
    holder[_typo(key)] = holder.pop(key)
    with pytest.raises(JobsFileError) as info:
        parse_jobs(doc, "jobs.yaml")
    assert f"{_typo(key)}: unknown key; did you mean {key!r}?" in str(info.value)


def test_an_unknown_key_with_no_near_match_lists_the_allowed_keys() -> None:
    doc = json.loads(json.dumps(EVERY_LEVEL))
    doc["jobs"][0]["resources"]["zzzzzz"] = 1
    with pytest.raises(
        JobsFileError, match=r"resources\.zzzzzz: unknown key; allowed here: gpus, minGpuMemoryGib"
    ):
        parse_jobs(doc, "jobs.yaml")


def test_the_typo_document_reaches_every_model_of_the_format() -> None:
    # If a model is added to the format, EVERY_LEVEL must use it so the typo test above covers it.
    reachable: set[type] = set()
    todo: list[type] = [JobsFile]
    while todo:
        model = todo.pop()
        if model in reachable:
            continue
        reachable.add(model)
        todo += [m for f in model.model_fields.values() if (m := _model_in(f.annotation)) is not None]
    used = {_model_at(path) for path, _ in _key_locations()} | {_model_at(())}
    assert used == reachable == {JobsFile, Job, Resources, DataLocation, Quota, PriceProfile, Allow}


# -- fuzz ---------------------------------------------------------------------------------------------------
_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**6), 10**6),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=12),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=12), inner, max_size=3)
    ),
    max_leaves=8,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            out += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            out += _paths(child, (*prefix, i))
    return out


@st.composite
def _jobs_documents(draw: st.DrawFn) -> bytes:
    """A valid jobs file with one value anywhere replaced, then maybe cut or sprinkled with bytes."""
    doc = json.loads(json.dumps(EVERY_LEVEL))
    path = draw(st.sampled_from(_paths(doc)))
    new = draw(_values)
    if path:
        holder = doc
        for part in path[:-1]:
            holder = holder[part]
        holder[path[-1]] = new
    else:
        doc = new
    data = yaml.safe_dump(doc, sort_keys=False).encode("utf-8")
    how = draw(st.sampled_from(["as is", "cut", "bytes"]))
    if how == "cut":
        data = data[: draw(st.integers(0, len(data)))]
    elif how == "bytes":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:]
    return data


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=_jobs_documents())
def test_load_jobs_file_on_fuzzed_files_gives_a_jobs_file_or_an_error_naming_it(
    tmp_path: Path, data: bytes
) -> None:
    path = tmp_path / "jobs.yaml"
    path.write_bytes(data)
    try:
        jobs = load_jobs_file(path)
    except JobsFileError as exc:
        assert isinstance(exc, InputError) and exc.problems
        assert all(problem.startswith(str(path)) for problem in exc.problems), exc.problems
    else:
        assert isinstance(jobs, JobsFile)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=_jobs_documents())
def test_schedule_cli_on_fuzzed_jobs_files_succeeds_or_refuses_naming_the_file(
    tmp_path: Path, data: bytes
) -> None:
    path = tmp_path / "jobs.yaml"
    path.write_bytes(data)
    code, _, err = run(["schedule", str(path), "--stack", str(STACK), "--format", "json"])
    assert code in (0, 2), err
    if code == 2:
        assert err.startswith("keel: error: ") and "internal error" not in err, err
        assert str(path) in err or "jobs that cannot be placed" in err, err


# -- the chart renders offline -------------------------------------------------------------------------------
_REMOTE_SCRIPT = re.compile(r"<script[^>]*\bsrc\s*=\s*[\"']?(https?:)?//", re.IGNORECASE)


def test_schedule_chart_inlines_plotly_and_loads_nothing_from_the_network(tmp_path: Path) -> None:
    chart = tmp_path / "cost.html"
    code, _, err = run(["schedule", str(EXAMPLE), "--stack", str(STACK), "--chart", str(chart)])
    assert code == 0, err
    page = chart.read_text(encoding="utf-8")
    assert _REMOTE_SCRIPT.search(page) is None
    assert "Plotly.newPlot" in page and len(page) > 1_000_000  # plotly.js itself is in the page
    assert [p.name for p in tmp_path.iterdir()] == ["cost.html"]  # written atomically: no temp file left


# -- the runner-up -------------------------------------------------------------------------------------------
def test_place_runner_up_skips_a_candidate_identical_to_the_plan() -> None:
    first = offer()
    twin = replace(
        first, instance=replace(first.instance, zones=["eu-west-1c"])
    )  # same type, region, price; other pool
    dearer = offer(region="eu-central-1", spot=0.48)
    job = Job(name="train", resources=Resources(gpus=1), runtime_hours=6)
    placement = place_job(job, [offer(), twin, dearer], home=("aws", "eu-west-1"))
    assert placement.runner_up is not None and placement.runner_up.region == "eu-central-1"
    assert differs(placement.runner_up, placement.plan)


def test_runner_up_differs_from_the_plan_a_shared_quota_chose() -> None:
    jobs = parse_jobs(
        {
            "jobs": [
                {"name": n, "resources": {"gpus": 1, "minGpuMemoryGib": 24}, "runtimeHours": 6} for n in "ab"
            ],
            "quotas": [
                {"cloud": "aws", "region": "eu-west-1", "purchase": "spot", "resource": "gpus", "limit": 1}
            ],
        }
    )
    report = schedule(jobs, cloud="aws", home_region="eu-west-1", residency_zone="eu")
    moved = [p for p in report.placements if report.chosen(p) is not p.plan]
    assert moved, "the quota must move one job off its own best plan"
    for p in report.placements:
        runner = report.runner_up(p)
        assert runner is not None and differs(runner, report.chosen(p))
    doc = report.to_dict()
    for entry in doc["jobs"]:
        plan, runner = entry["plan"], entry["runner_up"]
        assert (plan["region"], plan["instance_type"], round(plan["expected_cost"], 2)) != (
            runner["region"],
            runner["instance_type"],
            round(runner["expected_cost"], 2),
        )


@settings(max_examples=25, deadline=None)
@given(
    gpus=st.integers(0, 2),
    memory=st.sampled_from([0, 16, 24]),
    hours=st.floats(0.5, 40),
    deadline=st.one_of(st.none(), st.floats(1, 80)),
    limit=st.one_of(st.none(), st.integers(0, 3)),
)
def test_runner_up_always_differs_from_the_chosen_plan(
    gpus: int, memory: int, hours: float, deadline: float | None, limit: int | None
) -> None:
    job = {
        "resources": {"gpus": gpus, "minGpuMemoryGib": memory},
        "runtimeHours": hours,
        "deadlineHours": deadline,
    }
    doc: dict[str, Any] = {"jobs": [{"name": n, **job} for n in ("a", "b", "c")]}
    if limit is not None:
        doc["quotas"] = [
            {"cloud": "aws", "region": "eu-west-1", "purchase": "any", "resource": "gpus", "limit": limit}
        ]
    report = schedule(
        parse_jobs(doc), cloud="aws", home_region="eu-west-1", residency_zone="eu", time_limit_seconds=5
    )
    for p in report.placements:
        runner = report.runner_up(p)
        if runner is not None:
            assert differs(runner, report.chosen(p)), (p.job, runner, report.chosen(p))
