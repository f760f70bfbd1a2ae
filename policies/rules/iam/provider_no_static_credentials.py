"""MLK_IAM_007: cloud providers authenticate from the environment, never with keys written in the program."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, Severity
from pulumi_policy.proxy import UnknownValueError

from .._base import Resource, ResourceRule, RuleMeta
from .._frameworks import nist

IA5 = nist("IA-5", "Authenticator management")

#: Provider inputs that hold long-lived credentials.
CREDENTIAL_INPUTS: dict[str, tuple[str, ...]] = {
    "pulumi:providers:aws": ("accessKey", "secretKey", "token"),
    "pulumi:providers:gcp": ("credentials", "accessToken"),
    "pulumi:providers:kubernetes": ("kubeconfig",),
}


class ProviderNoStaticCredentials(ResourceRule):
    meta = RuleMeta(
        id="MLK_IAM_007",
        name="provider-no-static-credentials",
        title="Ensure AWS and GCP providers take no static credentials from the program",
        description="AWS providers set none of `accessKey`, `secretKey`, `token`; GCP providers set neither "
        "`credentials` nor `accessToken`. (Kubernetes providers take a generated kubeconfig and are not "
        "judged.) Credentials come from the environment: a role, workload identity or a short-lived "
        "session.",
        why="A key in the program lands in the stack's state and every checkout; it never expires and "
        "nobody knows who used it.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={
            "pulumi:providers:aws": "accessKey, secretKey, token",
            "pulumi:providers:gcp": "credentials, accessToken",
        },
        frameworks=(IA5,),
        remediation="Drop the keys; run pulumi with an assumed role (OIDC in CI) or "
        "`gcloud auth application-default login` / workload identity federation.",
    )
    types = frozenset({"pulumi:providers:aws", "pulumi:providers:gcp"})

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        # A set secret reads as the encrypted placeholder, which ``get`` would turn into "could not be
        # checked": its presence is what matters, so look at the keys without decoding the values.
        props = resource.props
        present = []
        for key in CREDENTIAL_INPUTS[resource.type]:
            if key not in props:
                continue
            try:
                value = props[key]
            except UnknownValueError:
                value = "(unknown during preview)"
            if value not in (None, ""):
                present.append(key)
        if present:
            yield f"Provider must not set {', '.join(present)} (found them set in the program)."
