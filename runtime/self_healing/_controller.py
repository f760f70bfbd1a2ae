"""One controller run: observe → judge → decide → act → record, for every endpoint of a stack.

Why a phase machine: retraining takes hours and a canary minutes, while a run lasts seconds. A run
therefore never waits; it advances each endpoint's work by as many steps as are ready and records where
it got to in the endpoint's state (``work.phase``: requested → training → registering → rolling-out →
canary → (confirm | rolling-back)). Every step writes its intent before it acts and checks what already
happened before it calls a create, under names derived from the training job's name, so a run killed
between any two calls is finished by the next one without doing anything twice.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import tarfile
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from runtime.self_healing._aws import Clients, error_code, retry_create
from runtime.self_healing._config import ControllerConfig
from runtime.self_healing._judge import (
    accuracy_out_of_control,
    evaluate_model,
    load_model_bytes,
    load_profile_from_s3,
    score_drift,
    window_accuracy,
)
from runtime.self_healing._lease import LeaseHeld, lease_for
from runtime.self_healing._observe import read_labels, read_window, serving_metrics
from runtime.self_healing._policy import Decision, Figures, decide_canary, decide_window
from runtime.self_healing._record import AuditLog, StateConflict, StateStore

#: The Pushgateway job the figures are grouped under (with ``stack`` and ``endpoint``).
PUSH_JOB = "mlkeel-self-healing"

__all__ = ["ACCURACY_HISTORY", "HOLDOUT_SHARE", "Controller", "RunSummary", "reference_prefix"]

#: Share of a window's labelled rows kept out of training to judge the candidate against the live model.
HOLDOUT_SHARE = 0.3
#: Window accuracies kept in the state for the control chart.
ACCURACY_HISTORY = 50
#: Labelled rows a canary window needs before its accuracy is judged.
MIN_CANARY_LABELS = 30
TRAINING_ENTRY_POINT = Path(__file__).parent / "training" / "train.py"


def reference_prefix(endpoint: str) -> str:
    """Where the team's first model, its reference profile and training data live."""
    return f"models/{endpoint}/reference/"


def _job_name(endpoint: str, number: int) -> str:
    suffix = f"-rt{number:03d}"
    if len(endpoint) + len(suffix) <= 63:
        return endpoint + suffix
    digest = hashlib.sha256(endpoint.encode()).hexdigest()[:6]
    return f"{endpoint[: 63 - len(suffix) - 7].rstrip('-')}-{digest}{suffix}"


def _not_found(exc: BaseException) -> bool:
    """SageMaker's "no such resource": ``ResourceNotFound``, or a ``ValidationException`` saying so."""
    code = error_code(exc)
    message = str(getattr(exc, "response", {}).get("Error", {}).get("Message", ""))
    return code == "ResourceNotFound" or (code == "ValidationException" and "Could not find" in message)


def _in_holdout(inference_id: str) -> bool:
    # A hash, not a random draw: a resumed run splits the same rows the same way.
    return int(hashlib.sha256(inference_id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < HOLDOUT_SHARE


@dataclass
class RunSummary:
    """What a run did: its id, per-endpoint outcome, and whether it finished everything it started."""

    run_id: str
    status: str = "ok"
    endpoints: dict[str, dict[str, Any]] = field(default_factory=dict)
    records: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "status": self.status,
            "endpoints": self.endpoints,
            "records": self.records,
        }


class Controller:
    """Runs the loop once for ``config``'s endpoints through ``clients``.

    ``clock`` gives the current time (tests move it past a lease's expiry or a canary's wait);
    ``dry_run`` observes, judges and decides but writes nothing and takes no lease.
    """

    #: The cloud the actions go to (pricing catalog key).
    CLOUD = "aws"

    def __init__(
        self,
        config: ControllerConfig,
        clients: Clients,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        dry_run: bool = False,
        run_id: str | None = None,
        sleep: Callable[[float], None] = time.sleep,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.config = config
        self.clients = clients
        self.clock = clock
        self.dry_run = dry_run
        env = os.environ if env is None else env
        self.sleep = sleep
        started = clock()
        self.run_id = run_id or f"{started:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
        self._month_spend: float | None = None
        self._open(started, env)

    # -- the cloud's records and reads (a subclass for another cloud replaces these) ---------------

    def _open(self, started: datetime, env: Mapping[str, str]) -> None:
        """The run's clients, audit log and lease: S3, SageMaker, DynamoDB (or the Kubernetes Lease)."""
        config, clients = self.config, self.clients
        self.s3 = clients.client("s3")
        self.sm = clients.client("sagemaker")
        self.audit: Any = AuditLog(self.s3, config.bucket, self.run_id, started, config.kms_key_arn)
        # DynamoDB by default; the Kubernetes Lease when the CronJob says so (MLKEEL_LEASE_BACKEND).
        self.lease: Any = lease_for(
            self.run_id, config.policy.lease_seconds, clients.client("dynamodb"), config.lease_table, env
        )

    def state_store(self, endpoint: str) -> Any:
        return StateStore(self.s3, self.config.bucket, endpoint, self.config.kms_key_arn)

    def read_bytes(self, key: str) -> bytes | None:
        """An object of the stack's bucket, None when it does not exist."""
        try:
            body: bytes = self.s3.get_object(Bucket=self.config.bucket, Key=key)["Body"].read()
        except Exception as exc:
            if error_code(exc) in ("NoSuchKey", "404"):
                return None
            raise
        return body

    def describe_live(self, endpoint: str) -> dict[str, Any]:
        """What serves the endpoint now (SageMaker's DescribeEndpoint)."""
        described: dict[str, Any] = self.sm.describe_endpoint(EndpointName=endpoint)
        return described

    def initial_live(self, endpoint: str, described: dict[str, Any]) -> dict[str, Any]:
        """The live version of an endpoint the loop has not seen yet: the team's first model."""
        return {
            "endpoint_config": described["EndpointConfigName"],
            "model_package_arn": None,
            "reference": reference_prefix(endpoint),
            "model_data": f"{reference_prefix(endpoint)}model.tar.gz",
        }

    def read_observations(self, endpoint: str, columns: list[str]) -> Any:
        """The window of captured requests (SageMaker data capture in the bucket) with the team's labels."""
        policy = self.config.policy
        window = read_window(
            self.s3, self.config.bucket, endpoint, columns, end=self.clock(), hours=policy.window_hours
        )
        window.labels = read_labels(self.s3, self.config.bucket, endpoint, policy.label_column)
        return window

    def read_profile(self, key: str) -> Any:
        return load_profile_from_s3(self.s3, self.config.bucket, key)

    def serving(self, endpoint: str, described: dict[str, Any]) -> dict[str, Any]:
        variants = [v["VariantName"] for v in described.get("ProductionVariants", [])]
        return serving_metrics(
            self.clients.client("cloudwatch"),
            endpoint,
            variants,
            end=self.clock(),
            hours=self.config.policy.window_hours,
        )

    def training_progress(self, work: dict[str, Any]) -> tuple[str, dict[str, Any] | None, dict[str, Any]]:
        """("running" | "completed" | "failed", the job as described, what the audit record shows)."""
        job = self._describe_job(work["job"])
        status = "Missing" if job is None else job["TrainingJobStatus"]
        detail: dict[str, Any] = {"status": status}
        if status in ("InProgress", "Stopping"):
            detail["secondary"] = job.get("SecondaryStatus") if job else None
            return "running", job, detail
        if status != "Completed":
            detail["failure"] = (job or {}).get("FailureReason", "the job is gone")
            return "failed", job, detail
        return "completed", job, detail

    def model_artifact(self, job: dict[str, Any]) -> str:
        """Where the finished job left its model (a URI of the stack's bucket)."""
        return str(job["ModelArtifacts"]["S3ModelArtifacts"])

    def bucket_key(self, uri: str) -> str:
        return uri.split(f"s3://{self.config.bucket}/", 1)[-1]

    def load_model_at(self, key: str) -> Any | None:
        body = self.read_bytes(key)
        return None if body is None else load_model_bytes(body)

    # -- recording -------------------------------------------------------------------------------

    def record(self, endpoint: str | None, step: str, **fields: Any) -> None:
        """Append one audit record (kept in memory only on a dry run)."""
        rec = {"time": self.clock().isoformat(), "endpoint": endpoint, "step": step, **fields}
        if self.dry_run:
            self.audit.records.append({"run_id": self.run_id, "seq": len(self.audit.records), **rec})
        else:
            self.audit.write(rec)

    def guard(self) -> None:
        """Renew the lease before an action: a run that lost it stops here instead of acting twice."""
        self.lease.renew(self.clock().timestamp())

    def alert(self, endpoint: str, subject: str, lines: list[str]) -> None:
        """Publish to the stack's SNS topic and record the message id."""
        if self.config.topic_arn is None:
            self.record(endpoint, "alert", subject=subject, lines=lines, result="no topic configured")
            return
        message = "\n".join([f"mlkeel self-healing, stack {self.config.stack}, endpoint {endpoint}", *lines])
        response = self.clients.client("sns").publish(
            TopicArn=self.config.topic_arn, Subject=subject[:100], Message=message
        )
        self.record(
            endpoint, "alert", subject=subject, lines=lines, result={"MessageId": response["MessageId"]}
        )

    # -- the run ---------------------------------------------------------------------------------

    def run(self) -> RunSummary:
        """One cycle over every endpoint; never raises for an endpoint's failure (it is recorded)."""
        summary = RunSummary(self.run_id)
        if not self.dry_run:
            try:
                self.lease.acquire(self.clock().timestamp())
            except LeaseHeld as held:
                self.record(None, "lease", result="held", holder=held.holder, expires=held.expires)
                summary.status = "lease-held"
                summary.records = len(self.audit.records)
                return summary
            except Exception as exc:
                summary.status = "incomplete"
                summary.endpoints = {
                    e: {"decision": "not run", "error": f"lease: {exc}"} for e in self.config.endpoints
                }
                return summary
        self.record(
            None,
            "run-start",
            dry_run=self.dry_run,
            endpoints=self.config.endpoints,
            policy=self.config.policy.model_dump(mode="json"),
        )
        try:
            self._month_spend = self._spend()
            for endpoint in self.config.endpoints:
                try:
                    summary.endpoints[endpoint] = self.handle(endpoint)
                except (LeaseHeld, StateConflict):
                    raise
                except Exception as exc:
                    summary.status = "incomplete"
                    summary.endpoints[endpoint] = self.fail_safe(endpoint, exc)
        except (LeaseHeld, StateConflict) as exc:
            summary.status = "lease-lost"
            self.record(None, "lease", result="lost", error=str(exc))
            summary.records = len(self.audit.records)
            return summary
        self.record(None, "run-end", status=summary.status)
        if not self.dry_run:
            self.lease.release()
        summary.records = len(self.audit.records)
        return summary

    def _spend(self) -> float | None:
        """Month-to-date spend for the budget guard, None when unknown (the guard then fails closed).

        The AWS Budget's figure when it can be read; else the stack's rows of the cost export in S3 (when
        configured) + the ledger after the export's newest row; else the stack's priced run-rate x the
        month's elapsed share + what the loop's own training jobs cost (the ledger in each endpoint's
        state). See _ledger.
        """
        if self.config.monthly_budget_usd is None:
            return None
        figure = self._budget_figure()
        if figure is None:
            figure = self._cost_export_figure()
        if figure is not None or self.config.monthly_run_rate_usd is None:
            return figure
        from runtime.self_healing._ledger import month_elapsed_share, month_spend

        now = self.clock()
        ledger = self._ledger_usd(now)
        spend, source = month_spend(
            cloud_figure=None, run_rate_usd=self.config.monthly_run_rate_usd, ledger_usd=ledger, now=now
        )
        self.record(
            None,
            "spend",
            source=source,
            month_spend_usd=spend,
            run_rate_usd=self.config.monthly_run_rate_usd,
            month_elapsed_share=round(month_elapsed_share(now), 4),
            ledger_usd=ledger,
            limit_usd=self.config.monthly_budget_usd,
        )
        return spend

    def _ledger_usd(self, now: datetime) -> float:
        from runtime.self_healing._ledger import ledger_total

        total = 0.0
        for endpoint in self.config.endpoints:
            state = self.state_store(endpoint).load()
            total += ledger_total(state.get("ledger", []), now)
        return round(total, 6)

    def _record_job_cost(
        self, state: dict[str, Any], work: dict[str, Any], job: dict[str, Any] | None
    ) -> None:
        """The finished job's spend into the endpoint's ledger (once per job)."""
        from runtime.self_healing._ledger import ledger_entry

        ledger = [e for e in state.get("ledger", []) if e.get("job") != work["job"]]
        placement = work.get("placement") or {}
        entry = ledger_entry(
            job=work["job"],
            ended=self.clock(),
            cloud=self.CLOUD,
            region=placement.get("region", self.config.region),
            instance_type=placement.get("instance_type", self.config.policy.training_instance_types[0]),
            billable_seconds=self.billable_seconds(job),
            max_seconds=self.config.policy.max_runtime_minutes * 60,
            spot=True,
        )
        state["ledger"] = [*ledger, entry][-100:]

    def billable_seconds(self, job: dict[str, Any] | None) -> float | None:
        """Seconds the finished job is billed for (None: not reported, the maximum runtime is charged)."""
        billable = None if job is None else job.get("BillableTimeInSeconds")
        if job is not None and job.get("TrainingJobStatus") == "Failed" and billable is None:
            billable = job.get("TrainingTimeInSeconds")
        return None if billable is None else float(billable)

    def _budget_figure(self) -> float | None:
        """Month-to-date spend from the stack's own AWS Budget (``budgets:ViewBudget``), None when unknown.

        Why the budget and not Cost Explorer: ``budgets:ViewBudget`` is scoped to this stack's budget ARN,
        while ``ce:GetCostAndUsage`` can only be granted on ``"*"``; the budget (components/budget) already
        filters by the team's cost tag, so its ``CalculatedSpend.ActualSpend`` is exactly the figure needed.
        """
        if self.config.budget_name is None:
            self.record(None, "budget", result="unknown", error="no budget_name in the configuration")
            return None
        # The budget's account is the stack's: the one the training role lives in.
        account = self.config.training_role_arn.split(":")[4]
        try:
            # Budgets has one endpoint for the partition (us-east-1), whatever the stack's region.
            budget = self.clients.client("budgets", region="us-east-1").describe_budget(
                AccountId=account, BudgetName=self.config.budget_name
            )["Budget"]
            spend = float(budget["CalculatedSpend"]["ActualSpend"]["Amount"])
        except Exception as exc:
            self.record(None, "budget", result="unknown", error=f"{type(exc).__name__}: {exc}")
            return None
        self.record(
            None,
            "budget",
            budget=self.config.budget_name,
            month_spend_usd=spend,
            limit_usd=self.config.monthly_budget_usd,
        )
        return spend

    def _cost_export_figure(self) -> float | None:
        """Month-to-date spend from the stack's rows of the account's cost export in S3, None when unknown.

        Why: Budgets has no VPC endpoint, S3 has (the stack's gateway endpoint), so from private subnets
        the export (AWS Data Exports, FOCUS 1.0 or CUR 2.0, refreshed at least daily) is the cloud's own
        figure that can be read. Filtered to the stack's ``team`` and ``environment`` cost tags, as on GCP;
        the export lags usage by hours, so what the loop's jobs cost after its newest row is added.
        """
        uri = getattr(self.config, "cost_export_uri", None)  # AWS only: GCP reads its billing export
        if uri is None:
            return None
        from runtime.cost._actuals import aws_export_spend
        from runtime.self_healing._ledger import ledger_since

        now = self.clock()
        tags = self.config.stack_tags()
        try:
            found = aws_export_spend(self.s3, uri, tags=tags, month=f"{now:%Y-%m}")
        except Exception as exc:  # not granted, nothing delivered yet, unreadable file: fall back
            self.record(
                None,
                "budget",
                result="unknown",
                source="cost-export",
                uri=uri,
                error=f"{type(exc).__name__}: {exc}",
            )
            return None
        latest = found.latest_usage_end
        ledger = 0.0
        for endpoint in self.config.endpoints:
            ledger += ledger_since(self.state_store(endpoint).load().get("ledger", []), latest, now)
        spend = round(found.usd + ledger, 4)
        self.record(
            None,
            "budget",
            source="cost-export",
            uri=uri,
            schema=found.schema,
            tags=tags,
            objects=len(found.objects),
            rows=found.rows,
            export_usd=found.usd,
            export_latest_usage_end=None if latest is None else latest.isoformat(),
            ledger_after_export_usd=round(ledger, 6),
            month_spend_usd=spend,
            limit_usd=self.config.monthly_budget_usd,
        )
        return spend

    # -- one endpoint ----------------------------------------------------------------------------

    def handle(self, endpoint: str) -> dict[str, Any]:
        store = self.state_store(endpoint)
        state = store.load()
        described = self.describe_live(endpoint)
        if not state:
            state = {
                "live": self.initial_live(endpoint, described),
                "streak": 0,
                "retrains": [],
                "accuracy_history": [],
                "work": None,
            }
            self.record(endpoint, "state-initialised", live=state["live"])
        figures, window = self.observe_and_judge(endpoint, state, described)
        work = state.get("work")
        if work:
            outcome = self.advance(endpoint, state, store, work, figures, window, described)
        else:
            outcome = self.decide_and_act(endpoint, state, store, figures, window)
        return outcome

    def save(self, store: StateStore, state: dict[str, Any]) -> None:
        if not self.dry_run:
            store.save(state)

    def observe_and_judge(
        self, endpoint: str, state: dict[str, Any], described: dict[str, Any]
    ) -> tuple[Figures, Any]:
        policy = self.config.policy
        profile = self.read_profile(state["live"]["reference"] + "profile.json")
        window = self.read_observations(endpoint, list(profile.columns))
        labelled = window.labelled(policy.label_column)
        self.record(
            endpoint,
            "observe",
            window={"start": window.start.isoformat(), "end": window.end.isoformat()},
            rows=window.rows,
            files=window.files,
            bad_lines=window.bad_lines,
            labelled_rows=len(labelled),
        )
        drift = None
        if window.rows >= policy.min_rows:
            drift = score_drift(profile, window.features, policy.drift_share_threshold)
        accuracy = window_accuracy(labelled, policy.label_column)
        history = list(state.get("accuracy_history", []))
        if accuracy is not None and len(labelled) >= MIN_CANARY_LABELS:
            history = [*history, accuracy][-ACCURACY_HISTORY:]
            state["accuracy_history"] = history
        figures = Figures(
            rows=window.rows,
            drift_share=None if drift is None else drift.share,
            drifted_columns=[] if drift is None else [c.column for c in drift.columns if c.drifted],
            accuracy=accuracy,
            accuracy_out_of_control=accuracy is not None and accuracy_out_of_control(history),
            labelled_rows=len(labelled),
        )
        serving = self.serving(endpoint, described)
        published, pushed = 0, None
        if not self.dry_run:
            published = self.publish(endpoint, drift, accuracy)
            pushed = self.push(endpoint, drift, accuracy)
        self.record(
            endpoint,
            "judge",
            figures={
                "rows": figures.rows,
                "drift_share": figures.drift_share,
                "drifted_columns": figures.drifted_columns,
                "accuracy": figures.accuracy,
                "accuracy_out_of_control": figures.accuracy_out_of_control,
                "labelled_rows": figures.labelled_rows,
            },
            serving=serving,
            metrics_published=published,
            **({} if pushed is None else {"pushgateway": pushed}),
        )
        return figures, window

    def push(self, endpoint: str, drift: Any, accuracy: float | None) -> dict[str, Any] | None:
        """The same figures to the configured Prometheus Pushgateway, one group per stack and endpoint
        (a PUT: each run replaces the endpoint's previous figures). A push that fails is recorded, never
        fatal: CloudWatch already has the figures and the alarms watch those."""
        url = self.config.pushgateway_url
        if url is None:
            return None
        from prometheus_client import CollectorRegistry, Gauge, push_to_gateway

        from runtime.metrics import PROMETHEUS_PREFIX, drift_registry

        registry = CollectorRegistry()
        if drift is not None:
            drift_registry(drift, endpoint, registry)
        if accuracy is not None:
            gauge = Gauge(
                f"{PROMETHEUS_PREFIX}_accuracy",
                "Accuracy of served predictions on the window's labelled rows",
                ["endpoint"],
                registry=registry,
            )
            gauge.labels(endpoint).set(float(accuracy))
        samples = sum(len(family.samples) for family in registry.collect())
        if not samples:
            return {"samples": 0}
        group = {"stack": self.config.stack, "endpoint": endpoint}
        try:
            push_to_gateway(url, job=PUSH_JOB, registry=registry, grouping_key=group, timeout=10)
        except Exception as exc:  # a monitoring side channel: never stop the loop for it
            return {"samples": 0, "error": f"{type(exc).__name__}: {exc}"}
        return {"samples": samples}

    def publish(self, endpoint: str, drift: Any, accuracy: float | None) -> int:
        """Drift and accuracy as CloudWatch metrics, in the namespace the stack's drift alarm watches."""
        from runtime.metrics import (
            ACCURACY_METRIC,
            CLOUDWATCH_NAMESPACE,
            ENDPOINT_DIMENSION,
            drift_metric_data,
            publish_metric_data,
        )

        data = [] if drift is None else drift_metric_data(drift, endpoint, self.clock())
        if accuracy is not None:
            data.append(
                {
                    "MetricName": ACCURACY_METRIC,
                    "Dimensions": [{"Name": ENDPOINT_DIMENSION, "Value": endpoint}],
                    "Timestamp": self.clock(),
                    "Value": float(accuracy),
                    "Unit": "None",
                }
            )
        if not data:
            return 0
        return publish_metric_data(data, self.clients.client("cloudwatch"), CLOUDWATCH_NAMESPACE)

    def decide_and_act(
        self, endpoint: str, state: dict[str, Any], store: StateStore, figures: Figures, window: Any
    ) -> dict[str, Any]:
        decision = decide_window(
            self.config.policy,
            figures,
            streak=int(state.get("streak", 0)),
            retrain_history=list(state.get("retrains", [])),
            now=self.clock(),
            month_spend_usd=self._month_spend,
            monthly_budget_usd=self.config.monthly_budget_usd,
        )
        self.record(endpoint, "decide", decision=decision.to_dict())
        state["streak"] = decision.streak
        if self.dry_run:
            return {"decision": decision.action, "reasons": decision.reasons}
        if decision.action == "retrain":
            self.guard()
            self.start_retrain(endpoint, state, store, window, decision)
        else:
            self.save(store, state)
            if decision.action == "alert":
                self.guard()
                self.alert(endpoint, f"mlkeel {endpoint}: attention needed", decision.reasons)
        return {
            "decision": decision.action,
            "reasons": decision.reasons,
            "phase": (state.get("work") or {}).get("phase"),
        }

    # -- acting ----------------------------------------------------------------------------------

    def start_retrain(
        self, endpoint: str, state: dict[str, Any], store: StateStore, window: Any, decision: Decision
    ) -> None:
        policy = self.config.policy
        job = _job_name(endpoint, len(state.get("retrains", [])) + 1)
        labelled = window.labelled(policy.label_column)
        holdout_mask = [_in_holdout(i) for i in labelled["inference_id"]]
        features = list(window.features.columns)
        columns = [*features, policy.label_column]
        fresh = labelled[[not h for h in holdout_mask]][columns]
        holdout = labelled[holdout_mask][columns]
        base = self._reference_training_data(state["live"]["reference"], columns)
        train = pd.concat([base, fresh], ignore_index=True) if base is not None else fresh
        data_prefix = f"self-healing/training/{job}/"
        self._put(f"{data_prefix}train/train.csv", train.to_csv(index=False).encode())
        self._put(f"{data_prefix}holdout.csv", holdout.to_csv(index=False).encode())
        placement = self.place_training(job)
        state["work"] = {
            "phase": "requested",
            "job": job,
            "started": self.clock().isoformat(),
            "reasons": decision.reasons,
            "placement": placement,
            "train_rows": len(train),
            "holdout_rows": len(holdout),
        }
        state["retrains"] = [*state.get("retrains", []), self.clock().isoformat()]
        state["streak"] = 0
        self.save(store, state)
        self.record(endpoint, "retrain-requested", job=job, placement=placement, train_rows=len(train))
        self.create_training_job(endpoint, state, store)

    def _reference_training_data(self, prefix: str, columns: list[str]) -> pd.DataFrame | None:
        body = self.read_bytes(prefix + "train.csv")
        if body is None:
            return None
        frame = pd.read_csv(io.BytesIO(body))
        return frame[columns]

    def _put(self, key: str, body: bytes) -> None:
        extra: dict[str, Any] = {}
        if self.config.kms_key_arn:
            extra = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": self.config.kms_key_arn}
        self.s3.put_object(Bucket=self.config.bucket, Key=key, Body=body, **extra)

    def place_training(self, job: str) -> dict[str, Any]:
        """Instance type and region for a managed-spot job, from the spot scheduler within the residency.

        The region is limited to the stack's own: SageMaker reads training data only from a bucket in
        the job's region, and the data must not leave the stack's residency anyway.
        """
        from runtime.pricing import load_catalog
        from runtime.scheduling import Job, NoOffers, offers_from_catalog, place_job

        policy = self.config.policy
        allowed = [t.removeprefix("ml.") for t in policy.training_instance_types]
        try:
            offers = offers_from_catalog(
                load_catalog(),
                clouds=["aws"],
                residency_zone=self.config.residency_zone,
                regions=[self.config.region],
                instance_types=allowed,
            )
            placed = place_job(
                Job(name=job.lower(), runtime_hours=policy.max_runtime_minutes / 60 / 2),
                offers,
                home=("aws", self.config.region),
            ).plan
            return {
                "instance_type": f"ml.{placed.instance_type}",
                "region": placed.region,
                "expected_cost_usd": round(placed.expected_cost, 4),
                "purchase": "spot",
                "reason": "cheapest expected cost among the allowed types (runtime.scheduling)",
            }
        except (NoOffers, ValueError) as exc:
            return {
                "instance_type": policy.training_instance_types[0],
                "region": self.config.region,
                "purchase": "spot",
                "reason": f"first allowed type: the scheduler placed nothing ({exc})",
            }

    def _code_uri(self) -> str:
        """Upload the example entry point as SageMaker's ``sourcedir.tar.gz`` (same bytes: same key)."""
        data = TRAINING_ENTRY_POINT.read_bytes()
        digest = hashlib.sha256(data).hexdigest()[:12]
        key = f"self-healing/code/{digest}/sourcedir.tar.gz"
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
            info = tarfile.TarInfo("train.py")
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            tar.addfile(info, io.BytesIO(data))
        self._put(key, buffer.getvalue())
        return f"s3://{self.config.bucket}/{key}"

    def _describe_job(self, job: str) -> dict[str, Any] | None:
        try:
            described: dict[str, Any] = self.sm.describe_training_job(TrainingJobName=job)
            return described
        except Exception as exc:
            if _not_found(exc):
                return None
            raise

    def create_training_job(self, endpoint: str, state: dict[str, Any], store: StateStore) -> None:
        work, cfg, bucket = state["work"], self.config, self.config.bucket
        job = work["job"]
        existing = self._describe_job(job)
        if existing is None:
            code = self._code_uri()
            tags = [{"Key": k, "Value": v} for k, v in {**cfg.cost_tags, "component": "training"}.items()]
            request: dict[str, Any] = {
                "TrainingJobName": job,
                "AlgorithmSpecification": {
                    "TrainingImage": cfg.training_image(),
                    "TrainingInputMode": "File",
                },
                "RoleArn": cfg.training_role_arn,
                "HyperParameters": {
                    "sagemaker_program": json.dumps("train.py"),
                    "sagemaker_submit_directory": json.dumps(code),
                    "label-column": json.dumps(cfg.policy.label_column),
                },
                "InputDataConfig": [
                    {
                        "ChannelName": "train",
                        "ContentType": "text/csv",
                        "DataSource": {
                            "S3DataSource": {
                                "S3DataType": "S3Prefix",
                                "S3Uri": f"s3://{bucket}/self-healing/training/{job}/train/",
                                "S3DataDistributionType": "FullyReplicated",
                            }
                        },
                    }
                ],
                "OutputDataConfig": {"S3OutputPath": f"s3://{bucket}/training-output/"},
                "ResourceConfig": {
                    "InstanceType": work["placement"]["instance_type"],
                    "InstanceCount": 1,
                    "VolumeSizeInGB": 10,
                },
                "StoppingCondition": {
                    "MaxRuntimeInSeconds": cfg.policy.max_runtime_minutes * 60,
                    "MaxWaitTimeInSeconds": cfg.policy.max_wait_minutes * 60,
                },
                "EnableManagedSpotTraining": True,
                "CheckpointConfig": {"S3Uri": f"s3://{bucket}/checkpoints/{job}/"},
                "Tags": tags,
            }
            if cfg.kms_key_arn:
                request["OutputDataConfig"]["KmsKeyId"] = cfg.kms_key_arn
                request["ResourceConfig"]["VolumeKmsKeyId"] = cfg.kms_key_arn
            if cfg.subnet_ids:
                request["VpcConfig"] = {"Subnets": cfg.subnet_ids, "SecurityGroupIds": cfg.security_group_ids}
            self.guard()
            try:
                response = self.sm.create_training_job(**request)
                result: Any = {"TrainingJobArn": response["TrainingJobArn"]}
            except Exception as exc:
                # a retried create whose first attempt landed: the name is taken by our own job
                if error_code(exc) != "ResourceInUse" or self._describe_job(job) is None:
                    raise
                result = "already created by an earlier attempt"
            self.record(endpoint, "create-training-job", job=job, spot=True, result=result)
        else:
            self.record(endpoint, "create-training-job", job=job, result="exists (resumed)")
        work["phase"] = "training"
        self.save(store, state)

    def advance(
        self,
        endpoint: str,
        state: dict[str, Any],
        store: StateStore,
        work: dict[str, Any],
        figures: Figures,
        window: Any,
        described: dict[str, Any],
    ) -> dict[str, Any]:
        """Move work in progress forward as far as it is ready; returns the outcome for the summary."""
        if self.dry_run:
            self.record(
                endpoint, "decide", decision={"action": "wait", "reasons": [f"work in phase {work['phase']}"]}
            )
            return {"decision": "wait", "phase": work["phase"]}
        self.guard()
        self.save(store, state)  # the accuracy history judged this run
        if work["phase"] == "requested":
            self.create_training_job(endpoint, state, store)
        if work["phase"] == "training":
            progress, job, detail = self.training_progress(work)
            if progress == "running":
                self.record(endpoint, "training", job=work["job"], **detail)
                return {"decision": "wait", "phase": "training"}
            if not any(e.get("job") == work["job"] for e in state.get("ledger", [])):
                self._record_job_cost(state, work, job)
            if progress != "completed":
                self.record(endpoint, "training", job=work["job"], **detail)
                state["work"] = None
                self.save(store, state)
                self.alert(
                    endpoint,
                    f"mlkeel {endpoint}: retraining failed",
                    [f"job {work['job']}: {detail['status']}: {detail.get('failure')}"],
                )
                return {"decision": "alert", "phase": None}
            assert job is not None  # completed
            self.evaluate(endpoint, state, store, work, job)
        if work["phase"] == "registering":
            self.register(endpoint, state, store, work)
        if work["phase"] == "notify":
            self.notify_version(endpoint, state, store, work)
        if work["phase"] == "rolling-out":
            self.roll_out(endpoint, state, store, work)
        if work["phase"] == "canary":
            self.watch_canary(endpoint, state, store, work, figures)
        if work["phase"] == "rolling-back":
            self.roll_back(endpoint, state, store, work)
        current = state.get("work")
        return {
            "decision": work.get("last_decision", "advance"),
            "phase": None if current is None else current["phase"],
        }

    def evaluate(
        self,
        endpoint: str,
        state: dict[str, Any],
        store: StateStore,
        work: dict[str, Any],
        job: dict[str, Any],
    ) -> None:
        """Holdout accuracy (candidate vs live) and the fairness gate; decides approval."""
        policy = self.config.policy
        artifact = self.model_artifact(job)
        candidate = self.load_model_at(self.bucket_key(artifact))
        if candidate is None:
            raise RuntimeError(f"job {work['job']} finished but left no model at {artifact}")
        live = self.load_model_at(state["live"]["model_data"])
        body = self.read_bytes(f"self-healing/training/{work['job']}/holdout.csv")
        if body is None:
            raise RuntimeError(f"the holdout of {work['job']} is missing from the bucket")
        holdout = pd.read_csv(io.BytesIO(body))
        evaluation = evaluate_model(candidate, live, holdout, policy.label_column, policy.fairness)
        reasons: list[str] = []
        if evaluation.live_accuracy is not None and (
            evaluation.candidate_accuracy < evaluation.live_accuracy - policy.holdout_tolerance
        ):
            reasons.append(
                f"holdout accuracy {evaluation.candidate_accuracy:.3f} below the live model's "
                f"{evaluation.live_accuracy:.3f} - tolerance {policy.holdout_tolerance}"
            )
        if evaluation.fairness is not None and not evaluation.fairness.passed:
            reasons.extend(f"fairness gate: {r}" for r in evaluation.fairness.reasons)
        if not policy.auto_promote:
            reasons.append("autoPromote is off: a person approves the version")
        work["evaluation"] = evaluation.to_dict()
        work["model_data"] = artifact
        work["approve"] = not reasons
        work["approval_reasons"] = reasons or [
            f"holdout accuracy {evaluation.candidate_accuracy:.3f} "
            f"(live {evaluation.live_accuracy}), gates passed"
        ]
        self.record(
            endpoint,
            "evaluate",
            job=work["job"],
            evaluation=work["evaluation"],
            approve=work["approve"],
            reasons=work["approval_reasons"],
        )
        self._write_new_reference(work)
        work["phase"] = "registering"
        self.save(store, state)

    def _write_new_reference(self, work: dict[str, Any]) -> None:
        """The new version's reference profile and training data, beside its model (idempotent puts)."""
        from runtime.drift import build_profile

        label = self.config.policy.label_column
        body = self.read_bytes(f"self-healing/training/{work['job']}/train/train.csv")
        if body is None:
            raise RuntimeError(f"the training data of {work['job']} is missing from the bucket")
        train = pd.read_csv(io.BytesIO(body))
        profile = build_profile(train.drop(columns=[label]))
        ref = f"self-healing/versions/{work['job']}/"
        with tempfile.TemporaryDirectory() as tmp:
            path = profile.save(Path(tmp) / "profile.json")
            self._put(ref + "profile.json", path.read_bytes())
        self._put(ref + "train.csv", train.to_csv(index=False).encode())
        work["reference"] = ref

    def _find_package(self, work: dict[str, Any]) -> str | None:
        marker = f"retrained by {work['job']}"
        for page in self.sm.get_paginator("list_model_packages").paginate(
            ModelPackageGroupName=self.config.model_package_group
        ):
            for summary in page.get("ModelPackageSummaryList", []):
                if marker in summary.get("ModelPackageDescription", ""):
                    return str(summary["ModelPackageArn"])
        return None

    def register(self, endpoint: str, state: dict[str, Any], store: StateStore, work: dict[str, Any]) -> None:
        """A new model package version (approved only when the gates passed and autoPromote is on)."""
        existing = self._find_package(work)
        status = "Approved" if work["approve"] else "PendingManualApproval"
        if existing is None:
            self.guard()
            image = self.config.training_image()
            sm_single = self.clients.client("sagemaker", retry=False)
            request = {
                "ModelPackageGroupName": self.config.model_package_group,
                "ModelPackageDescription": f"mlkeel self-healing: retrained by {work['job']}",
                "ModelApprovalStatus": status,
                "ClientToken": work["job"],
                "InferenceSpecification": {
                    "Containers": [
                        {
                            "Image": image,
                            "ModelDataUrl": work["model_data"],
                            "Environment": {"SAGEMAKER_PROGRAM": "train.py"},
                        }
                    ],
                    "SupportedContentTypes": ["text/csv"],
                    "SupportedResponseMIMETypes": ["text/csv"],
                },
                "CustomerMetadataProperties": {
                    "training-job": work["job"],
                    "holdout-accuracy": f"{work['evaluation']['candidate_accuracy']:.4f}",
                },
            }

            def landed() -> str | None:
                return self._find_package(work)

            arn = retry_create(
                lambda: str(sm_single.create_model_package(**request)["ModelPackageArn"]),
                landed,
                sleep=self.sleep,
            )
            self.record(endpoint, "register", job=work["job"], status=status, result={"ModelPackageArn": arn})
        else:
            arn = existing
            self.record(
                endpoint, "register", job=work["job"], status=status, result="exists (resumed)", arn=arn
            )
        work["model_package_arn"] = arn
        work["phase"] = "notify"
        self.save(store, state)

    def notify_version(
        self, endpoint: str, state: dict[str, Any], store: StateStore, work: dict[str, Any]
    ) -> None:
        arn = work["model_package_arn"]
        if work["approve"]:
            lines = [*work["reasons"], f"retrained as {work['job']}; version {arn} approved, canary starting"]
        else:
            lines = [
                *work["reasons"],
                f"retrained as {work['job']}; version {arn} is pending approval:",
                *work["approval_reasons"],
            ]
        self.guard()
        self.alert(endpoint, f"mlkeel {endpoint}: new model version", lines)
        if work["approve"]:
            work["phase"] = "rolling-out"
        else:
            state["work"] = None
            work["last_decision"] = "pending-approval"
        self.save(store, state)

    def _exists(self, describe: Callable[[], Any]) -> bool:
        try:
            describe()
            return True
        except Exception as exc:
            if _not_found(exc):
                return False
            raise

    def roll_out(self, endpoint: str, state: dict[str, Any], store: StateStore, work: dict[str, Any]) -> None:
        """A model and endpoint config for the new version, then a blue/green canary update."""
        cfg = self.config
        model, config_name = f"{work['job']}-model", f"{work['job']}-config"
        previous = state["live"]["endpoint_config"]
        if not self._exists(lambda: self.sm.describe_model(ModelName=model)):
            self.guard()
            request: dict[str, Any] = {
                "ModelName": model,
                "PrimaryContainer": {"ModelPackageName": work["model_package_arn"]},
                "ExecutionRoleArn": cfg.model_role_arn,
            }
            if cfg.subnet_ids:
                request["VpcConfig"] = {"Subnets": cfg.subnet_ids, "SecurityGroupIds": cfg.security_group_ids}
            self.sm.create_model(**request)
            self.record(endpoint, "create-model", model=model, result="created")
        if not self._exists(lambda: self.sm.describe_endpoint_config(EndpointConfigName=config_name)):
            old = self.sm.describe_endpoint_config(EndpointConfigName=previous)
            variants = []
            for v in old["ProductionVariants"]:
                keep = {
                    k: v[k]
                    for k in ("VariantName", "InitialInstanceCount", "InstanceType", "InitialVariantWeight")
                    if k in v
                }
                variants.append({**keep, "ModelName": model})
            request = {"EndpointConfigName": config_name, "ProductionVariants": variants}
            if old.get("DataCaptureConfig"):
                request["DataCaptureConfig"] = old["DataCaptureConfig"]
            if old.get("KmsKeyId"):
                request["KmsKeyId"] = old["KmsKeyId"]
            self.guard()
            self.sm.create_endpoint_config(**request)
            self.record(
                endpoint, "create-endpoint-config", config=config_name, based_on=previous, result="created"
            )
        described = self.sm.describe_endpoint(EndpointName=endpoint)
        if described["EndpointConfigName"] != config_name and described["EndpointStatus"] != "Updating":
            rollout = cfg.rollout_for(endpoint)
            self.guard()
            self.sm.update_endpoint(
                EndpointName=endpoint,
                EndpointConfigName=config_name,
                DeploymentConfig=self._deployment_config(endpoint),
            )
            self.record(
                endpoint,
                "update-endpoint",
                config=config_name,
                previous=previous,
                strategy=rollout.strategy,
                result="canary started",
            )
        work["phase"] = "canary"
        work["new_config"] = config_name
        work["canary_started"] = self.clock().isoformat()
        self.save(store, state)

    def _deployment_config(self, endpoint: str, *, rollback: bool = False) -> dict[str, Any]:
        rollout = self.config.rollout_for(endpoint)
        kind = (
            "ALL_AT_ONCE"
            if rollback
            else {"canary": "CANARY", "linear": "LINEAR"}.get(rollout.strategy, "ALL_AT_ONCE")
        )
        routing: dict[str, Any] = {
            "Type": kind,
            "WaitIntervalInSeconds": 0 if rollback else rollout.wait_minutes * 60,
        }
        if kind == "CANARY":
            routing["CanarySize"] = {
                "Type": "CAPACITY_PERCENT",
                "Value": int(max(1, round(rollout.canary_percent))),
            }
        if kind == "LINEAR":
            routing["LinearStepSize"] = {
                "Type": "CAPACITY_PERCENT",
                "Value": int(max(1, round(rollout.linear_step_percent))),
            }
        config: dict[str, Any] = {
            "BlueGreenUpdatePolicy": {"TrafficRoutingConfiguration": routing, "TerminationWaitInSeconds": 300}
        }
        alarms = self.config.alarms.get(endpoint, [])
        if alarms and not rollback:
            config["AutoRollbackConfiguration"] = {"Alarms": [{"AlarmName": a} for a in alarms]}
        return config

    def _alarms_firing(self, endpoint: str) -> list[str]:
        names = self.config.alarms.get(endpoint, [])
        if not names:
            return []
        response = self.clients.client("cloudwatch").describe_alarms(AlarmNames=names)
        return [a["AlarmName"] for a in response.get("MetricAlarms", []) if a["StateValue"] == "ALARM"]

    def watch_canary(
        self, endpoint: str, state: dict[str, Any], store: StateStore, work: dict[str, Any], figures: Figures
    ) -> None:
        described = self.sm.describe_endpoint(EndpointName=endpoint)
        firing = self._alarms_firing(endpoint)
        rollout = self.config.rollout_for(endpoint)
        decision = decide_canary(
            alarms_firing=firing,
            endpoint_config=described["EndpointConfigName"],
            new_config=work["new_config"],
            previous_config=state["live"]["endpoint_config"],
            endpoint_status=described["EndpointStatus"],
            elapsed=self.clock() - datetime.fromisoformat(work["canary_started"]),
            wait=timedelta(minutes=rollout.wait_minutes),
            accuracy=figures.accuracy if figures.labelled_rows >= MIN_CANARY_LABELS else None,
            baseline_accuracy=(work.get("evaluation") or {}).get("live_accuracy"),
            tolerance=self.config.policy.holdout_tolerance,
        )
        self.record(endpoint, "decide", decision=decision.to_dict(), canary={"config": work["new_config"]})
        work["last_decision"] = decision.action
        if decision.action == "rollback":
            work["phase"] = "rolling-back"
            work["rollback_reasons"] = decision.reasons
            self.save(store, state)
        elif decision.action == "confirm":
            state["live"] = {
                "endpoint_config": work["new_config"],
                "model_package_arn": work["model_package_arn"],
                "reference": work["reference"],
                "model_data": work["model_data"].split(f"s3://{self.config.bucket}/", 1)[-1],
            }
            state["work"] = None
            state["accuracy_history"] = []
            self.save(store, state)
            self.record(endpoint, "promoted", live=state["live"])
        else:
            self.save(store, state)

    def roll_back(
        self, endpoint: str, state: dict[str, Any], store: StateStore, work: dict[str, Any]
    ) -> None:
        """Back to the last good config, the version rejected, a person told."""
        good = state["live"]["endpoint_config"]
        described = self.sm.describe_endpoint(EndpointName=endpoint)
        if described["EndpointConfigName"] != good:
            self.guard()
            self.sm.update_endpoint(
                EndpointName=endpoint,
                EndpointConfigName=good,
                DeploymentConfig=self._deployment_config(endpoint, rollback=True),
            )
            self.record(endpoint, "update-endpoint", config=good, result="rolled back")
        else:
            self.record(
                endpoint, "update-endpoint", config=good, result="already on the good config (resumed)"
            )
        arn = work.get("model_package_arn")
        if arn:
            self.guard()
            self.sm.update_model_package(
                ModelPackageArn=arn,
                ModelApprovalStatus="Rejected",
                ApprovalDescription="; ".join(work.get("rollback_reasons", []))[:1000],
            )
            self.record(endpoint, "reject-version", arn=arn)
        self.alert(
            endpoint,
            f"mlkeel {endpoint}: rolled back",
            [*work.get("rollback_reasons", []), f"endpoint back on {good}; version {arn} rejected"],
        )
        state["work"] = None
        self.save(store, state)
        self.record(endpoint, "rolled-back", live=state["live"])

    # -- failure ---------------------------------------------------------------------------------

    def fail_safe(self, endpoint: str, exc: Exception) -> dict[str, Any]:
        """Record the failure and leave the endpoint on its last good config; say so."""
        error = f"{type(exc).__name__}: {exc}"
        outcome: dict[str, Any] = {"decision": "failed", "error": error}
        try:
            store = StateStore(self.s3, self.config.bucket, endpoint, self.config.kms_key_arn)
            state = store.load()
            good = (state.get("live") or {}).get("endpoint_config")
            work = state.get("work") or {}
            on = self.sm.describe_endpoint(EndpointName=endpoint)["EndpointConfigName"]
            if (
                good
                and on != good
                and work.get("phase") in ("rolling-out", "canary", "rolling-back")
                and not self.dry_run
            ):
                self.guard()
                self.sm.update_endpoint(
                    EndpointName=endpoint,
                    EndpointConfigName=good,
                    DeploymentConfig=self._deployment_config(endpoint, rollback=True),
                )
                work["phase"], work["rollback_reasons"] = "rolling-back", [f"run failed mid-rollout: {error}"]
                store.save(state)
                on = good
            outcome["endpoint_config"] = on
            self.record(endpoint, "failed", error=error, endpoint_config=on, known_good=good)
            if not self.dry_run:
                self.alert(endpoint, f"mlkeel {endpoint}: run could not finish", [error, f"endpoint on {on}"])
        except Exception as second:
            outcome["unverified"] = f"{type(second).__name__}: {second}"
            with contextlib.suppress(Exception):  # nothing left to write to: the summary says it
                self.record(endpoint, "failed", error=error, unverified=outcome["unverified"])
        return outcome
