"""Compose the AWS capabilities of one team stack in dependency order, wiring outputs to inputs."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from components.access.aws import AwsAccess, AwsAccessArgs
from components.args import PlatformArgs, ServingEndpointArgs, TrainingPoolArgs
from components.audit.aws import AwsAudit, AwsAuditArgs
from components.budget.aws import AwsBudget, AwsBudgetArgs, team_filter
from components.encryption.aws import AwsEncryption, AwsEncryptionArgs
from components.feature_store.aws import AwsFeatureStore, AwsFeatureStoreArgs
from components.monitoring.aws import (
    DRIFT_DIMENSION,
    DRIFT_METRIC,
    DRIFT_NAMESPACE,
    AwsDataQualityMonitor,
    AwsDataQualityMonitorArgs,
    AwsEndpointWatch,
    AwsMonitoring,
    AwsMonitoringArgs,
)
from components.network.aws import AwsNetwork, AwsNetworkArgs
from components.registry.aws import (
    CHECKPOINTS_PREFIX,
    TRAINING_OUTPUT_PREFIX,
    AwsModelRegistry,
    AwsModelRegistryArgs,
)
from components.serving.aws import (
    AwsEndpointArgs,
    AwsModelRef,
    AwsServing,
    AwsServingArgs,
    AwsShadowArgs,
    AwsVariantArgs,
)
from components.training.aws import AwsPoolArgs, AwsTrainingCluster, AwsTrainingClusterArgs

from ._naming import aws_name
from ._provider import AwsAccount, make_provider
from ._sources import parse_artifact, parse_image, parse_package

#: Interface endpoints every stack with a network gets; training adds what EKS nodes need without NAT.
BASE_ENDPOINTS = ["sagemaker.api", "sagemaker.runtime", "sts", "logs", "monitoring"]
TRAINING_ENDPOINTS = ["ecr.api", "ecr.dkr", "ec2", "eks", "eks-auth", "autoscaling"]
NO_MODEL_NOTE = "no model named yet: add serving.endpoints[].variants[].model to deploy an endpoint"


def role_path(args: PlatformArgs) -> str:
    """IAM path of every stack role; the key policy trusts roles under it."""
    return f"/mlkeel/{args['team']}/{args['environment']}/"


# ------------------------------------------------------------------------------------------ pools
def resolve_pool(pool: TrainingPoolArgs, region: str) -> tuple[AwsPoolArgs, str]:
    """Final instance types of a pool and why: named in the spec, or chosen by the spot scheduler."""
    from runtime.pricing import load_catalog

    requirements = pool.get("requirements")
    if pool["instance_types"]:
        types = list(pool["instance_types"])
        reason = "named in the stack spec"
    elif requirements is not None:
        try:
            from runtime.scheduling import choose_pool_types
        except ImportError as exc:  # pragma: no cover - the scheduler ships with mlkeel
            raise pulumi.RunError(
                f"training pool '{pool['name']}' names requirements, but the spot scheduler is unavailable ({exc})"
            ) from exc
        try:
            choice = choose_pool_types(
                "aws", region, dict(requirements), spot=pool["spot"], count=requirements["instance_type_count"]
            )
        except ValueError as exc:
            raise pulumi.RunError(f"training pool '{pool['name']}': {exc}") from exc
        types, reason = list(choice.instance_types), choice.reason
    else:  # pragma: no cover - the spec model refuses it
        raise pulumi.RunError(f"training pool '{pool['name']}' needs instanceTypes or requirements")
    catalog = load_catalog()
    gpu = bool(pool.get("accelerator")) or any(
        (info := catalog.instance_type("aws", region, t)) is not None and info.gpu_count > 0 for t in types
    )
    return (
        AwsPoolArgs(
            name=pool["name"],
            instance_types=types,
            gpu=gpu,
            spot=pool["spot"],
            min_nodes=pool["min_nodes"],
            max_nodes=pool["max_nodes"],
            disk_size_gib=pool["disk_size_gib"],
        ),
        reason,
    )


# ------------------------------------------------------------------------------------------ model sources
class _Sources:
    """Resolve model sources once: prebuilt images per region, artifact URLs, package ARNs."""

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
                "arn:{0}:ecr:{1}:{2}:repository/{3}", acct.partition, image.region or acct.region, registry,
                image.repository,
            )
            self._images[text] = (uri, repo_arn)
            self.repository_arns.append(repo_arn)
        return self._images[text][0]

    def model(self, source: Any) -> AwsModelRef:
        acct = self.account
        if source.get("model_package"):
            package = parse_package(source["model_package"])
            arn = (
                pulumi.Output.from_input(package.arn)
                if package.arn
                else pulumi.Output.format(
                    "arn:{0}:sagemaker:{1}:{2}:model-package/{3}/{4}", acct.partition, acct.region, acct.account_id,
                    package.group.lower(), package.version,
                )
            )
            self.package_arns.append(arn)
            return AwsModelRef(source=source["model_package"], model_package=arn)
        image = self.image(source["image"])
        url = None
        if source.get("artifact"):
            artifact = parse_artifact(source["artifact"])
            if artifact.bucket is None:
                if self.bucket_name is None:
                    raise pulumi.RunError(f"artifact '{source['artifact']}' is relative but the registry is off")
                url = pulumi.Output.format("s3://{0}/{1}", self.bucket_name, artifact.key)
            else:
                url = pulumi.Output.from_input(source["artifact"])
                self.object_arns.append(
                    pulumi.Output.format("arn:{0}:s3:::{1}/{2}", acct.partition, artifact.bucket, artifact.key)
                )
        text = f"{source['image']}|{source.get('artifact') or ''}"
        return AwsModelRef(source=text, image=image, model_data_url=url)


def endpoint_name(prefix: str, endpoint: ServingEndpointArgs) -> str:
    """The endpoint's physical name (``<team>-<env>-<endpoint>``), fixed so alarms can name it first."""
    return aws_name("sagemaker", prefix, endpoint["name"])


# ------------------------------------------------------------------------------------------ compose
def compose(platform: pulumi.ComponentResource, name: str, args: PlatformArgs, tags: dict[str, str]) -> dict[str, Any]:
    """Create every capability the spec switches on, in dependency order; return the stack outputs."""
    prefix = f"{args['team']}-{args['environment']}"
    region = args["region"]
    account = make_provider(platform, name, region, tags)
    opts = pulumi.ResourceOptions(parent=platform, providers=[account.provider])
    path = role_path(args)
    outputs: dict[str, Any] = {"accountId": account.account_id, "rolePath": path}

    encryption = AwsEncryption(
        f"{name}-encryption",
        AwsEncryptionArgs(prefix=prefix, tags=tags, region=region, account_id=account.account_id, partition=account.partition, role_path=path,
                          rotation_days=args["encryption"]["rotation_days"]),
        opts=opts,
    )
    key = encryption.key_arn
    outputs["encryption"] = {"keyArn": key, "alias": encryption.alias_name}

    training_on = args["training"]["enabled"]
    network = None
    if args["network"]["enabled"]:
        net = args["network"]
        network = AwsNetwork(
            f"{name}-network",
            AwsNetworkArgs(
                prefix=prefix, tags=tags, region=region, account_id=account.account_id, partition=account.partition, encryption_key=key,
                role_path=path, cidr=net["cidr"], availability_zones=net["availability_zones"],
                flow_log_retention_days=net["flow_log_retention_days"],
                interface_services=BASE_ENDPOINTS + (TRAINING_ENDPOINTS if training_on else []),
            ),
            opts=opts,
        )
        outputs["network"] = {"vpcId": network.vpc_id, "subnetIds": network.subnet_ids}

    registry = None
    if args["registry"]["enabled"]:
        reg = args["registry"]
        registry = AwsModelRegistry(
            f"{name}-registry",
            AwsModelRegistryArgs(prefix=prefix, tags=tags, region=region, account_id=account.account_id, encryption_key=key,
                                 artifact_retention_days=reg["artifact_retention_days"],
                                 noncurrent_version_days=reg["noncurrent_version_days"],
                                 images_to_keep=reg["images_to_keep"]),
            opts=opts,
        )
        outputs["registry"] = {
            "bucket": registry.bucket_name,
            "modelPackageGroup": registry.model_package_group_name,
            "repositoryUrl": registry.repository_url,
        }

    features = None
    if args["feature_store"]["enabled"]:
        features = AwsFeatureStore(
            f"{name}-features",
            AwsFeatureStoreArgs(prefix=prefix, tags=tags, region=region, account_id=account.account_id, partition=account.partition,
                                encryption_key=key, role_path=path,
                                noncurrent_version_days=args["registry"]["noncurrent_version_days"],
                                groups=args["feature_store"]["groups"]),
            opts=opts,
        )
        outputs["featureStore"] = {
            "bucket": features.bucket_name,
            "groups": features.feature_group_names,
            "glueDatabase": features.glue_database,
        }

    audit = None
    if args["audit"]["enabled"]:
        buckets: list[pulumi.Input[str]] = [b.bucket_arn for b in (registry, features) if b is not None]
        audit = AwsAudit(
            f"{name}-audit",
            AwsAuditArgs(prefix=prefix, tags=tags, region=region, account_id=account.account_id, partition=account.partition, encryption_key=key,
                         retention_days=args["audit"]["retention_days"], data_event_bucket_arns=buckets),
            opts=opts,
        )
        outputs["audit"] = {"trailArn": audit.trail_arn, "bucket": audit.bucket_name}

    # Model sources first: the execution role must be allowed to pull exactly these images and archives.
    sources = _Sources(account, platform, registry.bucket_name if registry else None)
    serving_on = args["serving"]["enabled"]
    resolved: list[AwsEndpointArgs] = []
    for endpoint in args["serving"]["endpoints"] if serving_on else []:
        variants = [
            AwsVariantArgs(name=v["name"], weight=v["weight"], instance_type=v["instance_type"] or endpoint["instance_type"],
                           model=sources.model(v["model"]))
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
                shadow=AwsShadowArgs(name=shadow["name"], sampling_percent=shadow["sampling_percent"],
                                     instance_type=endpoint["instance_type"], model=sources.model(shadow["model"]))
                if shadow
                else None,
                rollout=endpoint["rollout"],
                data_capture_percent=endpoint["data_capture_percent"],
                rollback_alarms=[],
            )
        )

    cluster_name = aws_name("eks-cluster", prefix, "training") if training_on else None
    budget_name = aws_name("budget", prefix, "monthly") if args["budget"]["enabled"] else None
    access = AwsAccess(
        f"{name}-access",
        AwsAccessArgs(
            prefix=prefix, tags=tags, region=region, account_id=account.account_id, partition=account.partition, encryption_key=key, role_path=path,
            personas=dict(args["access"]["personas"]),
            registry_bucket_arn=registry.bucket_arn if registry else None,
            repository_arn=registry.repository_arn if registry else None,
            model_package_group_arn=registry.model_package_group_arn if registry else None,
            model_package_group_name=registry.model_package_group_name if registry else None,
            feature_bucket_arn=features.bucket_arn if features else None,
            feature_group_arns=features.feature_group_arns if features else None,
            audit_bucket_arn=audit.bucket_arn if audit else None,
            trail_arn=audit.trail_arn if audit else None,
            image_repository_arns=sources.repository_arns,
            artifact_object_arns=sources.object_arns,
            model_package_arns=sources.package_arns,
            subnet_ids=network.subnet_ids if network else None,
            security_group_ids=[network.workload_security_group_id] if network else [],
            cluster_name=cluster_name,
            budget_name=budget_name,
        ),
        opts=opts,
    )
    outputs["access"] = {
        "boundaryArn": access.boundary_arn,
        "executionRoleArn": access.execution_role_arn,
        "trainingJobRoleArn": access.training_role_arn,
        "personaRoleArns": access.persona_role_arns,
    }

    if training_on and network is not None and cluster_name is not None:
        pools, reasons = [], {}
        for pool in args["training"]["pools"]:
            resolved_pool, reason = resolve_pool(pool, region)
            pools.append(resolved_pool)
            reasons[pool["name"]] = {
                "instanceTypes": resolved_pool["instance_types"],
                "capacityType": "SPOT" if resolved_pool["spot"] else "ON_DEMAND",
                "gpu": resolved_pool["gpu"],
                "reason": reason,
            }
        cluster = AwsTrainingCluster(
            f"{name}-training",
            AwsTrainingClusterArgs(
                prefix=prefix, tags=tags, region=region, account_id=account.account_id, partition=account.partition, encryption_key=key,
                role_path=path, cluster_name=cluster_name,
                kubernetes_version=args["training"]["kubernetes_version"],
                control_plane_cidrs=list(args["training"]["control_plane_cidrs"]),
                subnet_ids=network.subnet_ids,
                log_retention_days=args["network"]["flow_log_retention_days"],
                pools=pools,
            ),
            opts=opts,
        )
        spot = args["training"]["spot_jobs"]
        bucket = registry.bucket_name if registry else None
        outputs["training"] = {
            "cluster": cluster.cluster_name,
            "pools": reasons,
            "spotJobs": {
                "roleArn": access.training_role_arn,
                "enableManagedSpotTraining": True,
                "maxRuntimeInSeconds": int(spot["max_runtime_hours"] * 3600),
                "maxWaitTimeInSeconds": int(spot["max_wait_hours"] * 3600),
                "checkpointS3Uri": pulumi.Output.format("s3://{0}/{1}", bucket, CHECKPOINTS_PREFIX) if bucket else None,
                "checkpointLocalPath": "/opt/ml/checkpoints",
                "outputS3Uri": pulumi.Output.format("s3://{0}/{1}", bucket, TRAINING_OUTPUT_PREFIX) if bucket else None,
                "volumeKmsKeyId": key,
                "outputKmsKeyId": key,
                "subnets": network.subnet_ids,
                "securityGroupIds": [network.workload_security_group_id],
                "enableNetworkIsolation": True,
                "enableInterContainerTrafficEncryption": True,
            },
        }

    monitoring = None
    if args["monitoring"]["enabled"]:
        mon = args["monitoring"]
        monitoring = AwsMonitoring(
            f"{name}-monitoring",
            AwsMonitoringArgs(
                prefix=prefix, tags=tags, region=region, account_id=account.account_id, encryption_key=key, alert_emails=list(mon["alert_emails"]),
                latency_p99_ms=mon["latency_p99_ms"], error_rate_percent=mon["error_rate_percent"],
                drift_share_threshold=mon["drift_share_threshold"], drift_schedule=mon["drift_schedule"],
                endpoints=[
                    AwsEndpointWatch(key=e["key"], endpoint_name=e["endpoint_name"],
                                     variants=[v["name"] for v in e["variants"]])
                    for e in resolved
                ],
            ),
            opts=opts,
        )
        for ep_args in resolved:
            ep_args["rollback_alarms"] = list(monitoring.rollback_alarms.get(ep_args["key"], []))
        outputs["monitoring"] = {
            "topicArn": monitoring.topic_arn,
            "driftMetric": {"namespace": DRIFT_NAMESPACE, "metric": DRIFT_METRIC, "dimension": DRIFT_DIMENSION},
        }

    if serving_on and registry is not None:
        serving = AwsServing(
            f"{name}-serving",
            AwsServingArgs(
                prefix=prefix, tags=tags, region=region, encryption_key=key, execution_role_arn=access.execution_role_arn,
                bucket_name=registry.bucket_name,
                subnet_ids=network.subnet_ids if network else [],
                security_group_ids=[network.workload_security_group_id] if network else [],
                endpoints=resolved,
            ),
            opts=opts,
        )
        outputs["serving"] = {
            "endpoints": serving.endpoint_names,
            "dataCaptureUri": serving.data_capture_uri,
            "executionRoleArn": access.execution_role_arn,
            "alertTopicArn": monitoring.topic_arn if monitoring else None,
            "note": None if resolved else NO_MODEL_NOTE,
        }
        if monitoring is not None and network is not None:
            for ep_args in resolved:
                if ep_args["data_capture_percent"] == 0:
                    continue
                AwsDataQualityMonitor(
                    f"{name}-monitoring-{ep_args['key']}",
                    AwsDataQualityMonitorArgs(
                        prefix=prefix, tags=tags, region=region, encryption_key=key, endpoint_key=ep_args["key"],
                        endpoint_name=serving.endpoints[ep_args["key"]].endpoint_name,
                        role_arn=access.execution_role_arn, bucket_name=registry.bucket_name,
                        subnet_ids=network.subnet_ids,
                        security_group_ids=[network.workload_security_group_id],
                        schedule=args["monitoring"]["drift_schedule"],
                    ),
                    opts=pulumi.ResourceOptions(parent=monitoring),
                )

    if args["budget"]["enabled"]:
        bud = args["budget"]
        budget = AwsBudget(
            f"{name}-budget",
            AwsBudgetArgs(
                prefix=prefix, tags=tags, region=region, account_id=account.account_id, encryption_key=key, team=args["team"],
                monthly_limit_usd=bud["monthly_limit_usd"], alert_thresholds=list(bud["alert_thresholds"]),
                topic_arn=monitoring.topic_arn if monitoring else None,
                alert_emails=list(args["monitoring"]["alert_emails"]),
            ),
            opts=opts,
        )
        outputs["budget"] = {
            "name": budget.budget_name,
            "filter": team_filter(args["team"]),
            "monthlyLimitUsd": bud["monthly_limit_usd"],
        }
    return outputs
