"""The job model and the jobs file: what each training job needs, how long it runs, by when it must end.

A jobs file (YAML, camelCase keys like the stack files) lists jobs plus what they share: quotas, per-hour
price profiles and allow-lists. It is validated completely with pydantic; :func:`load_jobs_file` raises a
:class:`JobsFileError` listing every problem with its file, field path, bad value and what is allowed.
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic.alias_generators import to_camel

from mlkeel.files import InputError, load_yaml

Cloud = Literal["aws", "gcp"]
Purchase = Literal["auto", "spot", "on-demand"]
QuotaPurchase = Literal["spot", "on-demand", "any"]

_JOB_NAME = re.compile(r"^[a-z][a-z0-9-]{0,62}$")


class _Model(BaseModel):
    """camelCase keys in files, snake_case in Python; unknown keys refused (a typo must not be ignored)."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True)


class Resources(_Model):
    """What one node of the job needs. ``minGpuMemoryGib`` is per GPU and implies at least one GPU."""

    gpus: int = Field(default=0, ge=0, le=64)
    min_gpu_memory_gib: float = Field(default=0, ge=0, le=1024)
    gpu_types: list[str] | None = Field(default=None, min_length=1)
    min_vcpu: int = Field(default=1, ge=1, le=1024)
    min_memory_gib: float = Field(default=1, gt=0, le=32768)
    nodes: int = Field(default=1, ge=1, le=1024)

    @property
    def gpus_needed(self) -> int:
        """GPUs per node, counting the one implied by a GPU-memory or GPU-type requirement."""
        return max(self.gpus, 1 if (self.min_gpu_memory_gib > 0 or self.gpu_types) else 0)


class DataLocation(_Model):
    """Where the job's input data lives; reading it from another region costs egress."""

    cloud: Cloud | None = None
    region: str = Field(min_length=1, max_length=64)
    size_gib: float = Field(default=0, ge=0, le=10_000_000)


class Job(_Model):
    """One training job.

    ``runtime_hours`` is measured on ``reference_type``; ``speed_factors`` say how much faster (> 1) or
    slower (< 1) other hardware is, keyed by instance type (``g5.2xlarge``), family (``g5``) or GPU type
    (``nvidia-l4``), the most specific key winning; hardware not listed runs at speed 1. ``deadline_hours``
    counts from now (None: no deadline). ``confidence`` is the probability with which a spot plan must
    meet the deadline; below it the scheduler falls back to on-demand.
    """

    name: str
    resources: Resources = Field(default_factory=Resources)
    runtime_hours: float = Field(gt=0, le=8760)
    reference_type: str | None = None
    speed_factors: dict[str, float] = Field(default_factory=dict)
    deadline_hours: float | None = Field(default=None, gt=0, le=8760)
    checkpointable: bool = True
    checkpoint_write_minutes: float = Field(default=5.0, gt=0, le=1440)
    restart_minutes: float = Field(default=10.0, ge=0, le=1440)
    data: DataLocation | None = None
    purchase: Purchase = "auto"
    confidence: float = Field(default=0.9, gt=0, lt=1)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not _JOB_NAME.match(value):
            raise ValueError("must be a job name: a lowercase letter, then lowercase letters, digits and '-'")
        return value

    @field_validator("speed_factors")
    @classmethod
    def _speeds(cls, value: dict[str, float]) -> dict[str, float]:
        for key, factor in value.items():
            if not factor > 0:
                raise ValueError(f"speed factor of {key!r} is {factor}; must be > 0 (2 = twice as fast)")
        return value


class Quota(_Model):
    """A limit shared by every job of a batch running at once (AWS vCPU quotas, GCP GPU quotas)."""

    cloud: Cloud
    region: str = Field(min_length=1)
    purchase: QuotaPurchase = "any"
    resource: Literal["gpus", "vcpu"]
    limit: int = Field(ge=0)


class PriceProfile(_Model):
    """Price multipliers per UTC hour of day (24 values) for a region and purchase option."""

    cloud: Cloud
    region: str = Field(min_length=1)
    purchase: QuotaPurchase = "any"
    multipliers: list[float] = Field(min_length=24, max_length=24)

    @field_validator("multipliers")
    @classmethod
    def _positive(cls, value: list[float]) -> list[float]:
        for hour, m in enumerate(value):
            if not m > 0:
                raise ValueError(f"multiplier for hour {hour} is {m}; every multiplier must be > 0")
        return value


class Allow(_Model):
    """Allow- and deny-lists on top of the stack's residency zone (None: everything in the zone)."""

    clouds: list[Cloud] | None = Field(default=None, min_length=1)
    regions: list[str] | None = Field(default=None, min_length=1)
    families: list[str] | None = Field(default=None, min_length=1)
    instance_types: list[str] | None = Field(default=None, min_length=1)
    deny_instance_types: list[str] = Field(default_factory=list)


class JobsFile(_Model):
    """A whole jobs file."""

    version: Literal[1] = 1
    jobs: list[Job] = Field(min_length=1)
    quotas: list[Quota] = Field(default_factory=list)
    price_profiles: list[PriceProfile] = Field(default_factory=list)
    allow: Allow = Field(default_factory=Allow)

    @model_validator(mode="after")
    def _unique(self) -> JobsFile:
        seen: set[str] = set()
        for job in self.jobs:
            if job.name in seen:
                raise ValueError(f"job name {job.name!r} appears twice; names must be unique")
            seen.add(job.name)
        keys = [(p.cloud, p.region, p.purchase) for p in self.price_profiles]
        if len(set(keys)) != len(keys):
            raise ValueError("two price profiles for the same cloud, region and purchase")
        return self


class JobsFileError(InputError):
    """A jobs file that cannot be scheduled; lists every problem with file, field, value and rule.

    An ``InputError``: the command line reports it like any other bad input (exit 2, no traceback).
    """

    def __init__(self, problems: list[str], *, file: str = ""):
        self.problems = list(problems)
        count = len(self.problems)
        super().__init__(
            "\n".join(
                [
                    f"{count} problem{'s' if count != 1 else ''} in the jobs file:",
                    *(f"  - {p}" for p in problems),
                ]
            ),
            file=file,
            allowed="a jobs file as described in docs/scheduling.md",
        )


def _where(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def validation_problems(exc: ValidationError, file: str) -> list[str]:
    """Readable ``file: path = value: message`` lines from a pydantic error."""
    lines = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        kind = err["type"]
        msg = str(err["msg"]).removeprefix("Value error, ").replace("Input should be", "must be")
        if kind == "missing":
            lines.append(f"{file}: {_where(loc)}: is required")
        elif kind == "extra_forbidden":
            lines.append(f"{file}: {_where(loc)}: unknown key{_suggestion(loc)}")
        else:
            lines.append(f"{file}: {_where(loc)} = {_show(err.get('input'))}: {msg}")
    return lines


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model whose keys are valid at ``loc`` (a pydantic error location), or None for a free mapping."""
    model: type[BaseModel] = JobsFile
    for part in loc:
        if isinstance(part, int):
            continue
        field = next((f for name, f in model.model_fields.items() if part in (name, f.alias)), None)
        if field is None:
            return None
        inner = _model_in(field.annotation)
        if inner is None:
            return None
        model = inner
    return model


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _suggestion(loc: tuple[Any, ...]) -> str:
    """``; did you mean 'runtimeHours'?`` (or the keys allowed there) for an unknown key at ``loc``."""
    model = _model_at(loc[:-1])
    if model is None:
        return ""
    keys = [f.alias or name for name, f in model.model_fields.items()]
    close = difflib.get_close_matches(str(loc[-1]), keys, n=1, cutoff=0.7)
    if close:
        return f"; did you mean {close[0]!r}?"
    return f"; allowed here: {', '.join(keys)}"


def parse_jobs(data: Any, file: str = "<jobs>") -> JobsFile:
    """Validate already-parsed jobs data (a mapping) into a :class:`JobsFile`."""
    if not isinstance(data, dict):
        raise JobsFileError(
            [f"{file}: the jobs file must be a mapping with a 'jobs' list, got {type(data).__name__}"],
            file=file,
        )
    try:
        return JobsFile.model_validate(data)
    except ValidationError as exc:
        raise JobsFileError(validation_problems(exc, file), file=file) from None


def load_jobs_file(path: str | Path) -> JobsFile:
    """Read and validate a jobs YAML file; :class:`JobsFileError` names file, field, value and rule.

    Read through ``mlkeel.files``: folders, FIFOs, files over ``MAX_DOCUMENT_BYTES``, non-UTF-8 bytes,
    duplicate keys and alias bombs are refused with the file named, like every other input.
    """
    p = Path(path)
    try:
        data = load_yaml(p, what="jobs file")
    except JobsFileError:
        raise
    except InputError as exc:
        raise JobsFileError([str(exc)], file=str(p)) from None
    return parse_jobs(data, str(p))
