"""The loop's actions on Vertex AI with ``google.cloud.aiplatform_v1``: retrain, register, canary.

Why the v1 clients with an explicit transport (not the high-level ``aiplatform`` SDK): no process-wide
patch is needed to point them at a stand-in, and each action makes the few calls it needs
(../shared/notes/loop-and-scale.md §2). The v1 clients have no default retry, so every call goes through
:func:`_retrying` (UNAVAILABLE and DEADLINE_EXCEEDED, bounded, backoff with jitter).

Exactly once, as on AWS: each action *looks before it creates*, under a name derived from the retraining
job's name, and looks again before each retry, so a create whose answer was lost is found, not repeated:

- the ``CustomJob``'s display name is the job name (ListCustomJobs filter ``display_name=``);
- the model version carries the label ``mlkeel-job=<job>`` (ListModelVersions filter ``labels.``);
- the candidate's ``DeployedModel.id`` is a number derived from the job name (Vertex honours a given id and
  answers ALREADY_EXISTS for a taken one).

Traffic only moves by whole splits (UpdateEndpoint ``traffic_split``), which is idempotent: a rollback
restores the split recorded before the canary started, then undeploys the candidate; a confirm moves 100 %
to the candidate, then undeploys the models that had the traffic before.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["RETRY_TIMEOUT_SECONDS", "VertexActions", "deployed_model_id"]

T = TypeVar("T")

#: Upper bound on retrying one call through UNAVAILABLE / DEADLINE_EXCEEDED.
RETRY_TIMEOUT_SECONDS = 120.0

#: Label on everything the loop creates, naming the retraining job it belongs to.
JOB_LABEL = "mlkeel-job"


def deployed_model_id(job: str) -> str:
    """The candidate's deployed-model id: 10 digits from the job name (Vertex allows 1-10 digits)."""
    return str(int(hashlib.sha256(job.encode()).hexdigest(), 16) % 9_000_000_000 + 1_000_000_000)


def _label(value: str) -> str:
    """A GCP label value: lowercase letters, digits, ``-`` and ``_``, at most 63 characters."""
    out = "".join(c if c.isalnum() or c in "-_" else "-" for c in value.lower())
    return out[:63]


class VertexActions:
    """Vertex calls for one project and region; ``api_endpoint`` points them at a stand-in (tests)."""

    def __init__(
        self,
        project: str,
        region: str,
        *,
        api_endpoint: str | None = None,
        sleep: Callable[[float], None] | None = None,
        retry_timeout: float = RETRY_TIMEOUT_SECONDS,
    ) -> None:
        import grpc
        from google.api_core.future import polling
        from google.cloud import aiplatform_v1 as v1
        from google.cloud.aiplatform_v1.services.endpoint_service.transports import (
            EndpointServiceGrpcTransport,
        )
        from google.cloud.aiplatform_v1.services.job_service.transports import JobServiceGrpcTransport
        from google.cloud.aiplatform_v1.services.model_service.transports import ModelServiceGrpcTransport

        self.project, self.region = project, region
        self.location = f"projects/{project}/locations/{region}"
        target = api_endpoint or f"{region}-aiplatform.googleapis.com"
        if target.rsplit(":", 1)[0] in ("127.0.0.1", "localhost", "[::1]"):
            self.channel = grpc.insecure_channel(target)
        else:
            self.channel = ModelServiceGrpcTransport.create_channel(
                target if ":" in target else f"{target}:443",
                scopes=["https://www.googleapis.com/auth/cloud-platform"],
            )
        self.types = v1.types
        self.models = v1.ModelServiceClient(transport=ModelServiceGrpcTransport(channel=self.channel))
        self.endpoints = v1.EndpointServiceClient(
            transport=EndpointServiceGrpcTransport(channel=self.channel)
        )
        self.jobs = v1.JobServiceClient(transport=JobServiceGrpcTransport(channel=self.channel))
        self.polling = polling.DEFAULT_POLLING.with_delay(
            initial=0.01, maximum=5.0, multiplier=1.5
        ).with_timeout(3600.0)
        self.sleep = sleep
        self.retry_timeout = retry_timeout

    def close(self) -> None:
        self.channel.close()

    # -- plumbing --------------------------------------------------------------------------------

    def _retrying(self, step: Callable[[], T]) -> T:
        """Run ``step`` (which looks before it acts) until it gets through UNAVAILABLE / DEADLINE_EXCEEDED."""
        from google.api_core import exceptions, retry

        policy = retry.Retry(
            predicate=retry.if_exception_type(exceptions.ServiceUnavailable, exceptions.DeadlineExceeded),
            initial=0.05 if self.sleep is None else 0.0,
            maximum=10.0,
            multiplier=2.0,
            timeout=self.retry_timeout,
        )
        result: T = policy(step)()
        return result

    def _wait(self, operation: Any) -> Any:
        return operation.result(polling=self.polling)

    def endpoint_name(self, endpoint: str) -> str:
        return endpoint if endpoint.startswith("projects/") else f"{self.location}/endpoints/{endpoint}"

    def model_name(self, model: str) -> str:
        return model if model.startswith("projects/") else f"{self.location}/models/{model}"

    # -- training --------------------------------------------------------------------------------

    def find_training_job(self, job: str) -> Any | None:
        found = self._retrying(
            lambda: list(
                self.jobs.list_custom_jobs(
                    request={"parent": self.location, "filter": f'display_name="{job}"'}
                )
            )
        )
        return found[0] if found else None

    def start_training(
        self,
        job: str,
        *,
        machine_type: str,
        image: str,
        command: list[str],
        args: list[str],
        env: dict[str, str],
        service_account: str,
        output_uri: str,
        max_runtime_seconds: int,
        max_wait_seconds: int,
        network: str | None,
        kms_key: str | None,
        labels: dict[str, str],
    ) -> tuple[str, str]:
        """A CustomJob on **spot** VMs (``scheduling.strategy = SPOT``), unless one of that name exists.

        Returns (job resource name, "created" | "exists").
        """
        from google.api_core import exceptions
        from google.protobuf import duration_pb2

        t = self.types
        spec = t.CustomJobSpec(
            worker_pool_specs=[
                t.WorkerPoolSpec(
                    machine_spec=t.MachineSpec(machine_type=machine_type),
                    replica_count=1,
                    container_spec=t.ContainerSpec(
                        image_uri=image,
                        command=command,
                        args=args,
                        env=[t.EnvVar(name=k, value=v) for k, v in env.items()],
                    ),
                )
            ],
            scheduling=t.Scheduling(
                strategy=t.Scheduling.Strategy.SPOT,
                timeout=duration_pb2.Duration(seconds=max_runtime_seconds),
                max_wait_duration=duration_pb2.Duration(seconds=max_wait_seconds),
            ),
            service_account=service_account,
            base_output_directory=t.GcsDestination(output_uri_prefix=output_uri),
            **({"network": network} if network else {}),
        )
        request = t.CustomJob(
            display_name=job,
            job_spec=spec,
            labels={**{k: _label(v) for k, v in labels.items()}, JOB_LABEL: _label(job)},
            **({"encryption_spec": t.EncryptionSpec(kms_key_name=kms_key)} if kms_key else {}),
        )
        outcome = "exists"

        def step() -> str:
            nonlocal outcome
            found = self.find_training_job(job)
            if found is not None:
                return str(found.name)
            try:
                created = self.jobs.create_custom_job(parent=self.location, custom_job=request)
            except (exceptions.ServiceUnavailable, exceptions.DeadlineExceeded):
                raise
            outcome = "created"
            return str(created.name)

        return self._retrying(step), outcome

    def training_status(self, name: str) -> dict[str, Any]:
        """State, error and run times of a CustomJob (``state``: a JobState name)."""
        job = self._retrying(lambda: self.jobs.get_custom_job(name=name))
        started = job.start_time.timestamp() if job.start_time else None
        ended = job.end_time.timestamp() if job.end_time else None
        return {
            "state": job.state.name,
            "error": job.error.message if job.error and job.error.message else None,
            "seconds": None if started is None or ended is None else max(0.0, ended - started),
            "output": job.job_spec.base_output_directory.output_uri_prefix,
        }

    # -- registry --------------------------------------------------------------------------------

    def find_version(self, parent_model: str, job: str) -> str | None:
        """``models/X@v`` of the version uploaded for ``job``, None when there is none."""
        from google.api_core import exceptions

        def look() -> str | None:
            try:
                versions = list(
                    self.models.list_model_versions(
                        request={
                            "name": self.model_name(parent_model),
                            "filter": f'labels.{JOB_LABEL}="{_label(job)}"',
                        }
                    )
                )
            except exceptions.NotFound:
                return None
            return f"{versions[0].name}@{versions[0].version_id}" if versions else None

        return self._retrying(look)

    def register_version(
        self,
        parent_model: str,
        job: str,
        *,
        artifact_uri: str,
        serving_image: str,
        description: str,
        kms_key: str | None,
        labels: dict[str, str],
    ) -> tuple[str, str]:
        """A new version of ``parent_model`` (UploadModel), unless one exists for ``job``.

        Returns (``projects/../models/X@v``, "created" | "exists").
        """
        t = self.types
        model = t.Model(
            display_name=job,
            description=description,
            artifact_uri=artifact_uri,
            container_spec=t.ModelContainerSpec(image_uri=serving_image),
            labels={**{k: _label(v) for k, v in labels.items()}, JOB_LABEL: _label(job)},
            **({"encryption_spec": t.EncryptionSpec(kms_key_name=kms_key)} if kms_key else {}),
        )
        outcome = "exists"

        def step() -> str:
            nonlocal outcome
            found = self.find_version(parent_model, job)
            if found is not None:
                return found
            operation = self.models.upload_model(
                request={
                    "parent": self.location,
                    "model": model,
                    "parent_model": self.model_name(parent_model),
                }
            )
            response = self._wait(operation)
            outcome = "created"
            return f"{response.model}@{response.model_version_id}"

        return self._retrying(step), outcome

    # -- traffic ---------------------------------------------------------------------------------

    def describe_endpoint(self, endpoint: str) -> dict[str, Any]:
        """The endpoint's split and deployed models (id → model version and machine)."""
        got = self._retrying(lambda: self.endpoints.get_endpoint(name=self.endpoint_name(endpoint)))
        deployed = {}
        for d in got.deployed_models:
            machine = d.dedicated_resources.machine_spec.machine_type if d.dedicated_resources else ""
            deployed[d.id] = {
                "model": f"{d.model}@{d.model_version_id}"
                if d.model_version_id and "@" not in d.model
                else d.model,
                "machine_type": machine,
                "min_replicas": d.dedicated_resources.min_replica_count if d.dedicated_resources else 0,
                "max_replicas": d.dedicated_resources.max_replica_count if d.dedicated_resources else 0,
                "shared_resources": d.shared_resources or None,
            }
        return {"split": {k: int(v) for k, v in got.traffic_split.items()}, "deployed": deployed}

    def deploy_canary(
        self,
        endpoint: str,
        version: str,
        deployed_id: str,
        *,
        percent: int,
        machine_type: str,
        min_replicas: int,
        max_replicas: int,
        shared_resources: str | None = None,
    ) -> str:
        """Deploy ``version`` as ``deployed_id`` with ``percent`` of the traffic, the rest kept in proportion.

        Returns "created" or "exists" (already deployed by an earlier attempt).
        """
        from google.api_core import exceptions

        t = self.types
        name = self.endpoint_name(endpoint)
        outcome = "exists"

        def step() -> None:
            nonlocal outcome
            now = self.describe_endpoint(endpoint)
            if deployed_id in now["deployed"]:
                return
            split = _blend(now["split"], percent)
            resources: dict[str, Any]
            if shared_resources:
                resources = {"shared_resources": shared_resources}
            else:
                resources = {
                    "dedicated_resources": t.DedicatedResources(
                        machine_spec=t.MachineSpec(machine_type=machine_type),
                        min_replica_count=min_replicas,
                        max_replica_count=max_replicas,
                    )
                }
            deployed = t.DeployedModel(id=deployed_id, model=version, display_name=deployed_id, **resources)
            try:
                self._wait(
                    self.endpoints.deploy_model(
                        request={"endpoint": name, "deployed_model": deployed, "traffic_split": split}
                    )
                )
            except exceptions.AlreadyExists:
                return  # an earlier attempt's deploy landed under the same id
            outcome = "created"

        self._retrying(step)
        return outcome

    def set_split(self, endpoint: str, split: dict[str, int]) -> None:
        """Set the endpoint's traffic split (idempotent: the same split twice changes nothing)."""
        from google.protobuf import field_mask_pb2

        t = self.types
        name = self.endpoint_name(endpoint)

        def step() -> None:
            if self.describe_endpoint(endpoint)["split"] == {k: v for k, v in split.items() if v}:
                return
            self.endpoints.update_endpoint(
                endpoint=t.Endpoint(name=name, traffic_split=split),
                update_mask=field_mask_pb2.FieldMask(paths=["traffic_split"]),
            )

        self._retrying(step)

    def undeploy(self, endpoint: str, deployed_id: str) -> str:
        """Take ``deployed_id`` off the endpoint (it must have no traffic). Returns "removed" or "absent"."""
        from google.api_core import exceptions

        name = self.endpoint_name(endpoint)
        outcome = "absent"

        def step() -> None:
            nonlocal outcome
            if deployed_id not in self.describe_endpoint(endpoint)["deployed"]:
                return
            try:
                self._wait(self.endpoints.undeploy_model(endpoint=name, deployed_model_id=deployed_id))
            except exceptions.NotFound:
                return
            outcome = "removed"

        self._retrying(step)
        return outcome


def _blend(split: dict[str, int], percent: int) -> dict[str, int]:
    """The split with ``percent`` for the model being deployed ("0") and the rest scaled, summing to 100."""
    live = {k: v for k, v in split.items() if v > 0}
    if not live:
        return {"0": 100}
    rest = 100 - percent
    total = sum(live.values())
    scaled = {k: v * rest // total for k, v in live.items()}
    leftover = rest - sum(scaled.values())
    for key in sorted(live, key=lambda k: -live[k])[:leftover]:
        scaled[key] += 1
    return {**{k: v for k, v in scaled.items() if v > 0}, "0": percent}
