"""The jobs file: validated with pydantic, every problem named with file, field, value and rule."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runtime.scheduling import Job, JobsFileError, Resources, load_jobs_file, parse_jobs

FIXTURES = Path(__file__).parent / "fixtures"
EXAMPLE = Path(__file__).resolve().parents[3] / "stacks" / "config" / "jobs.example.yaml"


def test_load_jobs_file_reads_the_example() -> None:
    jobs = load_jobs_file(EXAMPLE)
    assert [j.name for j in jobs.jobs][:2] == ["fraud-gbm-nightly", "fraud-transformer-finetune"]
    finetune = jobs.jobs[1]
    assert finetune.resources.nodes == 4 and finetune.speed_factors["nvidia-l4"] == 0.8
    assert jobs.quotas[0].limit == 4


def test_load_jobs_file_lists_every_problem_with_file_field_and_value() -> None:
    with pytest.raises(JobsFileError) as info:
        load_jobs_file(FIXTURES / "jobs-bad-fields.yaml")
    text = str(info.value)
    assert "3 problems in the jobs file" in text
    assert "jobs-bad-fields.yaml: jobs[0].deadlineHours = -1: must be greater than 0" in text
    assert "jobs-bad-fields.yaml: jobs[0].checkpointible: unknown key" in text
    assert "jobs-bad-fields.yaml: jobs[1].confidence = 1: must be less than 1" in text


def test_load_jobs_file_reports_yaml_syntax_with_line() -> None:
    with pytest.raises(JobsFileError, match=r"jobs-not-yaml.yaml: is not valid YAML \(line \d+, column \d+"):
        load_jobs_file(FIXTURES / "jobs-not-yaml.yaml")


def test_load_jobs_file_missing_file() -> None:
    with pytest.raises(JobsFileError, match=r"nope\.yaml: jobs file not found"):
        load_jobs_file(FIXTURES / "nope.yaml")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "must be a mapping with a 'jobs' list"),
        ({"jobs": []}, r"jobs = \[\]: List should have at least 1 item"),
        ({"jobs": [{"name": "a", "runtimeHours": 1}, {"name": "a", "runtimeHours": 2}]}, "appears twice"),
        ({"jobs": [{"name": "A b", "runtimeHours": 1}]}, r"jobs\[0\].name = 'A b': must be a job name"),
        (
            {"jobs": [{"name": "a", "runtimeHours": 1, "speedFactors": {"g5": 0}}]},
            "speed factor of 'g5' is 0",
        ),
        ({"jobs": [{"name": "a"}]}, r"jobs\[0\].runtimeHours: is required"),
        (
            {
                "jobs": [{"name": "a", "runtimeHours": 1}],
                "priceProfiles": [{"cloud": "aws", "region": "eu-west-1", "multipliers": [1.0] * 23}],
            },
            r"priceProfiles\[0\].multipliers",
        ),
        (
            {
                "jobs": [{"name": "a", "runtimeHours": 1}],
                "quotas": [{"cloud": "azure", "region": "x", "resource": "gpus", "limit": 1}],
            },
            r"quotas\[0\].cloud = 'azure': must be 'aws' or 'gcp'",
        ),
    ],
)
def test_parse_jobs_rejects_bad_data(data: object, message: str) -> None:
    with pytest.raises(JobsFileError, match=message):
        parse_jobs(data, "jobs.yaml")


def test_resources_gpu_memory_implies_a_gpu() -> None:
    assert Resources(min_gpu_memory_gib=16).gpus_needed == 1
    assert Resources(gpu_types=["nvidia-l4"]).gpus_needed == 1
    assert Resources().gpus_needed == 0
    assert Job(name="x", runtime_hours=1).checkpointable is True


_job_dicts = st.fixed_dictionaries(
    {
        "name": st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True),
        "runtimeHours": st.floats(0.01, 8760),
    },
    optional={
        "resources": st.fixed_dictionaries(
            {},
            optional={
                "gpus": st.integers(0, 64),
                "minGpuMemoryGib": st.floats(0, 1024),
                "minVcpu": st.integers(1, 1024),
                "minMemoryGib": st.floats(0.5, 32768),
                "nodes": st.integers(1, 1024),
            },
        ),
        "deadlineHours": st.floats(0.01, 8760),
        "checkpointable": st.booleans(),
        "checkpointWriteMinutes": st.floats(0.01, 1440),
        "purchase": st.sampled_from(["auto", "spot", "on-demand"]),
        "confidence": st.floats(0.01, 0.99),
        "speedFactors": st.dictionaries(
            st.sampled_from(["g5", "nvidia-l4", "g6.xlarge"]), st.floats(0.01, 100)
        ),
    },
)


@settings(max_examples=100, deadline=None)
@given(job=_job_dicts)
def test_parse_jobs_round_trips_every_valid_job(job: dict[str, object]) -> None:
    parsed = parse_jobs({"jobs": [job]}, "jobs.yaml")
    again = parse_jobs(parsed.model_dump(by_alias=True, exclude_none=True), "jobs.yaml")
    assert again == parsed
    assert parsed.jobs[0].name == job["name"]


@settings(max_examples=60, deadline=None)
@given(
    job=_job_dicts,
    key=st.sampled_from(["runtimeHours", "confidence", "checkpointWriteMinutes"]),
    bad=st.sampled_from([0, -1.5, "soon", None]),
)
def test_parse_jobs_names_the_field_of_any_bad_value(job: dict[str, object], key: str, bad: object) -> None:
    broken = {**job, key: bad}
    with pytest.raises(JobsFileError, match=rf"jobs.yaml: jobs\[0\]\.{key} = "):
        parse_jobs({"jobs": [broken]}, "jobs.yaml")
