"""GcpAudit: Data Access audit logs for Vertex AI and Cloud Storage, kept in a CMEK log bucket (issue 3)."""

from __future__ import annotations

from .gcp_plans import PLANS, full, of_type, one


def test_audit_gcp_data_access_logs_for_vertex_and_storage() -> None:
    for name in PLANS:
        configs = {
            c["inputs"]["service"]: c["inputs"]
            for c in of_type(PLANS[name](), "gcp:projects/iAMAuditConfig:IAMAuditConfig")
        }
        assert set(configs) == {"aiplatform.googleapis.com", "storage.googleapis.com"}
        for config in configs.values():
            assert {"DATA_READ", "DATA_WRITE"} <= {c["logType"] for c in config["auditLogConfigs"]}


def test_audit_gcp_logs_are_kept_as_long_as_the_spec_says() -> None:
    assert (
        one(PLANS["risk"](), "gcp:logging/projectBucketConfig:ProjectBucketConfig")["inputs"]["retentionDays"]
        == 2555
    )
    bucket = one(full(), "gcp:logging/projectBucketConfig:ProjectBucketConfig")
    assert bucket["inputs"]["retentionDays"] == 400 and bucket["inputs"]["location"] == "europe-west4"
    sink = one(full(), "gcp:logging/projectSink:ProjectSink")["inputs"]
    assert sink["destination"] == f"logging.googleapis.com/{bucket['outputs']['id']}"
    assert (
        "data_access" in sink["filter"]
        and 'protoPayload.serviceName="aiplatform.googleapis.com"' in sink["filter"]
    )
