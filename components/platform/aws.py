"""Compose the AWS platform of one team stack: the provider, then one wiring function per capability.

Each wiring function reads its part of the spec, takes the components it depends on, creates its
capability (or nothing, when the spec switches it off) and writes its section of the stack outputs. The
shared inputs come from one :class:`AwsContext`, so no capability restates prefix, tags, region, account,
role path or key. The order is the dependency order: encryption (everything uses the key), registry,
feature store, network (its S3 endpoint admits the stack's buckets), audit (logs the data buckets), access
(needs every ARN and the resolved model sources), training, monitoring (its alarms drive serving's
rollback), serving, budget (alerts through monitoring's topic).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import pulumi

from components.access.aws import AwsAccess, AwsAccessArgs
from components.args import PlatformArgs
from components.audit.aws import AwsAudit, AwsAuditArgs
from components.aws._naming import aws_name
from components.aws._provider import AwsAccount, make_provider
from components.aws.args import AwsCapabilityArgs, AwsKeyedArgs
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
from components.self_healing.aws import (
    IMAGE_TAG,
    AwsSelfHealing,
    AwsSelfHealingArgs,
    EksSelfHealing,
    EksSelfHealingArgs,
    lease_table_name,
)
from components.serving.aws import NO_MODEL_NOTE, AwsEndpointArgs, AwsServing, AwsServingArgs, ModelSources
from components.training.aws import (
    PLATFORM_POOL,
    AwsTrainingCluster,
    AwsTrainingClusterArgs,
    platform_pool,
    resolve_pool,
)

if TYPE_CHECKING:
    from components.platform.kubernetes import K8sLayer

#: Interface endpoints every stack with a network gets; training adds what EKS nodes need without NAT.
BASE_ENDPOINTS = ["sagemaker.api", "sagemaker.runtime", "sts", "logs", "monitoring"]
TRAINING_ENDPOINTS = ["ecr.api", "ecr.dkr", "ec2", "eks", "eks-auth", "autoscaling"]

Outputs = dict[str, Any]


def role_path(spec: PlatformArgs) -> str:
    """IAM path of every stack role; the key policy trusts roles under it."""
    return f"/mlkeel/{spec['team']}/{spec['environment']}/"


@dataclass(frozen=True)
class AwsContext:
    """What every AWS capability of one stack shares: names, tags, account, role path, key, options."""

    name: str
    """The platform's logical name; capability ``x`` is ``<name>-x``."""
    prefix: str
    tags: dict[str, str]
    account: AwsAccount
    role_path: str
    opts: pulumi.ResourceOptions
    key: pulumi.Output[str] | None = None
    """The stack key's ARN, once the encryption capability has made it."""

    def base(self) -> AwsCapabilityArgs:
        return AwsCapabilityArgs(
            prefix=self.prefix,
            tags=self.tags,
            region=self.account.region,
            account_id=self.account.account_id,
            partition=self.account.partition,
            role_path=self.role_path,
        )

    def keyed(self) -> AwsKeyedArgs:
        if self.key is None:  # pragma: no cover - compose makes the key first
            raise RuntimeError("the stack key is made before any capability that uses it")
        return AwsKeyedArgs(**self.base(), encryption_key=self.key)


# ------------------------------------------------------------------------------------------ wiring
def encryption(ctx: AwsContext, spec: PlatformArgs, out: Outputs) -> AwsEncryption:
    component = AwsEncryption(
        f"{ctx.name}-encryption",
        AwsEncryptionArgs(
            **ctx.base(),
            rotation_days=spec["encryption"]["rotation_days"],
            node_volumes=bool(spec["training"]["enabled"] and spec["network"]["enabled"]),
            # The Lambda runner's table, function and schedule use the key through their services; the
            # CronJob on EKS has none of them.
            self_healing=heals(spec) and runner(spec) == "lambda",
        ),
        opts=ctx.opts,
    )
    out["encryption"] = {"keyArn": component.key_arn, "alias": component.alias_name}
    return component


def network(
    ctx: AwsContext,
    spec: PlatformArgs,
    out: Outputs,
    registry: AwsModelRegistry | None,
    features: AwsFeatureStore | None,
) -> AwsNetwork | None:
    net = spec["network"]
    if not net["enabled"]:
        return None
    services = BASE_ENDPOINTS + (TRAINING_ENDPOINTS if spec["training"]["enabled"] else [])
    buckets: list[pulumi.Input[str]] = [b.bucket_arn for b in (registry, features) if b is not None]
    # The self-healing controller runs in these subnets: its lease (DynamoDB) and alerts (SNS) need a route.
    healing = heals(spec)
    services += ["sns"] if healing else []
    component = AwsNetwork(
        f"{ctx.name}-network",
        AwsNetworkArgs(
            **ctx.keyed(),
            cidr=net["cidr"],
            availability_zones=net["availability_zones"],
            flow_log_retention_days=net["flow_log_retention_days"],
            interface_services=services,
            bucket_arns=buckets,
            image_layers=spec["training"]["enabled"],
            dynamodb_tables=[lease_table_name(ctx.prefix)] if healing and runner(spec) == "lambda" else [],
            # the budget guard's cost export (read only), when self-healing reads one
            read_only_prefixes=[
                uri
                for uri in [spec["budget"].get("cost_export_s3_uri")]
                if uri and healing and spec["budget"]["enabled"]
            ],
        ),
        opts=ctx.opts,
    )
    out["network"] = {"vpcId": component.vpc_id, "subnetIds": component.subnet_ids}
    return component


def registry(ctx: AwsContext, spec: PlatformArgs, out: Outputs) -> AwsModelRegistry | None:
    reg = spec["registry"]
    if not reg["enabled"]:
        return None
    component = AwsModelRegistry(
        f"{ctx.name}-registry",
        AwsModelRegistryArgs(
            **ctx.keyed(),
            artifact_retention_days=reg["artifact_retention_days"],
            noncurrent_version_days=reg["noncurrent_version_days"],
            images_to_keep=reg["images_to_keep"],
        ),
        opts=ctx.opts,
    )
    out["registry"] = {
        "bucket": component.bucket_name,
        "modelPackageGroup": component.model_package_group_name,
        "repositoryUrl": component.repository_url,
    }
    return component


def feature_store(ctx: AwsContext, spec: PlatformArgs, out: Outputs) -> AwsFeatureStore | None:
    if not spec["feature_store"]["enabled"]:
        return None
    component = AwsFeatureStore(
        f"{ctx.name}-features",
        AwsFeatureStoreArgs(
            **ctx.keyed(),
            noncurrent_version_days=spec["registry"]["noncurrent_version_days"],
            groups=spec["feature_store"]["groups"],
        ),
        opts=ctx.opts,
    )
    out["featureStore"] = {
        "bucket": component.bucket_name,
        "groups": component.feature_group_names,
        "glueDatabase": component.glue_database,
    }
    return component


def audit(
    ctx: AwsContext,
    spec: PlatformArgs,
    out: Outputs,
    registry: AwsModelRegistry | None,
    features: AwsFeatureStore | None,
) -> AwsAudit | None:
    if not spec["audit"]["enabled"]:
        return None
    buckets: list[pulumi.Input[str]] = [b.bucket_arn for b in (registry, features) if b is not None]
    component = AwsAudit(
        f"{ctx.name}-audit",
        AwsAuditArgs(
            **ctx.keyed(),
            retention_days=spec["audit"]["retention_days"],
            log_retention_days=spec["network"]["flow_log_retention_days"],
            data_event_bucket_arns=buckets,
        ),
        opts=ctx.opts,
    )
    out["audit"] = {"trailArn": component.trail_arn, "bucket": component.bucket_name}
    return component


def access(
    ctx: AwsContext,
    spec: PlatformArgs,
    out: Outputs,
    network: AwsNetwork | None,
    registry: AwsModelRegistry | None,
    features: AwsFeatureStore | None,
    audit: AwsAudit | None,
    sources: ModelSources,
) -> AwsAccess:
    component = AwsAccess(
        f"{ctx.name}-access",
        AwsAccessArgs(
            **ctx.keyed(),
            personas=dict(spec["access"]["personas"]),
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
            cluster_name=cluster_name(ctx, spec),
            budget_name=aws_name("budget", ctx.prefix, "monthly") if spec["budget"]["enabled"] else None,
            self_healing=heals(spec),
        ),
        opts=ctx.opts,
    )
    out["access"] = {
        "boundaryArn": component.boundary_arn,
        "executionRoleArn": component.execution_role_arn,
        "trainingJobRoleArn": component.training_role_arn,
        "personaRoleArns": component.persona_role_arns,
    }
    return component


def cluster_name(ctx: AwsContext, spec: PlatformArgs) -> str | None:
    """The EKS cluster's name, known before the cluster so access can scope its policies to it."""
    return aws_name("eks-cluster", ctx.prefix, "training") if spec["training"]["enabled"] else None


def training(
    ctx: AwsContext,
    spec: PlatformArgs,
    out: Outputs,
    network: AwsNetwork | None,
    registry: AwsModelRegistry | None,
    access: AwsAccess,
) -> AwsTrainingCluster | None:
    name = cluster_name(ctx, spec)
    if network is None or name is None:
        return None
    pools, reasons = [], {}
    for pool in spec["training"]["pools"]:
        resolved, reason = resolve_pool(pool, ctx.account.region)
        pools.append(resolved)
        reasons[pool["name"]] = {
            "instanceTypes": resolved["instance_types"],
            "capacityType": "SPOT" if resolved["spot"] else "ON_DEMAND",
            "gpu": resolved["gpu"],
            "reason": reason,
        }
    k8s = spec.get("kubernetes")
    if k8s is not None:
        # Every training pool is tainted for training (and spot): without an untainted on-demand pool, the
        # in-cluster layer's services (MLflow, its database, Feast) and Karpenter itself have nowhere to run.
        pools.append(platform_pool(k8s["node_instance_type"]))
        reasons[PLATFORM_POOL] = {
            "instanceTypes": [k8s["node_instance_type"]],
            "capacityType": "ON_DEMAND",
            "gpu": False,
            "reason": "the in-cluster layer's services: kubernetes.nodeInstanceType, untainted, on demand",
        }
    component = AwsTrainingCluster(
        f"{ctx.name}-training",
        AwsTrainingClusterArgs(
            **ctx.keyed(),
            cluster_name=name,
            kubernetes_version=spec["training"]["kubernetes_version"],
            control_plane_cidrs=list(spec["training"]["control_plane_cidrs"]),
            subnet_ids=network.subnet_ids,
            log_retention_days=spec["network"]["flow_log_retention_days"],
            pools=pools,
            persona_role_arns=dict(access.persona_roles),
            # The in-cluster layer's RoleBindings name the groups `mlkeel:<persona>`.
            persona_groups=spec.get("kubernetes") is not None,
        ),
        opts=ctx.opts,
    )
    spot = spec["training"]["spot_jobs"]
    bucket = registry.bucket_name if registry else None
    out["training"] = {
        "cluster": component.cluster_name,
        "pools": reasons,
        "spotJobs": {
            "roleArn": access.training_role_arn,
            "enableManagedSpotTraining": True,
            "maxRuntimeInSeconds": int(spot["max_runtime_hours"] * 3600),
            "maxWaitTimeInSeconds": int(spot["max_wait_hours"] * 3600),
            "checkpointS3Uri": pulumi.Output.format("s3://{0}/{1}", bucket, CHECKPOINTS_PREFIX)
            if bucket
            else None,
            "checkpointLocalPath": "/opt/ml/checkpoints",
            "outputS3Uri": pulumi.Output.format("s3://{0}/{1}", bucket, TRAINING_OUTPUT_PREFIX)
            if bucket
            else None,
            "volumeKmsKeyId": ctx.key,
            "outputKmsKeyId": ctx.key,
            "subnets": network.subnet_ids,
            "securityGroupIds": [network.workload_security_group_id],
            "enableNetworkIsolation": True,
            "enableInterContainerTrafficEncryption": True,
        },
    }
    return component


def monitoring(
    ctx: AwsContext, spec: PlatformArgs, out: Outputs, endpoints: list[AwsEndpointArgs]
) -> AwsMonitoring | None:
    """Alarms and the alert topic; each endpoint's rollback alarms are handed back into its args."""
    mon = spec["monitoring"]
    if not mon["enabled"]:
        return None
    component = AwsMonitoring(
        f"{ctx.name}-monitoring",
        AwsMonitoringArgs(
            **ctx.keyed(),
            alert_emails=list(mon["alert_emails"]),
            latency_p99_ms=mon["latency_p99_ms"],
            error_rate_percent=mon["error_rate_percent"],
            drift_share_threshold=mon["drift_share_threshold"],
            drift_schedule=mon["drift_schedule"],
            endpoints=[
                AwsEndpointWatch(
                    key=e["key"],
                    endpoint_name=e["endpoint_name"],
                    variants=[v["name"] for v in e["variants"]],
                )
                for e in endpoints
            ],
        ),
        opts=ctx.opts,
    )
    for endpoint in endpoints:
        endpoint["rollback_alarms"] = list(component.rollback_alarms.get(endpoint["key"], []))
    out["monitoring"] = {
        "topicArn": component.topic_arn,
        "driftMetric": {"namespace": DRIFT_NAMESPACE, "metric": DRIFT_METRIC, "dimension": DRIFT_DIMENSION},
    }
    return component


def serving(
    ctx: AwsContext,
    spec: PlatformArgs,
    out: Outputs,
    endpoints: list[AwsEndpointArgs],
    network: AwsNetwork | None,
    registry: AwsModelRegistry | None,
    access: AwsAccess,
    monitoring: AwsMonitoring | None,
) -> AwsServing | None:
    """The endpoints, and a data-quality schedule on each one that captures data (with monitoring on)."""
    if not spec["serving"]["enabled"] or registry is None:
        return None
    component = AwsServing(
        f"{ctx.name}-serving",
        AwsServingArgs(
            **ctx.keyed(),
            execution_role_arn=access.execution_role_arn,
            bucket_name=registry.bucket_name,
            subnet_ids=network.subnet_ids if network else [],
            security_group_ids=[network.workload_security_group_id] if network else [],
            endpoints=endpoints,
            log_retention_days=spec["network"]["flow_log_retention_days"],
        ),
        opts=ctx.opts,
    )
    out["serving"] = {
        "endpoints": component.endpoint_names,
        "dataCaptureUri": component.data_capture_uri,
        "executionRoleArn": access.execution_role_arn,
        "alertTopicArn": monitoring.topic_arn if monitoring else None,
        "note": None if endpoints else NO_MODEL_NOTE,
    }
    if monitoring is not None and network is not None:
        for endpoint in endpoints:
            if endpoint["data_capture_percent"] == 0:
                continue
            AwsDataQualityMonitor(
                f"{ctx.name}-monitoring-{endpoint['key']}",
                AwsDataQualityMonitorArgs(
                    **ctx.keyed(),
                    endpoint_key=endpoint["key"],
                    endpoint_name=component.endpoints[endpoint["key"]].endpoint_name,
                    role_arn=access.execution_role_arn,
                    bucket_name=registry.bucket_name,
                    subnet_ids=network.subnet_ids,
                    security_group_ids=[network.workload_security_group_id],
                    schedule=spec["monitoring"]["drift_schedule"],
                ),
                opts=pulumi.ResourceOptions(parent=monitoring),
            )
    return component


def budget(
    ctx: AwsContext, spec: PlatformArgs, out: Outputs, monitoring: AwsMonitoring | None
) -> AwsBudget | None:
    bud = spec["budget"]
    if not bud["enabled"]:
        return None
    component = AwsBudget(
        f"{ctx.name}-budget",
        AwsBudgetArgs(
            **ctx.keyed(),
            team=spec["team"],
            monthly_limit_usd=bud["monthly_limit_usd"],
            alert_thresholds=list(bud["alert_thresholds"]),
            topic_arn=monitoring.topic_arn if monitoring else None,
            alert_emails=list(spec["monitoring"]["alert_emails"]),
        ),
        opts=ctx.opts,
    )
    out["budget"] = {
        "name": component.budget_name,
        "filter": team_filter(spec["team"]),
        "monthlyLimitUsd": bud["monthly_limit_usd"],
    }
    return component


def heals(spec: PlatformArgs) -> bool:
    """Whether the stack runs the self-healing controller: on in the spec, a registry, endpoints to heal."""
    healing: Any = dict(spec).get("self_healing")
    return bool(
        healing and healing.get("enabled") and spec["registry"]["enabled"] and spec["serving"]["enabled"]
    )


def runner(spec: PlatformArgs) -> str:
    """Where the controller runs: ``selfHealing.runner``, else Lambda (the spec admits lambda|kubernetes)."""
    healing: Any = dict(spec).get("self_healing") or {}
    return str(healing.get("runner") or "lambda")


def self_healing(
    ctx: AwsContext,
    spec: PlatformArgs,
    out: Outputs,
    endpoints: list[AwsEndpointArgs],
    network: AwsNetwork | None,
    registry: AwsModelRegistry | None,
    access: AwsAccess,
    monitoring: AwsMonitoring | None,
    layer: K8sLayer | None = None,
) -> AwsSelfHealing | EksSelfHealing | None:
    """The controller on a schedule, when the spec switches it on and there is a registry to retrain into
    and endpoints to heal: Scheduler → Lambda from the stack's image, or (``runner: kubernetes``) a CronJob
    of the same image in the stack's EKS cluster."""
    # The spec's section as a plain dict (``SelfHealingSpec.model_dump()``): handed whole to the controller,
    # with the runner resolved (the spec leaves it unset for the cloud's default).
    healing: Any = dict(spec).get("self_healing")
    if not heals(spec) or registry is None:
        return None
    where = runner(spec)
    names = [e["endpoint_name"] for e in endpoints]
    args = AwsSelfHealingArgs(
        **ctx.keyed(),
        stack=ctx.prefix,
        residency_zone=spec["residency_zone"],
        schedule=healing["schedule"],
        policy={**healing, "runner": where},
        repository_arn=registry.repository_arn,
        repository_url=registry.repository_url,
        bucket_name=registry.bucket_name,
        bucket_arn=registry.bucket_arn,
        model_package_group_name=registry.model_package_group_name,
        endpoint_names=list(names),
        alarms={e["endpoint_name"]: list(e["rollback_alarms"]) for e in endpoints},
        rollout={
            e["endpoint_name"]: {
                "strategy": e["rollout"]["strategy"],
                "canary_percent": e["rollout"]["canary_percent"],
                "wait_minutes": e["rollout"]["wait_minutes"],
            }
            for e in endpoints
        },
        training_role_arn=access.training_role_arn,
        model_role_arn=access.execution_role_arn,
        topic_arn=monitoring.topic_arn if monitoring else None,
        subnet_ids=network.subnet_ids if network else None,
        security_group_ids=[network.workload_security_group_id] if network else [],
        log_retention_days=spec["network"]["flow_log_retention_days"],
        monthly_budget_usd=spec["budget"]["monthly_limit_usd"] if spec["budget"]["enabled"] else None,
        budget_name=aws_name("budget", ctx.prefix, "monthly") if spec["budget"]["enabled"] else None,
        cost_export_uri=spec["budget"].get("cost_export_s3_uri") if spec["budget"]["enabled"] else None,
    )
    if where == "kubernetes":
        from components.platform.kubernetes import scrapes

        cluster = cluster_name(ctx, spec)
        if layer is None or cluster is None:  # pragma: no cover - the spec rules refuse it
            raise ValueError("selfHealing.runner 'kubernetes' needs the stack's EKS cluster and its layer")
        pods = EksSelfHealing(
            f"{ctx.name}-self-healing",
            EksSelfHealingArgs(
                **args, cluster_name=cluster, namespace=layer.namespace, pushgateway=scrapes(spec)
            ),
            opts=pulumi.ResourceOptions.merge(ctx.opts, pulumi.ResourceOptions(providers=[layer.provider])),
        )
        out["selfHealing"] = {
            "runner": where,
            "cronJob": pods.cron_job_name,
            "lease": pods.lease_name,
            "serviceAccount": pods.service_account,
            "roleArn": pods.role_arn,
            "imageTag": IMAGE_TAG,
        }
        return pods
    component = AwsSelfHealing(f"{ctx.name}-self-healing", args, opts=ctx.opts)
    out["selfHealing"] = {
        "function": component.function_name,
        "schedule": component.schedule_name,
        "leaseTable": component.lease_table_name,
        "roleArn": component.role_arn,
        "logGroup": component.log_group_name,
        "imageTag": IMAGE_TAG,
    }
    return component


def kubernetes_layer(
    platform: pulumi.ComponentResource,
    ctx: AwsContext,
    spec: PlatformArgs,
    out: Outputs,
    cluster: AwsTrainingCluster,
    network: AwsNetwork,
    registry: AwsModelRegistry | None,
) -> K8sLayer:
    """The spec's ``kubernetes:`` layer inside the training cluster (components/platform/kubernetes.py)."""
    from components.platform.kubernetes import EksCluster, on_eks

    return on_eks(
        platform,
        ctx.name,
        spec,
        ctx.tags,
        EksCluster(
            provider=ctx.account.provider,
            region=ctx.account.region,
            account_id=ctx.account.account_id,
            partition=ctx.account.partition,
            role_path=ctx.role_path,
            cluster_name=cluster.cluster_name,
            node_role_arn=cluster.node_role_arn,
            subnet_ids=network.subnet_ids,
            encryption_key=ctx.keyed()["encryption_key"],
            bucket_name=registry.bucket_name if registry else None,
            bucket_arn=registry.bucket_arn if registry else None,
            pools=out["training"]["pools"],
        ),
        out,
    )


# ------------------------------------------------------------------------------------------ compose
def compose(
    platform: pulumi.ComponentResource, name: str, spec: PlatformArgs, tags: dict[str, str]
) -> Outputs:
    """Create every capability the spec switches on, in dependency order; return the stack outputs."""
    account = make_provider(platform, name, spec["region"], tags)
    path = role_path(spec)
    ctx = AwsContext(
        name=name,
        prefix=spec["prefix"],
        tags=tags,
        account=account,
        role_path=path,
        opts=pulumi.ResourceOptions(parent=platform, providers=[account.provider]),
    )
    out: Outputs = {"accountId": account.account_id, "rolePath": path}

    ctx = replace(ctx, key=encryption(ctx, spec, out).key_arn)
    reg = registry(ctx, spec, out)
    features = feature_store(ctx, spec, out)
    # The network after the buckets: its S3 gateway endpoint admits exactly those buckets.
    net = network(ctx, spec, out, reg, features)
    trail = audit(ctx, spec, out, reg, features)
    # Model sources before access: the execution role may pull exactly these images and archives.
    sources = ModelSources(account, platform, reg.bucket_name if reg else None)
    endpoints = (
        sources.endpoints(ctx.prefix, spec["serving"]["endpoints"]) if spec["serving"]["enabled"] else []
    )
    roles = access(ctx, spec, out, net, reg, features, trail, sources)
    cluster = training(ctx, spec, out, net, reg, roles)
    layer = None
    if cluster is not None and net is not None and spec.get("kubernetes") is not None:
        layer = kubernetes_layer(platform, ctx, spec, out, cluster, net, reg)
    alarms = monitoring(ctx, spec, out, endpoints)
    serving(ctx, spec, out, endpoints, net, reg, roles, alarms)
    self_healing(ctx, spec, out, endpoints, net, reg, roles, alarms, layer)
    budget(ctx, spec, out, alarms)
    return out
