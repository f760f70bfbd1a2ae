"""AWS serving: SageMaker endpoints with weighted variants, shadows, progressive rollout and autoscaling.

Per endpoint (:class:`AwsServingEndpoint`):

- one SageMaker model per variant (and shadow), network-isolated, inside the stack's private subnets;
- an endpoint configuration encrypting volumes and captured data with the stack key, production variants
  weighted for A/B tests, an optional shadow variant, and data capture into the registry bucket;
- the endpoint's log group (``/aws/sagemaker/Endpoints/<name>``), encrypted with the stack key and kept
  ``log_retention_days``, declared before SageMaker would create it without either;
- the endpoint, whose deployment config rolls a new configuration out blue/green (all at once, canary or
  linear) and rolls back on its own when the latency or 5xx alarms fire;
- Application Auto Scaling per production variant: target tracking on invocations per instance between
  the spec's min and max replicas.

Models get names derived from what they serve (a short hash of image, artifact and package), so a new model
version gets a new name and replaces the old one without a name clash; configurations use a name prefix for
the same reason. Where a team names no model yet, :class:`AwsServing` still reports the data-capture location
and the roles and alarms it would use, and creates no endpoint.
"""

import hashlib
import math
from typing import NotRequired, TypedDict

import pulumi
import pulumi_aws as aws

from components.args import CapabilityArgs, ModelSourceArgs, RolloutArgs, ServingEndpointArgs
from components.aws._naming import NAME_PREFIX_SUFFIX, aws_name
from components.aws._provider import AwsAccount
from components.aws._sources import parse_artifact, parse_image, parse_package
from components.aws.args import AwsKeyedArgs
from components.tagging import capability_options

CAPTURE_PREFIX = "data-capture"
NO_MODEL_NOTE = "no model named yet: add serving.endpoints[].variants[].model to deploy an endpoint"


class AwsModelRef(TypedDict):
    """A resolved model source: a package ARN, or an image URI with an optional artifact URL."""

    source: str
    """The spec's source text (what the model's name hashes)."""
    image: NotRequired[pulumi.Input[str] | None]
    model_data_url: NotRequired[pulumi.Input[str] | None]
    model_package: NotRequired[pulumi.Input[str] | None]


class AwsVariantArgs(TypedDict):
    name: str
    weight: float
    instance_type: str
    model: AwsModelRef


class AwsShadowArgs(TypedDict):
    name: str
    sampling_percent: int
    instance_type: str
    model: AwsModelRef


class AwsEndpointArgs(TypedDict):
    """One endpoint, resolved from the spec (instance types final, model sources resolved)."""

    key: str
    endpoint_name: str
    min_replicas: int
    max_replicas: int
    target_invocations_per_instance: int
    variants: list[AwsVariantArgs]
    shadow: AwsShadowArgs | None
    rollout: RolloutArgs
    data_capture_percent: int
    rollback_alarms: list[pulumi.Input[str]]


class AwsServingEndpointArgs(CapabilityArgs):
    """Inputs of :class:`AwsServingEndpoint`."""

    encryption_key: pulumi.Input[str]
    execution_role_arn: pulumi.Input[str]
    bucket_name: pulumi.Input[str]
    subnet_ids: pulumi.Input[list[str]]
    security_group_ids: list[pulumi.Input[str]]
    endpoint: AwsEndpointArgs
    log_retention_days: int


class AwsServingArgs(AwsKeyedArgs):
    """Inputs of :class:`AwsServing`."""

    execution_role_arn: pulumi.Input[str]
    bucket_name: pulumi.Input[str]
    subnet_ids: pulumi.Input[list[str]]
    security_group_ids: list[pulumi.Input[str]]
    endpoints: list[AwsEndpointArgs]
    log_retention_days: int
    """How long the endpoints' container logs are kept."""


def endpoint_log_group(endpoint_name: str) -> str:
    """The log group SageMaker writes an endpoint's container logs to."""
    return f"/aws/sagemaker/Endpoints/{endpoint_name}"


def model_name(prefix: str, endpoint: str, variant: str, source: str) -> str:
    """A model name that changes exactly when the served model does (SageMaker models are immutable)."""
    digest = hashlib.sha256(source.encode()).hexdigest()[:8]
    return aws_name("sagemaker", prefix, f"{endpoint}-{variant}-{digest}")


def execution_timeout(rollout: RolloutArgs) -> int:
    """Upper bound of a blue/green deployment: every bake step plus 10 minutes,
    within SageMaker's 600-14400 s."""
    wait = rollout["wait_minutes"] * 60
    if rollout["strategy"] == "canary":
        steps = 2
    elif rollout["strategy"] == "linear":
        steps = math.ceil(100 / rollout["linear_step_percent"]) + 1
    else:
        steps = 1
    return max(600, min(14400, steps * wait + 600))


def capacity_percent(percent: float) -> int:
    """SageMaker takes whole percentages of the fleet; round to the nearest, at least 1."""
    return max(1, round(percent))


def variant_resource_id(endpoint: str, variant: str) -> str:
    """Application Auto Scaling's id of a SageMaker production variant."""
    return f"endpoint/{endpoint}/variant/{variant}"


def deployment_config(
    rollout: RolloutArgs, alarms: list[pulumi.Input[str]]
) -> aws.sagemaker.EndpointDeploymentConfigArgs:
    """Blue/green with canary/linear/all-at-once traffic shifting and alarm-driven rollback."""
    strategy = rollout["strategy"]
    routing = aws.sagemaker.EndpointDeploymentConfigBlueGreenUpdatePolicyTrafficRoutingConfigurationArgs(
        type={"canary": "CANARY", "linear": "LINEAR"}.get(strategy, "ALL_AT_ONCE"),
        wait_interval_in_seconds=rollout["wait_minutes"] * 60,
        canary_size=aws.sagemaker.EndpointDeploymentConfigBlueGreenUpdatePolicyTrafficRoutingConfigurationCanarySizeArgs(
            type="CAPACITY_PERCENT", value=capacity_percent(rollout["canary_percent"])
        )
        if strategy == "canary"
        else None,
        linear_step_size=aws.sagemaker.EndpointDeploymentConfigBlueGreenUpdatePolicyTrafficRoutingConfigurationLinearStepSizeArgs(
            type="CAPACITY_PERCENT", value=capacity_percent(rollout["linear_step_percent"])
        )
        if strategy == "linear"
        else None,
    )
    rollback = None
    if rollout["rollback_on_alarms"] and alarms:
        rollback = aws.sagemaker.EndpointDeploymentConfigAutoRollbackConfigurationArgs(
            alarms=[
                aws.sagemaker.EndpointDeploymentConfigAutoRollbackConfigurationAlarmArgs(alarm_name=a)
                for a in alarms
            ]
        )
    return aws.sagemaker.EndpointDeploymentConfigArgs(
        blue_green_update_policy=aws.sagemaker.EndpointDeploymentConfigBlueGreenUpdatePolicyArgs(
            traffic_routing_configuration=routing,
            termination_wait_in_seconds=300,
            maximum_execution_timeout_in_seconds=execution_timeout(rollout),
        ),
        auto_rollback_configuration=rollback,
    )


def _container(model: AwsModelRef) -> aws.sagemaker.ModelPrimaryContainerArgs:
    if model.get("model_package"):
        return aws.sagemaker.ModelPrimaryContainerArgs(model_package_name=model["model_package"])
    return aws.sagemaker.ModelPrimaryContainerArgs(
        image=model.get("image"), model_data_url=model.get("model_data_url"), mode="SingleModel"
    )


class AwsServingEndpoint(pulumi.ComponentResource):
    """Models, endpoint configuration, endpoint with blue/green rollback, target-tracking autoscaling."""

    endpoint_name: pulumi.Output[str]
    endpoint_arn: pulumi.Output[str]

    def __init__(self, name: str, args: AwsServingEndpointArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(
            "mlkeel:index:AwsServingEndpoint", name, None, capability_options(opts, args["tags"], "serving")
        )
        child = pulumi.ResourceOptions(parent=self)
        ep = args["endpoint"]
        prefix, key = args["prefix"], args["encryption_key"]
        vpc = aws.sagemaker.ModelVpcConfigArgs(
            subnets=args["subnet_ids"], security_group_ids=args["security_group_ids"]
        )

        def model(variant: str, ref: AwsModelRef) -> aws.sagemaker.Model:
            return aws.sagemaker.Model(
                f"{name}-{variant}-model",
                name=model_name(prefix, ep["key"], variant, ref["source"]),
                primary_container=_container(ref),
                execution_role_arn=args["execution_role_arn"],
                enable_network_isolation=True,
                vpc_config=vpc,
                opts=child,
            )

        production = [
            aws.sagemaker.EndpointConfigurationProductionVariantArgs(
                variant_name=v["name"],
                model_name=model(v["name"], v["model"]).name,
                instance_type=v["instance_type"],
                initial_instance_count=ep["min_replicas"],
                initial_variant_weight=v["weight"],
            )
            for v in ep["variants"]
        ]
        shadows = None
        if ep["shadow"] is not None:
            shadow = ep["shadow"]
            shadows = [
                aws.sagemaker.EndpointConfigurationShadowProductionVariantArgs(
                    variant_name=shadow["name"],
                    model_name=model(shadow["name"], shadow["model"]).name,
                    instance_type=shadow["instance_type"],
                    initial_instance_count=1,
                    initial_variant_weight=shadow["sampling_percent"] / 100,
                )
            ]
        capture = aws.sagemaker.EndpointConfigurationDataCaptureConfigArgs(
            enable_capture=ep["data_capture_percent"] > 0,
            initial_sampling_percentage=max(ep["data_capture_percent"], 1),
            destination_s3_uri=pulumi.Output.format(
                "s3://{0}/{1}/{2}", args["bucket_name"], CAPTURE_PREFIX, ep["key"]
            ),
            kms_key_id=key,
            capture_options=[
                aws.sagemaker.EndpointConfigurationDataCaptureConfigCaptureOptionArgs(capture_mode="Input"),
                aws.sagemaker.EndpointConfigurationDataCaptureConfigCaptureOptionArgs(capture_mode="Output"),
            ],
            capture_content_type_header=aws.sagemaker.EndpointConfigurationDataCaptureConfigCaptureContentTypeHeaderArgs(
                csv_content_types=["text/csv"], json_content_types=["application/json"]
            ),
        )
        config = aws.sagemaker.EndpointConfiguration(
            f"{name}-config",
            name_prefix=aws_name("sagemaker", prefix, ep["key"], reserve=NAME_PREFIX_SUFFIX + 1) + "-",
            production_variants=production,
            shadow_production_variants=shadows,
            data_capture_config=capture,
            kms_key_arn=key,
            opts=child,
        )
        # SageMaker writes container logs to this exact name and would create it unencrypted and kept
        # forever; declaring it first gives it the stack key and a retention, and deletes it with the stack.
        logs = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=endpoint_log_group(ep["endpoint_name"]),
            kms_key_id=key,
            retention_in_days=args["log_retention_days"],
            opts=child,
        )
        endpoint = aws.sagemaker.Endpoint(
            f"{name}-endpoint",
            name=ep["endpoint_name"],
            endpoint_config_name=config.name,
            deployment_config=deployment_config(ep["rollout"], ep["rollback_alarms"]),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[logs]),
        )
        scaling = {}
        for v in ep["variants"]:
            target = aws.appautoscaling.Target(
                f"{name}-{v['name']}-scaling",
                service_namespace="sagemaker",
                scalable_dimension="sagemaker:variant:DesiredInstanceCount",
                resource_id=pulumi.Output.all(endpoint.name, v["name"]).apply(
                    lambda nv: variant_resource_id(nv[0], nv[1])
                ),
                min_capacity=ep["min_replicas"],
                max_capacity=ep["max_replicas"],
                opts=child,
            )
            aws.appautoscaling.Policy(
                f"{name}-{v['name']}-target-tracking",
                name=aws_name("alarm", ep["endpoint_name"], f"{v['name']}-invocations-per-instance"),
                policy_type="TargetTrackingScaling",
                service_namespace=target.service_namespace,
                scalable_dimension=target.scalable_dimension,
                resource_id=target.resource_id,
                target_tracking_scaling_policy_configuration=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgs(
                    target_value=ep["target_invocations_per_instance"],
                    predefined_metric_specification=aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationPredefinedMetricSpecificationArgs(
                        predefined_metric_type="SageMakerVariantInvocationsPerInstance"
                    ),
                    scale_in_cooldown=300,
                    scale_out_cooldown=60,
                ),
                opts=child,
            )
            scaling[v["name"]] = target.resource_id
        self.endpoint_name = endpoint.name
        self.endpoint_arn = endpoint.arn
        self.register_outputs(
            {
                "endpoint_name": endpoint.name,
                "endpoint_arn": endpoint.arn,
                "config_name": config.name,
                "scaling_resource_ids": scaling,
            }
        )


class AwsServing(pulumi.ComponentResource):
    """All endpoints of the stack (possibly none yet) and where their captured data lands."""

    endpoint_names: pulumi.Output[dict[str, str]]
    data_capture_uri: pulumi.Output[str]

    def __init__(self, name: str, args: AwsServingArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(
            "mlkeel:index:AwsServing", name, None, capability_options(opts, args["tags"], "serving")
        )
        # Declared here, not on the class: a class annotation is an output to Pulumi's component analyzer,
        # and child components are no output of the schema.
        self.endpoints: dict[str, AwsServingEndpoint] = {}
        for ep in args["endpoints"]:
            self.endpoints[ep["key"]] = AwsServingEndpoint(
                f"{name}-{ep['key']}",
                AwsServingEndpointArgs(
                    prefix=args["prefix"],
                    tags=args["tags"],
                    region=args["region"],
                    encryption_key=args["encryption_key"],
                    execution_role_arn=args["execution_role_arn"],
                    bucket_name=args["bucket_name"],
                    subnet_ids=args["subnet_ids"],
                    security_group_ids=args["security_group_ids"],
                    endpoint=ep,
                    log_retention_days=args["log_retention_days"],
                ),
                opts=pulumi.ResourceOptions(parent=self),
            )
        names = {k: e.endpoint_name for k, e in self.endpoints.items()}
        self.endpoint_names = pulumi.Output.all(**names) if names else pulumi.Output.from_input({})
        self.data_capture_uri = pulumi.Output.format("s3://{0}/{1}/", args["bucket_name"], CAPTURE_PREFIX)
        self.register_outputs(
            {
                "endpoint_names": self.endpoint_names,
                "data_capture_uri": self.data_capture_uri,
                "execution_role_arn": args["execution_role_arn"],
            }
        )


# ------------------------------------------------------------------------------------------ model sources
def endpoint_name(prefix: str, endpoint: ServingEndpointArgs) -> str:
    """The endpoint's physical name (``<team>-<env>-<endpoint>``), fixed so alarms can name it first."""
    return aws_name("sagemaker", prefix, endpoint["name"])


class ModelSources:
    """The spec's model sources resolved once: prebuilt images per region, artifact URLs, package ARNs.

    Resolution happens before access is declared: the execution role may pull exactly the images and read
    exactly the archives and packages collected here (``repository_arns``, ``object_arns``,
    ``package_arns``), in the order the endpoints name them.
    """

    def __init__(self, account: AwsAccount, parent: pulumi.Resource, bucket_name: pulumi.Input[str] | None):
        self.account = account
        self.parent = parent
        self.bucket_name = bucket_name
        self.repository_arns: list[pulumi.Input[str]] = []
        self.object_arns: list[pulumi.Input[str]] = []
        self.package_arns: list[pulumi.Input[str]] = []
        self._images: dict[str, tuple[pulumi.Output[str], pulumi.Output[str]]] = {}

    def image(self, text: str) -> pulumi.Output[str]:
        if text not in self._images:
            image = parse_image(text)
            acct = self.account
            if image.builtin:
                result = aws.sagemaker.get_prebuilt_ecr_image_output(
                    repository_name=image.repository,
                    image_tag=image.tag,
                    region=acct.region,
                    opts=pulumi.InvokeOutputOptions(provider=acct.provider, parent=self.parent),
                )
                uri, registry = result.registry_path, result.registry_id
            else:
                uri, registry = pulumi.Output.from_input(text), pulumi.Output.from_input(image.account or "")
            repo_arn = pulumi.Output.format(
                "arn:{0}:ecr:{1}:{2}:repository/{3}",
                acct.partition,
                image.region or acct.region,
                registry,
                image.repository,
            )
            self._images[text] = (uri, repo_arn)
            self.repository_arns.append(repo_arn)
        return self._images[text][0]

    def model(self, source: ModelSourceArgs) -> AwsModelRef:
        acct = self.account
        if source.get("model_package"):
            text = str(source["model_package"])
            package = parse_package(text)
            arn = (
                pulumi.Output.from_input(package.arn)
                if package.arn
                else pulumi.Output.format(
                    "arn:{0}:sagemaker:{1}:{2}:model-package/{3}/{4}",
                    acct.partition,
                    acct.region,
                    acct.account_id,
                    package.group.lower(),
                    package.version,
                )
            )
            self.package_arns.append(arn)
            return AwsModelRef(source=text, model_package=arn)
        image = self.image(str(source["image"]))
        url = None
        if source.get("artifact"):
            artifact = parse_artifact(str(source["artifact"]))
            if artifact.bucket is None:
                if self.bucket_name is None:
                    raise pulumi.RunError(
                        f"artifact '{source['artifact']}' is relative but the registry is off"
                    )
                url = pulumi.Output.format("s3://{0}/{1}", self.bucket_name, artifact.key)
            else:
                url = pulumi.Output.from_input(str(source["artifact"]))
                self.object_arns.append(
                    pulumi.Output.format(
                        "arn:{0}:s3:::{1}/{2}", acct.partition, artifact.bucket, artifact.key
                    )
                )
        text = f"{source['image']}|{source.get('artifact') or ''}"
        return AwsModelRef(source=text, image=image, model_data_url=url)

    def endpoints(self, prefix: str, endpoints: list[ServingEndpointArgs]) -> list[AwsEndpointArgs]:
        """The spec's endpoints with instance types final and every model source resolved (no alarms yet)."""
        resolved: list[AwsEndpointArgs] = []
        for endpoint in endpoints:
            variants = [
                AwsVariantArgs(
                    name=v["name"],
                    weight=v["weight"],
                    instance_type=v["instance_type"] or endpoint["instance_type"],
                    model=self.model(v["model"]),
                )
                for v in endpoint["variants"]
            ]
            shadow = endpoint["shadow"]
            resolved.append(
                AwsEndpointArgs(
                    key=endpoint["name"],
                    endpoint_name=endpoint_name(prefix, endpoint),
                    min_replicas=endpoint["min_replicas"],
                    max_replicas=endpoint["max_replicas"],
                    target_invocations_per_instance=endpoint["target_invocations_per_instance"],
                    variants=variants,
                    shadow=AwsShadowArgs(
                        name=shadow["name"],
                        sampling_percent=shadow["sampling_percent"],
                        instance_type=endpoint["instance_type"],
                        model=self.model(shadow["model"]),
                    )
                    if shadow
                    else None,
                    rollout=endpoint["rollout"],
                    data_capture_percent=endpoint["data_capture_percent"],
                    rollback_alarms=[],
                )
            )
        return resolved
