"""MLK_SPOT_002: spot training jobs checkpoint and wait at least as long as they may run."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, truthy
from .._tokens import SM_TRAINING_JOB


class AwsSagemakerSpotTrainingCheckpointed(ResourceRule):
    meta = RuleMeta(
        id="MLK_SPOT_002",
        name="aws-sagemaker-spot-training-checkpointed",
        title="Ensure spot training jobs checkpoint and wait at least their maximum runtime",
        description="When `enableManagedSpotTraining` is true: `checkpointConfig.s3Uri` is set and "
        "`stoppingCondition.maxWaitTimeInSeconds` ≥ `stoppingCondition.maxRuntimeInSeconds`.",
        why="Without checkpoints an interruption restarts training from scratch; a max wait shorter than the "
        "runtime is rejected by SageMaker or stops the job before it can finish.",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            SM_TRAINING_JOB: "enableManagedSpotTraining, checkpointConfig.s3Uri, "
            "stoppingCondition.{maxWaitTimeInSeconds,maxRuntimeInSeconds}"
        },
        remediation="Set checkpointConfig.s3Uri to the team's checkpoint prefix "
        "and maxWaitTimeInSeconds ≥ maxRuntimeInSeconds.",
    )
    types = frozenset({SM_TRAINING_JOB})

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        if not truthy(resource.get("enableManagedSpotTraining", False)):
            return
        if not resource.get("checkpointConfig.s3Uri"):
            yield "TrainingJob checkpointConfig.s3Uri must be set for spot training (found none)."
        wait = resource.get("stoppingCondition.maxWaitTimeInSeconds")
        runtime = resource.get("stoppingCondition.maxRuntimeInSeconds")
        if wait is None:
            yield (
                "TrainingJob stoppingCondition.maxWaitTimeInSeconds must be set for spot training "
                "(found none)."
            )
        elif runtime is not None and float(wait) < float(runtime):
            yield (
                "TrainingJob stoppingCondition.maxWaitTimeInSeconds must be ≥ maxRuntimeInSeconds "
                f"(found {int(float(wait))} < {int(float(runtime))})."
            )
