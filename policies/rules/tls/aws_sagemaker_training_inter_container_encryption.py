"""MLK_TLS_001: distributed SageMaker training encrypts traffic between containers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from pulumi_policy import EnforcementLevel, Severity

from .._base import AbsExpectationRule, Expect, RuleMeta
from .._frameworks import SC8
from .._tokens import SM_TRAINING_JOB


class AwsSagemakerTrainingInterContainerEncryption(AbsExpectationRule):
    meta = RuleMeta(
        id="MLK_TLS_001",
        name="aws-sagemaker-training-inter-container-encryption",
        title="Ensure SageMaker training jobs encrypt inter-container traffic",
        description="`enableInterContainerTrafficEncryption` is true on training jobs.",
        why="Distributed training exchanges gradients and data shards between instances; without it that "
        "traffic crosses the VPC in clear text.",
        severity=Severity.MEDIUM,
        enforcement=EnforcementLevel.MANDATORY,
        resources={SM_TRAINING_JOB: "enableInterContainerTrafficEncryption"},
        frameworks=(SC8,),
        remediation="Set enableInterContainerTrafficEncryption=True.",
    )
    expectations: ClassVar[Mapping[str, tuple[Expect, ...]]] = {
        SM_TRAINING_JOB: (Expect("enableInterContainerTrafficEncryption", "true"),)
    }
