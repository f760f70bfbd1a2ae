"""A small GCP stack for the controller: fake-gcs-server, the local Vertex AI server, DuckDB as the log table.

What the stack's Pulumi program and the team's first pipeline leave: the bucket with
``models/<endpoint>/reference/`` (model, profile, training data), an endpoint serving version 1 of the
team's model with all the traffic, and Vertex request-response logging rows (in DuckDB, same columns).
:meth:`GcpStack.run_training` is the CustomJob's container: the example entry point on the job's own
arguments (``/gcs/<bucket>/...`` paths), as Vertex would run it; the server only keeps the job's state.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from runtime.self_healing._gcp import GcpClients, GcpController
from runtime.self_healing._gcp_config import GcpControllerConfig
from runtime.self_healing._gcs import GcsBucket, read_gcs_audit
from runtime.self_healing._monitoring import CloudMonitoring
from runtime.self_healing._prediction_log import duckdb_query
from runtime.self_healing._vertex import VertexActions
from runtime.self_healing.training import train
from tests._vertex_server import LOCATION, PROJECT, REGION, VertexServer, vertex_clients
from tests.runtime.self_healing._gcs_server import new_bucket
from tests.runtime.self_healing._stack import FEATURES, FIXTURES, Clock

ENDPOINT, ENDPOINT_ID = "scoring", "4242"
TABLE = f"{PROJECT}.fraud_logs.request_response_logging"
SKLEARN = "europe-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest"


@dataclass
class GcpStack:
    gcs_url: str
    server: VertexServer
    artifacts: tuple[bytes, bytes, Any]
    clock: Clock = field(default_factory=Clock)
    logs: Any = None
    bucket: GcsBucket | None = None
    model: str = ""
    request_ids: int = 0
    controller_gcs_url: str | None = None
    """Where the controllers reach GCS (a fault proxy); the test itself always reads the server directly."""
    monitoring_address: str | None = None
    """The local Cloud Monitoring server (tests/_monitoring_server.py); None: the controller has no client."""

    def build(self) -> GcpStack:
        client, name = new_bucket(self.gcs_url, PROJECT)
        self.bucket = GcsBucket(client, name)
        archive, profile, _ = self.artifacts
        ref = f"models/{ENDPOINT}/reference/"
        self.bucket.write(ref + "model.tar.gz", archive)
        self.bucket.write(ref + "profile.json", profile)
        self.bucket.write(ref + "train.csv", (FIXTURES / "reference.csv").read_bytes())
        self.logs = duckdb.connect()
        self.logs.execute("SET TimeZone='UTC'")
        self.logs.execute(
            f'CREATE TABLE "{TABLE}" (endpoint VARCHAR, deployed_model_id VARCHAR, logging_time TIMESTAMP, '
            "request_id DECIMAL(38, 0), request_payload VARCHAR[], response_payload VARCHAR[])"
        )
        endpoint = self.server.add_endpoint(LOCATION, ENDPOINT_ID)
        clients = vertex_clients(self.server.address)
        try:
            from google.cloud.aiplatform_v1 import types as t

            uploaded = clients.models.upload_model(
                parent=LOCATION,
                model=t.Model(
                    display_name="fraud",
                    artifact_uri=f"gs://{name}/{ref}",
                    container_spec={"image_uri": SKLEARN},
                ),
            ).result()
            clients.endpoints.deploy_model(
                endpoint=endpoint,
                deployed_model=t.DeployedModel(
                    model=f"{uploaded.model}@1",
                    dedicated_resources=t.DedicatedResources(
                        machine_spec=t.MachineSpec(machine_type="n1-standard-2"),
                        min_replica_count=1,
                        max_replica_count=2,
                    ),
                ),
                traffic_split={"0": 100},
            ).result()
        finally:
            clients.close()
        self.model = uploaded.model
        return self

    def config(self, **policy: Any) -> GcpControllerConfig:
        assert self.bucket is not None
        return GcpControllerConfig.model_validate(
            {
                "cloud": "gcp",
                "stack": "fraud-dev",
                "project": PROJECT,
                "region": REGION,
                "residency_zone": "eu",
                "bucket": self.bucket.name,
                "endpoints": {ENDPOINT: ENDPOINT_ID},
                "prediction_log_dataset": "fraud_logs",
                "training_service_account": f"fraud-training@{PROJECT}.iam.gserviceaccount.com",
                "training_image": f"{REGION}-docker.pkg.dev/{PROJECT}/fraud/mlkeel-runtime:0.1.0",
                "monthly_budget_usd": 500.0,
                "monthly_run_rate_usd": 100.0,
                "cost_tags": {"team": "fraud"},
                "rollout": {ENDPOINT: {"strategy": "canary", "canary_percent": 10, "wait_minutes": 10}},
                "policy": {
                    "windows_in_a_row": 1,
                    "min_rows": 200,
                    "cooldown_hours": 0,
                    "window_hours": 1,
                    **policy,
                },
            }
        )

    def controller(self, config: GcpControllerConfig | None = None, **kw: Any) -> GcpController:
        assert self.bucket is not None
        storage = self.bucket.client
        if self.controller_gcs_url:
            from runtime.self_healing._gcs import gcs_client

            storage = gcs_client(PROJECT, api_endpoint=self.controller_gcs_url)
        clients = GcpClients(
            storage,
            VertexActions(
                PROJECT, REGION, api_endpoint=self.server.address, retry_timeout=kw.pop("retry_timeout", 5)
            ),
            duckdb_query(self.logs),
            monitoring=None
            if self.monitoring_address is None
            else CloudMonitoring(PROJECT, api_endpoint=self.monitoring_address, retry_timeout=0.3),
        )
        return GcpController(config or self.config(auto_promote=True), clients, clock=self.clock, **kw)

    def run(self, config: GcpControllerConfig | None = None, **kw: Any) -> Any:
        controller = self.controller(config, **kw)
        try:
            return controller.run()
        finally:
            controller.vertex.close()
            if controller.gcp.monitoring is not None:
                controller.gcp.monitoring.close()

    def serve(self, dataset: str, *, minutes_ago: float = 20, wrong: bool = False) -> None:
        """Logged traffic of ``fixtures/<dataset>.csv`` (served by the reference model) and its labels."""
        assert self.bucket is not None
        frame = pd.read_csv(FIXTURES / f"{dataset}.csv")
        predictions = self.artifacts[2].predict(frame[FEATURES].to_numpy(dtype=float))
        when = (self.clock.now - timedelta(minutes=minutes_ago)).replace(tzinfo=None)
        endpoint = f"{LOCATION}/endpoints/{ENDPOINT_ID}"
        labels = ["inference_id,label"]
        rows = []
        for row, pred in zip(frame.itertuples(index=False), predictions, strict=True):
            self.request_ids += 1
            label = int(row.label)
            served = (1 - label) if wrong else int(pred)
            instance = [float(getattr(row, c)) for c in FEATURES]
            rows.append([endpoint, "1", when, self.request_ids, [json.dumps(instance)], [json.dumps(served)]])
            labels.append(f"{self.request_ids}-0,{label}")
        self.logs.executemany(f'INSERT INTO "{TABLE}" VALUES (?, ?, ?, ?, ?, ?)', rows)
        self.bucket.write(f"labels/{ENDPOINT}/{dataset}-{self.request_ids}.csv", "\n".join(labels).encode())

    def run_training(self) -> list[str]:
        """Run every CustomJob's container once (the example entry point on its arguments)."""
        assert self.bucket is not None
        from google.cloud.aiplatform_v1 import types as t

        ran = []
        for name, raw in list(self.server.jobs.items()):
            spec = t.CustomJob.wrap(raw).job_spec.worker_pool_specs[0].container_spec
            args = list(spec.args)
            fuse = f"/gcs/{self.bucket.name}/"
            train_key = args[args.index("--train") + 1].removeprefix(fuse)
            model_key = args[args.index("--model-dir") + 1].removeprefix(fuse)
            if self.bucket.read(f"{model_key}/model.joblib") is not None:
                continue
            with tempfile.TemporaryDirectory() as tmp:
                channel, model_dir = Path(tmp, "train"), Path(tmp, "model")
                channel.mkdir()
                for key in self.bucket.keys(train_key + "/"):
                    (channel / key.rsplit("/", 1)[-1]).write_bytes(self.bucket.read(key)[0])  # type: ignore[index]
                local = [*args]
                local[local.index("--train") + 1] = str(channel)
                local[local.index("--model-dir") + 1] = str(model_dir)
                assert train.main(local) == 0
                for path in sorted(model_dir.iterdir()):
                    self.bucket.write(f"{model_key}/{path.name}", path.read_bytes())
            ran.append(name)
        return ran

    # -- what the tests look at ------------------------------------------------------------------

    def audit(self) -> list[dict[str, Any]]:
        assert self.bucket is not None
        return read_gcs_audit(self.bucket)

    def state(self) -> dict[str, Any]:
        assert self.bucket is not None
        seen = self.bucket.read(f"self-healing/state/{ENDPOINT}.json")
        return {} if seen is None else json.loads(seen[0])

    def split(self) -> dict[str, int]:
        return {
            k: int(v)
            for k, v in self.server.endpoints[f"{LOCATION}/endpoints/{ENDPOINT_ID}"].traffic_split.items()
        }

    def deployed(self) -> list[str]:
        return self.server.deployed()[f"{LOCATION}/endpoints/{ENDPOINT_ID}"]
