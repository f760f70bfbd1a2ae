"""MLK_ENC_009: Cloud Run jobs, services and worker pools keep images and environment under the stack key."""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from pulumi_policy import EnforcementLevel, Severity

from .._base import AbsExpectationRule, Expect, RuleMeta
from .._cloud_run import TEMPLATES, TYPES_DOC, template_path
from .._frameworks import SC28


class GcpCloudRunEncryptionCmek(AbsExpectationRule):
    meta = RuleMeta(
        id="MLK_ENC_009",
        name="gcp-cloud-run-encryption-cmek",
        title="Ensure Cloud Run jobs, services and worker pools use a customer-managed key",
        description="Every Cloud Run v2 Job (`template.template.encryptionKey`), Service and WorkerPool "
        "(`template.encryptionKey`) names a Cloud KMS key.",
        why="Cloud Run keeps a copy of the container image and the environment (the controller's "
        "configuration, bucket and endpoint names) with Google's key unless told otherwise; with the "
        "stack key, revoking the key stops every run and the key's audit log shows each use.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={TYPES_DOC: "template.template.encryptionKey (Job), template.encryptionKey (others)"},
        frameworks=(SC28,),
        remediation="Pass the stack's Cloud KMS key as encryption_key and grant the Cloud Run service agent "
        "(service-<project number>@serverless-robot-prod.iam.gserviceaccount.com) "
        "roles/cloudkms.cryptoKeyEncrypterDecrypter on it.",
    )
    expectations: ClassVar[Mapping[str, tuple[Expect, ...]]] = {
        token: (Expect(template_path(token, "encryptionKey")),) for token in sorted(TEMPLATES)
    }
