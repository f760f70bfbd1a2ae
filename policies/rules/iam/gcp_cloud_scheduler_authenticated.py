"""MLK_IAM_010: Cloud Scheduler calls HTTP targets over HTTPS with a token for a service account, and the
right kind of token for the host."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

from pulumi_policy import EnforcementLevel, Severity

from .._base import Resource, ResourceRule, RuleMeta
from .._frameworks import AC3, SC8

SCHEDULER_JOB = "gcp:cloudscheduler/job:Job"

#: Hosts that take OAuth 2.0 access tokens: Google's own APIs.
GOOGLE_API_SUFFIX = ".googleapis.com"


class GcpCloudSchedulerAuthenticated(ResourceRule):
    meta = RuleMeta(
        id="MLK_IAM_010",
        name="gcp-cloud-scheduler-authenticated",
        title="Ensure Cloud Scheduler HTTP targets use HTTPS and a service account token of the right kind",
        description="A `gcp:cloudscheduler/job:Job` with an `httpTarget` calls an `https://` URI; a Google "
        "API host (`*.googleapis.com`) with `oauthToken.serviceAccountEmail` and no `oidcToken`, any other "
        "host (a Cloud Run service URL, a function, an external endpoint) with "
        "`oidcToken.serviceAccountEmail` and no `oauthToken`. Pub/Sub and App Engine targets are not "
        "judged.",
        why="An unauthenticated target must accept calls from anyone who finds the URL; plain HTTP exposes "
        "the request body and the token in transit. An OAuth access token sent to a non-Google host hands "
        "that host a bearer token for every Google API the service account may call, while an OIDC "
        "identity token is bound to its audience and grants nothing at Google.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={SCHEDULER_JOB: "httpTarget.uri, httpTarget.oauthToken, httpTarget.oidcToken"},
        frameworks=(AC3, SC8),
        remediation="Call Google APIs (e.g. run.googleapis.com jobs.run) with oauth_token and other hosts "
        "with oidc_token, each naming a service account that holds only the invoker role on the target.",
    )
    types = frozenset({SCHEDULER_JOB})

    def applies(self, resource: Resource) -> bool:
        return bool(resource.get("httpTarget"))

    def check(self, resource: Resource, config: Mapping[str, Any]) -> Iterator[str]:
        uri = str(resource.get("httpTarget.uri") or "")
        parts = urlsplit(uri)
        if parts.scheme != "https":
            yield f"Job httpTarget.uri must use https:// (found {uri!r})."
        host = (parts.hostname or "").lower()
        oauth = resource.get("httpTarget.oauthToken.serviceAccountEmail")
        oidc = resource.get("httpTarget.oidcToken.serviceAccountEmail")
        if host.endswith(GOOGLE_API_SUFFIX):
            want, wrong = ("oauthToken", oauth), ("oidcToken", resource.get("httpTarget.oidcToken"))
        else:
            want, wrong = ("oidcToken", oidc), ("oauthToken", resource.get("httpTarget.oauthToken"))
        if not want[1]:
            yield (
                f"Job httpTarget.{want[0]}.serviceAccountEmail must name a service account for host "
                f"{host or '(none)'} (found none: the call is unauthenticated)."
            )
        if wrong[1]:
            yield f"Job httpTarget.{wrong[0]} must not be sent to host {host or '(none)'} (found one)."
