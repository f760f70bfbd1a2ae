"""AWS pricers: how each priced AWS type's properties become cost lines, and the AWS types that are free.

Properties are the provider schema's camelCase names as the state holds them. Prices are the catalog's
(EC2 and SageMaker hosting types, and per-unit SKUs such as ``eks.cluster`` or ``ebs.gp3.storage``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from runtime.cost._model import HOURS_PER_MONTH, CostLine
from runtime.cost._state import StateResource
from runtime.cost.pricers._base import (
    CONFIGURATION,
    DEFINITION_ONLY,
    GOVERNANCE_IS_FREE,
    IAM_IS_FREE,
    NETWORK_IS_FREE,
    Context,
    PriceMissing,
    PricerTable,
    block,
    bounds,
    fixed,
    hourly,
    instance_type,
    node_hourly,
    number,
    per_node_storage,
    readable,
    region,
    sku_usd,
    usage_line,
)

_ENDPOINT_CONFIG = "aws:sagemaker/endpointConfiguration:EndpointConfiguration"
_SCALING_TARGET = "aws:appautoscaling/target:Target"
_JOB_DEFINITION = "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition"
_LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"


def price_eks_cluster(res: StateResource, ctx: Context) -> list[CostLine]:
    where = region(res, ctx)
    return [hourly("Cluster", sku_usd(ctx, res, where, "eks.cluster"), 1, 1, 1, "always on, 730 h/month")]


def price_eks_node_group(res: StateResource, ctx: Context) -> list[CostLine]:
    where = region(res, ctx)
    props = res.props
    types = [t for t in (props.get("instanceTypes") or []) if isinstance(t, str)]
    type_note = ""
    if not types:
        types, type_note = ["t3.medium"], "no instanceTypes: EKS default t3.medium; "
    spot = str(props.get("capacityType", "ON_DEMAND")).upper() == "SPOT"
    prices = [node_hourly(instance_type(ctx, "aws", where, name), spot) for name in types]
    node_price = sum(prices) / len(prices)
    scaling = block(props, "scalingConfig")
    lo, hi = bounds(scaling, "minSize", "maxSize", 1)
    desired = number(scaling.get("desiredSize"), lo)
    nodes, source = ctx.usage_value(res, "nodes")
    if nodes < 0:
        nodes, source = min(max(desired, lo), hi), "desired size" if "desiredSize" in scaling else "minimum"
    mix = "mean of " + ", ".join(types) if len(types) > 1 else types[0]
    label = f"Nodes ({'spot' if spot else 'on-demand'} {', '.join(types)})"
    assumption = (
        f"{type_note}{nodes:g} nodes ({source}), range {lo:g}..{hi:g} nodes x 730 h; "
        f"{'spot' if spot else 'on-demand'} ${node_price:.4f}/h ({mix})"
    )
    return [
        hourly(label, node_price, nodes, lo, hi, assumption, "Dynamic" if spot else "Standard"),
        *(
            per_node_storage(
                f"Node disks ({volume_type})",
                size,
                nodes,
                lo,
                hi,
                sku_usd(ctx, res, where, f"ebs.{volume_type}.storage"),
                f"{size:g} GiB per node{note}",
            )
            for volume_type, size, note in _node_disks(res, ctx)
        ),
    ]


def _launch_template_of(res: StateResource, ctx: Context) -> StateResource | None:
    """The launch template a node group's ``launchTemplate`` block names, by id or by name."""
    ref = block(res.props, "launchTemplate")
    if not ref:
        return None
    return (
        ctx.named(_LAUNCH_TEMPLATE, ref.get("id"))
        or ctx.named(_LAUNCH_TEMPLATE, ref.get("name"))
        or ctx.dependency_of_type(res, _LAUNCH_TEMPLATE)
    )


def _node_disks(res: StateResource, ctx: Context) -> list[tuple[str, float, str]]:
    """(EBS volume type, GiB per node, note) of a node group's disks.

    EKS refuses ``diskSize`` on a node group with a launch template, so the size is the template's
    ``blockDeviceMappings[].ebs.volumeSize`` (every mapping is a disk on every node). A template that sets
    no size leaves the EKS AMI's 20 GiB root volume, as does a node group with neither.
    """
    props = res.props
    if "diskSize" in props or not block(props, "launchTemplate"):
        return [("gp3", number(props.get("diskSize"), 20), "" if "diskSize" in props else " (EKS default)")]
    template = _launch_template_of(res, ctx)
    if template is None:
        return [("gp3", 20, " (its launch template is not in the state: EKS default)")]
    name = template.props.get("name") or template.name
    sizes: dict[str, float] = {}
    for mapping in template.props.get("blockDeviceMappings") or []:
        ebs = block(mapping, "ebs") if isinstance(mapping, Mapping) else {}
        size = number(ebs.get("volumeSize"), 0)
        if size > 0:
            volume_type = str(ebs.get("volumeType") or "gp3")
            sizes[volume_type] = sizes.get(volume_type, 0) + size
    if not sizes:
        return [("gp3", 20, f" (launch template {name} sets no volumeSize: EKS default)")]
    return [(volume_type, size, f" (launch template {name})") for volume_type, size in sizes.items()]


def _endpoint_config_for(res: StateResource, ctx: Context) -> StateResource | None:
    return ctx.named(_ENDPOINT_CONFIG, res.props.get("endpointConfigName")) or ctx.dependency_of_type(
        res, _ENDPOINT_CONFIG
    )


def _targets_index(ctx: Context) -> dict[str, list[tuple[str, StateResource]]]:
    """SageMaker autoscaling targets by ``name:<endpoint>`` (from ``resourceId``) and ``urn:<dependency>``."""
    index: dict[str, list[tuple[str, StateResource]]] = {}
    for target in ctx.by_type.get(_SCALING_TARGET, []):
        if target.props.get("serviceNamespace") != "sagemaker":
            continue
        rid = str(target.props.get("resourceId") or "")
        m = re.match(r"^endpoint/([^/]+)/variant/([^/]+)$", rid)
        variant = m.group(2) if m else str(target.props.get("variantName") or "*")
        if m:
            index.setdefault(f"name:{m.group(1)}", []).append((variant, target))
        for dep in target.dependencies:
            index.setdefault(f"urn:{dep}", []).append((variant, target))
    return index


def _scaling_targets(endpoint: StateResource, ctx: Context) -> dict[str, tuple[float, float]]:
    """Variant name -> (min, max) from Application Auto Scaling targets on this endpoint."""
    index = ctx.index("aws.sagemaker-scaling-targets", _targets_index)
    name = endpoint.props.get("name")
    found = index.get(f"name:{name if isinstance(name, str) else None}", []) + index.get(
        f"urn:{endpoint.urn}", []
    )
    unique = {id(t): (v, t) for v, t in found}.values()
    return {variant: bounds(target.props, "minCapacity", "maxCapacity", 1) for variant, target in unique}


def price_sagemaker_endpoint(res: StateResource, ctx: Context) -> list[CostLine]:
    where = region(res, ctx)
    cfg = _endpoint_config_for(res, ctx)
    if cfg is None:
        raise PriceMissing(
            "its endpoint configuration is not in the state (needed for instance types and counts)"
        )
    targets = _scaling_targets(res, ctx)
    lines: list[CostLine] = []
    variants = [(v, "") for v in cfg.props.get("productionVariants") or []]
    variants += [(v, "shadow ") for v in cfg.props.get("shadowProductionVariants") or []]
    for variant, kind in variants:
        if not isinstance(variant, Mapping):
            continue
        vname = str(variant.get("variantName") or "AllTraffic")
        if variant.get("serverlessConfig"):
            raise PriceMissing(
                f"variant '{vname}' is serverless (priced per request and GB-second, not in catalog)"
            )
        itype = str(variant.get("instanceType") or "")
        it = instance_type(ctx, "aws", where, itype, "SageMaker hosting type")
        count = number(variant.get("initialInstanceCount"), 1)
        managed = block(variant, "managedInstanceScaling")
        if vname in targets or "*" in targets:
            lo, hi = targets.get(vname) or targets["*"]
            scale_note = f"autoscaling target {lo:g}..{hi:g}"
        elif managed and managed.get("status", "ENABLED") == "ENABLED" and "maxInstanceCount" in managed:
            lo, hi = bounds(managed, "minInstanceCount", "maxInstanceCount", 1)
            scale_note = f"managed instance scaling {lo:g}..{hi:g}"
        else:
            lo = hi = count
            scale_note = "no autoscaling"
        point = min(max(count, lo), hi)
        lines.append(
            hourly(
                f"{kind.capitalize() or ''}Variant {vname} ({itype})".strip(),
                it.on_demand_hourly,
                point,
                lo,
                hi,
                f"{point:g} instances (initial count), {scale_note}, x 730 h at ${it.on_demand_hourly:.4f}/h",
            )
        )
    capture = cfg.props.get("dataCaptureConfig")
    if capture and (not isinstance(capture, Mapping) or capture.get("enableCapture", True)):
        lines.append(
            usage_line(
                ctx, res, where, "data_capture_gb", "sagemaker.data-capture.storage", "Data capture storage"
            )
        )
    return lines


def runs_per_month(expression: str) -> tuple[float, str]:
    """Runs a month of a SageMaker schedule ``cron(min hour dom month dow year)``; hourly when unparsable."""
    m = re.match(r"^cron\((\S+) (\S+) (\S+) (\S+) (\S+)(?: (\S+))?\)$", expression.strip())
    if not m:
        return HOURS_PER_MONTH, f"schedule {expression!r} not understood: assumed hourly"
    hour = m.group(2)
    days = 30.42
    if hour == "*":
        return HOURS_PER_MONTH, "hourly"
    step = re.match(r"^(?:\*|\d+)/(\d+)$", hour)
    if step:
        per_day = 24 / int(step.group(1))
        return per_day * days, f"every {step.group(1)} h"
    per_day = len(hour.split(","))
    return per_day * days, f"{per_day} a day"


def price_monitoring_schedule(res: StateResource, ctx: Context) -> list[CostLine]:
    where = region(res, ctx)
    config = block(res.props, "monitoringScheduleConfig")
    wanted = config.get("monitoringJobDefinitionName")
    definition = ctx.named(_JOB_DEFINITION, wanted) or ctx.dependency_of_type(res, _JOB_DEFINITION)
    if definition is None:
        raise PriceMissing("its monitoring job definition is not in the state (needed for the instance type)")
    cluster = block(definition.props, "jobResources", "clusterConfig")
    itype = str(cluster.get("instanceType") or "ml.m5.xlarge")
    count = number(cluster.get("instanceCount"), 1)
    it = instance_type(ctx, "aws", where, itype, "SageMaker type")
    expression = str(block(config, "scheduleConfig").get("scheduleExpression") or "")
    runs, cadence = runs_per_month(expression)
    minutes, source = ctx.usage_value(res, "run_minutes")
    return [
        fixed(
            f"Monitoring jobs ({count:g} x {itype})",
            "instance-hour",
            runs * count * minutes / 60,
            it.on_demand_hourly,
            f"{runs:,.0f} runs/month ({cadence}) x {readable(minutes)} min ({source}); priced at the {itype} "
            "hosting rate (processing is billed at a similar per-second rate)",
            usage_based=True,
        )
    ]


def price_feature_group(res: StateResource, ctx: Context) -> list[CostLine]:
    where = region(res, ctx)
    lines: list[CostLine] = []
    online = res.props.get("onlineStoreConfig")
    if online and (not isinstance(online, Mapping) or online.get("enableOnlineStore", True)):
        for key, sku, label in (
            ("monthly_write_units_millions", "sagemaker.featurestore.write", "Online writes"),
            ("monthly_read_units_millions", "sagemaker.featurestore.read", "Online reads"),
            ("online_storage_gb", "sagemaker.featurestore.storage", "Online storage"),
        ):
            lines.append(usage_line(ctx, res, where, key, sku, label))
    if res.props.get("offlineStoreConfig"):
        lines.append(
            usage_line(ctx, res, where, "offline_storage_gb", "s3.standard.storage", "Offline store (S3)")
        )
    return lines


def price_s3_bucket(res: StateResource, ctx: Context) -> list[CostLine]:
    where = region(res, ctx)
    return [
        usage_line(ctx, res, where, "storage_gb", "s3.standard.storage", "Standard storage"),
        usage_line(
            ctx, res, where, "monthly_tier1_requests", "s3.requests.tier1", "PUT/LIST requests", per=1000
        ),
        usage_line(ctx, res, where, "monthly_tier2_requests", "s3.requests.tier2", "GET requests", per=1000),
    ]


def price_kms_key(res: StateResource, ctx: Context) -> list[CostLine]:
    where = region(res, ctx)
    return [
        fixed(
            "Customer managed key",
            "key-month",
            1,
            sku_usd(ctx, res, where, "kms.key"),
            "1 key; rotated key material is included",
        ),
        usage_line(ctx, res, where, "monthly_requests", "kms.requests", "API requests", per=10_000),
    ]


def price_log_group(res: StateResource, ctx: Context) -> list[CostLine]:
    where = region(res, ctx)
    ingest, source = ctx.usage_value(res, "monthly_ingest_gb")
    retention = number(res.props.get("retentionInDays"), 0)
    months = min(retention / 30.0, 12.0) if retention else 12.0
    storage_price = sku_usd(ctx, res, where, "cloudwatch.logs.storage")
    return [
        usage_line(ctx, res, where, "monthly_ingest_gb", "cloudwatch.logs.ingest", "Log ingestion"),
        fixed(
            "Log storage",
            "GB-month",
            ingest * months,
            storage_price,
            f"steady state {ingest:g} GB/month ({source}) x {months:g} months kept"
            + (f" (retentionInDays={retention:g})" if retention else " (never expires: capped at 12 months)"),
            usage_based=True,
        ),
    ]


def price_vpc_endpoint(res: StateResource, ctx: Context) -> list[CostLine]:
    where = region(res, ctx)
    kind = str(res.props.get("vpcEndpointType") or "Gateway")
    if kind != "Interface":
        return [
            fixed("Gateway endpoint", "endpoint", 1, 0.0, f"{kind} endpoints have no hourly or data charge")
        ]
    subnets = res.props.get("subnetIds") or []
    azs = len(subnets) if isinstance(subnets, list) and subnets else 2
    return [
        hourly(
            f"Interface endpoint ({azs} AZs)",
            sku_usd(ctx, res, where, "vpc.interface-endpoint"),
            azs,
            azs,
            azs,
            f"{azs} AZ attachments" + ("" if subnets else " (no subnetIds: assumed 2)") + " x 730 h",
        ),
        usage_line(ctx, res, where, "monthly_data_gb", "vpc.interface-endpoint.data", "Data processed"),
    ]


def price_nat_gateway(res: StateResource, ctx: Context) -> list[CostLine]:
    where = region(res, ctx)
    return [
        hourly(
            "NAT gateway",
            sku_usd(ctx, res, where, "vpc.nat-gateway"),
            1,
            1,
            1,
            "always on, 730 h; data processing not included",
        )
    ]


def price_cloudtrail(res: StateResource, ctx: Context) -> list[CostLine]:
    where = region(res, ctx)
    lines = [fixed("Management events", "100k events", 0, 0.0, "first copy of management events is free")]
    selectors = res.props.get("advancedEventSelectors") or res.props.get("eventSelectors") or []
    if any("data" in str(s).lower() or "dataResources" in str(s) for s in selectors):
        lines.append(
            usage_line(
                ctx, res, where, "monthly_data_events", "cloudtrail.data-events", "Data events", per=100_000
            )
        )
    return lines


def price_ecr(res: StateResource, ctx: Context) -> list[CostLine]:
    where = region(res, ctx)
    return [usage_line(ctx, res, where, "storage_gb", "ecr.storage", "Image storage")]


def price_metric_alarm(res: StateResource, ctx: Context) -> list[CostLine]:
    where = region(res, ctx)
    return [
        fixed("Alarm", "alarm-month", 1, sku_usd(ctx, res, where, "cloudwatch.alarm"), "standard resolution")
    ]


def price_dashboard(res: StateResource, ctx: Context) -> list[CostLine]:
    where = region(res, ctx)
    return [
        fixed(
            "Dashboard",
            "dashboard-month",
            1,
            sku_usd(ctx, res, where, "cloudwatch.dashboard"),
            "assumes the account's 3 free dashboards are used elsewhere",
        )
    ]


def price_sns_topic(res: StateResource, ctx: Context) -> list[CostLine]:
    where = region(res, ctx)
    return [usage_line(ctx, res, where, "monthly_requests_millions", "sns.requests", "Publishes")]


_AI_ML = "AI and Machine Learning"
_GOVERNANCE = "Management and Governance"

PRICERS: PricerTable = {
    "aws:eks/cluster:Cluster": (price_eks_cluster, "Amazon Elastic Kubernetes Service", "Compute"),
    "aws:eks/nodeGroup:NodeGroup": (price_eks_node_group, "Amazon Elastic Compute Cloud", "Compute"),
    "aws:sagemaker/endpoint:Endpoint": (price_sagemaker_endpoint, "Amazon SageMaker", _AI_ML),
    "aws:sagemaker/featureGroup:FeatureGroup": (price_feature_group, "Amazon SageMaker", _AI_ML),
    "aws:sagemaker/monitoringSchedule:MonitoringSchedule": (
        price_monitoring_schedule,
        "Amazon SageMaker",
        _AI_ML,
    ),
    "aws:s3/bucket:Bucket": (price_s3_bucket, "Amazon Simple Storage Service", "Storage"),
    "aws:s3/bucketV2:BucketV2": (price_s3_bucket, "Amazon Simple Storage Service", "Storage"),
    "aws:kms/key:Key": (price_kms_key, "AWS Key Management Service", "Security"),
    "aws:cloudwatch/logGroup:LogGroup": (price_log_group, "AmazonCloudWatch", _GOVERNANCE),
    "aws:cloudwatch/metricAlarm:MetricAlarm": (price_metric_alarm, "AmazonCloudWatch", _GOVERNANCE),
    "aws:cloudwatch/dashboard:Dashboard": (price_dashboard, "AmazonCloudWatch", _GOVERNANCE),
    "aws:ec2/vpcEndpoint:VpcEndpoint": (price_vpc_endpoint, "Amazon Virtual Private Cloud", "Networking"),
    "aws:ec2/natGateway:NatGateway": (price_nat_gateway, "Amazon Virtual Private Cloud", "Networking"),
    "aws:cloudtrail/trail:Trail": (price_cloudtrail, "AWS CloudTrail", _GOVERNANCE),
    "aws:ecr/repository:Repository": (price_ecr, "Amazon Elastic Container Registry", "Storage"),
    "aws:sns/topic:Topic": (price_sns_topic, "Amazon Simple Notification Service", "Integration"),
}

FREE_TYPES: dict[str, str] = {
    **dict.fromkeys(
        (
            "aws:iam/role:Role",
            "aws:iam/rolePolicy:RolePolicy",
            "aws:iam/policy:Policy",
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            "aws:iam/instanceProfile:InstanceProfile",
            "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
            "aws:eks/podIdentityAssociation:PodIdentityAssociation",
            "aws:eks/accessEntry:AccessEntry",
            "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
        ),
        IAM_IS_FREE,
    ),
    **dict.fromkeys(
        (
            "aws:kms/alias:Alias",
            "aws:kms/keyPolicy:KeyPolicy",
            "aws:s3/bucketPolicy:BucketPolicy",
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
            "aws:s3/bucketVersioning:BucketVersioning",
            "aws:s3/bucketVersioningV2:BucketVersioningV2",
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
            "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
            "aws:s3/bucketLogging:BucketLogging",
            "aws:s3/bucketLoggingV2:BucketLoggingV2",
            "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
            "aws:s3/bucketNotification:BucketNotification",
            "aws:ecr/lifecyclePolicy:LifecyclePolicy",
            "aws:ecr/repositoryPolicy:RepositoryPolicy",
            "aws:sagemaker/endpointConfiguration:EndpointConfiguration",
            "aws:appautoscaling/target:Target",
            "aws:appautoscaling/policy:Policy",
            "aws:sns/topicPolicy:TopicPolicy",
            "aws:sns/topicSubscription:TopicSubscription",
            "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
            "aws:ec2/launchTemplate:LaunchTemplate",
            "aws:eks/addon:Addon",
        ),
        CONFIGURATION,
    ),
    **dict.fromkeys(
        (
            "aws:ec2/vpc:Vpc",
            "aws:ec2/subnet:Subnet",
            "aws:ec2/routeTable:RouteTable",
            "aws:ec2/routeTableAssociation:RouteTableAssociation",
            "aws:ec2/route:Route",
            "aws:ec2/securityGroup:SecurityGroup",
            "aws:ec2/securityGroupRule:SecurityGroupRule",
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
            "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
            "aws:ec2/internetGateway:InternetGateway",
            "aws:ec2/flowLog:FlowLog",
            "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
        ),
        NETWORK_IS_FREE,
    ),
    **dict.fromkeys(
        (
            "aws:sagemaker/model:Model",
            "aws:sagemaker/modelPackageGroup:ModelPackageGroup",
            "aws:sagemaker/modelPackageGroupPolicy:ModelPackageGroupPolicy",
            "aws:sagemaker/pipeline:Pipeline",
            "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition",
            "aws:sagemaker/userProfile:UserProfile",
            "aws:cloudwatch/eventRule:EventRule",
            "aws:cloudwatch/eventTarget:EventTarget",
        ),
        DEFINITION_ONLY,
    ),
    **dict.fromkeys(
        ("aws:budgets/budget:Budget", "aws:costexplorer/costAllocationTag:CostAllocationTag"),
        GOVERNANCE_IS_FREE,
    ),
    "aws:glue/catalogDatabase:CatalogDatabase": (
        "Glue Data Catalog: the first million objects a month are free"
    ),
}
