"""A Vertex AI v1 server on 127.0.0.1 that speaks the real gRPC API, for tests.

Why a server and not mocks: the code under test (the ``ModelDeployment`` dynamic provider, the self-healing
loop's GCP actions) talks to Vertex AI through ``google.cloud.aiplatform_v1`` clients. Serving the
package's own protobuf messages over real gRPC means the clients, their long-running-operation polling
(``google.longrunning.Operations/GetOperation`` on the same channel), their error mapping and their retry
wrappers all run exactly as in production; only the far end is local. State is kept the way the service
keeps it (see ``docs`` in :data:`VALIDATION`), and faults are injected on the server side, so a "lost
answer" really did apply the call.

Everything a call changes is applied when the call is received; the long-running operation it returns
reports ``done`` only after :attr:`VertexServer.polls_until_done` ``GetOperation`` polls. A client that
crashes before polling therefore leaves the change in place, as on the real service.
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.cloud.aiplatform_v1.services.endpoint_service import EndpointServiceClient
from google.cloud.aiplatform_v1.services.endpoint_service.transports import EndpointServiceGrpcTransport
from google.cloud.aiplatform_v1.services.job_service import JobServiceClient
from google.cloud.aiplatform_v1.services.job_service.transports import JobServiceGrpcTransport
from google.cloud.aiplatform_v1.services.model_service import ModelServiceClient
from google.cloud.aiplatform_v1.services.model_service.transports import ModelServiceGrpcTransport
from google.cloud.aiplatform_v1.types import custom_job as custom_job_t
from google.cloud.aiplatform_v1.types import endpoint as endpoint_t
from google.cloud.aiplatform_v1.types import endpoint_service as es
from google.cloud.aiplatform_v1.types import job_service as js
from google.cloud.aiplatform_v1.types import job_state
from google.cloud.aiplatform_v1.types import model as model_t
from google.cloud.aiplatform_v1.types import model_service as ms
from google.longrunning import operations_pb2
from google.protobuf import empty_pb2, timestamp_pb2
from google.rpc import status_pb2

from tests._grpc_server import LocalGrpcServer

__all__ = ["FAULTS", "LOCATION", "PROJECT", "REGION", "VALIDATION", "Call", "VertexServer", "vertex_clients"]

#: The project and region test resources live in (names only; nothing leaves 127.0.0.1).
PROJECT, REGION = "fraud-ml-prod", "europe-west4"
LOCATION = f"projects/{PROJECT}/locations/{REGION}"

Operation = operations_pb2.Operation
State = job_state.JobState

#: Faults the server can answer with: ``unavailable`` and ``deadline`` refuse the call without applying it;
#: ``lost`` applies it, then answers DEADLINE_EXCEEDED (the client cannot know it happened).
FAULTS = ("unavailable", "deadline", "lost")

#: What each method checks, in the service's words (also published in /tmp/coord2/vertex-server.md).
VALIDATION = {
    "UploadModel": (
        "parent must be projects/*/locations/*; parent_model (if set) must exist (NOT_FOUND) "
        "and be under parent; model.display_name required (INVALID_ARGUMENT); "
        "model_id must not exist (ALREADY_EXISTS)"
    ),
    "GetModel": "name models/{id}, models/{id}@{version or alias}; NOT_FOUND otherwise",
    "DeleteModel": "NOT_FOUND if unknown; FAILED_PRECONDITION while any version is deployed",
    "DeleteModelVersion": (
        "name must carry @version; FAILED_PRECONDITION while deployed or while it is the "
        "default version of a model with other versions"
    ),
    "CreateEndpoint": "ALREADY_EXISTS for a taken endpoint_id",
    "DeployModel": (
        "NOT_FOUND for unknown endpoint or model (incl. @version); INVALID_ARGUMENT if a "
        "dedicated deployment lacks machine_spec.machine_type or min_replica_count < 1 or "
        "max < min, or neither dedicated nor shared resources (a deploymentResourcePools "
        "name) are given, or the split does not sum to 100 or names ids that are not "
        "deployed ('0' = the model being deployed)"
    ),
    "UndeployModel": (
        "NOT_FOUND for unknown endpoint or deployed id; FAILED_PRECONDITION if the model "
        "still has traffic and no new split takes it away; a new split must sum to 100 "
        "over the remaining ids"
    ),
    "UpdateEndpoint": (
        "traffic_split (when in update_mask or the mask is empty) must sum to 100 over "
        "deployed ids (or be empty when nothing is deployed)"
    ),
    "MutateDeployedModel": (
        "only dedicated_resources.min/max_replica_count, autoscaling_metric_specs, "
        "disable_container_logging may change; NOT_FOUND for unknown ids"
    ),
    "CreateCustomJob": "job_spec.worker_pool_specs required; stored as sent (incl. scheduling.strategy)",
    "GetCustomJob": "PENDING -> RUNNING -> outcome on successive gets",
    "CancelCustomJob": "FAILED_PRECONDITION on a finished job; else CANCELLED at once",
}


@dataclass
class Call:
    """One call the server received (in order), and what it answered."""

    method: str
    request: Any
    answer: str = "ok"
    """``ok``, a gRPC status name, or a fault name."""


@dataclass
class _Fault:
    kind: str
    times: int
    after: int = 0


class _Abort(Exception):
    def __init__(self, code: grpc.StatusCode, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def _now() -> timestamp_pb2.Timestamp:
    stamp = timestamp_pb2.Timestamp()
    stamp.GetCurrentTime()
    return stamp


_LOCATION = re.compile(r"^projects/[^/]+/locations/[^/]+$")
_POOL = re.compile(r"^projects/[^/]+/locations/[^/]+/deploymentResourcePools/[^/]+$")
_FILTER_TERM = re.compile(r'^\s*(labels\.[\w-]+|display_name)\s*=\s*"([^"]*)"\s*$')


def _matches(filter_: str, display_name: str, labels: Any) -> bool:
    """The subset of AIP-160 filters the clients here use: ``labels.k="v"`` / ``display_name="v"`` ANDed."""
    if not filter_.strip():
        return True
    for term in re.split(r"\s+AND\s+", filter_):
        found = _FILTER_TERM.match(term)
        if not found:
            raise _Abort(grpc.StatusCode.INVALID_ARGUMENT, f"unsupported filter term: {term!r}")
        key, value = found.groups()
        actual = display_name if key == "display_name" else labels.get(key.split(".", 1)[1])
        if actual != value:
            return False
    return True


@dataclass
class _Model:
    versions: dict[str, Any] = field(default_factory=dict)
    """version id -> raw ``Model`` message."""
    default: str = "1"


class VertexServer(LocalGrpcServer):
    """Model, Endpoint and Job services plus Operations, in memory, on 127.0.0.1:``port``."""

    WORKERS = 8

    def __init__(self, polls_until_done: int = 1, job_outcome: str = "JOB_STATE_SUCCEEDED"):
        self.polls_until_done = polls_until_done
        """GetOperation polls before an operation reports done (0: done when returned)."""
        self.job_outcome = job_outcome
        """State custom jobs end in, after PENDING and RUNNING."""
        self.models: dict[str, _Model] = {}
        self.endpoints: dict[str, Any] = {}
        self.jobs: dict[str, Any] = {}
        self.calls: list[Call] = []
        self._faults: dict[str, list[_Fault]] = {}
        self._operations: dict[str, list[Any]] = {}
        self._ids = itertools.count(1000)
        self._lock = threading.RLock()
        super().__init__()

    # -- test controls -----------------------------------------------------------------------------------

    def fail(self, method: str, kind: str, times: int = 1, after: int = 0) -> None:
        """The next ``times`` calls of ``method`` (e.g. ``"DeployModel"``) answer with fault ``kind``,
        once ``after`` calls of it have gone through normally (a crash part-way through a sequence)."""
        if kind not in FAULTS or times < 1:
            raise ValueError(f"fault {kind!r} x{times}: expected one of {FAULTS}, at least once")
        with self._lock:
            self._faults.setdefault(method, []).append(_Fault(kind, times, after))

    def clear_faults(self) -> None:
        """Drop every fault still queued (e.g. to let a "crashed" client's next run through)."""
        with self._lock:
            self._faults.clear()

    def methods(self, *, answered: str | None = None) -> list[str]:
        """Method names of the calls received, in order (only those answered ``answered`` if given)."""
        with self._lock:
            return [c.method for c in self.calls if answered is None or c.answer == answered]

    def deployed(self) -> dict[str, list[str]]:
        """Endpoint name -> model resource names (``models/X@v``) deployed on it."""
        with self._lock:
            return {
                name: [f"{d.model}@{d.model_version_id}" for d in e.deployed_models]
                for name, e in self.endpoints.items()
            }

    def model_versions(self) -> dict[str, list[str]]:
        """Model name -> its version ids."""
        with self._lock:
            return {name: list(m.versions) for name, m in self.models.items()}

    def add_endpoint(self, parent: str, endpoint_id: str, display_name: str = "endpoint") -> str:
        """An endpoint as pulumi-gcp's ``AiEndpoint`` would leave it (the provider deploys onto it)."""
        with self._lock:
            raw = endpoint_t.Endpoint.pb()(
                name=f"{parent}/endpoints/{endpoint_id}", display_name=display_name, create_time=_now()
            )
            self.endpoints[raw.name] = raw
            return raw.name

    # -- plumbing ----------------------------------------------------------------------------------------

    def _handlers(self) -> list[grpc.GenericRpcHandler]:
        def unary(method: str, fn: Callable[[Any], Any], request: Any, response: Any) -> Any:
            return grpc.unary_unary_rpc_method_handler(
                self._wrap(method, fn),
                request_deserializer=request.FromString,
                response_serializer=response.SerializeToString,
            )

        op, empty = Operation, empty_pb2.Empty
        model, endpoint, job = model_t.Model.pb(), endpoint_t.Endpoint.pb(), custom_job_t.CustomJob.pb()
        services = {
            "google.cloud.aiplatform.v1.ModelService": {
                "UploadModel": (self._upload_model, ms.UploadModelRequest.pb(), op),
                "GetModel": (self._get_model, ms.GetModelRequest.pb(), model),
                "ListModels": (self._list_models, ms.ListModelsRequest.pb(), ms.ListModelsResponse.pb()),
                "ListModelVersions": (
                    self._list_model_versions,
                    ms.ListModelVersionsRequest.pb(),
                    ms.ListModelVersionsResponse.pb(),
                ),
                "DeleteModel": (self._delete_model, ms.DeleteModelRequest.pb(), op),
                "DeleteModelVersion": (self._delete_model_version, ms.DeleteModelVersionRequest.pb(), op),
            },
            "google.cloud.aiplatform.v1.EndpointService": {
                "CreateEndpoint": (self._create_endpoint, es.CreateEndpointRequest.pb(), op),
                "GetEndpoint": (self._get_endpoint, es.GetEndpointRequest.pb(), endpoint),
                "DeployModel": (self._deploy_model, es.DeployModelRequest.pb(), op),
                "UndeployModel": (self._undeploy_model, es.UndeployModelRequest.pb(), op),
                "UpdateEndpoint": (self._update_endpoint, es.UpdateEndpointRequest.pb(), endpoint),
                "MutateDeployedModel": (self._mutate_deployed_model, es.MutateDeployedModelRequest.pb(), op),
            },
            "google.cloud.aiplatform.v1.JobService": {
                "CreateCustomJob": (self._create_custom_job, js.CreateCustomJobRequest.pb(), job),
                "GetCustomJob": (self._get_custom_job, js.GetCustomJobRequest.pb(), job),
                "CancelCustomJob": (self._cancel_custom_job, js.CancelCustomJobRequest.pb(), empty),
                "ListCustomJobs": (
                    self._list_custom_jobs,
                    js.ListCustomJobsRequest.pb(),
                    js.ListCustomJobsResponse.pb(),
                ),
            },
            "google.longrunning.Operations": {
                "GetOperation": (self._get_operation, operations_pb2.GetOperationRequest, op),
            },
        }
        return [
            grpc.method_handlers_generic_handler(
                service, {name: unary(name, *spec) for name, spec in methods.items()}
            )
            for service, methods in services.items()
        ]

    def _wrap(self, method: str, fn: Callable[[Any], Any]) -> Callable[[Any, grpc.ServicerContext], Any]:
        def handle(request: Any, context: grpc.ServicerContext) -> Any:
            with self._lock:
                call = Call(method, request)
                self.calls.append(call)
                fault = self._next_fault(method)
                if fault == "unavailable":
                    call.answer = fault
                    context.abort(grpc.StatusCode.UNAVAILABLE, f"{method}: injected UNAVAILABLE")
                if fault == "deadline":
                    call.answer = fault
                    context.abort(grpc.StatusCode.DEADLINE_EXCEEDED, f"{method}: injected DEADLINE_EXCEEDED")
                try:
                    response = fn(request)
                except _Abort as refused:
                    call.answer = refused.code.name
                    context.abort(refused.code, refused.message)
                if fault == "lost":
                    call.answer = fault
                    context.abort(grpc.StatusCode.DEADLINE_EXCEEDED, f"{method}: applied, answer lost")
                return response

        return handle

    def _next_fault(self, method: str) -> str | None:
        queue = self._faults.get(method, [])
        if not queue:
            return None
        fault = queue[0]
        if fault.after > 0:
            fault.after -= 1
            return None
        fault.times -= 1
        if fault.times <= 0:
            queue.pop(0)
        return fault.kind

    def _operation(self, resource: str, metadata: Any, response: Any) -> Any:
        name = f"{resource}/operations/{next(self._ids)}"
        op = Operation(name=name, done=False)
        op.metadata.Pack(metadata)
        finished = Operation(name=name, done=True)
        finished.metadata.Pack(metadata)
        finished.response.Pack(response)
        if self.polls_until_done <= 0:
            return finished
        self._operations[name] = [self.polls_until_done, finished]
        return op

    def _get_operation(self, request: Any) -> Any:
        entry = self._operations.get(request.name)
        if entry is None:
            raise _Abort(grpc.StatusCode.NOT_FOUND, f"operation {request.name} not found")
        entry[0] -= 1
        if entry[0] > 0:
            return Operation(name=request.name, done=False)
        return entry[1]

    # -- ModelService ------------------------------------------------------------------------------------

    def _model(self, name: str) -> tuple[_Model, str]:
        """The model and version id ``name`` (``.../models/X`` or ``.../models/X@v|alias``) designates."""
        base, _, version = name.partition("@")
        found = self.models.get(base)
        if found is None:
            raise _Abort(grpc.StatusCode.NOT_FOUND, f"Model {base} not found")
        if not version:
            return found, found.default
        if version in found.versions:
            return found, version
        for vid, raw in found.versions.items():
            if version in raw.version_aliases:
                return found, vid
        raise _Abort(grpc.StatusCode.NOT_FOUND, f"Model {name} not found")

    def _upload_model(self, request: Any) -> Any:
        if not _LOCATION.match(request.parent):
            raise _Abort(grpc.StatusCode.INVALID_ARGUMENT, f"parent {request.parent!r} is not a location")
        if not request.model.display_name:
            raise _Abort(grpc.StatusCode.INVALID_ARGUMENT, "model.display_name is required")
        if request.parent_model:
            if not request.parent_model.startswith(request.parent + "/models/"):
                raise _Abort(grpc.StatusCode.INVALID_ARGUMENT, "parent_model must be under parent")
            model, _ = self._model(request.parent_model)
            name = request.parent_model
            version = str(max(int(v) for v in model.versions) + 1)
        else:
            name = f"{request.parent}/models/{request.model_id or next(self._ids)}"
            if name in self.models:
                raise _Abort(grpc.StatusCode.ALREADY_EXISTS, f"Model {name} already exists")
            model = self.models[name] = _Model()
            version = "1"
        raw = model_t.Model.pb()()
        raw.CopyFrom(request.model)
        raw.name, raw.version_id = name, version
        raw.create_time.CopyFrom(_now())
        raw.version_create_time.CopyFrom(raw.create_time)
        aliases = list(raw.version_aliases)
        if version == "1" or "default" in aliases:
            if "default" not in aliases:
                aliases.insert(0, "default")
            for other in model.versions.values():
                if "default" in other.version_aliases:
                    other.version_aliases.remove("default")
            model.default = version
        del raw.version_aliases[:]
        raw.version_aliases.extend(aliases)
        model.versions[version] = raw
        return self._operation(
            name,
            ms.UploadModelOperationMetadata.pb()(),
            ms.UploadModelResponse.pb()(model=name, model_version_id=version),
        )

    def _with_deployments(self, raw: Any) -> Any:
        out = model_t.Model.pb()()
        out.CopyFrom(raw)
        for endpoint in self.endpoints.values():
            for deployed in endpoint.deployed_models:
                if deployed.model == raw.name and deployed.model_version_id == raw.version_id:
                    out.deployed_models.add(endpoint=endpoint.name, deployed_model_id=deployed.id)
        return out

    def _get_model(self, request: Any) -> Any:
        model, version = self._model(request.name)
        return self._with_deployments(model.versions[version])

    def _list_models(self, request: Any) -> Any:
        models = [
            self._with_deployments(m.versions[m.default])
            for name, m in self.models.items()
            if name.startswith(request.parent + "/models/")
        ]
        return ms.ListModelsResponse.pb()(
            models=[m for m in models if _matches(request.filter, m.display_name, m.labels)]
        )

    def _list_model_versions(self, request: Any) -> Any:
        model, _ = self._model(request.name)
        versions = [self._with_deployments(raw) for raw in model.versions.values()]
        return ms.ListModelVersionsResponse.pb()(
            models=[m for m in versions if _matches(request.filter, m.display_name, m.labels)]
        )

    def _deployed_on(self, model_name: str, version: str | None = None) -> list[str]:
        return [
            f"{e.name}/{d.id}"
            for e in self.endpoints.values()
            for d in e.deployed_models
            if d.model == model_name and (version is None or d.model_version_id == version)
        ]

    def _delete_model(self, request: Any) -> Any:
        model, _ = self._model(request.name.partition("@")[0])
        name = request.name.partition("@")[0]
        if deployed := self._deployed_on(name):
            raise _Abort(
                grpc.StatusCode.FAILED_PRECONDITION,
                f"Model {name} is deployed ({', '.join(deployed)}); undeploy it first",
            )
        del self.models[name]
        del model
        return self._operation(name, ms.DeleteModelRequest.pb()(), empty_pb2.Empty())

    def _delete_model_version(self, request: Any) -> Any:
        if "@" not in request.name:
            raise _Abort(grpc.StatusCode.INVALID_ARGUMENT, "name must be models/{model}@{version}")
        model, version = self._model(request.name)
        name = request.name.partition("@")[0]
        if deployed := self._deployed_on(name, version):
            raise _Abort(
                grpc.StatusCode.FAILED_PRECONDITION,
                f"Model {request.name} is deployed ({', '.join(deployed)}); undeploy it first",
            )
        if version == model.default and len(model.versions) > 1:
            raise _Abort(
                grpc.StatusCode.FAILED_PRECONDITION,
                f"version {version} is the default version of {name}; delete the model or move the alias",
            )
        del model.versions[version]
        if not model.versions:
            del self.models[name]
        return self._operation(request.name, ms.DeleteModelVersionRequest.pb()(), empty_pb2.Empty())

    # -- EndpointService ---------------------------------------------------------------------------------

    def _endpoint(self, name: str) -> Any:
        found = self.endpoints.get(name)
        if found is None:
            raise _Abort(grpc.StatusCode.NOT_FOUND, f"Endpoint {name} not found")
        return found

    @staticmethod
    def _check_split(split: dict[str, int], deployed_ids: set[str], where: str) -> None:
        if not split:
            if deployed_ids:
                raise _Abort(
                    grpc.StatusCode.INVALID_ARGUMENT,
                    f"{where}: traffic_split is empty but models are deployed",
                )
            return
        unknown = set(split) - deployed_ids
        if unknown:
            raise _Abort(
                grpc.StatusCode.INVALID_ARGUMENT,
                f"{where}: traffic_split names ids that are not deployed: {sorted(unknown)}",
            )
        if any(v < 0 for v in split.values()) or sum(split.values()) != 100:
            raise _Abort(
                grpc.StatusCode.INVALID_ARGUMENT,
                f"{where}: traffic_split must sum to 100, got {sum(split.values())}: {split}",
            )

    def _create_endpoint(self, request: Any) -> Any:
        name = f"{request.parent}/endpoints/{request.endpoint_id or next(self._ids)}"
        if name in self.endpoints:
            raise _Abort(grpc.StatusCode.ALREADY_EXISTS, f"Endpoint {name} already exists")
        raw = endpoint_t.Endpoint.pb()()
        raw.CopyFrom(request.endpoint)
        raw.name = name
        raw.create_time.CopyFrom(_now())
        self.endpoints[name] = raw
        return self._operation(name, es.CreateEndpointOperationMetadata.pb()(), raw)

    def _get_endpoint(self, request: Any) -> Any:
        return self._endpoint(request.name)

    def _deploy_model(self, request: Any) -> Any:
        endpoint = self._endpoint(request.endpoint)
        wanted = request.deployed_model
        model, version = self._model(wanted.model)
        model_name = wanted.model.partition("@")[0]
        if wanted.WhichOneof("prediction_resources") == "dedicated_resources":
            res = wanted.dedicated_resources
            if not res.machine_spec.machine_type:
                raise _Abort(grpc.StatusCode.INVALID_ARGUMENT, "machine_spec.machine_type is required")
            if res.min_replica_count < 1 or res.max_replica_count < res.min_replica_count:
                raise _Abort(
                    grpc.StatusCode.INVALID_ARGUMENT,
                    f"replicas min={res.min_replica_count} max={res.max_replica_count}: need 1 <= min <= max",
                )
        placement = wanted.WhichOneof("prediction_resources")
        if placement is None:
            raise _Abort(
                grpc.StatusCode.INVALID_ARGUMENT, "deployed_model needs dedicated or shared resources"
            )
        if placement == "shared_resources" and not _POOL.match(wanted.shared_resources):
            raise _Abort(
                grpc.StatusCode.INVALID_ARGUMENT,
                f"shared_resources {wanted.shared_resources!r} is not a deploymentResourcePools name",
            )
        existing = {d.id for d in endpoint.deployed_models}
        new_id = wanted.id or str(next(self._ids)) + "000000000"
        if new_id in existing:
            raise _Abort(grpc.StatusCode.ALREADY_EXISTS, f"DeployedModel {new_id} already exists")
        split = dict(request.traffic_split)
        if "0" in split:
            split[new_id] = split.pop("0")
        if not split and not endpoint.traffic_split:
            split = {new_id: 100}
        if split:
            self._check_split(split, existing | {new_id}, "DeployModel")
        deployed = endpoint_t.DeployedModel.pb()()
        deployed.CopyFrom(wanted)
        deployed.id, deployed.model, deployed.model_version_id = new_id, model_name, version
        deployed.create_time.CopyFrom(_now())
        endpoint.deployed_models.append(deployed)
        if split:
            endpoint.traffic_split.clear()
            endpoint.traffic_split.update(split)
        del model
        return self._operation(
            endpoint.name,
            es.DeployModelOperationMetadata.pb()(),
            es.DeployModelResponse.pb()(deployed_model=deployed),
        )

    def _undeploy_model(self, request: Any) -> Any:
        endpoint = self._endpoint(request.endpoint)
        ids = [d.id for d in endpoint.deployed_models]
        if request.deployed_model_id not in ids:
            raise _Abort(grpc.StatusCode.NOT_FOUND, f"DeployedModel {request.deployed_model_id} not found")
        remaining = set(ids) - {request.deployed_model_id}
        split = dict(request.traffic_split)
        if split:
            if split.get(request.deployed_model_id, 0) > 0:
                raise _Abort(
                    grpc.StatusCode.INVALID_ARGUMENT,
                    "UndeployModel: the new traffic_split still sends traffic to the model being undeployed",
                )
            split.pop(request.deployed_model_id, None)
            self._check_split(split, remaining, "UndeployModel")
        elif endpoint.traffic_split.get(request.deployed_model_id, 0) > 0 and remaining:
            raise _Abort(
                grpc.StatusCode.FAILED_PRECONDITION,
                f"DeployedModel {request.deployed_model_id} has "
                f"{endpoint.traffic_split[request.deployed_model_id]}% of the traffic; "
                "pass a traffic_split that moves it, or update the endpoint first",
            )
        else:
            split = {k: v for k, v in endpoint.traffic_split.items() if k != request.deployed_model_id}
        del endpoint.deployed_models[ids.index(request.deployed_model_id)]
        endpoint.traffic_split.clear()
        if remaining:
            endpoint.traffic_split.update(split)
        return self._operation(
            endpoint.name, es.UndeployModelOperationMetadata.pb()(), es.UndeployModelResponse.pb()()
        )

    def _update_endpoint(self, request: Any) -> Any:
        endpoint = self._endpoint(request.endpoint.name)
        paths = set(request.update_mask.paths) or {"traffic_split", "display_name", "description", "labels"}
        allowed = {"traffic_split", "display_name", "description", "labels"}
        if paths - allowed:
            raise _Abort(grpc.StatusCode.INVALID_ARGUMENT, f"cannot update {sorted(paths - allowed)}")
        if "traffic_split" in paths:
            split = dict(request.endpoint.traffic_split)
            self._check_split(split, {d.id for d in endpoint.deployed_models}, "UpdateEndpoint")
            endpoint.traffic_split.clear()
            endpoint.traffic_split.update(split)
        for path in paths - {"traffic_split"}:
            if path == "labels":
                endpoint.labels.clear()
                endpoint.labels.update(request.endpoint.labels)
            else:
                setattr(endpoint, path, getattr(request.endpoint, path))
        endpoint.update_time.CopyFrom(_now())
        return endpoint

    def _mutate_deployed_model(self, request: Any) -> Any:
        endpoint = self._endpoint(request.endpoint)
        wanted = request.deployed_model
        target = next((d for d in endpoint.deployed_models if d.id == wanted.id), None)
        if target is None:
            raise _Abort(grpc.StatusCode.NOT_FOUND, f"DeployedModel {wanted.id} not found")
        allowed = {
            "dedicated_resources.min_replica_count",
            "dedicated_resources.max_replica_count",
            "dedicated_resources.autoscaling_metric_specs",
            "disable_container_logging",
        }
        paths = set(request.update_mask.paths)
        if not paths or paths - allowed:
            raise _Abort(
                grpc.StatusCode.INVALID_ARGUMENT, f"update_mask must be a subset of {sorted(allowed)}"
            )
        res, new = target.dedicated_resources, wanted.dedicated_resources
        for path in paths:
            if path == "dedicated_resources.min_replica_count":
                res.min_replica_count = new.min_replica_count
            elif path == "dedicated_resources.max_replica_count":
                res.max_replica_count = new.max_replica_count
            elif path == "dedicated_resources.autoscaling_metric_specs":
                del res.autoscaling_metric_specs[:]
                res.autoscaling_metric_specs.extend(new.autoscaling_metric_specs)
            else:
                target.disable_container_logging = wanted.disable_container_logging
        if res.min_replica_count < 1 or res.max_replica_count < res.min_replica_count:
            raise _Abort(grpc.StatusCode.INVALID_ARGUMENT, "need 1 <= min_replica_count <= max_replica_count")
        return self._operation(
            endpoint.name,
            es.MutateDeployedModelOperationMetadata.pb()(),
            es.MutateDeployedModelResponse.pb()(deployed_model=target),
        )

    # -- JobService --------------------------------------------------------------------------------------

    def _job(self, name: str) -> Any:
        found = self.jobs.get(name)
        if found is None:
            raise _Abort(grpc.StatusCode.NOT_FOUND, f"CustomJob {name} not found")
        return found

    def _create_custom_job(self, request: Any) -> Any:
        if not _LOCATION.match(request.parent):
            raise _Abort(grpc.StatusCode.INVALID_ARGUMENT, f"parent {request.parent!r} is not a location")
        if not request.custom_job.job_spec.worker_pool_specs:
            raise _Abort(grpc.StatusCode.INVALID_ARGUMENT, "job_spec.worker_pool_specs is required")
        raw = custom_job_t.CustomJob.pb()()
        raw.CopyFrom(request.custom_job)
        raw.name = f"{request.parent}/customJobs/{next(self._ids)}"
        raw.state = State.JOB_STATE_PENDING
        raw.create_time.CopyFrom(_now())
        self.jobs[raw.name] = raw
        return raw

    def _get_custom_job(self, request: Any) -> Any:
        job = self._job(request.name)
        if job.state == State.JOB_STATE_PENDING:
            job.state = State.JOB_STATE_RUNNING
            job.start_time.CopyFrom(_now())
        elif job.state == State.JOB_STATE_RUNNING:
            job.state = getattr(State, self.job_outcome)
            job.end_time.CopyFrom(_now())
            if job.state != State.JOB_STATE_SUCCEEDED:
                job.error.CopyFrom(status_pb2.Status(code=13, message=f"job ended {self.job_outcome}"))
        return job

    def _cancel_custom_job(self, request: Any) -> Any:
        job = self._job(request.name)
        if job.state not in (State.JOB_STATE_PENDING, State.JOB_STATE_RUNNING, State.JOB_STATE_QUEUED):
            raise _Abort(grpc.StatusCode.FAILED_PRECONDITION, f"CustomJob {request.name} already finished")
        job.state = State.JOB_STATE_CANCELLED
        job.end_time.CopyFrom(_now())
        return empty_pb2.Empty()

    def _list_custom_jobs(self, request: Any) -> Any:
        return js.ListCustomJobsResponse.pb()(
            custom_jobs=[
                j
                for name, j in self.jobs.items()
                if name.startswith(request.parent + "/customJobs/")
                and _matches(request.filter, j.display_name, j.labels)
            ]
        )


@dataclass
class VertexClients:
    """``aiplatform_v1`` clients bound to a local server: explicit insecure-channel transports, no ADC."""

    models: ModelServiceClient
    endpoints: EndpointServiceClient
    jobs: JobServiceClient
    channel: grpc.Channel

    def close(self) -> None:
        self.channel.close()


def vertex_clients(address: str) -> VertexClients:
    """Clients on ``address`` (``127.0.0.1:<port>``), sharing one channel as the SDK's clients would."""
    channel = grpc.insecure_channel(address)
    return VertexClients(
        models=ModelServiceClient(transport=ModelServiceGrpcTransport(channel=channel)),
        endpoints=EndpointServiceClient(transport=EndpointServiceGrpcTransport(channel=channel)),
        jobs=JobServiceClient(transport=JobServiceGrpcTransport(channel=channel)),
        channel=channel,
    )
