"""The loop's Vertex actions against the local Vertex AI server (aiplatform_v1 types over gRPC), with faults.

Each fault case checks what an operator relies on: exactly one training job, one new model version, one
deployed candidate, and a split that sums to 100 over models that are really deployed.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from runtime.self_healing._vertex import VertexActions, _blend, deployed_model_id
from tests._vertex_server import LOCATION, PROJECT, REGION, VertexServer, vertex_clients

JOB = "fraud-scoring-rt001"
ENDPOINT_ID = "4242"
SKLEARN = "europe-docker.pkg.dev/vertex-ai/prediction/sklearn-cpu.1-3:latest"


@pytest.fixture
def server() -> Iterator[VertexServer]:
    with VertexServer(polls_until_done=1) as running:
        yield running


@pytest.fixture
def live(server: VertexServer) -> dict[str, str]:
    """An endpoint serving version 1 of the team's model with all the traffic (what the stack leaves)."""
    endpoint = server.add_endpoint(LOCATION, ENDPOINT_ID)
    clients = vertex_clients(server.address)
    try:
        from google.cloud.aiplatform_v1 import types as t

        uploaded = clients.models.upload_model(
            parent=LOCATION,
            model=t.Model(
                display_name="fraud", artifact_uri="gs://b/models/v1", container_spec={"image_uri": SKLEARN}
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
    return {"endpoint": endpoint, "model": uploaded.model}


@pytest.fixture
def actions(server: VertexServer) -> Iterator[VertexActions]:
    acting = VertexActions(PROJECT, REGION, api_endpoint=server.address, retry_timeout=20)
    yield acting
    acting.close()


def _train(actions: VertexActions) -> tuple[str, str]:
    return actions.start_training(
        JOB,
        machine_type="n1-standard-4",
        image="europe-docker.pkg.dev/vertex-ai/training/sklearn-cpu.1-3:latest",
        command=["python", "-m", "runtime.self_healing.training.train"],
        args=["--label-column", "label"],
        env={"AIP_MODEL_DIR": "gs://b/out"},
        service_account="fraud-training@fraud-ml-prod.iam.gserviceaccount.com",
        output_uri=f"gs://b/training-output/{JOB}/",
        max_runtime_seconds=3600,
        max_wait_seconds=7200,
        network=None,
        kms_key="projects/fraud-ml-prod/locations/europe-west4/keyRings/r/cryptoKeys/k",
        labels={"team": "fraud"},
    )


def _register(actions: VertexActions, model: str) -> tuple[str, str]:
    return actions.register_version(
        model,
        JOB,
        artifact_uri=f"gs://b/training-output/{JOB}/model/",
        serving_image=SKLEARN,
        description=f"retrained by {JOB}",
        kms_key=None,
        labels={"team": "fraud"},
    )


def _canary(actions: VertexActions, endpoint: str, version: str) -> str:
    return actions.deploy_canary(
        endpoint,
        version,
        deployed_model_id(JOB),
        percent=10,
        machine_type="n1-standard-2",
        min_replicas=1,
        max_replicas=2,
    )


def test_retraining_runs_as_a_custom_job_on_spot_vms(server: VertexServer, actions: VertexActions) -> None:
    name, outcome = _train(actions)
    assert outcome == "created"
    raw = server.jobs[name]
    from google.cloud.aiplatform_v1 import types as t

    assert t.CustomJob.wrap(raw).job_spec.scheduling.strategy == t.Scheduling.Strategy.SPOT
    assert raw.job_spec.worker_pool_specs[0].machine_spec.machine_type == "n1-standard-4"
    assert raw.encryption_spec.kms_key_name.endswith("cryptoKeys/k")
    states = [actions.training_status(name)["state"] for _ in range(3)]
    assert states[-1] == "JOB_STATE_SUCCEEDED"


def test_canary_then_confirm_moves_all_traffic_and_undeploys_the_old_model(
    server: VertexServer, actions: VertexActions, live: dict[str, str]
) -> None:
    version, outcome = _register(actions, live["model"])
    assert outcome == "created" and version.endswith("@2")
    before = actions.describe_endpoint(ENDPOINT_ID)
    (old_id,) = before["split"]
    assert _canary(actions, ENDPOINT_ID, version) == "created"
    candidate = deployed_model_id(JOB)
    assert actions.describe_endpoint(ENDPOINT_ID)["split"] == {old_id: 90, candidate: 10}
    actions.set_split(ENDPOINT_ID, {candidate: 100})
    assert actions.undeploy(ENDPOINT_ID, old_id) == "removed"
    assert server.deployed()[live["endpoint"]] == [version.split("@")[0] + "@2"]
    assert actions.describe_endpoint(ENDPOINT_ID)["split"] == {candidate: 100}


def test_rollback_restores_the_previous_split_and_undeploys_the_candidate(
    server: VertexServer, actions: VertexActions, live: dict[str, str]
) -> None:
    version, _ = _register(actions, live["model"])
    previous = actions.describe_endpoint(ENDPOINT_ID)["split"]
    _canary(actions, ENDPOINT_ID, version)
    actions.set_split(ENDPOINT_ID, previous)
    assert actions.undeploy(ENDPOINT_ID, deployed_model_id(JOB)) == "removed"
    assert actions.describe_endpoint(ENDPOINT_ID)["split"] == previous
    assert server.deployed()[live["endpoint"]] == [f"{live['model']}@1"]
    # the same rollback again (a resumed run) changes nothing
    actions.set_split(ENDPOINT_ID, previous)
    assert actions.undeploy(ENDPOINT_ID, deployed_model_id(JOB)) == "absent"


@pytest.mark.parametrize("kind", ["unavailable", "deadline", "lost"])
def test_a_faulty_create_custom_job_leaves_exactly_one_job(
    server: VertexServer, actions: VertexActions, kind: str
) -> None:
    server.fail("CreateCustomJob", kind)
    _train(actions)
    assert len(server.jobs) == 1
    # a later run (resumed from the state) finds it instead of starting another
    assert _train(actions)[1] == "exists" and len(server.jobs) == 1


@pytest.mark.parametrize("kind", ["unavailable", "deadline", "lost"])
def test_a_faulty_upload_leaves_exactly_one_new_version(
    server: VertexServer, actions: VertexActions, live: dict[str, str], kind: str
) -> None:
    server.fail("UploadModel", kind)
    first = _register(actions, live["model"])[0]
    again = _register(actions, live["model"])
    assert again == (first, "exists")
    assert server.model_versions()[live["model"]] == ["1", "2"]


@pytest.mark.parametrize(
    ("method", "kind"),
    [
        ("DeployModel", "lost"),
        ("DeployModel", "unavailable"),
        ("GetOperation", "deadline"),
        ("GetEndpoint", "unavailable"),
    ],
)
def test_a_faulty_deploy_leaves_exactly_one_candidate_with_the_canary_share(
    server: VertexServer, actions: VertexActions, live: dict[str, str], method: str, kind: str
) -> None:
    version, _ = _register(actions, live["model"])
    server.fail(method, kind)
    _canary(actions, ENDPOINT_ID, version)
    assert _canary(actions, ENDPOINT_ID, version) == "exists"
    assert len(server.deployed()[live["endpoint"]]) == 2
    assert sorted(actions.describe_endpoint(ENDPOINT_ID)["split"].values()) == [10, 90]


def test_lost_answers_on_the_rollback_calls_still_end_on_the_previous_split(
    server: VertexServer, actions: VertexActions, live: dict[str, str]
) -> None:
    version, _ = _register(actions, live["model"])
    previous = actions.describe_endpoint(ENDPOINT_ID)["split"]
    _canary(actions, ENDPOINT_ID, version)
    server.fail("UpdateEndpoint", "lost")
    server.fail("UndeployModel", "lost")
    actions.set_split(ENDPOINT_ID, previous)
    actions.undeploy(ENDPOINT_ID, deployed_model_id(JOB))
    assert actions.describe_endpoint(ENDPOINT_ID)["split"] == previous
    assert server.deployed()[live["endpoint"]] == [f"{live['model']}@1"]


@pytest.mark.parametrize(
    ("split", "percent", "expected"),
    [
        ({}, 10, {"0": 100}),
        ({"a": 100}, 10, {"a": 90, "0": 10}),
        ({"a": 50, "b": 50}, 25, {"a": 38, "b": 37, "0": 25}),
    ],
)
def test_a_canary_split_gives_the_candidate_its_share_and_keeps_the_rest_in_proportion(
    split: dict[str, int], percent: int, expected: dict[str, int]
) -> None:
    blended = _blend(split, percent)
    assert blended == expected and sum(blended.values()) == 100
