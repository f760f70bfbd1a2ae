"""MLK_KMS_003: customer keys are enabled, carry their own policy, and grant nothing to everyone."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta, as_json, truthy
from .._frameworks import AC3, SC12
from .._iam_docs import statements
from .._tokens import KMS_KEY


class AwsKmsKeyPolicyRestricted(ResourceRule):
    meta = RuleMeta(
        id="MLK_KMS_003",
        name="aws-kms-key-policy-restricted",
        title="Ensure KMS keys are enabled and carry their own key policy",
        description="`aws:kms/key:Key` sets `policy` with statements (the default policy delegates "
        "everything to IAM) and `isEnabled` is not false. (A wildcard principal in the policy is "
        "MLK_KMS_001's finding.)",
        why="The stack key guards every artifact, feature and log: without its own policy any IAM "
        "principal of the account with kms:* may use it, and a disabled key makes every encrypted store "
        "unreadable at once.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={KMS_KEY: "policy (JSON), isEnabled"},
        frameworks=(SC12, AC3),
        remediation="Use the encryption capability's key: its policy names the account's administrators, "
        "the stack's roles and the services that encrypt for it.",
    )
    types = frozenset({KMS_KEY})

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        if resource.get("isEnabled") is not None and not truthy(resource.get("isEnabled")):
            yield "Key isEnabled must be true (found false)."
        document = as_json(resource.get("policy"), "policy")
        if not document or not any(True for _ in statements(document)):
            yield "Key policy must be set (found none: the default policy hands the key to IAM)."
