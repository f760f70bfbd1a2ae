"""ModelDeployment's dynamic provider, called directly against the local Vertex AI gRPC server (issue 16).

The provider's create/diff/update/delete run unchanged: the real ``aiplatform_v1`` clients talk the real
protocol to ``tests/_vertex_server.py``; only the ``api_endpoint`` input points them at 127.0.0.1.
"""

from __future__ import annotations

import copy
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Any

import dill
import pytest
from google.api_core import exceptions
from google.cloud.aiplatform_v1 import types

from components.serving.vertex_deployment import (
    DEPLOYMENT_LABEL,
    ModelDeploymentProvider,
    blend_split,
    rollout_steps,
)
from tests._vertex_server import LOCATION, PROJECT, REGION, VertexClients, VertexServer

pytest_plugins = ["tests._vertex_fixtures"]
KEY = f"projects/{PROJECT}/locations/{REGION}/keyRings/fraud-prod/cryptoKeys/fraud-prod-key"
IMAGE = "europe-docker.pkg.dev/vertex-ai/prediction/xgboost-cpu.1-7:latest"
MUTATING = {
    "UploadModel",
    "DeployModel",
    "UndeployModel",
    "UpdateEndpoint",
    "MutateDeployedModel",
    "DeleteModel",
}


def variant(name: str, artifact: str, percent: int = 100) -> dict[str, Any]:
    return {"name": name, "percent": percent, "image": IMAGE, "artifact": artifact, "model": None}


def props(server: VertexServer, *variants: dict[str, Any], strategy: str = "canary") -> dict[str, Any]:
    endpoint = f"{LOCATION}/endpoints/1234567890"
    if endpoint not in server.endpoints:
        server.add_endpoint(LOCATION, "1234567890", "fraud-prod-scorer")
    return {
        "project": PROJECT,
        "region": REGION,
        "endpoint": endpoint,
        "deployment": "fraud-prod-scorer",
        "encryption_key": KEY,
        "variants": list(variants) or [variant("blue", "gs://fraud-prod-artifacts/models/xgb-v3/")],
        "machine": {
            "machine_type": "n1-standard-4",
            "accelerator_type": None,
            "accelerator_count": 0,
            "min_replicas": 2,
            "max_replicas": 6,
            "metric": "aiplatform.googleapis.com/prediction/online/cpu/utilization",
            "target": 60,
        },
        "deployment_resource_pool": None,
        "rollout": {"strategy": strategy, "canary_percent": 10, "linear_step_percent": 25, "wait_minutes": 0},
        "service_account": f"fraud-prod-serving@{PROJECT}.iam.gserviceaccount.com",
        "labels": {"team": "fraud", "environment": "prod"},
        "api_endpoint": server.address,
    }


def create(provider: ModelDeploymentProvider, new: dict[str, Any]) -> dict[str, Any]:
    outs = provider.create(new).outs
    assert outs is not None
    return outs


def update(provider: ModelDeploymentProvider, old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    outs = provider.update("id", old, new).outs
    assert outs is not None
    return outs


def splits(server: VertexServer) -> list[dict[str, int]]:
    """Every traffic split the provider set, in order (UpdateEndpoint calls that were applied)."""
    return [
        dict(c.request.endpoint.traffic_split)
        for c in server.calls
        if c.method == "UpdateEndpoint" and c.answer in ("ok", "lost")
    ]


def applied(server: VertexServer) -> list[str]:
    return [c.method for c in server.calls if c.method in MUTATING and c.answer in ("ok", "lost")]


def endpoint_state(server: VertexServer) -> tuple[dict[str, int], list[str]]:
    endpoint = next(iter(server.endpoints.values()))
    return dict(endpoint.traffic_split), [d.display_name for d in endpoint.deployed_models]


def test_vertex_deployment_create_uploads_encrypted_version_and_deploys_it_with_all_traffic(
    vertex_server: VertexServer,
) -> None:
    new = props(vertex_server)
    result = ModelDeploymentProvider().create(new)
    outs = result.outs
    assert outs is not None
    assert outs["model_version_ids"] == {"blue": "1"}
    (model,) = vertex_server.models.values()
    version = model.versions["1"]
    assert version.encryption_spec.kms_key_name == KEY
    assert version.container_spec.image_uri == IMAGE
    assert version.artifact_uri == "gs://fraud-prod-artifacts/models/xgb-v3/"
    assert (
        version.labels[DEPLOYMENT_LABEL].startswith("fraud-prod-scorer-")
        and version.labels["team"] == "fraud"
    )
    endpoint = vertex_server.endpoints[new["endpoint"]]
    (deployed,) = endpoint.deployed_models
    resources = deployed.dedicated_resources
    assert resources.machine_spec.machine_type == "n1-standard-4"
    assert (resources.min_replica_count, resources.max_replica_count) == (2, 6)
    assert [(m.metric_name, m.target) for m in resources.autoscaling_metric_specs] == [
        ("aiplatform.googleapis.com/prediction/online/cpu/utilization", 60)
    ]
    assert deployed.service_account == new["service_account"]
    # A fresh endpoint gets its split at once: there is nothing to roll out from.
    assert dict(endpoint.traffic_split) == {deployed.id: 100} == outs["traffic_split"]
    assert outs["deployed_model_ids"] == {"blue": deployed.id}
    assert result.id == f"{new['endpoint']}/deployments/{version.labels[DEPLOYMENT_LABEL]}"


def test_vertex_deployment_canary_then_promote_then_ab(vertex_server: VertexServer) -> None:
    provider = ModelDeploymentProvider()
    old = create(provider, props(vertex_server))
    blue_v1 = old["deployed_model_ids"]["blue"]

    # A new model version under a canary rollout: 10 % first, then all, then the old one goes.
    canary = props(vertex_server, variant("blue", "gs://fraud-prod-artifacts/models/xgb-v4/"))
    del vertex_server.calls[:]
    promoted = update(provider, old, canary)
    blue_v2 = promoted["deployed_model_ids"]["blue"]
    assert promoted["model_version_ids"] == {"blue": "2"}
    assert splits(vertex_server) == [{blue_v1: 90, blue_v2: 10}, {blue_v2: 100}]
    assert applied(vertex_server) == [
        "UploadModel",
        "DeployModel",
        "UpdateEndpoint",
        "UpdateEndpoint",
        "UndeployModel",
    ]
    assert endpoint_state(vertex_server) == ({blue_v2: 100}, ["blue-v2"])

    # A/B between the live version and a challenger: 70/30 as the weights say.
    ab = props(
        vertex_server,
        variant("blue", "gs://fraud-prod-artifacts/models/xgb-v4/", 70),
        variant("green", "gs://fraud-prod-artifacts/models/xgb-v5/", 30),
    )
    del vertex_server.calls[:]
    split = update(provider, promoted, ab)
    green = split["deployed_model_ids"]["green"]
    assert split["deployed_model_ids"]["blue"] == blue_v2  # the live version stays deployed
    assert splits(vertex_server) == [{blue_v2: 97, green: 3}, {blue_v2: 70, green: 30}]
    assert "UndeployModel" not in applied(vertex_server)
    assert endpoint_state(vertex_server) == ({blue_v2: 70, green: 30}, ["blue-v2", "green-v3"])
    assert vertex_server.model_versions() == {split["model"]: ["1", "2", "3"]}


def test_vertex_deployment_canary_bakes_wait_minutes_between_steps(
    vertex_server: VertexServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import components.serving.vertex_deployment as module

    provider = ModelDeploymentProvider()
    old = create(provider, props(vertex_server))
    new = props(vertex_server, variant("blue", "gs://fraud-prod-artifacts/models/xgb-v4/"))
    new["rollout"]["wait_minutes"] = 10
    waits: list[tuple[float, int]] = []
    monkeypatch.setattr(
        module.time, "sleep", lambda seconds: waits.append((seconds, len(splits(vertex_server))))
    )
    update(provider, old, new)
    # One bake of 10 minutes, after the canary split and before the promotion (create set no split: the
    # first model on an empty endpoint takes all traffic as it is deployed).
    assert waits == [(600, 1)] and len(splits(vertex_server)) == 2


def test_vertex_deployment_update_moves_traffic_before_undeploying(vertex_server: VertexServer) -> None:
    provider = ModelDeploymentProvider()
    old = create(provider, props(vertex_server, strategy="all-at-once"))
    new = props(
        vertex_server, variant("blue", "gs://fraud-prod-artifacts/models/xgb-v4/"), strategy="all-at-once"
    )
    del vertex_server.calls[:]
    provider.update("id", old, new)
    calls = applied(vertex_server)
    assert calls == ["UploadModel", "DeployModel", "UpdateEndpoint", "UndeployModel"]
    # When the old model is undeployed it already has no traffic.
    undeploy = next(c for c in vertex_server.calls if c.method == "UndeployModel")
    assert undeploy.request.deployed_model_id == old["deployed_model_ids"]["blue"]
    assert not dict(undeploy.request.traffic_split)


def test_vertex_deployment_linear_rollout_steps_through_each_share(vertex_server: VertexServer) -> None:
    provider = ModelDeploymentProvider()
    old = create(provider, props(vertex_server, strategy="linear"))
    new = props(vertex_server, variant("blue", "gs://fraud-prod-artifacts/models/xgb-v4/"), strategy="linear")
    out = update(provider, old, new)
    a, b = old["deployed_model_ids"]["blue"], out["deployed_model_ids"]["blue"]
    assert splits(vertex_server)[-4:] == [{a: 75, b: 25}, {a: 50, b: 50}, {a: 25, b: 75}, {b: 100}]


def test_vertex_deployment_scaling_changes_in_place(vertex_server: VertexServer) -> None:
    provider = ModelDeploymentProvider()
    old = create(provider, props(vertex_server))
    new = copy.deepcopy(props(vertex_server))
    new["machine"]["max_replicas"] = 10
    del vertex_server.calls[:]
    out = update(provider, old, new)
    assert applied(vertex_server) == ["MutateDeployedModel"]
    assert out["deployed_model_ids"] == old["deployed_model_ids"]
    (deployed,) = next(iter(vertex_server.endpoints.values())).deployed_models
    assert deployed.dedicated_resources.max_replica_count == 10


def test_vertex_deployment_on_a_resource_pool_cohosts_variants_on_its_nodes(
    vertex_server: VertexServer,
) -> None:
    pool = f"{LOCATION}/deploymentResourcePools/fraud-prod-scorer-pool"
    provider = ModelDeploymentProvider()
    ab = {
        **props(
            vertex_server,
            variant("blue", "gs://fraud-prod-artifacts/models/xgb-v4/", 90),
            variant("green", "gs://fraud-prod-artifacts/models/xgb-v5/", 10),
        ),
        "deployment_resource_pool": pool,
    }
    old = create(provider, ab)
    endpoint = next(iter(vertex_server.endpoints.values()))
    assert [(d.shared_resources, d.WhichOneof("prediction_resources")) for d in endpoint.deployed_models] == [
        (pool, "shared_resources")
    ] * 2
    # Scaling belongs to the pool (a pulumi-gcp resource): a replica change does not touch the deployment.
    scaled = copy.deepcopy(ab)
    scaled["machine"]["max_replicas"] = 10
    del vertex_server.calls[:]
    provider.update("id", old, scaled)
    assert applied(vertex_server) == []


def test_vertex_deployment_refresh_reads_the_split_someone_else_set(
    vertex: VertexClients, vertex_server: VertexServer
) -> None:
    provider = ModelDeploymentProvider()
    ab = props(
        vertex_server,
        variant("blue", "gs://fraud-prod-artifacts/models/xgb-v4/", 50),
        variant("green", "gs://fraud-prod-artifacts/models/xgb-v5/", 50),
    )
    outs = create(provider, ab)
    blue, green = outs["deployed_model_ids"]["blue"], outs["deployed_model_ids"]["green"]
    # e.g. the self-healing loop rolled the challenger back through the API.
    vertex.endpoints.update_endpoint(
        endpoint=types.Endpoint(name=ab["endpoint"], traffic_split={blue: 100}),
        update_mask={"paths": ["traffic_split"]},
    )
    read = provider.read("id", outs)
    assert read.outs is not None and read.outs["traffic_split"] == {blue: 100}
    assert read.outs["deployed_model_ids"] == {"blue": blue, "green": green}
    # The next update converges back to the spec's split, and nothing is redeployed.
    del vertex_server.calls[:]
    update(provider, read.outs, ab)
    assert applied(vertex_server) == ["UpdateEndpoint", "UpdateEndpoint"]  # canary step, then the split
    assert endpoint_state(vertex_server)[0] == {blue: 50, green: 50}
    vertex_server.endpoints.clear()
    assert provider.read("id", outs).id is None  # the endpoint is gone: so is the deployment


def test_vertex_deployment_diff_names_replacing_and_updating_properties(vertex_server: VertexServer) -> None:
    provider = ModelDeploymentProvider()
    olds = props(vertex_server)
    assert provider.diff("id", olds, copy.deepcopy(olds)).changes is False
    news = copy.deepcopy(olds)
    news["variants"][0]["artifact"] = "gs://fraud-prod-artifacts/models/xgb-v4/"
    news["machine"]["min_replicas"] = 3
    diff = provider.diff("id", olds, news)
    assert diff.changes is True and diff.replaces == []
    assert "variants" not in (diff.stables or []) and "machine" not in (diff.stables or [])
    assert "rollout" in (diff.stables or [])
    news["encryption_key"] = KEY + "-2"
    assert provider.diff("id", olds, news).replaces == ["encryption_key"]


def test_vertex_deployment_replacement_uploads_under_the_new_key_and_the_old_delete_spares_it(
    vertex_server: VertexServer,
) -> None:
    provider = ModelDeploymentProvider()
    old = create(provider, props(vertex_server))
    rekeyed = {**props(vertex_server), "encryption_key": KEY + "-2"}
    assert provider.diff("id", old, rekeyed).replaces == ["encryption_key"]
    # Pulumi creates the replacement first, then deletes the old resource.
    new = create(provider, rekeyed)
    provider.delete("id", old)
    assert new["model"] != old["model"] and list(vertex_server.models) == [new["model"]]
    assert vertex_server.models[new["model"]].versions["1"].encryption_spec.kms_key_name == KEY + "-2"
    assert endpoint_state(vertex_server) == ({new["deployed_model_ids"]["blue"]: 100}, ["blue-v1"])


def test_vertex_deployment_destroy_leaves_nothing_deployed_or_uploaded(vertex_server: VertexServer) -> None:
    provider = ModelDeploymentProvider()
    ab = props(
        vertex_server,
        variant("blue", "gs://fraud-prod-artifacts/models/xgb-v4/", 50),
        variant("green", "gs://fraud-prod-artifacts/models/xgb-v5/", 50),
    )
    outs = create(provider, ab)
    provider.delete("id", outs)
    assert vertex_server.deployed() == {ab["endpoint"]: []}
    assert vertex_server.models == {}
    assert dict(next(iter(vertex_server.endpoints.values())).traffic_split) == {}
    # Deleting again (a retried destroy) finds nothing to do and does nothing.
    del vertex_server.calls[:]
    provider.delete("id", outs)
    assert applied(vertex_server) == []


@pytest.mark.parametrize("fault", ["unavailable", "deadline", "lost"])
@pytest.mark.parametrize(
    "method", ["UploadModel", "DeployModel", "UpdateEndpoint", "UndeployModel", "GetOperation"]
)
def test_vertex_deployment_update_survives_faults_without_doing_anything_twice(
    vertex_server: VertexServer, fault: str, method: str
) -> None:
    provider = ModelDeploymentProvider()
    old = create(provider, props(vertex_server))
    new = props(vertex_server, variant("blue", "gs://fraud-prod-artifacts/models/xgb-v4/"))
    vertex_server.fail(method, fault)
    del vertex_server.calls[:]
    out = update(provider, old, new)
    assert next(c.answer for c in vertex_server.calls if c.method == method) == fault
    calls = applied(vertex_server)
    assert calls.count("UploadModel") == 1 and calls.count("DeployModel") == 1
    assert calls.count("UndeployModel") == 1
    assert vertex_server.model_versions() == {out["model"]: ["1", "2"]}
    assert endpoint_state(vertex_server) == ({out["deployed_model_ids"]["blue"]: 100}, ["blue-v2"])


def test_vertex_deployment_create_after_a_crash_between_upload_and_deploy_does_not_upload_again(
    vertex_server: VertexServer,
) -> None:
    provider = ModelDeploymentProvider()
    new = props(vertex_server)
    # The first `pulumi up` dies right after the upload: DeployModel never gets through.
    vertex_server.fail("DeployModel", "unavailable", times=10_000)
    with pytest.raises(exceptions.RetryError):
        _run_with_short_retry(lambda: provider.create(new))
    assert vertex_server.models and vertex_server.deployed() == {new["endpoint"]: []}
    vertex_server.clear_faults()
    del vertex_server.calls[:]
    outs = create(provider, new)
    assert applied(vertex_server) == ["DeployModel"]
    assert outs["model_version_ids"] == {"blue": "1"}


def test_vertex_deployment_update_that_dies_mid_rollout_finishes_on_the_next_run(
    vertex_server: VertexServer,
) -> None:
    provider = ModelDeploymentProvider()
    old = create(provider, props(vertex_server))
    new = props(vertex_server, variant("blue", "gs://fraud-prod-artifacts/models/xgb-v4/"))
    # The canary split lands; the promotion never gets through and the `up` fails.
    vertex_server.fail("UpdateEndpoint", "unavailable", times=10_000, after=1)
    with pytest.raises(exceptions.RetryError):
        _run_with_short_retry(lambda: provider.update("id", old, new))
    old_id = old["deployed_model_ids"]["blue"]
    traffic, names = endpoint_state(vertex_server)
    assert traffic[old_id] == 90 and names == ["blue-v1", "blue-v2"]
    vertex_server.clear_faults()
    del vertex_server.calls[:]
    out = update(provider, old, new)  # Pulumi retries the update from the same old state
    assert applied(vertex_server)[0] == "UpdateEndpoint"  # no upload, no deploy: both were found
    assert "UploadModel" not in applied(vertex_server) and "DeployModel" not in applied(vertex_server)
    assert endpoint_state(vertex_server) == ({out["deployed_model_ids"]["blue"]: 100}, ["blue-v2"])


def _run_with_short_retry(action: Any) -> None:
    import components.serving.vertex_deployment as module

    saved = module.RETRY_TIMEOUT_SECONDS
    module.RETRY_TIMEOUT_SECONDS = 0.5
    try:
        action()
    finally:
        module.RETRY_TIMEOUT_SECONDS = saved


def test_vertex_deployment_check_refuses_splits_that_do_not_sum_to_100(vertex_server: VertexServer) -> None:
    bad = props(
        vertex_server,
        variant("blue", "gs://a/", 60),
        variant("green", "gs://b/", 30),
    )
    failures = ModelDeploymentProvider().check({}, bad).failures
    assert [f.property for f in failures] == ["variants"] and "sum to 100" in failures[0].reason
    unversioned = props(vertex_server, {**variant("main", "gs://a/"), "model": f"{LOCATION}/models/7"})
    (failure,) = ModelDeploymentProvider().check({}, unversioned).failures
    assert "needs a version" in failure.reason
    assert ModelDeploymentProvider().check({}, props(vertex_server)).failures == []


@pytest.mark.parametrize(
    ("old", "new", "percent", "expected"),
    [
        ({"a": 100}, {"b": 100}, 10, {"a": 90, "b": 10}),
        ({"a": 50, "b": 50}, {"a": 50, "c": 50}, 10, {"a": 50, "b": 45, "c": 5}),
        ({"a": 100}, {"b": 100}, 100, {"b": 100}),
        ({}, {"a": 70, "b": 30}, 10, {"a": 70, "b": 30}),
        ({"a": 100}, {"b": 34, "c": 33, "d": 33}, 5, {"a": 95, "b": 2, "c": 2, "d": 1}),
    ],
)
def test_vertex_deployment_blend_split_sums_to_100(
    old: dict[str, int], new: dict[str, int], percent: float, expected: dict[str, int]
) -> None:
    assert blend_split(old, new, percent) == expected
    assert sum(expected.values()) == 100


def test_vertex_deployment_rollout_steps_per_strategy() -> None:
    base = {"canary_percent": 5.0, "linear_step_percent": 30.0, "wait_minutes": 0}
    assert rollout_steps({**base, "strategy": "all-at-once"}) == [100]  # type: ignore[typeddict-item]
    assert rollout_steps({**base, "strategy": "canary"}) == [5.0, 100]  # type: ignore[typeddict-item]
    assert rollout_steps({**base, "strategy": "linear"}) == [30.0, 60.0, 90.0, 100]  # type: ignore[typeddict-item]


def test_vertex_deployment_provider_survives_pulumis_pickling_and_imports_no_sdk_up_front(
    vertex_server: VertexServer,
) -> None:
    # Pulumi ships the provider to its engine-side host as this exact pickle (pulumi/dynamic/dynamic.py).
    provider = dill.loads(
        dill.dumps(ModelDeploymentProvider(), protocol=pickle.DEFAULT_PROTOCOL, recurse=True)
    )
    outs = create(provider, props(vertex_server))
    assert outs["traffic_split"] == {outs["deployed_model_ids"]["blue"]: 100}
    # Loading the program (or the pickle) must not import google-cloud-aiplatform: methods build clients.
    probe = (
        "import sys, components.serving.vertex_deployment; print('google.cloud.aiplatform_v1' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[2],
    )
    assert result.stdout.strip() == "False"
