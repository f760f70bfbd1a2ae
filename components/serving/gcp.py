"""``GcpServing``: Vertex AI endpoints, one ``GcpServingEndpoint`` per spec endpoint.

Each endpoint is CMEK-encrypted, peered into the stack's VPC (private services access, no public
endpoint), and logs sampled requests and responses to a CMEK-encrypted BigQuery dataset that the drift
runtime reads. Each has a deployment resource pool with the spec's machine type, accelerator and
min/max replicas, autoscaled on CPU utilisation (or GPU duty cycle when accelerated): those are the only
autoscaling metrics Vertex AI accepts, so the spec's ``targetInvocationsPerInstance`` has no GCP twin.

**Models are deployed by** :class:`~components.serving.vertex_deployment.ModelDeployment`, one per
endpoint: pulumi-gcp has no Vertex AI Model or DeployedModel resource and cannot set a traffic split
(terraform-provider-google #15303, #25152; magic-modules #12110), so a dynamic provider over
``google-cloud-aiplatform`` uploads each variant's model version (CMEK), deploys it on the endpoint's
deployment resource pool (the variants share its nodes, so an A/B test or a canary costs the pool's
replicas, not one set per variant; this is also what the cost estimate prices), and moves
traffic to the variants' weights by the spec's rollout (all at once, canary or linear). Relative
artifact paths are read from the stack's artifact bucket. Vertex AI endpoints cannot mirror traffic,
so a shadow variant is not deployed (it would bill for replicas that receive nothing); the outputs say
so. :class:`ModelDeployer` stays as a seam: a program that plugs its own deployer in replaces the
built-in one.
"""

from collections.abc import Sequence
from typing import Any, NotRequired, Protocol, TypedDict

import pulumi
import pulumi_gcp as gcp

from components.args import ModelSourceArgs, RolloutArgs, ServingEndpointArgs
from components.gcp._machines import node_accelerator
from components.gcp._naming import endpoint_id, gcp_name
from components.gcp.args import GcpKeyedArgs
from components.serving.vertex_deployment import ModelDeployment, VariantInput
from components.tagging import capability_options

CPU_METRIC = "aiplatform.googleapis.com/prediction/online/cpu/utilization"
GPU_METRIC = "aiplatform.googleapis.com/prediction/online/accelerator/duty_cycle"
#: Utilisation Vertex AI scales at (its own default).
AUTOSCALING_TARGET_PERCENT = 60

SHADOW_NOT_DEPLOYED = (
    "Vertex AI endpoints cannot mirror requests to a shadow model; it is not deployed (it would bill for "
    "replicas that receive no traffic). Compare it offline on the request-response logs instead."
)


class DeployedModelPlan(TypedDict):
    """One model to deploy behind the endpoint."""

    variant: str
    source: ModelSourceArgs
    traffic_percent: int
    shadow: bool


class DeploymentPlan(TypedDict):
    """Everything a deployer needs; all ids are Outputs of the resources created here."""

    endpoint: pulumi.Output[str]
    deployment_resource_pool: pulumi.Output[str]
    region: str
    project: str
    models: list[DeployedModelPlan]
    traffic_split: dict[str, int]
    rollout: RolloutArgs
    service_account: pulumi.Input[str] | None


class ModelDeployer(Protocol):
    """The seam for model deployment: create whatever deploys ``plan``, as a child of ``opts.parent``."""

    def __call__(self, name: str, plan: DeploymentPlan, opts: pulumi.ResourceOptions) -> pulumi.Resource: ...


_DEPLOYER: ModelDeployer | None = None


def use_model_deployer(deployer: ModelDeployer | None) -> None:
    """Plug in what deploys models to Vertex AI endpoints (``None`` unplugs it).

    pulumi-gcp cannot deploy a model or split traffic; a program that has a deployer (a dynamic provider
    over ``google-cloud-aiplatform``) registers it here before the platform is declared, and the platform
    hands it to :class:`GcpServing`.
    """
    global _DEPLOYER
    _DEPLOYER = deployer


def model_deployer() -> ModelDeployer | None:
    """The deployer plugged in with :func:`use_model_deployer`, if any."""
    return _DEPLOYER


def resolve_endpoints(region: str, endpoints: Sequence[ServingEndpointArgs]) -> list[ServingEndpointArgs]:
    """The spec's endpoints with the GPUs their machine type really carries (bundled or attached)."""
    return [
        {
            **endpoint,
            "accelerator": node_accelerator(region, endpoint["instance_type"], endpoint["accelerator"]),
        }
        for endpoint in endpoints
    ]


def traffic_split(weights: dict[str, float]) -> dict[str, int]:
    """Whole percentages proportional to ``weights`` that sum to 100 (largest remainder).

    >>> traffic_split({"a": 1, "b": 1, "c": 1})
    {'a': 34, 'b': 33, 'c': 33}
    """
    if not weights or any(w <= 0 for w in weights.values()):
        raise ValueError(f"weights must be positive and non-empty: {weights}")
    total = sum(weights.values())
    exact = {k: 100 * w / total for k, w in weights.items()}
    split = {k: int(v) for k, v in exact.items()}
    left = 100 - sum(split.values())
    for key in sorted(exact, key=lambda k: (split[k] - exact[k], list(exact).index(k)))[:left]:
        split[key] += 1
    return split


def deployment_plan_models(endpoint: ServingEndpointArgs) -> list[DeployedModelPlan]:
    """The models of ``endpoint``: weighted variants, then the shadow (0% of live traffic)."""
    split = traffic_split({v["name"]: v["weight"] for v in endpoint["variants"]})
    models: list[DeployedModelPlan] = [
        {"variant": v["name"], "source": v["model"], "traffic_percent": split[v["name"]], "shadow": False}
        for v in endpoint["variants"]
    ]
    shadow = endpoint.get("shadow")
    if shadow:
        models.append(
            {"variant": shadow["name"], "source": shadow["model"], "traffic_percent": 0, "shadow": True}
        )
    return models


def artifact_uri(project: str, prefix: str, artifact: str) -> str:
    """``artifact`` as a ``gs://`` URI: relative paths live in the stack's artifact bucket (registry)."""
    if "://" in artifact:
        return artifact
    bucket = gcp_name("bucket", f"{project}-{prefix}", "artifacts")
    return f"gs://{bucket}/{artifact.lstrip('/')}"


def vertex_variant(project: str, prefix: str, model: DeployedModelPlan) -> VariantInput:
    """What :class:`ModelDeployment` deploys for one weighted variant."""
    source = model["source"]
    return {
        "name": model["variant"],
        "percent": model["traffic_percent"],
        "image": source["image"],
        "artifact": artifact_uri(project, prefix, source["artifact"]) if source["artifact"] else None,
        "model": source["model_package"],
    }


class GcpServingEndpointArgs(GcpKeyedArgs):
    network: pulumi.Input[str]
    """``projects/<number>/global/networks/<name>``: the VPC the endpoint peers into."""
    logging_dataset: pulumi.Input[str]
    """BigQuery dataset id for request-response logs."""
    endpoint: ServingEndpointArgs
    service_account: pulumi.Input[str] | None
    deployer: NotRequired[ModelDeployer | None]


class GcpServingEndpoint(pulumi.ComponentResource):
    """One Vertex AI endpoint and its resource pool (see module docstring)."""

    endpoint_id: pulumi.Output[str]

    def __init__(self, name: str, args: GcpServingEndpointArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(
            "mlkeel:index:GcpServingEndpoint", name, None, capability_options(opts, args["tags"], "serving")
        )
        spec = args["endpoint"]
        prefix, region, project = args["prefix"], args["region"], args["project"]
        child = pulumi.ResourceOptions(parent=self)
        display = gcp_name("vertex_resource", prefix, spec["name"])
        sampling = spec["data_capture_percent"] / 100
        endpoint = gcp.vertex.AiEndpoint(
            f"{name}-endpoint",
            name=endpoint_id(display),
            display_name=display,
            description=f"Online endpoint {spec['name']} of {prefix}",
            project=project,
            location=region,
            region=region,
            network=args["network"],
            encryption_spec=gcp.vertex.AiEndpointEncryptionSpecArgs(kms_key_name=args["encryption_key"]),
            predict_request_response_logging_config=gcp.vertex.AiEndpointPredictRequestResponseLoggingConfigArgs(
                enabled=sampling > 0,
                sampling_rate=sampling,
                bigquery_destination=gcp.vertex.AiEndpointPredictRequestResponseLoggingConfigBigqueryDestinationArgs(
                    output_uri=pulumi.Output.concat("bq://", project, ".", args["logging_dataset"])
                ),
            ),
            opts=child,
        )
        gpu = spec["accelerator"]
        metric = GPU_METRIC if gpu else CPU_METRIC
        pool = gcp.vertex.AiDeploymentResourcePool(
            f"{name}-pool",
            name=gcp_name("vertex_resource", prefix, f"{spec['name']}-pool"),
            project=project,
            region=region,
            dedicated_resources=gcp.vertex.AiDeploymentResourcePoolDedicatedResourcesArgs(
                machine_spec=gcp.vertex.AiDeploymentResourcePoolDedicatedResourcesMachineSpecArgs(
                    machine_type=spec["instance_type"],
                    accelerator_type=gpu["type"].upper().replace("-", "_") if gpu else None,
                    accelerator_count=gpu["count"] if gpu else None,
                ),
                min_replica_count=spec["min_replicas"],
                max_replica_count=spec["max_replicas"],
                autoscaling_metric_specs=[
                    gcp.vertex.AiDeploymentResourcePoolDedicatedResourcesAutoscalingMetricSpecArgs(
                        metric_name=metric, target=AUTOSCALING_TARGET_PERCENT
                    )
                ],
            ),
            opts=child,
        )
        models = deployment_plan_models(spec)
        plan: DeploymentPlan = {
            "endpoint": endpoint.id,
            "deployment_resource_pool": pool.id,
            "region": region,
            "project": project,
            "models": models,
            "traffic_split": {m["variant"]: m["traffic_percent"] for m in models if not m["shadow"]},
            "rollout": spec["rollout"],
            "service_account": args["service_account"],
        }
        deployer = args.get("deployer")
        deployment: dict[str, Any]
        if deployer is not None:
            deployed = deployer(
                f"{name}-deployment", plan, pulumi.ResourceOptions(parent=self, depends_on=[endpoint, pool])
            )
            deployment = {"status": "deployed-by-plugin", "resource": deployed.urn}
        else:
            vertex = ModelDeployment(
                f"{name}-deployment",
                {
                    "project": project,
                    "region": region,
                    "endpoint": pulumi.Output.concat(
                        "projects/", project, "/locations/", region, "/endpoints/", endpoint.name
                    ),
                    "deployment": display,
                    "encryption_key": args["encryption_key"],
                    "variants": [vertex_variant(project, prefix, m) for m in models if not m["shadow"]],
                    "machine": {
                        "machine_type": spec["instance_type"],
                        "accelerator_type": gpu["type"].upper().replace("-", "_") if gpu else None,
                        "accelerator_count": gpu["count"] if gpu else 0,
                        "min_replicas": spec["min_replicas"],
                        "max_replicas": spec["max_replicas"],
                        "metric": metric,
                        "target": AUTOSCALING_TARGET_PERCENT,
                    },
                    "deployment_resource_pool": pulumi.Output.concat(
                        "projects/", project, "/locations/", region, "/deploymentResourcePools/", pool.name
                    ),
                    "rollout": {
                        "strategy": spec["rollout"]["strategy"],
                        "canary_percent": spec["rollout"]["canary_percent"],
                        "linear_step_percent": spec["rollout"]["linear_step_percent"],
                        "wait_minutes": spec["rollout"]["wait_minutes"],
                    },
                    "service_account": args["service_account"],
                    "labels": {**args["tags"], "component": "serving"},
                    "api_endpoint": None,
                },
                opts=pulumi.ResourceOptions(parent=self, depends_on=[endpoint, pool]),
            )
            deployment = {
                "status": "deployed",
                "resource": vertex.urn,
                "model": vertex.model,
                "model_version_ids": vertex.model_version_ids,
                "deployed_model_ids": vertex.deployed_model_ids,
                "endpoint_traffic_split": vertex.traffic_split,
            }
        shadow = next((m["variant"] for m in models if m["shadow"]), None)
        deployment.update(
            {
                "traffic_split": plan["traffic_split"],
                "shadow": shadow,
                "rollout": spec["rollout"]["strategy"],
            }
        )
        if shadow and deployer is None:
            deployment["shadow_note"] = SHADOW_NOT_DEPLOYED
        self.endpoint_id = endpoint.id
        self.endpoint_name = endpoint.name
        self.pool_id = pool.id
        self.plan = plan
        self.deployment = deployment
        self.autoscaling = {
            "metric": metric,
            "target_percent": AUTOSCALING_TARGET_PERCENT,
            "min_replicas": spec["min_replicas"],
            "max_replicas": spec["max_replicas"],
            "note": (
                "Vertex AI scales on utilisation; targetInvocationsPerInstance has no Vertex AI equivalent"
            ),
        }
        self.register_outputs({"endpoint_id": endpoint.id, "pool_id": pool.id, "deployment": deployment})


class GcpServingArgs(GcpKeyedArgs):
    network: pulumi.Input[str]
    endpoints: Sequence[ServingEndpointArgs]
    service_account: pulumi.Input[str] | None
    deployer: NotRequired[ModelDeployer | None]


class GcpServing(pulumi.ComponentResource):
    """The stack's endpoints and their request-response log dataset (see module docstring)."""

    logging_dataset: pulumi.Output[str]

    def __init__(self, name: str, args: GcpServingArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(
            "mlkeel:index:GcpServing", name, None, capability_options(opts, args["tags"], "serving")
        )
        prefix, region, project = args["prefix"], args["region"], args["project"]
        dataset = gcp.bigquery.Dataset(
            f"{name}-prediction-logs",
            dataset_id=gcp_name("bigquery", prefix, "prediction_logs"),
            project=project,
            location=region,
            description=f"Vertex AI request-response logs of {prefix} (input of drift monitoring)",
            default_encryption_configuration=gcp.bigquery.DatasetDefaultEncryptionConfigurationArgs(
                kms_key_name=args["encryption_key"]
            ),
            delete_contents_on_destroy=False,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.endpoints = {
            spec["name"]: GcpServingEndpoint(
                f"{name}-{spec['name']}",
                {
                    "prefix": prefix,
                    "tags": args["tags"],
                    "region": region,
                    "project": project,
                    "encryption_key": args["encryption_key"],
                    "network": args["network"],
                    "logging_dataset": dataset.dataset_id,
                    "endpoint": spec,
                    "service_account": args["service_account"],
                    "deployer": args.get("deployer"),
                },
                opts=pulumi.ResourceOptions(parent=self),
            )
            for spec in args["endpoints"]
        }
        self.logging_dataset = dataset.dataset_id
        self.register_outputs(
            {
                "logging_dataset": dataset.dataset_id,
                "endpoints": {k: e.endpoint_id for k, e in self.endpoints.items()},
            }
        )
