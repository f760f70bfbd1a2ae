"""The local Vertex AI server refuses what the service refuses, seen through the real aiplatform_v1 clients.

Tests that run against it (the ModelDeployment provider, the GCP self-healing actions) are only as good as
its validation, so each rule it enforces is proved here with the client the production code uses.
"""

from __future__ import annotations

import pytest
from google.api_core import exceptions
from google.api_core.future import polling
from google.cloud.aiplatform_v1 import types as t

from tests._vertex_server import LOCATION, VertexClients, VertexServer

pytest_plugins = ["tests._vertex_fixtures"]
FAST = polling.DEFAULT_POLLING.with_delay(initial=0.01, maximum=0.05, multiplier=1.0)


def upload(
    vertex: VertexClients, parent_model: str = "", display_name: str = "scorer"
) -> t.UploadModelResponse:
    request = t.UploadModelRequest(
        parent=LOCATION,
        parent_model=parent_model,
        model=t.Model(display_name=display_name, labels={"mlkeel_deployment": display_name}),
    )
    return vertex.models.upload_model(request=request).result(polling=FAST)


def dedicated() -> t.DedicatedResources:
    return t.DedicatedResources(
        machine_spec=t.MachineSpec(machine_type="n1-standard-4"), min_replica_count=1, max_replica_count=2
    )


def deploy(vertex: VertexClients, endpoint: str, model: str, split: dict[str, int]) -> str:
    operation = vertex.endpoints.deploy_model(
        endpoint=endpoint,
        deployed_model=t.DeployedModel(model=model, dedicated_resources=dedicated()),
        traffic_split=split,
    )
    return str(operation.result(polling=FAST).deployed_model.id)


def test_vertex_server_upload_with_parent_model_numbers_versions(vertex: VertexClients) -> None:
    first = upload(vertex)
    second = upload(vertex, parent_model=first.model)
    assert (first.model_version_id, second.model_version_id) == ("1", "2") and second.model == first.model
    assert vertex.models.get_model(name=first.model).version_id == "1"  # the default version
    assert vertex.models.get_model(name=f"{first.model}@2").version_id == "2"
    versions = vertex.models.list_model_versions(name=first.model)
    assert [m.version_id for m in versions] == ["1", "2"]
    found = vertex.models.list_models(
        request={"parent": LOCATION, "filter": 'labels.mlkeel_deployment="scorer"'}
    )
    assert [m.name for m in found] == [first.model]


def test_vertex_server_unknown_model_or_endpoint_is_not_found(
    vertex: VertexClients, vertex_server: VertexServer
) -> None:
    endpoint = vertex_server.add_endpoint(LOCATION, "1")
    with pytest.raises(exceptions.NotFound):
        vertex.models.get_model(name=f"{LOCATION}/models/404")
    with pytest.raises(exceptions.NotFound):
        deploy(vertex, endpoint, f"{LOCATION}/models/404", {"0": 100})
    model = upload(vertex).model
    with pytest.raises(exceptions.NotFound):
        deploy(vertex, endpoint, f"{model}@7", {"0": 100})
    with pytest.raises(exceptions.NotFound):
        vertex.endpoints.get_endpoint(name=f"{LOCATION}/endpoints/404")


def test_vertex_server_traffic_split_must_sum_to_100_over_deployed_ids(
    vertex: VertexClients, vertex_server: VertexServer
) -> None:
    endpoint = vertex_server.add_endpoint(LOCATION, "1")
    model = upload(vertex).model
    first = deploy(vertex, endpoint, model, {"0": 100})
    with pytest.raises(exceptions.InvalidArgument, match="sum to 100"):
        deploy(vertex, endpoint, model, {"0": 10, first: 80})
    with pytest.raises(exceptions.InvalidArgument, match="not deployed"):
        vertex.endpoints.update_endpoint(
            endpoint=t.Endpoint(name=endpoint, traffic_split={first: 50, "999": 50}),
            update_mask={"paths": ["traffic_split"]},
        )
    with pytest.raises(exceptions.InvalidArgument, match="sum to 100"):
        vertex.endpoints.update_endpoint(
            endpoint=t.Endpoint(name=endpoint, traffic_split={first: 99}),
            update_mask={"paths": ["traffic_split"]},
        )
    second = deploy(vertex, endpoint, model, {"0": 10, first: 90})  # "0" is the model being deployed
    assert dict(vertex.endpoints.get_endpoint(name=endpoint).traffic_split) == {first: 90, second: 10}


def test_vertex_server_refuses_to_undeploy_a_model_with_traffic_or_delete_a_deployed_model(
    vertex: VertexClients, vertex_server: VertexServer
) -> None:
    endpoint = vertex_server.add_endpoint(LOCATION, "1")
    model = upload(vertex).model
    first = deploy(vertex, endpoint, model, {"0": 100})
    second = deploy(vertex, endpoint, model, {"0": 0, first: 100})
    with pytest.raises(exceptions.FailedPrecondition, match="traffic"):
        vertex.endpoints.undeploy_model(endpoint=endpoint, deployed_model_id=first).result(polling=FAST)
    with pytest.raises(exceptions.FailedPrecondition, match="deployed"):
        vertex.models.delete_model(name=model).result(polling=FAST)
    vertex.endpoints.undeploy_model(
        endpoint=endpoint, deployed_model_id=first, traffic_split={second: 100}
    ).result(polling=FAST)
    vertex.endpoints.undeploy_model(endpoint=endpoint, deployed_model_id=second).result(polling=FAST)
    assert dict(vertex.endpoints.get_endpoint(name=endpoint).traffic_split) == {}
    vertex.models.delete_model(name=model).result(polling=FAST)
    assert vertex_server.models == {}


def test_vertex_server_operations_finish_after_the_configured_polls(
    vertex: VertexClients, vertex_server: VertexServer
) -> None:
    vertex_server.polls_until_done = 3
    upload(vertex)
    assert vertex_server.methods().count("GetOperation") == 3


@pytest.mark.parametrize(
    ("kind", "error", "applied"),
    [
        ("unavailable", exceptions.ServiceUnavailable, False),
        ("deadline", exceptions.DeadlineExceeded, False),
        ("lost", exceptions.DeadlineExceeded, True),
    ],
)
def test_vertex_server_faults_refuse_or_apply_then_lose_the_answer(
    vertex: VertexClients, vertex_server: VertexServer, kind: str, error: type[Exception], applied: bool
) -> None:
    vertex_server.fail("UploadModel", kind)
    with pytest.raises(error):
        upload(vertex)
    assert bool(vertex_server.models) is applied
    upload(vertex, display_name="next")  # the fault was used up
    assert vertex_server.methods(answered=kind) == ["UploadModel"]


def test_vertex_server_custom_jobs_progress_and_keep_the_spot_strategy(
    vertex: VertexClients, vertex_server: VertexServer
) -> None:
    job = t.CustomJob(
        display_name="retrain",
        job_spec=t.CustomJobSpec(
            worker_pool_specs=[
                t.WorkerPoolSpec(
                    machine_spec=t.MachineSpec(machine_type="n1-standard-8"),
                    replica_count=1,
                    container_spec=t.ContainerSpec(image_uri="europe-docker.pkg.dev/p/r/train:1"),
                )
            ],
            scheduling=t.Scheduling(strategy=t.Scheduling.Strategy.SPOT),
        ),
    )
    created = vertex.jobs.create_custom_job(parent=LOCATION, custom_job=job)
    assert created.state == t.JobState.JOB_STATE_PENDING
    states = [vertex.jobs.get_custom_job(name=created.name).state for _ in range(3)]
    assert states == [
        t.JobState.JOB_STATE_RUNNING,
        t.JobState.JOB_STATE_SUCCEEDED,
        t.JobState.JOB_STATE_SUCCEEDED,
    ]
    assert (
        vertex.jobs.get_custom_job(name=created.name).job_spec.scheduling.strategy
        == t.Scheduling.Strategy.SPOT
    )
    with pytest.raises(exceptions.FailedPrecondition):
        vertex.jobs.cancel_custom_job(name=created.name)
    vertex_server.job_outcome = "JOB_STATE_FAILED"
    failing = vertex.jobs.create_custom_job(parent=LOCATION, custom_job=job)
    vertex.jobs.get_custom_job(name=failing.name)
    assert vertex.jobs.get_custom_job(name=failing.name).state == t.JobState.JOB_STATE_FAILED
    listed = vertex.jobs.list_custom_jobs(request={"parent": LOCATION, "filter": 'display_name="retrain"'})
    assert len(list(listed)) == 2
    with pytest.raises(exceptions.InvalidArgument):
        vertex.jobs.create_custom_job(parent=LOCATION, custom_job=t.CustomJob(display_name="empty"))
