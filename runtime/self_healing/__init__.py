"""The self-healing loop that runs inside every stack: watch, retrain on spot, gate, roll out, roll back.

One run (:class:`Controller`) observes each endpoint's captured traffic and labels, judges drift,
accuracy and fairness with the runtime's own estimators, decides by the stack's documented policy
(:mod:`runtime.self_healing._policy`), acts through SageMaker, SNS and CloudWatch with boto3, and records
every step in an append-only audit log in the stack's bucket. :class:`GcpController` is the same loop
on Google Cloud (Vertex AI, GCS, BigQuery). A lease makes runs exclusive; the per-endpoint state makes
them resumable. No Pulumi here: the same code runs in Lambda, ECS, Cloud Run, a Kubernetes CronJob and
``keel watch``. See docs/self-healing.md.
"""

from runtime.self_healing._aws import MAX_ATTEMPTS, Clients, retry_create
from runtime.self_healing._calls import AWS_ACTIONS, BUCKET_PREFIXES, GCP_PERMISSIONS
from runtime.self_healing._config import (
    CONFIG_ENV,
    ControllerConfig,
    FairnessGateConfig,
    HealingPolicy,
    RolloutConfig,
    config_from_stack_state,
    config_from_state,
    load_any_config,
    load_config,
)
from runtime.self_healing._controller import Controller, RunSummary, reference_prefix
from runtime.self_healing._gcp import GcpClients, GcpController
from runtime.self_healing._gcp_config import GcpControllerConfig
from runtime.self_healing._lease import LEASE_KEY, Lease, LeaseHeld
from runtime.self_healing._policy import Decision, Figures, decide_canary, decide_window
from runtime.self_healing._record import AUDIT_PREFIX, STATE_PREFIX, AuditLog, StateStore, read_audit
from runtime.self_healing._run import EXIT_CODES, run_once

__all__ = [
    "AUDIT_PREFIX",
    "AWS_ACTIONS",
    "BUCKET_PREFIXES",
    "CONFIG_ENV",
    "EXIT_CODES",
    "GCP_PERMISSIONS",
    "LEASE_KEY",
    "MAX_ATTEMPTS",
    "STATE_PREFIX",
    "AuditLog",
    "Clients",
    "Controller",
    "ControllerConfig",
    "Decision",
    "FairnessGateConfig",
    "Figures",
    "GcpClients",
    "GcpController",
    "GcpControllerConfig",
    "HealingPolicy",
    "Lease",
    "LeaseHeld",
    "RolloutConfig",
    "RunSummary",
    "StateStore",
    "config_from_stack_state",
    "config_from_state",
    "decide_canary",
    "decide_window",
    "load_any_config",
    "load_config",
    "read_audit",
    "reference_prefix",
    "retry_create",
    "run_once",
]
