"""``GcpAudit``: Data Access audit logs for Vertex AI and Cloud Storage, kept as long as the spec says.

Cloud Audit Logs record admin activity by default but not data access; ``IAMAuditConfig`` turns on
``DATA_READ`` and ``DATA_WRITE`` (and ``ADMIN_READ``) for ``aiplatform.googleapis.com`` and
``storage.googleapis.com``, so every read of a model, dataset or artifact is attributable. The ``_Default``
log bucket keeps them 30 days, so they are also routed to a CMEK-encrypted log bucket in the stack's region
whose retention is the spec's ``retentionDays``.
"""

from collections.abc import Sequence
from typing import NotRequired

import pulumi
import pulumi_gcp as gcp

from components.gcp._naming import gcp_name
from components.gcp.args import GcpKeyedArgs
from components.tagging import capability_options

AUDITED_SERVICES: tuple[str, ...] = ("aiplatform.googleapis.com", "storage.googleapis.com")
LOG_TYPES: tuple[str, ...] = ("ADMIN_READ", "DATA_READ", "DATA_WRITE")


class GcpAuditArgs(GcpKeyedArgs):
    retention_days: int
    services: NotRequired[Sequence[str]]
    """Services to audit (default: Vertex AI and Cloud Storage)."""


def audit_filter(services: Sequence[str]) -> str:
    """Cloud Logging filter selecting the Data Access audit logs of ``services``."""
    names = " OR ".join(f'protoPayload.serviceName="{s}"' for s in services)
    return f'logName:"cloudaudit.googleapis.com%2Fdata_access" AND ({names})'


class GcpAudit(pulumi.ComponentResource):
    """Audit configuration and its log bucket (see module docstring)."""

    def __init__(self, name: str, args: GcpAuditArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("mlkeel:index:GcpAudit", name, None, capability_options(opts, args["tags"], "audit"))
        prefix, project = args["prefix"], args["project"]
        services = list(args.get("services") or AUDITED_SERVICES)
        child = pulumi.ResourceOptions(parent=self)
        configs = [
            gcp.projects.IAMAuditConfig(
                f"{name}-{service.split('.')[0]}",
                project=project,
                service=service,
                audit_log_configs=[
                    gcp.projects.IAMAuditConfigAuditLogConfigArgs(log_type=t) for t in LOG_TYPES
                ],
                opts=child,
            )
            for service in services
        ]
        bucket = gcp.logging.ProjectBucketConfig(
            f"{name}-logs",
            project=project,
            location=args["region"],
            bucket_id=gcp_name("log_bucket", prefix, "audit"),
            retention_days=args["retention_days"],
            description=f"Data Access audit logs of {prefix}",
            cmek_settings=gcp.logging.ProjectBucketConfigCmekSettingsArgs(
                kms_key_name=args["encryption_key"]
            ),
            opts=child,
        )
        sink = gcp.logging.ProjectSink(
            f"{name}-sink",
            name=gcp_name("log_bucket", prefix, "audit-sink"),
            project=project,
            destination=pulumi.Output.concat("logging.googleapis.com/", bucket.id),
            filter=audit_filter(services),
            unique_writer_identity=True,
            description="Routes Data Access audit logs of the ML services to the stack's audit bucket",
            opts=child,
        )
        self.services = services
        self.audit_configs = configs
        self.log_bucket = bucket.id
        self.sink_writer = sink.writer_identity
        self.register_outputs({"services": services, "log_bucket": bucket.id, "sink": sink.name})
