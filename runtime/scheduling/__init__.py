"""Cost-aware placement of training on spot capacity, within residency, deadlines and interruption risk.

Two users: the components, which resolve a training pool's requirements into concrete node types at plan
time (:func:`choose_pool_types`), and the running platform, which places each training job (cloud, region,
type, spot or on-demand, start time) at the lowest expected cost that still meets its deadline
(:class:`SpotScheduler`, ``keel schedule``). See ``docs/scheduling.md``.
"""

from runtime.scheduling._egress import EGRESS_SOURCE, EgressTable
from runtime.scheduling._interruption import (
    BUCKET_RATE_HIGH,
    BUCKET_RATE_MID,
    HOURS_PER_MONTH,
    daly_interval,
    deadline_probability,
    expected_wall_hours,
    mean_time_between_interruptions,
    run_loss_probability,
    young_interval,
)
from runtime.scheduling._jobs import (
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
)
from runtime.scheduling._offers import (
    DEFAULT_INTERRUPTION_BUCKET,
    GCP_N1_ATTACH_LIMITS,
    NODE_SERVICES,
    NoOffers,
    Offer,
    offers_from_catalog,
)
from runtime.scheduling._placement import (
    BatchPlan,
    NotFittedError,
    Placement,
    Plan,
    SpotScheduler,
    Unplaceable,
    place_batch,
    place_job,
)
from runtime.scheduling._pools import REQUIREMENT_DEFAULTS, PoolChoice, choose_pool_types
from runtime.scheduling._report import ScheduleReport, render_chart, render_table, schedule
from runtime.scheduling._timewindows import average_multiplier, cheapest_start

__all__ = [
    "BUCKET_RATE_HIGH",
    "BUCKET_RATE_MID",
    "DEFAULT_INTERRUPTION_BUCKET",
    "EGRESS_SOURCE",
    "GCP_N1_ATTACH_LIMITS",
    "HOURS_PER_MONTH",
    "NODE_SERVICES",
    "REQUIREMENT_DEFAULTS",
    "Allow",
    "BatchPlan",
    "DataLocation",
    "EgressTable",
    "Job",
    "JobsFile",
    "JobsFileError",
    "NoOffers",
    "NotFittedError",
    "Offer",
    "Placement",
    "Plan",
    "PoolChoice",
    "PriceProfile",
    "Quota",
    "Resources",
    "ScheduleReport",
    "SpotScheduler",
    "Unplaceable",
    "average_multiplier",
    "cheapest_start",
    "choose_pool_types",
    "daly_interval",
    "deadline_probability",
    "expected_wall_hours",
    "load_jobs_file",
    "mean_time_between_interruptions",
    "offers_from_catalog",
    "parse_jobs",
    "place_batch",
    "place_job",
    "render_chart",
    "render_table",
    "run_loss_probability",
    "schedule",
    "young_interval",
]
