"""``ModelDeployment``: model versions uploaded to the Vertex AI Model Registry and served on an endpoint
with a traffic split, through ``google-cloud-aiplatform``.

pulumi-gcp has no Vertex AI Model or DeployedModel resource and cannot set a traffic split, so this is a
**Pulumi dynamic provider** over the ``google.cloud.aiplatform_v1`` clients. Why dynamic rather than a
Python component provider: a component provider only composes resources other providers already
implement, and no provider implements these calls; a custom provider would need its own plugin binary,
schema and release for every user. A dynamic provider runs the create/diff/update/delete below inside
the program's own Python, with the SDK the project already depends on, and its state lives in the stack
like any other resource (``pulumi refresh`` reads the endpoint's deployed models and split back). The
price: it works from Python programs only (which mlkeel's are) and Pulumi pickles the provider with the
program, so clients are built inside each method and this module's imports stay light.

What it does, in the order it does it:

1. **Upload** each distinct (container image, artifact URI) as a version of one registry model per
   deployment (``parent_model``), encrypted with the stack's key (``encryption_spec``). Every version
   carries the labels ``mlkeel_deployment`` (the resource) and ``mlkeel_source`` (a hash of the source),
   so a create or update that runs again after a crash or a lost answer **finds** the version instead of
   uploading a second one.
2. **Deploy** each variant, with 0 % of the traffic, on the stack's deployment resource pool (the
   variants share its nodes, so an A/B test or a canary does not double the bill) or, without a pool, on
   dedicated resources (machine type, accelerators, min/max replicas, the autoscaling metric); the
   deployed model's display name is ``<variant>-v<version>``, which is how a rerun finds a deployment
   that already happened.
3. **Move traffic** to the spec's split: all at once, or through a canary step (``canaryPercent`` of
   each changed variant's share) or linear steps, waiting ``waitMinutes`` between steps.
4. **Undeploy** what the new split no longer uses, only after traffic has left it.

On dedicated resources, replica counts and the autoscaling target change in place
(``MutateDeployedModel``); on a pool they belong to the pool. A new model source, machine type,
accelerator, pool or service account is a new deployed model rolled out as above.
``pulumi destroy`` undeploys everything this resource deployed and deletes the registry model it
uploaded (all versions), so nothing keeps billing.

Every step looks before it acts and is retried (``google.api_core.retry``) on UNAVAILABLE and
DEADLINE_EXCEEDED, so an answer lost in transit never makes a step run twice.

The API endpoint is ``<region>-aiplatform.googleapis.com`` with Application Default Credentials unless
the ``api_endpoint`` input names another; a loopback address (the tests' local server) is reached over
an insecure channel, everything else over TLS with ADC. That is the only difference between a test and
production: the same methods run.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from typing import Any, TypedDict, TypeVar

import pulumi
import pulumi.dynamic

__all__ = [
    "DEPLOYMENT_LABEL",
    "SOURCE_LABEL",
    "ModelDeployment",
    "ModelDeploymentArgs",
    "ModelDeploymentProvider",
    "blend_split",
    "rollout_steps",
]

#: Label keys use ``_``: in a list filter (AIP-160) ``labels.a-b`` could parse as a subtraction.
DEPLOYMENT_LABEL = "mlkeel_deployment"
SOURCE_LABEL = "mlkeel_source"
#: Inputs whose change needs a new resource: the registry model is keyed and encrypted by them.
REPLACE_ON = ("project", "region", "endpoint", "deployment", "encryption_key")
#: Inputs that change the cloud in place (see module docstring); ``api_endpoint`` only says where to talk.
UPDATE_ON = ("variants", "machine", "deployment_resource_pool", "rollout", "service_account", "labels")
CALL_TIMEOUT_SECONDS = 120.0
#: How long a step keeps retrying UNAVAILABLE / DEADLINE_EXCEEDED before it fails the update.
RETRY_TIMEOUT_SECONDS = 600.0

T = TypeVar("T")


class VariantInput(TypedDict):
    name: str
    percent: int
    """Share of live traffic once rolled out (the variants' percents sum to 100)."""
    image: str | None
    artifact: str | None
    """``gs://`` URI of the model artifact directory."""
    model: str | None
    """An existing registry version (``projects/.../models/<id>@<version>``) instead of image + artifact."""


class MachineInput(TypedDict):
    machine_type: str
    accelerator_type: str | None
    accelerator_count: int
    min_replicas: int
    max_replicas: int
    metric: str
    target: int


class RolloutInput(TypedDict):
    strategy: str
    canary_percent: float
    linear_step_percent: float
    wait_minutes: int


class ModelDeploymentArgs(TypedDict):
    project: pulumi.Input[str]
    region: str
    endpoint: pulumi.Input[str]
    """The endpoint's resource name, ``projects/<p>/locations/<r>/endpoints/<id>``."""
    deployment: str
    """Stable name of this deployment (labels and display names derive from it)."""
    encryption_key: pulumi.Input[str]
    variants: list[VariantInput]
    machine: MachineInput
    deployment_resource_pool: pulumi.Input[str] | None
    """A deployment resource pool to co-host the variants on (its nodes scale and bill, once for all
    variants); ``None`` deploys each variant on dedicated resources sized by ``machine``."""
    rollout: RolloutInput
    service_account: pulumi.Input[str] | None
    labels: dict[str, str]
    api_endpoint: str | None
    """``None`` in production (the regional endpoint); ``127.0.0.1:<port>`` for the local test server."""


def label_value(text: str) -> str:
    """``text`` as a GCP label value (lowercase letters, digits, ``-``/``_``, at most 63 characters)."""
    value = re.sub(r"[^a-z0-9_-]", "-", text.lower())
    if len(value) > 63:
        value = value[:56] + "-" + hashlib.sha256(text.encode()).hexdigest()[:6]
    return value


def deployment_key(props: dict[str, Any]) -> str:
    """The ``mlkeel_deployment`` label: the name plus a hash of what replaces the resource.

    A replacement is created before the old resource is deleted; with its own key it uploads its own
    versions (e.g. under a new CMEK key) instead of adopting the old ones, and deleting the old resource
    cannot touch the new one's model.
    """
    identity = "|".join(str(props.get(key)) for key in REPLACE_ON)
    digest = hashlib.sha256(identity.encode()).hexdigest()[:8]
    return f"{label_value(props['deployment'])[:54]}-{digest}"


def source_key(variant: VariantInput) -> str:
    """Identity of an uploaded version: the same image and artifact are never uploaded twice."""
    return hashlib.sha256(f"{variant['image']}|{variant['artifact']}".encode()).hexdigest()[:16]


def rollout_steps(rollout: RolloutInput) -> list[float]:
    """Percent of each changed variant's share on its new version at each step (the last is 100).

    >>> rollout_steps(
    ...     {"strategy": "linear", "canary_percent": 10, "linear_step_percent": 40, "wait_minutes": 0}
    ... )
    [40, 80, 100]
    """
    if rollout["strategy"] == "canary":
        return [rollout["canary_percent"], 100]
    if rollout["strategy"] == "linear":
        step = rollout["linear_step_percent"]
        return [step * i for i in range(1, int(100 // step) + 1) if step * i < 100] + [100]
    return [100]


def _whole_percents(exact: dict[str, float]) -> dict[str, int]:
    """Whole percentages summing to 100 closest to ``exact`` (largest remainder), zeros dropped."""
    split = {k: int(v) for k, v in exact.items()}
    left = 100 - sum(split.values())
    for key in sorted(exact, key=lambda k: (split[k] - exact[k], list(exact).index(k)))[:left]:
        split[key] += 1
    return {k: v for k, v in split.items() if v > 0}


def blend_split(old: dict[str, int], new: dict[str, int], percent: float) -> dict[str, int]:
    """The split ``percent`` of the way from ``old`` to ``new`` (ids in both keep their common share).

    >>> blend_split({"a": 50, "b": 50}, {"a": 50, "c": 50}, 10)
    {'a': 50, 'b': 45, 'c': 5}
    """
    if not old or percent >= 100:
        return dict(new)
    exact: dict[str, float] = {}
    for key, share in old.items():
        exact[key] = exact.get(key, 0.0) + share * (100 - percent) / 100
    for key, share in new.items():
        exact[key] = exact.get(key, 0.0) + share * percent / 100
    return _whole_percents(exact)


def _retrying(step: Callable[[], T]) -> T:
    """Run ``step`` (which looks before it acts) until it gets through UNAVAILABLE / DEADLINE_EXCEEDED."""
    from google.api_core import exceptions, retry

    policy = retry.Retry(
        predicate=retry.if_exception_type(exceptions.ServiceUnavailable, exceptions.DeadlineExceeded),
        initial=0.2,
        maximum=20.0,
        multiplier=2.0,
        timeout=RETRY_TIMEOUT_SECONDS,
    )
    result: T = policy(step)()
    return result


class _Vertex:
    """The three ``aiplatform_v1`` clients on one channel to ``api_endpoint`` (see module docstring)."""

    def __init__(self, region: str, api_endpoint: str | None):
        import grpc
        from google.api_core.future import polling
        from google.cloud import aiplatform_v1 as v1
        from google.cloud.aiplatform_v1.services.endpoint_service.transports import (
            EndpointServiceGrpcTransport,
        )
        from google.cloud.aiplatform_v1.services.model_service.transports import ModelServiceGrpcTransport

        target = api_endpoint or f"{region}-aiplatform.googleapis.com"
        host = target.rsplit(":", 1)[0]
        if host in ("127.0.0.1", "localhost", "[::1]"):
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
        self.polling = polling.DEFAULT_POLLING.with_delay(
            initial=0.05, maximum=10.0, multiplier=1.5
        ).with_timeout(3600.0)

    def close(self) -> None:
        self.channel.close()

    def wait(self, operation: Any) -> Any:
        return operation.result(polling=self.polling)


class _Run:
    """One create/update/delete: the state it reads and the steps it takes."""

    def __init__(self, props: dict[str, Any]):
        self.props = props
        self.vx = _Vertex(props["region"], props.get("api_endpoint"))
        self.parent = f"projects/{props['project']}/locations/{props['region']}"
        self.key = deployment_key(props)

    # -- registry --------------------------------------------------------------------------------------

    def find_model(self) -> str | None:
        def look() -> str | None:
            found = self.vx.models.list_models(
                request={"parent": self.parent, "filter": f'labels.{DEPLOYMENT_LABEL}="{self.key}"'},
                timeout=CALL_TIMEOUT_SECONDS,
            )
            return next((m.name for m in found), None)

        return _retrying(look)

    def ensure_version(self, variant: VariantInput) -> tuple[str, str]:
        """(model name, version id) holding ``variant``'s source: found by label, or uploaded once."""
        if variant.get("model"):
            name, _, version = str(variant["model"]).partition("@")
            return name, version or "default"
        source = source_key(variant)
        t = self.vx.types

        def step() -> tuple[str, str]:
            model = self.find_model()
            if model is not None:
                versions = self.vx.models.list_model_versions(
                    request={"name": model, "filter": f'labels.{SOURCE_LABEL}="{source}"'},
                    timeout=CALL_TIMEOUT_SECONDS,
                )
                found = next(iter(versions), None)
                if found is not None:
                    return model, found.version_id
            labels = {**self.props["labels"], DEPLOYMENT_LABEL: self.key, SOURCE_LABEL: source}
            request = t.UploadModelRequest(
                parent=self.parent,
                parent_model=model or "",
                model=t.Model(
                    display_name=self.props["deployment"],
                    description=f"{variant['name']}: {variant['image']} serving {variant['artifact']}",
                    artifact_uri=variant["artifact"] or "",
                    container_spec=t.ModelContainerSpec(image_uri=variant["image"] or ""),
                    encryption_spec=t.EncryptionSpec(kms_key_name=self.props["encryption_key"]),
                    labels=labels,
                ),
                service_account=self.props.get("service_account") or "",
            )
            done = self.vx.wait(self.vx.models.upload_model(request=request, timeout=CALL_TIMEOUT_SECONDS))
            return done.model, done.model_version_id

        return _retrying(step)

    # -- endpoint --------------------------------------------------------------------------------------

    def endpoint(self) -> Any:
        return _retrying(
            lambda: self.vx.endpoints.get_endpoint(name=self.props["endpoint"], timeout=CALL_TIMEOUT_SECONDS)
        )

    def dedicated(self) -> Any:
        t, machine = self.vx.types, self.props["machine"]
        return t.DedicatedResources(
            machine_spec=t.MachineSpec(
                machine_type=machine["machine_type"],
                accelerator_type=machine["accelerator_type"] or "ACCELERATOR_TYPE_UNSPECIFIED",
                accelerator_count=machine["accelerator_count"] if machine["accelerator_type"] else 0,
            ),
            min_replica_count=machine["min_replicas"],
            max_replica_count=machine["max_replicas"],
            autoscaling_metric_specs=[
                t.AutoscalingMetricSpec(metric_name=machine["metric"], target=machine["target"])
            ],
        )

    def matches(self, deployed: Any, variant: VariantInput, model: str, version: str) -> bool:
        """Whether ``deployed`` already serves ``variant`` as asked (replica counts aside)."""
        pool = self.props.get("deployment_resource_pool")
        if pool:
            placed = deployed.shared_resources == pool
        else:
            want = self.dedicated().machine_spec
            have = deployed.dedicated_resources.machine_spec
            placed = not deployed.shared_resources and (
                have.machine_type,
                have.accelerator_type,
                have.accelerator_count,
            ) == (want.machine_type, want.accelerator_type, want.accelerator_count)
        return (
            placed
            and deployed.display_name == f"{variant['name']}-v{version}"
            and deployed.model == model
            and deployed.model_version_id == version
            and deployed.service_account == (self.props.get("service_account") or "")
        )

    def ensure_deployed(self, variant: VariantInput, model: str, version: str) -> str:
        """Id of the deployed model serving ``variant``: found on the endpoint, or deployed at 0 %."""
        t = self.vx.types

        def step() -> str:
            endpoint = self.endpoint()
            for deployed in endpoint.deployed_models:
                if self.matches(deployed, variant, model, version):
                    return str(deployed.id)
            split = dict(endpoint.traffic_split)
            if split:
                split["0"] = 0
            pool = self.props.get("deployment_resource_pool")
            placement = {"shared_resources": pool} if pool else {"dedicated_resources": self.dedicated()}
            operation = self.vx.endpoints.deploy_model(
                endpoint=endpoint.name,
                deployed_model=t.DeployedModel(
                    model=f"{model}@{version}",
                    display_name=f"{variant['name']}-v{version}",
                    service_account=self.props.get("service_account") or "",
                    **placement,
                ),
                traffic_split=split,
                timeout=CALL_TIMEOUT_SECONDS,
            )
            return str(self.vx.wait(operation).deployed_model.id)

        return _retrying(step)

    def ensure_scaling(self, deployed_id: str) -> None:
        """Replica counts and autoscaling target as the spec says, changed in place."""
        t, want = self.vx.types, self.dedicated()

        def step() -> None:
            endpoint = self.endpoint()
            current = next(d for d in endpoint.deployed_models if d.id == deployed_id).dedicated_resources
            if (
                current.min_replica_count == want.min_replica_count
                and current.max_replica_count == want.max_replica_count
                and list(current.autoscaling_metric_specs) == list(want.autoscaling_metric_specs)
            ):
                return
            operation = self.vx.endpoints.mutate_deployed_model(
                endpoint=endpoint.name,
                deployed_model=t.DeployedModel(id=deployed_id, dedicated_resources=want),
                update_mask={
                    "paths": [
                        "dedicated_resources.min_replica_count",
                        "dedicated_resources.max_replica_count",
                        "dedicated_resources.autoscaling_metric_specs",
                    ]
                },
                timeout=CALL_TIMEOUT_SECONDS,
            )
            self.vx.wait(operation)

        _retrying(step)

    def set_split(self, split: dict[str, int]) -> None:
        t = self.vx.types

        def step() -> None:
            self.vx.endpoints.update_endpoint(
                endpoint=t.Endpoint(name=self.props["endpoint"], traffic_split=split),
                update_mask={"paths": ["traffic_split"]},
                timeout=CALL_TIMEOUT_SECONDS,
            )

        _retrying(step)

    def ensure_undeployed(self, deployed_id: str) -> None:
        """``deployed_id`` gone from the endpoint; its traffic (if any) moves to what remains."""

        def step() -> None:
            endpoint = self.endpoint()
            if deployed_id not in {d.id for d in endpoint.deployed_models}:
                return
            split = dict(endpoint.traffic_split)
            remaining = [d.id for d in endpoint.deployed_models if d.id != deployed_id]
            new_split: dict[str, int] = {}
            if split.get(deployed_id, 0) > 0 and remaining:
                rest = {k: v for k, v in split.items() if k != deployed_id and v > 0}
                new_split = _whole_percents(
                    {k: 100 * v / sum(rest.values()) for k, v in rest.items()}
                    if rest
                    else {remaining[0]: 100.0}
                )
            operation = self.vx.endpoints.undeploy_model(
                endpoint=endpoint.name,
                deployed_model_id=deployed_id,
                traffic_split=new_split,
                timeout=CALL_TIMEOUT_SECONDS,
            )
            self.vx.wait(operation)

        _retrying(step)

    def delete_model(self, model: str) -> None:
        from google.api_core import exceptions

        def step() -> None:
            try:
                self.vx.models.get_model(name=model, timeout=CALL_TIMEOUT_SECONDS)
            except exceptions.NotFound:
                return
            self.vx.wait(self.vx.models.delete_model(name=model, timeout=CALL_TIMEOUT_SECONDS))

        _retrying(step)

    # -- the whole ---------------------------------------------------------------------------------------

    def ours(self, endpoint: Any, previous: dict[str, Any] | None) -> list[str]:
        """Deployed model ids on the endpoint that this resource deployed (by model, or recorded in state)."""
        model = self.find_model()
        recorded = set((previous or {}).get("deployed_model_ids", {}).values())
        return [d.id for d in endpoint.deployed_models if d.model == model or d.id in recorded]

    def converge(self, previous: dict[str, Any] | None) -> dict[str, Any]:
        """Upload, deploy, move traffic step by step, then undeploy what is no longer used."""
        variants: list[VariantInput] = self.props["variants"]
        # Traffic as it was before this run: an endpoint that served nothing gets the final split at once.
        before = {k: v for k, v in self.endpoint().traffic_split.items() if v > 0}
        versions = {v["name"]: self.ensure_version(v) for v in variants}
        deployed = {v["name"]: self.ensure_deployed(v, *versions[v["name"]]) for v in variants}
        if not self.props.get("deployment_resource_pool"):
            for deployed_id in dict.fromkeys(deployed.values()):
                self.ensure_scaling(deployed_id)
        final = {deployed[v["name"]]: v["percent"] for v in variants if v["percent"] > 0}
        current = {k: v for k, v in self.endpoint().traffic_split.items() if v > 0}
        if current != final:
            steps = rollout_steps(self.props["rollout"]) if before else [100.0]
            wait = self.props["rollout"]["wait_minutes"] * 60
            for index, percent in enumerate(steps):
                if index:
                    time.sleep(wait)
                self.set_split(blend_split(before, final, percent))
        keep = set(deployed.values())
        for deployed_id in self.ours(self.endpoint(), previous):
            if deployed_id not in keep:
                self.ensure_undeployed(deployed_id)
        own = [versions[v["name"]] for v in variants if not v.get("model")]
        return {
            **self.props,
            "model": own[0][0] if own else None,
            "model_version_ids": {name: version for name, (_, version) in versions.items()},
            "deployed_model_ids": deployed,
            "traffic_split": final,
            "uploaded_versions": sorted({f"{model}@{version}" for model, version in own}),
        }

    def observe(self, previous: dict[str, Any]) -> dict[str, Any] | None:
        """The state as the service has it now (``pulumi refresh``); ``None`` when the endpoint is gone."""
        from google.api_core import exceptions

        try:
            endpoint = self.endpoint()
        except exceptions.NotFound:
            return None
        ours = set(self.ours(endpoint, previous))
        deployed = {}
        for model in endpoint.deployed_models:
            if model.id in ours:
                variant = model.display_name.rsplit("-v", 1)[0]
                deployed[variant] = str(model.id)
        return {
            **previous,
            "deployed_model_ids": deployed,
            "traffic_split": {k: v for k, v in endpoint.traffic_split.items() if k in ours and v > 0},
        }

    def destroy(self, previous: dict[str, Any]) -> None:
        from google.api_core import exceptions

        try:
            endpoint = self.endpoint()
        except exceptions.NotFound:
            endpoint = None
        if endpoint is not None:
            for deployed_id in self.ours(endpoint, previous):
                self.ensure_undeployed(deployed_id)
        model = self.find_model() or previous.get("model")
        if model:
            self.delete_model(model)


def _check_props(props: dict[str, Any]) -> list[pulumi.dynamic.CheckFailure]:
    failures = []
    variants = props.get("variants") or []
    if not variants:
        failures.append(pulumi.dynamic.CheckFailure("variants", "give at least one variant"))
    elif sum(int(v["percent"]) for v in variants) != 100:
        failures.append(
            pulumi.dynamic.CheckFailure(
                "variants", f"variant percents must sum to 100, got {[v['percent'] for v in variants]}"
            )
        )
    for variant in variants:
        if variant.get("model") and "@" not in str(variant["model"]):
            failures.append(
                pulumi.dynamic.CheckFailure(
                    "variants",
                    f"variant {variant.get('name')!r}: model {variant['model']!r} needs a version "
                    "(projects/<p>/locations/<r>/models/<id>@<version>)",
                )
            )
        if not variant.get("model") and not (variant.get("image") and variant.get("artifact")):
            failures.append(
                pulumi.dynamic.CheckFailure(
                    "variants", f"variant {variant.get('name')!r}: give image and artifact, or model"
                )
            )
    strategy = (props.get("rollout") or {}).get("strategy")
    if strategy not in ("all-at-once", "canary", "linear"):
        failures.append(
            pulumi.dynamic.CheckFailure(
                "rollout", f"strategy {strategy!r}: use all-at-once, canary or linear"
            )
        )
    return failures


class ModelDeploymentProvider(pulumi.dynamic.ResourceProvider):
    """Create/diff/update/delete of a :class:`ModelDeployment` (see module docstring)."""

    def check(self, _olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.CheckResult:
        return pulumi.dynamic.CheckResult(news, _check_props(news))

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        run = _Run(props)
        try:
            outs = run.converge(None)
        finally:
            run.vx.close()
        return pulumi.dynamic.CreateResult(f"{props['endpoint']}/deployments/{run.key}", outs)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.DiffResult:
        replaces = [key for key in REPLACE_ON if olds.get(key) != news.get(key)]
        updates = [key for key in (*UPDATE_ON, "api_endpoint") if olds.get(key) != news.get(key)]
        changed = set(replaces) | set(updates)
        stables = [key for key in (*REPLACE_ON, *UPDATE_ON, "api_endpoint") if key not in changed]
        return pulumi.dynamic.DiffResult(
            changes=bool(changed), replaces=replaces, stables=stables, delete_before_replace=False
        )

    def update(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.UpdateResult:
        run = _Run(news)
        try:
            outs = run.converge(olds)
        finally:
            run.vx.close()
        return pulumi.dynamic.UpdateResult(outs)

    def read(self, id_: str, props: dict[str, Any]) -> pulumi.dynamic.ReadResult:
        run = _Run(props)
        try:
            outs = run.observe(props)
        finally:
            run.vx.close()
        return pulumi.dynamic.ReadResult(id_ if outs is not None else None, outs)

    def delete(self, _id: str, props: dict[str, Any]) -> None:
        run = _Run(props)
        try:
            run.destroy(props)
        finally:
            run.vx.close()


class ModelDeployment(pulumi.dynamic.Resource):
    """Model versions deployed on a Vertex AI endpoint with a traffic split (see module docstring)."""

    model: pulumi.Output[str]
    model_version_ids: pulumi.Output[dict[str, str]]
    deployed_model_ids: pulumi.Output[dict[str, str]]
    traffic_split: pulumi.Output[dict[str, int]]
    uploaded_versions: pulumi.Output[list[str]]

    def __init__(self, name: str, args: ModelDeploymentArgs, opts: pulumi.ResourceOptions | None = None):
        props: dict[str, Any] = {
            **args,
            "model": None,
            "model_version_ids": None,
            "deployed_model_ids": None,
            "traffic_split": None,
            "uploaded_versions": None,
        }
        super().__init__(ModelDeploymentProvider(), name, props, opts)
