"""The same controller on Google Cloud: the phase machine, policy and safety rules of :class:`Controller`,
with each cloud call answered by Vertex AI, GCS and BigQuery instead of SageMaker, S3 and CloudWatch.

What changes per step (docs/self-healing.md, "Google Cloud"):

- observe: the endpoint's requests from Vertex request-response logging in BigQuery
  (:mod:`runtime.self_healing._prediction_log`), labels and the reference profile from the stack's bucket;
- lease, state and audit: GCS objects under generation preconditions (:mod:`runtime.self_healing._gcs`);
- retrain: a Vertex ``CustomJob`` on spot VMs, machine type and region from the spot scheduler within the
  stack's residency; register: UploadModel with ``parent_model``;
- canary: DeployModel of the candidate under a deterministic deployed-model id with the canary's share;
  confirm: 100 % to the candidate, then the old models undeployed; roll back: the split recorded before
  the canary restored, then the candidate undeployed (:mod:`runtime.self_healing._vertex`);
- budget: Google Cloud has no API returning a budget's spend: the stack's rows of the Cloud Billing export
  (runtime.cost's query) plus the ledger since the export's newest row; else the run-rate plus the ledger.

Every step still writes its intent into the endpoint's state before it acts and looks before it creates.
"""

from __future__ import annotations

import base64
import contextlib
import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from runtime.self_healing._controller import MIN_CANARY_LABELS, Controller, reference_prefix
from runtime.self_healing._gcp_config import GcpControllerConfig
from runtime.self_healing._gcs import GcsAuditLog, GcsBucket, GcsLease, GcsStateStore
from runtime.self_healing._lease import KubernetesLease
from runtime.self_healing._monitoring import ACCURACY_METRIC, DRIFT_METRIC, CloudMonitoring
from runtime.self_healing._policy import Decision, Figures, decide_canary
from runtime.self_healing._prediction_log import QueryFn, read_prediction_window
from runtime.self_healing._vertex import VertexActions, deployed_model_id

if TYPE_CHECKING:
    from runtime.cost._actuals import RowRunner

__all__ = ["GcpClients", "GcpController"]


def _utc(value: Any) -> datetime:
    """A TIMESTAMP as BigQuery (aware) or DuckDB (naive UTC, or aware) returns it."""
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


@dataclass
class GcpClients:
    """What one GCP run talks to: the bucket, Vertex, the log query (BigQuery, or DuckDB in tests)."""

    storage: Any
    vertex: VertexActions
    query: QueryFn
    billing: RowRunner | None = None
    """Runs the billing export query (runtime.cost's; DuckDB in tests); None: BigQuery, made when used."""
    billing_dialect: str = "bigquery"
    monitoring: CloudMonitoring | None = None
    """Cloud Monitoring (figures out, the canary's serving metrics in); None: neither (recorded)."""

    @classmethod
    def connect(
        cls,
        config: GcpControllerConfig,
        *,
        storage_endpoint: str | None = None,
        vertex_endpoint: str | None = None,
        query: QueryFn | None = None,
    ) -> GcpClients:
        """Clients with Application Default Credentials (the Cloud Run job's service account)."""
        from runtime.self_healing._gcs import gcs_client
        from runtime.self_healing._prediction_log import bigquery_query

        if query is None:
            from google.cloud import bigquery

            query = bigquery_query(bigquery.Client(project=config.project))
        return cls(
            gcs_client(config.project, api_endpoint=storage_endpoint),
            VertexActions(config.project, config.region, api_endpoint=vertex_endpoint),
            query,
            monitoring=CloudMonitoring(config.project, api_endpoint=config.monitoring_endpoint),
        )


class GcpController(Controller):
    """:class:`Controller` for a GCP stack (``GcpControllerConfig``, ``GcpClients``)."""

    CLOUD = "gcp"

    def __init__(
        self,
        config: GcpControllerConfig,
        clients: GcpClients,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        dry_run: bool = False,
        run_id: str | None = None,
        sleep: Callable[[float], None] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.gcp = clients
        self.gcp_config = config
        super().__init__(
            cast(Any, config),
            cast(Any, clients),
            clock=clock,
            dry_run=dry_run,
            run_id=run_id,
            env=env,
            **({} if sleep is None else {"sleep": sleep}),
        )

    # -- records ---------------------------------------------------------------------------------

    def _open(self, started: datetime, env: Mapping[str, str]) -> None:
        cfg = self.gcp_config
        self.objects = GcsBucket(self.gcp.storage, cfg.bucket, cfg.kms_key)
        self.vertex = self.gcp.vertex
        self.audit = GcsAuditLog(self.objects, self.run_id, started)
        if env.get("MLKEEL_LEASE_BACKEND") == "kubernetes":  # on GKE the CronJob's Lease, as on EKS
            self.lease = KubernetesLease.from_environment(self.run_id, cfg.policy.lease_seconds, env)
        else:
            self.lease = GcsLease(self.objects, self.run_id, cfg.policy.lease_seconds)

    def state_store(self, endpoint: str) -> Any:
        return GcsStateStore(self.objects, endpoint)

    def read_bytes(self, key: str) -> bytes | None:
        seen = self.objects.read(key)
        return None if seen is None else seen[0]

    def _put(self, key: str, body: bytes) -> None:
        self.objects.write(key, body)

    def bucket_key(self, uri: str) -> str:
        return uri.split(f"gs://{self.gcp_config.bucket}/", 1)[-1]

    def alert(self, endpoint: str, subject: str, lines: list[str]) -> None:
        """Publish to the stack's Pub/Sub topic (REST, the run's credentials) and record the message id."""
        topic = self.gcp_config.alerts_topic
        if topic is None:
            self.record(endpoint, "alert", subject=subject, lines=lines, result="no topic configured")
            return
        import google.auth
        from google.auth.transport.requests import AuthorizedSession

        if not topic.startswith("projects/"):
            topic = f"projects/{self.gcp_config.project}/topics/{topic}"
        message = "\n".join(
            [f"mlkeel self-healing, stack {self.gcp_config.stack}, endpoint {endpoint}", *lines]
        )
        credentials, _ = google.auth.default(scopes=["https://www.googleapis.com/auth/pubsub"])
        response = AuthorizedSession(credentials).post(
            f"https://pubsub.googleapis.com/v1/{topic}:publish",
            json={
                "messages": [
                    {
                        "data": base64.b64encode(message.encode()).decode(),
                        "attributes": {"subject": subject[:100]},
                    }
                ]
            },
            timeout=30,
        )
        response.raise_for_status()
        self.record(endpoint, "alert", subject=subject, lines=lines, result=response.json())

    # -- observe ---------------------------------------------------------------------------------

    def describe_live(self, endpoint: str) -> dict[str, Any]:
        return self.vertex.describe_endpoint(self.gcp_config.endpoints[endpoint])

    def initial_live(self, endpoint: str, described: dict[str, Any]) -> dict[str, Any]:
        split = described["split"]
        top = max(split, key=lambda k: split[k]) if split else None
        return {
            "split": split,
            "model_version": None if top is None else described["deployed"][top]["model"],
            "reference": reference_prefix(endpoint),
            "model_data": f"{reference_prefix(endpoint)}model.tar.gz",
        }

    def read_profile(self, key: str) -> Any:
        import tempfile
        from pathlib import Path

        from runtime.drift import load_profile

        body = self.read_bytes(key)
        if body is None:
            raise FileNotFoundError(f"gs://{self.gcp_config.bucket}/{key}: no reference profile")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "profile.json"
            path.write_bytes(body)
            return load_profile(path)

    def read_observations(self, endpoint: str, columns: list[str]) -> Any:
        cfg = self.gcp_config
        window = read_prediction_window(
            self.gcp.query,
            cfg.log_table(),
            self.vertex.endpoint_name(cfg.endpoints[endpoint]),
            columns,
            end=self.clock(),
            hours=cfg.policy.window_hours,
        )
        labels: dict[str, str] = {}
        for key in self.objects.keys(f"labels/{endpoint}/"):
            body = self.read_bytes(key) if key.endswith(".csv") else None
            for row in csv.DictReader(io.StringIO((body or b"").decode("utf-8", "replace"))):
                rid, value = row.get("inference_id"), row.get(cfg.policy.label_column)
                if rid and value is not None:
                    labels[rid] = value.strip()
        window.labels = labels
        return window

    def serving(self, endpoint: str, described: dict[str, Any]) -> dict[str, Any]:
        """The split, and each deployed model's serving over the window (Vertex's metrics) when readable."""
        out: dict[str, Any] = {"traffic_split": described["split"]}
        monitoring = self.gcp.monitoring
        if monitoring is None:
            out["metrics"] = "not read: no Cloud Monitoring client"
            return out
        end = self.clock()
        start = end - timedelta(hours=self.gcp_config.policy.window_hours)
        ep_id = self.gcp_config.endpoints[endpoint].rsplit("/", 1)[-1]
        try:
            out["metrics"] = {
                d: monitoring.serving(ep_id, d, start, end).to_dict() for d in described["split"]
            }
        except Exception as exc:  # a record for a person only; the canary reads again and fails closed
            out["metrics"] = {"error": f"{type(exc).__name__}: {exc}"}
        return out

    def publish(self, endpoint: str, drift: Any, accuracy: float | None) -> int:
        """Drift share (the metric the stack's drift alert policy watches) and accuracy to Cloud Monitoring.

        A write that fails is recorded and never fails the run: the next run writes fresh figures.
        """
        monitoring = self.gcp.monitoring
        if monitoring is None:
            return 0
        labels = {"endpoint": endpoint}
        if self.gcp_config.cost_tags.get("team"):  # the descriptor's other label
            labels["team"] = self.gcp_config.cost_tags["team"]
        points = [] if drift is None else [(DRIFT_METRIC, labels, float(drift.share))]
        if accuracy is not None:
            points.append((ACCURACY_METRIC, {"endpoint": endpoint}, float(accuracy)))
        try:
            return monitoring.write_gauges(points, self.clock())
        except Exception as exc:  # a monitoring side channel: never stop the loop for it
            self.record(endpoint, "publish", result="failed", error=f"{type(exc).__name__}: {exc}")
            return 0

    def _budget_figure(self) -> float | None:
        """Month-to-date spend from the stack's rows of the Cloud Billing export, None when unknown.

        Google Cloud has no API returning a budget's spend; the billing export in BigQuery is where the
        figure lives. The query is runtime.cost's (``keel cost actuals``: cost + credits), filtered to the
        stack's ``team`` and ``environment`` labels. The export lags usage by hours, so what the loop's own
        jobs cost after the export's newest ``usage_end_time`` (the ledger) is added. None (export not
        configured, unreadable, or no stack labels) makes the caller fall back to run-rate + ledger.
        """
        from runtime.cost._actuals import bigquery_runner, gcp_actual_rows
        from runtime.self_healing._ledger import ledger_since

        cfg = self.gcp_config
        table = cfg.billing_export_table
        labels = cfg.stack_labels()
        if table is None or not labels:
            why = "no billing_export_table in the configuration" if table is None else "no team label"
            self.record(None, "budget", result="unknown", source="billing-export", error=why)
            return None
        now = self.clock()
        start = now.replace(day=1).date()
        try:
            run = self.gcp.billing or bigquery_runner(project=cfg.project)
            rows = gcp_actual_rows(
                run,
                table=table,
                start=start.isoformat(),
                end=(now.date() + timedelta(days=1)).isoformat(),
                group_by=list(labels),
                dialect=self.gcp.billing_dialect,
                where_labels=labels,
            )
        except Exception as exc:  # not granted, table missing, BigQuery unreachable: fall back
            self.record(
                None,
                "budget",
                result="unknown",
                source="billing-export",
                table=table,
                error=f"{type(exc).__name__}: {exc}",
            )
            return None
        exported = round(sum(float(r.get("cost") or 0.0) for r in rows), 4)
        ends = [_utc(r["latest_usage_end"]) for r in rows if r.get("latest_usage_end") is not None]
        latest = max(ends) if ends else None
        ledger = 0.0
        for endpoint in cfg.endpoints:
            ledger += ledger_since(self.state_store(endpoint).load().get("ledger", []), latest, now)
        spend = round(exported + ledger, 4)
        self.record(
            None,
            "budget",
            source="billing-export",
            table=table,
            labels=labels,
            export_usd=exported,
            export_latest_usage_end=None if latest is None else latest.isoformat(),
            ledger_after_export_usd=round(ledger, 6),
            month_spend_usd=spend,
            limit_usd=cfg.monthly_budget_usd,
        )
        return spend

    # -- retrain ---------------------------------------------------------------------------------

    def place_training(self, job: str) -> dict[str, Any]:
        """Machine type and region for a spot CustomJob, from the spot scheduler within the residency."""
        from runtime.pricing import load_catalog
        from runtime.scheduling import Job, NoOffers, offers_from_catalog, place_job

        cfg = self.gcp_config
        allowed = cfg.machine_types()
        try:
            offers = offers_from_catalog(
                load_catalog(),
                clouds=["gcp"],
                residency_zone=cfg.residency_zone,
                instance_types=allowed,
                attach_gcp_accelerators=False,
            )
            placed = place_job(
                Job(name=job.lower(), runtime_hours=cfg.policy.max_runtime_minutes / 60 / 2),
                offers,
                home=("gcp", cfg.region),
            ).plan
            return {
                "instance_type": placed.instance_type,
                "region": placed.region,
                "expected_cost_usd": round(placed.expected_cost, 4),
                "purchase": "spot",
                "reason": "cheapest expected cost of the allowed types in the residency (runtime.scheduling)",
            }
        except (NoOffers, ValueError) as exc:
            return {
                "instance_type": allowed[0],
                "region": cfg.region,
                "purchase": "spot",
                "reason": f"first allowed type: the scheduler placed nothing ({exc})",
            }

    def create_training_job(self, endpoint: str, state: dict[str, Any], store: Any) -> None:
        work, cfg = state["work"], self.gcp_config
        job = work["job"]
        # Vertex mounts the bucket at /gcs/<bucket> (Cloud Storage FUSE): the entry point sees files
        fuse = f"/gcs/{cfg.bucket}"
        output = f"gs://{cfg.bucket}/training-output/{job}/"
        self.guard()
        name, outcome = self.vertex.start_training(
            job,
            machine_type=work["placement"]["instance_type"],
            image=cfg.training_image_uri(),
            command=["python", "-m", "runtime.self_healing.training.train"],
            args=[
                "--train",
                f"{fuse}/self-healing/training/{job}/train",
                "--model-dir",
                f"{fuse}/training-output/{job}/model",
                "--label-column",
                cfg.policy.label_column,
            ],
            env={},
            service_account=cfg.training_service_account,
            output_uri=output,
            max_runtime_seconds=cfg.policy.max_runtime_minutes * 60,
            max_wait_seconds=cfg.policy.max_wait_minutes * 60,
            network=cfg.network,
            kms_key=cfg.kms_key,
            labels={**cfg.cost_tags, "component": "training"},
        )
        work["custom_job"] = name
        self.record(endpoint, "create-training-job", job=job, spot=True, custom_job=name, result=outcome)
        work["phase"] = "training"
        self.save(store, state)

    def training_progress(self, work: dict[str, Any]) -> tuple[str, dict[str, Any] | None, dict[str, Any]]:
        name = work.get("custom_job") or getattr(self.vertex.find_training_job(work["job"]), "name", None)
        if name is None:
            return "failed", None, {"status": "Missing", "failure": "the job is gone"}
        job = self.vertex.training_status(name)
        detail: dict[str, Any] = {"status": job["state"]}
        if job["state"] in (
            "JOB_STATE_QUEUED",
            "JOB_STATE_PENDING",
            "JOB_STATE_RUNNING",
            "JOB_STATE_UPDATING",
        ):
            return "running", job, detail
        if job["state"] != "JOB_STATE_SUCCEEDED":
            detail["failure"] = job["error"] or job["state"]
            return "failed", job, detail
        return "completed", job, detail

    def billable_seconds(self, job: dict[str, Any] | None) -> float | None:
        return None if job is None else job.get("seconds")

    def model_artifact(self, job: dict[str, Any]) -> str:
        # the entry point writes model.joblib + features.json there: the folder Vertex's scikit-learn
        # prediction container serves (artifact_uri)
        return f"{job['output'].rstrip('/')}/model/"

    def load_model_at(self, key: str) -> Any | None:
        """A model folder (``model.joblib`` + ``features.json``) or a ``model.tar.gz`` (the team's first)."""
        if not key.endswith("/"):
            return super().load_model_at(key)
        import json

        import joblib

        model, features = self.read_bytes(key + "model.joblib"), self.read_bytes(key + "features.json")
        if model is None or features is None:
            return None
        return joblib.load(io.BytesIO(model)), json.loads(features)["features"]

    # -- register and roll out -------------------------------------------------------------------

    def register(self, endpoint: str, state: dict[str, Any], store: Any, work: dict[str, Any]) -> None:
        cfg = self.gcp_config
        parent = cfg.models.get(endpoint) or (state["live"].get("model_version") or "").split("@")[0]
        if not parent:
            raise RuntimeError(f"no model to add a version to for {endpoint}: set models.{endpoint}")
        self.guard()
        version, outcome = self.vertex.register_version(
            parent,
            work["job"],
            artifact_uri=work["model_data"],
            serving_image=cfg.serving_image_uri(),
            description=f"mlkeel self-healing: retrained by {work['job']}",
            kms_key=cfg.kms_key,
            labels={**cfg.cost_tags, "approval": "approved" if work["approve"] else "pending"},
        )
        self.record(
            endpoint, "register", job=work["job"], approve=work["approve"], result=outcome, version=version
        )
        work["model_package_arn"] = version  # the version's name, where AWS keeps the package ARN
        work["phase"] = "notify"
        self.save(store, state)

    def roll_out(self, endpoint: str, state: dict[str, Any], store: Any, work: dict[str, Any]) -> None:
        """The candidate deployed beside the live model with the canary's share of the traffic."""
        cfg, rollout = self.gcp_config, self.gcp_config.rollout_for(endpoint)
        described = self.describe_live(endpoint)
        if "previous_split" not in work:  # intent first: the split a rollback restores
            work["previous_split"] = {k: v for k, v in described["split"].items() if v}
            work["candidate_id"] = deployed_model_id(work["job"])
            self.save(store, state)
        percent = {"canary": rollout.canary_percent, "linear": rollout.linear_step_percent}.get(
            rollout.strategy, 100
        )
        resources = cfg.serving.get(endpoint)
        live_ids = list(work["previous_split"]) or list(described["deployed"])
        copied = described["deployed"].get(live_ids[0], {}) if live_ids else {}
        self.guard()
        outcome = self.vertex.deploy_canary(
            cfg.endpoints[endpoint],
            work["model_package_arn"],
            work["candidate_id"],
            percent=int(max(1, min(100, round(percent)))),
            machine_type=resources.machine_type
            if resources
            else copied.get("machine_type") or "n1-standard-2",
            min_replicas=resources.min_replicas
            if resources
            else max(1, int(copied.get("min_replicas") or 1)),
            max_replicas=resources.max_replicas
            if resources
            else max(1, int(copied.get("max_replicas") or 1)),
            shared_resources=None if resources else copied.get("shared_resources"),
        )
        self.record(
            endpoint,
            "deploy-canary",
            candidate=work["candidate_id"],
            percent=percent,
            previous_split=work["previous_split"],
            result=outcome,
        )
        work["phase"] = "canary"
        work["new_config"] = work["candidate_id"]
        work["canary_started"] = self.clock().isoformat()
        self.save(store, state)

    def _alarms_firing(self, endpoint: str) -> list[str]:
        return []  # Cloud Monitoring has no API listing open incidents: _candidate_breaches reads the metrics

    def _candidate_breaches(self, endpoint: str, work: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
        """The alert policies' thresholds applied to the CANDIDATE's own serving since the canary started.

        Returns what is over a threshold (the canary rolls back, as on AWS when a rollback alarm fires) and
        what the audit log shows; ``unread`` in it when the metrics could not be read (the canary then
        waits: never promoted blind).
        """
        cfg, monitoring = self.gcp_config, self.gcp.monitoring
        if cfg.latency_p99_ms is None and cfg.error_rate_percent is None:
            return [], {"metrics": "no latency or error threshold configured"}
        if monitoring is None:
            return [], {"unread": "no Cloud Monitoring client"}
        start = datetime.fromisoformat(work["canary_started"])
        try:
            seen = monitoring.serving(
                cfg.endpoints[endpoint].rsplit("/", 1)[-1], work["candidate_id"], start, self.clock()
            )
        except Exception as exc:
            return [], {"unread": f"{type(exc).__name__}: {exc}"}
        breaches = seen.breaches(latency_p99_ms=cfg.latency_p99_ms, error_rate_percent=cfg.error_rate_percent)
        return [f"candidate {work['candidate_id']}: {b}" for b in breaches], seen.to_dict()

    def watch_canary(
        self, endpoint: str, state: dict[str, Any], store: Any, work: dict[str, Any], figures: Figures
    ) -> None:
        split = self.describe_live(endpoint)["split"]
        candidate = work["candidate_id"]
        rollout = self.gcp_config.rollout_for(endpoint)
        breaches, serving = self._candidate_breaches(endpoint, work)
        decision = decide_canary(
            alarms_firing=[*self._alarms_firing(endpoint), *breaches],
            endpoint_config="candidate" if split.get(candidate) else "previous",
            new_config="candidate",
            previous_config="previous",
            endpoint_status="InService",
            elapsed=self.clock() - datetime.fromisoformat(work["canary_started"]),
            wait=timedelta(minutes=rollout.wait_minutes),
            accuracy=figures.accuracy if figures.labelled_rows >= MIN_CANARY_LABELS else None,
            baseline_accuracy=(work.get("evaluation") or {}).get("live_accuracy"),
            tolerance=self.gcp_config.policy.holdout_tolerance,
        )
        if decision.action == "confirm" and "unread" in serving:  # fail closed: hold, never promote blind
            decision = Decision(
                "wait", [f"candidate's serving metrics unreadable ({serving['unread']}): holding the canary"]
            )
        self.record(
            endpoint, "decide", decision=decision.to_dict(), canary={"split": split, "serving": serving}
        )
        work["last_decision"] = decision.action
        if decision.action == "rollback":
            work["phase"] = "rolling-back"
            work["rollback_reasons"] = decision.reasons
        elif decision.action == "confirm":
            work["phase"] = "confirming"
        self.save(store, state)
        if decision.action == "confirm":
            self.confirm(endpoint, state, store, work)

    def advance(
        self,
        endpoint: str,
        state: dict[str, Any],
        store: Any,
        work: dict[str, Any],
        figures: Figures,
        window: Any,
        described: dict[str, Any],
    ) -> dict[str, Any]:
        if work["phase"] == "confirming" and not self.dry_run:  # a run died between the intent and the act
            self.guard()
            self.confirm(endpoint, state, store, work)
            return {"decision": "confirm", "phase": None}
        return super().advance(endpoint, state, store, work, figures, window, described)

    def confirm(self, endpoint: str, state: dict[str, Any], store: Any, work: dict[str, Any]) -> None:
        """All traffic to the candidate, then the models that served before undeployed."""
        ep, candidate = self.gcp_config.endpoints[endpoint], work["candidate_id"]
        self.guard()
        self.vertex.set_split(ep, {candidate: 100})
        removed = {old: self.vertex.undeploy(ep, old) for old in work["previous_split"] if old != candidate}
        self.record(endpoint, "confirm", split={candidate: 100}, undeployed=removed)
        state["live"] = {
            "split": {candidate: 100},
            "model_version": work["model_package_arn"],
            "reference": work["reference"],
            "model_data": self.bucket_key(work["model_data"]),
        }
        state["work"] = None
        state["accuracy_history"] = []
        self.save(store, state)
        self.record(endpoint, "promoted", live=state["live"])

    def roll_back(self, endpoint: str, state: dict[str, Any], store: Any, work: dict[str, Any]) -> None:
        """The split recorded before the canary restored, the candidate undeployed, a person told."""
        ep = self.gcp_config.endpoints[endpoint]
        previous = work.get("previous_split")
        if previous:
            self.guard()
            self.vertex.set_split(ep, previous)
        removed = self.vertex.undeploy(ep, work["candidate_id"]) if work.get("candidate_id") else "absent"
        self.record(
            endpoint, "rollback", split=previous, candidate=work.get("candidate_id"), undeployed=removed
        )
        self.alert(
            endpoint,
            f"mlkeel {endpoint}: rolled back",
            [
                *work.get("rollback_reasons", []),
                f"traffic back to {previous}; version {work.get('model_package_arn')} taken off",
            ],
        )
        state["work"] = None
        self.save(store, state)
        self.record(endpoint, "rolled-back", live=state["live"])

    def fail_safe(self, endpoint: str, exc: Exception) -> dict[str, Any]:
        """Record the failure; mid-rollout, put the recorded split back and say so."""
        error = f"{type(exc).__name__}: {exc}"
        outcome: dict[str, Any] = {"decision": "failed", "error": error}
        try:
            store = self.state_store(endpoint)
            state = store.load()
            work = state.get("work") or {}
            if (
                work.get("phase") in ("rolling-out", "canary", "rolling-back")
                and work.get("previous_split")
                and not self.dry_run
            ):
                self.guard()
                self.vertex.set_split(self.gcp_config.endpoints[endpoint], work["previous_split"])
                work["phase"], work["rollback_reasons"] = "rolling-back", [f"run failed mid-rollout: {error}"]
                store.save(state)
            split = self.describe_live(endpoint)["split"]
            outcome["split"] = split
            self.record(
                endpoint,
                "failed",
                error=error,
                split=split,
                known_good=(state.get("live") or {}).get("split"),
            )
            if not self.dry_run:
                self.alert(
                    endpoint, f"mlkeel {endpoint}: run could not finish", [error, f"traffic split {split}"]
                )
        except Exception as second:
            outcome["unverified"] = f"{type(second).__name__}: {second}"
            with contextlib.suppress(Exception):  # nothing left to write to: the summary says it
                self.record(endpoint, "failed", error=error, unverified=outcome["unverified"])
        return outcome
