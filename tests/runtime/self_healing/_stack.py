"""A small stack inside moto, built the way the components build it, for the controller to heal.

What the stack's Pulumi program would have made (bucket, lease table, model package group, SNS topic with
an SQS subscriber to count alerts, rollback alarms, a model, endpoint config and endpoint) plus what the
team's first pipeline leaves in the bucket (``models/<endpoint>/reference/``: model, profile, training
data) and what serving leaves (SageMaker data-capture JSON lines, label files).
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import joblib
import pandas as pd
from botocore.config import Config

from runtime.drift import build_profile
from runtime.self_healing import ControllerConfig
from runtime.self_healing.training import train
from tests.runtime.self_healing._moto import CREDENTIALS, REGION, model_archive

FIXTURES = Path(__file__).parent / "fixtures"
ACCOUNT = "123456789012"
ENDPOINT = "fraud-dev-scoring"
BUDGET = "fraud-dev-monthly"
FEATURES = ["x1", "x2", "x3", "group"]
START = datetime(2026, 12, 4, 12, 30, tzinfo=UTC)


@dataclass
class Clock:
    """The controller's clock; tests move it (past a lease's expiry, a canary's wait)."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def reference_artifacts(tmp: Path) -> tuple[bytes, bytes, Any]:
    """The team's first model (``model.tar.gz`` from the example entry point) and its drift profile."""
    channel, model_dir = tmp / "train", tmp / "model"
    channel.mkdir()
    (channel / "train.csv").write_bytes((FIXTURES / "reference.csv").read_bytes())
    assert train.main(["--train", str(channel), "--model-dir", str(model_dir)]) == 0
    reference = pd.read_csv(FIXTURES / "reference.csv")
    profile = build_profile(reference[FEATURES]).save(tmp / "profile.json").read_bytes()
    return model_archive(model_dir), profile, joblib.load(model_dir / "model.joblib")


@dataclass
class Stack:
    url: str
    clock: Clock
    artifacts: tuple[bytes, bytes, Any]
    bucket: str = f"fraud-dev-registry-{ACCOUNT}"
    clients: dict[str, Any] = field(default_factory=dict)
    runtime: Any = None

    def client(self, service: str) -> Any:
        if service not in self.clients:
            self.clients[service] = boto3.client(
                service,
                endpoint_url=self.url,
                region_name=REGION,
                config=Config(retries={"total_max_attempts": 1}),
                **CREDENTIALS,
            )
        return self.clients[service]

    def build(self) -> Stack:
        s3, sm, ddb, sns, sqs, cw = (
            self.client(s) for s in ("s3", "sagemaker", "dynamodb", "sns", "sqs", "cloudwatch")
        )
        s3.create_bucket(Bucket=self.bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
        ddb.create_table(
            TableName="fraud-dev-self-healing-lease",
            KeySchema=[{"AttributeName": "lease", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "lease", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        self.topic_arn = sns.create_topic(Name="fraud-dev-alerts")["TopicArn"]
        self.queue_url = sqs.create_queue(QueueName="alerts")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]
        sns.subscribe(TopicArn=self.topic_arn, Protocol="sqs", Endpoint=queue_arn)
        sm.create_model_package_group(ModelPackageGroupName="fraud-dev-models")
        self.set_month_spend(120.0)
        for alarm in self.alarm_names:
            cw.put_metric_alarm(
                AlarmName=alarm,
                Namespace="AWS/SageMaker",
                MetricName="Invocation5XXErrors",
                Statistic="Sum",
                Period=60,
                EvaluationPeriods=1,
                Threshold=1,
                ComparisonOperator="GreaterThanThreshold",
            )
        model_tar, profile, _ = self.artifacts
        prefix = f"models/{ENDPOINT}/reference/"
        s3.put_object(Bucket=self.bucket, Key=prefix + "model.tar.gz", Body=model_tar)
        s3.put_object(Bucket=self.bucket, Key=prefix + "profile.json", Body=profile)
        s3.put_object(
            Bucket=self.bucket, Key=prefix + "train.csv", Body=(FIXTURES / "reference.csv").read_bytes()
        )
        sm.create_model(
            ModelName="fraud-dev-scoring-v1",
            PrimaryContainer={
                "Image": "sklearn:1.2-1",
                "ModelDataUrl": f"s3://{self.bucket}/{prefix}model.tar.gz",
            },
            ExecutionRoleArn=f"arn:aws:iam::{ACCOUNT}:role/fraud-dev-serving",
        )
        sm.create_endpoint_config(
            EndpointConfigName="fraud-dev-scoring-v1",
            ProductionVariants=[
                {
                    "VariantName": "primary",
                    "ModelName": "fraud-dev-scoring-v1",
                    "InitialInstanceCount": 1,
                    "InstanceType": "ml.m5.large",
                    "InitialVariantWeight": 1.0,
                }
            ],
            DataCaptureConfig={
                "EnableCapture": True,
                "InitialSamplingPercentage": 100,
                "DestinationS3Uri": f"s3://{self.bucket}/data-capture",
                "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
            },
        )
        sm.create_endpoint(EndpointName=ENDPOINT, EndpointConfigName="fraud-dev-scoring-v1")
        return self

    def set_month_spend(self, usd: float) -> None:
        """The stack's AWS Budget (components/budget) as Budgets reports it: limit and spend so far."""
        budgets = self.client("budgets")
        with contextlib.suppress(budgets.exceptions.NotFoundException):
            budgets.delete_budget(AccountId=ACCOUNT, BudgetName=BUDGET)
        budgets.create_budget(
            AccountId=ACCOUNT,
            Budget={
                "BudgetName": BUDGET,
                "BudgetLimit": {"Amount": "500", "Unit": "USD"},
                "BudgetType": "COST",
                "TimeUnit": "MONTHLY",
                "CalculatedSpend": {"ActualSpend": {"Amount": str(usd), "Unit": "USD"}},
            },
        )

    @property
    def alarm_names(self) -> list[str]:
        return [f"{ENDPOINT}-p99-latency", f"{ENDPOINT}-5xx-rate"]

    def config(self, **policy: Any) -> ControllerConfig:
        return ControllerConfig.model_validate(
            {
                "stack": "fraud-dev",
                "region": REGION,
                "residency_zone": "eu",
                "bucket": self.bucket,
                "endpoints": [ENDPOINT],
                "model_package_group": "fraud-dev-models",
                "lease_table": "fraud-dev-self-healing-lease",
                "topic_arn": self.topic_arn,
                "training_role_arn": f"arn:aws:iam::{ACCOUNT}:role/fraud-dev-training",
                "model_role_arn": f"arn:aws:iam::{ACCOUNT}:role/fraud-dev-serving",
                "monthly_budget_usd": 500.0,
                "budget_name": BUDGET,
                "cost_tags": {"team": "fraud", "environment": "dev"},
                "alarms": {ENDPOINT: self.alarm_names},
                "rollout": {ENDPOINT: {"strategy": "canary", "canary_percent": 10, "wait_minutes": 10}},
                "policy": {"windows_in_a_row": 1, "min_rows": 200, "cooldown_hours": 0, **policy},
            }
        )

    def capture(self, dataset: str, *, tag: str = "a", minutes_ago: float = 20) -> None:
        """Captured traffic of ``fixtures/<dataset>.csv`` (served by the reference model) plus its labels."""
        frame = pd.read_csv(FIXTURES / f"{dataset}.csv")
        model = self.artifacts[2]
        predictions = model.predict(frame[FEATURES].to_numpy(dtype=float))
        when = self.clock.now - timedelta(minutes=minutes_ago)
        lines, labels = [], ["inference_id,label"]
        for i, (row, pred) in enumerate(zip(frame.itertuples(index=False), predictions, strict=True)):
            rid = f"{dataset}-{tag}-{i}"
            request = ",".join(str(getattr(row, c)) for c in FEATURES)
            lines.append(
                json.dumps(
                    {
                        "captureData": {
                            "endpointInput": {
                                "observedContentType": "text/csv",
                                "mode": "INPUT",
                                "data": request,
                                "encoding": "CSV",
                            },
                            "endpointOutput": {
                                "observedContentType": "text/csv",
                                "mode": "OUTPUT",
                                "data": str(int(pred)),
                                "encoding": "CSV",
                            },
                        },
                        "eventMetadata": {
                            "eventId": rid,
                            "inferenceId": rid,
                            "inferenceTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        },
                        "eventVersion": "0",
                    }
                )
            )
            labels.append(f"{rid},{row.label}")
        s3 = self.client("s3")
        key = f"data-capture/{ENDPOINT}/primary/{when:%Y/%m/%d/%H}/{tag}-capture.jsonl"
        s3.put_object(Bucket=self.bucket, Key=key, Body="\n".join(lines).encode())
        s3.put_object(
            Bucket=self.bucket, Key=f"labels/{ENDPOINT}/{dataset}-{tag}.csv", Body="\n".join(labels).encode()
        )

    # -- what the tests look at ------------------------------------------------------------------

    def alerts(self) -> list[dict[str, Any]]:
        sqs = self.client("sqs")
        out: list[dict[str, Any]] = []
        while True:
            got = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get("Messages", [])
            if not got:
                return out
            for message in got:
                out.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])

    def training_jobs(self) -> list[str]:
        return [
            j["TrainingJobName"]
            for j in self.client("sagemaker").list_training_jobs()["TrainingJobSummaries"]
        ]

    def versions(self) -> list[dict[str, Any]]:
        listed = self.client("sagemaker").list_model_packages(ModelPackageGroupName="fraud-dev-models")
        return listed["ModelPackageSummaryList"]

    def endpoint_config(self) -> str:
        return str(self.client("sagemaker").describe_endpoint(EndpointName=ENDPOINT)["EndpointConfigName"])

    def state(self) -> dict[str, Any]:
        body = self.client("s3").get_object(Bucket=self.bucket, Key=f"self-healing/state/{ENDPOINT}.json")[
            "Body"
        ]
        loaded: dict[str, Any] = json.loads(body.read())
        return loaded

    def audit(self) -> list[dict[str, Any]]:
        from runtime.self_healing import read_audit

        return read_audit(self.client("s3"), self.bucket)


def new_reference_artifacts() -> tuple[bytes, bytes, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        return reference_artifacts(Path(tmp))


__all__ = ["BUDGET", "ENDPOINT", "FEATURES", "START", "Clock", "Stack", "new_reference_artifacts"]
