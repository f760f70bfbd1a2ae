"""MLK_SPOT_001: SageMaker training jobs use managed spot capacity."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from pulumi_policy import EnforcementLevel, Severity

from .._base import AbsExpectationRule, Expect, RuleMeta
from .._tokens import SM_TRAINING_JOB


class AwsSagemakerTrainingManagedSpot(AbsExpectationRule):
    meta = RuleMeta(
        id="MLK_SPOT_001",
        name="aws-sagemaker-training-managed-spot",
        title="Ensure SageMaker training jobs use managed spot capacity",
        description="`enableManagedSpotTraining` is true on training jobs.",
        why="Managed spot training typically costs well under half of on-demand for the same instance hours; "
        "checkpointed jobs lose little to interruptions.",
        severity=Severity.LOW,
        enforcement=EnforcementLevel.ADVISORY,
        resources={SM_TRAINING_JOB: "enableManagedSpotTraining"},
        remediation="Set enableManagedSpotTraining=True with a checkpointConfig and a maxWaitTimeInSeconds.",
    )
    expectations: ClassVar[Mapping[str, tuple[Expect, ...]]] = {
        SM_TRAINING_JOB: (Expect("enableManagedSpotTraining", "true"),)
    }
