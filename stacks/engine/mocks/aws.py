"""What the AWS provider answers: names, ids, ARNs, endpoints and merged default tags.

``RESOURCES`` maps a type token to a function adding that type's computed outputs; ``CALLS`` maps an
invoke token to its answer. Types without an entry get the generic treatment: auto-named ``name``, the
name as id, an ARN in the service's usual shape and ``tagsAll``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._schema import input_names, output_names

if TYPE_CHECKING:
    from . import MockContext

Outputs = dict[str, Any]
ResourceHandler = Callable[[Any, "MockContext", Outputs], str | None]
CallHandler = Callable[[Any, "MockContext"], dict[str, Any]]

#: type token -> handler(args, ctx, outputs) that fills computed outputs in place
#: and returns the id (or None).
RESOURCES: dict[str, ResourceHandler] = {}
#: invoke token -> handler(args, ctx) returning the result.
CALLS: dict[str, CallHandler] = {}

#: Services whose ARNs have no region / account (``arn:aws:iam::123:role/x``, ``arn:aws:s3:::bucket``).
_GLOBAL = {"iam", "cloudfront", "route53", "organizations"}
#: Name-carrying input per type where it is not ``name``.
NAME_PROPERTY = {"aws:s3/bucket:Bucket": "bucket", "aws:s3/bucketV2:BucketV2": "bucket"}
#: ID prefixes of EC2 resources.
_EC2_PREFIX = {
    "vpc": "vpc",
    "subnet": "subnet",
    "securityGroup": "sg",
    "vpcEndpoint": "vpce",
    "flowLog": "fl",
    "routeTable": "rtb",
    "internetGateway": "igw",
    "natGateway": "nat",
    "eip": "eipalloc",
    "networkAcl": "acl",
    "launchTemplate": "lt",
    "defaultSecurityGroup": "sg",
    "instance": "i",
}


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def parse_token(token: str) -> tuple[str, str, str]:
    """``aws:s3/bucket:Bucket`` -> (``s3``, ``bucket``, ``Bucket``)."""
    _, middle, cls = token.split(":", 2)
    module, _, resource = middle.partition("/")
    return module, resource or module, cls


def arn(ctx: MockContext, service: str, resource: str) -> str:
    if service == "s3":
        return f"arn:aws:s3:::{resource}"
    if service in _GLOBAL:
        return f"arn:aws:{service}::{ctx.account_id}:{resource}"
    return f"arn:aws:{service}:{ctx.region}:{ctx.account_id}:{resource}"


def new_resource(args: Any, ctx: MockContext) -> tuple[str, Outputs]:
    outputs: Outputs = dict(args.inputs)
    module, resource, cls = parse_token(args.typ)
    names = input_names(args.typ)
    name_prop = NAME_PROPERTY.get(args.typ, "name")
    if name_prop in names and not outputs.get(name_prop) and not outputs.get(f"{name_prop}Prefix"):
        outputs[name_prop] = ctx.autoname(args.name)
    name = str(outputs.get(name_prop) or args.name)
    if module == "ec2" and resource in _EC2_PREFIX:
        resource_id = f"{_EC2_PREFIX[resource]}-{ctx.digest(args.typ, args.name, length=17)}"
    else:
        resource_id = name
    if "region" in names:
        outputs.setdefault("region", ctx.region)
    if "arn" in output_names(args.typ):
        outputs.setdefault("arn", arn(ctx, module, f"{_kebab(cls)}/{name}"))
    if "tags" in names:
        outputs["tagsAll"] = {**ctx.default_tags(), **(outputs.get("tags") or {})}
    handler = RESOURCES.get(args.typ)
    if handler is not None:
        resource_id = handler(args, ctx, outputs) or resource_id
    outputs["id"] = resource_id
    return resource_id, outputs


def call(args: Any, ctx: MockContext) -> dict[str, Any]:
    handler = CALLS.get(args.token)
    return handler(args, ctx) if handler is not None else {}


# -- per-type computed outputs --------------------------------------------------------------------------
def _bucket(args: Any, ctx: MockContext, out: Outputs) -> str:
    bucket = out["bucket"]
    out["arn"] = arn(ctx, "s3", bucket)
    out["bucketDomainName"] = f"{bucket}.s3.amazonaws.com"
    out["bucketRegionalDomainName"] = f"{bucket}.s3.{ctx.region}.amazonaws.com"
    return str(bucket)


def _kms_key(args: Any, ctx: MockContext, out: Outputs) -> str:
    key_id = "-".join(
        ctx.digest("kms", args.name, length=32)[i:j]
        for i, j in ((0, 8), (8, 12), (12, 16), (16, 20), (20, 32))
    )
    out["keyId"] = key_id
    out["arn"] = arn(ctx, "kms", f"key/{key_id}")
    return key_id


def _kms_alias(args: Any, ctx: MockContext, out: Outputs) -> str:
    out["arn"] = arn(ctx, "kms", out.get("name", "alias/unnamed"))
    return str(out.get("name"))


def _iam_named(kind: str) -> ResourceHandler:
    def handler(args: Any, ctx: MockContext, out: Outputs) -> str:
        path = out.get("path") or "/"
        out["arn"] = arn(ctx, "iam", f"{kind.rstrip('/')}{path}{out['name']}")
        if kind == "role/":
            out["uniqueId"] = "AROA" + ctx.digest("role", args.name, length=17).upper()
        return str(out["name"])

    return handler


def _log_group(args: Any, ctx: MockContext, out: Outputs) -> str:
    out["arn"] = arn(ctx, "logs", f"log-group:{out['name']}")
    return str(out["name"])


def _sns_topic(args: Any, ctx: MockContext, out: Outputs) -> str:
    out["arn"] = arn(ctx, "sns", str(out["name"]))
    return str(out["arn"])


def _eks_cluster(args: Any, ctx: MockContext, out: Outputs) -> str:
    out["arn"] = arn(ctx, "eks", f"cluster/{out['name']}")
    out["endpoint"] = (
        f"https://{ctx.digest('eks', args.name, length=32).upper()}.gr7.{ctx.region}.eks.amazonaws.com"
    )
    out["certificateAuthority"] = {"data": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg=="}
    issuer_id = ctx.digest("oidc", args.name, length=32).upper()
    out["identities"] = [
        {"oidcs": [{"issuer": f"https://oidc.eks.{ctx.region}.amazonaws.com/id/{issuer_id}"}]}
    ]
    out.setdefault("version", "1.31")
    out["status"] = "ACTIVE"
    return str(out["name"])


def _ecr_repository(args: Any, ctx: MockContext, out: Outputs) -> str:
    out["arn"] = arn(ctx, "ecr", f"repository/{out['name']}")
    out["repositoryUrl"] = f"{ctx.account_id}.dkr.ecr.{ctx.region}.amazonaws.com/{out['name']}"
    out["registryId"] = ctx.account_id
    return str(out["name"])


RESOURCES.update(
    {
        "aws:s3/bucket:Bucket": _bucket,
        "aws:s3/bucketV2:BucketV2": _bucket,
        "aws:kms/key:Key": _kms_key,
        "aws:kms/alias:Alias": _kms_alias,
        "aws:iam/role:Role": _iam_named("role/"),
        "aws:iam/policy:Policy": _iam_named("policy/"),
        "aws:cloudwatch/logGroup:LogGroup": _log_group,
        "aws:sns/topic:Topic": _sns_topic,
        "aws:eks/cluster:Cluster": _eks_cluster,
        "aws:ecr/repository:Repository": _ecr_repository,
    }
)


# -- invokes --------------------------------------------------------------------------------------------
CALLS.update(
    {
        "aws:index/getCallerIdentity:getCallerIdentity": lambda args, ctx: {
            "accountId": ctx.account_id,
            "arn": f"arn:aws:sts::{ctx.account_id}:assumed-role/offline/mlkeel",
            "userId": "AROAOFFLINE:mlkeel",
            "id": ctx.account_id,
        },
        "aws:index/getRegion:getRegion": lambda args, ctx: {
            "name": ctx.region,
            "region": ctx.region,
            "id": ctx.region,
            "endpoint": f"ec2.{ctx.region}.amazonaws.com",
            "description": ctx.region,
        },
        "aws:index/getPartition:getPartition": lambda args, ctx: {
            "partition": "aws",
            "dnsSuffix": "amazonaws.com",
            "id": "aws",
            "reverseDnsPrefix": "com.amazonaws",
        },
        "aws:index/getAvailabilityZones:getAvailabilityZones": lambda args, ctx: {
            "names": [f"{ctx.region}{z}" for z in "abc"],
            "zoneIds": [f"{ctx.region[:3]}{ctx.region.split('-')[-1]}-az{i}" for i in (1, 2, 3)],
            "id": ctx.region,
            "groupNames": [ctx.region],
        },
    }
)


# -- AWS components (issue 8): SageMaker, EKS, budgets, alarms, endpoints ---------------------------------
#: Registry account of SageMaker prebuilt images per repository family and region (AWS documentation,
#: "Docker Registry Paths and Example Code"). ``GetPrebuiltEcrImage`` resolves to these.
_PREBUILT_FAMILIES: dict[str, tuple[str, ...]] = {
    "xgboost": ("sagemaker-xgboost", "sagemaker-scikit-learn", "sagemaker-sparkml-serving"),
    "algorithms": (
        "blazingtext",
        "factorization-machines",
        "forecasting-deepar",
        "image-classification",
        "ipinsights",
        "kmeans",
        "knn",
        "lda",
        "linear-learner",
        "ntm",
        "object-detection",
        "object2vec",
        "pca",
        "randomcutforest",
        "semantic-segmentation",
        "seq2seq",
    ),
    "dlc": ("huggingface-pytorch-inference", "mxnet-inference", "pytorch-inference", "tensorflow-inference"),
    "model-monitor": ("sagemaker-model-monitor-analyzer",),
}
PREBUILT_ACCOUNTS: dict[str, dict[str, str]] = {
    "xgboost": {
        "us-east-1": "683313688378",
        "us-east-2": "257758044811",
        "us-west-1": "746614075791",
        "us-west-2": "246618743249",
        "eu-west-1": "141502667606",
        "eu-west-2": "764974769150",
        "eu-central-1": "492215442770",
        "eu-north-1": "662702820516",
        "ap-northeast-1": "354813040037",
        "ap-southeast-1": "121021644041",
        "ap-southeast-2": "783357654285",
        "ca-central-1": "341280168497",
    },
    "algorithms": {
        "us-east-1": "382416733822",
        "us-east-2": "404615174143",
        "us-west-1": "632365934929",
        "us-west-2": "174872318107",
        "eu-west-1": "438346466558",
        "eu-west-2": "644912444149",
        "eu-central-1": "664544806723",
        "eu-north-1": "669576153137",
        "ap-northeast-1": "351501993468",
        "ap-southeast-1": "475088953585",
        "ap-southeast-2": "712309505854",
        "ca-central-1": "469771592824",
    },
    "dlc": {},  # one account everywhere but a few opt-in regions
    "model-monitor": {
        "us-east-1": "156813124566",
        "us-east-2": "777275614652",
        "us-west-1": "890145073186",
        "us-west-2": "159807026194",
        "eu-west-1": "468650794304",
        "eu-west-2": "749857270468",
        "eu-central-1": "048819808253",
        "eu-north-1": "895015795356",
        "ap-northeast-1": "574779866223",
        "ap-southeast-1": "245545462676",
        "ap-southeast-2": "563025443158",
        "ca-central-1": "536280801234",
    },
}
_DLC_ACCOUNT = "763104351884"


def prebuilt_registry_account(repository: str, region: str) -> str:
    """The AWS account serving SageMaker prebuilt ``repository`` in ``region`` (ValueError when unknown)."""
    for family, repositories in _PREBUILT_FAMILIES.items():
        if repository in repositories:
            if family == "dlc":
                return _DLC_ACCOUNT
            accounts = PREBUILT_ACCOUNTS[family]
            if region not in accounts:
                raise ValueError(f"no SageMaker image registry known for {repository} in {region}")
            return accounts[region]
    raise ValueError(f"unknown SageMaker prebuilt repository {repository!r}")


def _prebuilt_image(args: Any, ctx: MockContext) -> dict[str, Any]:
    region = args.args.get("region") or ctx.region
    repository = args.args["repositoryName"]
    tag = args.args.get("imageTag") or "1"
    account = prebuilt_registry_account(repository, region)
    return {
        "id": f"{account}.dkr.ecr.{region}.amazonaws.com/{repository}:{tag}",
        "registryId": account,
        "registryPath": f"{account}.dkr.ecr.{region}.amazonaws.com/{repository}:{tag}",
        "repositoryName": repository,
        "imageTag": tag,
        "region": region,
        "dnsSuffix": "amazonaws.com",
    }


def _sagemaker(kind: str, name_prop: str = "name") -> ResourceHandler:
    """SageMaker ARNs use a lowercase name and their own resource kinds (``endpoint-config``)."""

    def handler(args: Any, ctx: MockContext, out: Outputs) -> str:
        if not out.get(name_prop):
            prefix = out.get(f"{name_prop}Prefix")
            out[name_prop] = (
                f"{prefix}{ctx.digest('prefix', args.name, length=26)}" if prefix else ctx.autoname(args.name)
            )
        name = str(out[name_prop])
        out["arn"] = arn(ctx, "sagemaker", f"{kind}/{name.lower()}")
        return name

    return handler


def _node_group(args: Any, ctx: MockContext, out: Outputs) -> str:
    cluster, group = out["clusterName"], out.get("nodeGroupName") or ctx.autoname(args.name)
    out["nodeGroupName"] = group
    out["arn"] = arn(ctx, "eks", f"nodegroup/{cluster}/{group}/{ctx.digest('ng', args.name, length=8)}")
    out["status"] = "ACTIVE"
    return f"{cluster}:{group}"


def _budget(args: Any, ctx: MockContext, out: Outputs) -> str:
    out["arn"] = f"arn:aws:budgets::{ctx.account_id}:budget/{out['name']}"
    out["accountId"] = ctx.account_id
    return f"{ctx.account_id}:{out['name']}"


def _metric_alarm(args: Any, ctx: MockContext, out: Outputs) -> str:
    out["arn"] = arn(ctx, "cloudwatch", f"alarm:{out['name']}")
    return str(out["name"])


def _dashboard(args: Any, ctx: MockContext, out: Outputs) -> str:
    out["dashboardArn"] = f"arn:aws:cloudwatch::{ctx.account_id}:dashboard/{out['dashboardName']}"
    return str(out["dashboardName"])


def _vpc_endpoint(args: Any, ctx: MockContext, out: Outputs) -> None:
    if out.get("vpcEndpointType") == "Gateway":
        out["prefixListId"] = f"pl-{ctx.digest('pl', args.name, length=8)}"
    else:
        service = str(out.get("serviceName", "")).rsplit(".", 1)[-1]
        endpoint_id = ctx.digest("vpce", args.name, length=17)
        out["dnsEntries"] = [
            {
                "dnsName": f"vpce-{endpoint_id}.{service}.{ctx.region}.vpce.amazonaws.com",
                "hostedZoneId": "Z7HUB22UULQXV",
            }
        ]
    out["state"] = "available"
    return None


def _launch_template(args: Any, ctx: MockContext, out: Outputs) -> None:
    # A new launch template is version 1; node groups name the version they launch.
    out["latestVersion"] = 1
    out["defaultVersion"] = 1
    return None


def _glue_database(args: Any, ctx: MockContext, out: Outputs) -> str:
    out["arn"] = arn(ctx, "glue", f"database/{out['name']}")
    out.setdefault("catalogId", ctx.account_id)
    return f"{ctx.account_id}:{out['name']}"


def _scalable_target(args: Any, ctx: MockContext, out: Outputs) -> str:
    out["arn"] = arn(
        ctx, "application-autoscaling", f"scalable-target/{ctx.digest('target', args.name, length=20)}"
    )
    return str(out["resourceId"])


def _trail(args: Any, ctx: MockContext, out: Outputs) -> str:
    out["arn"] = arn(ctx, "cloudtrail", f"trail/{out['name']}")
    out["homeRegion"] = ctx.region
    return str(out["arn"])


def _model_package_group(args: Any, ctx: MockContext, out: Outputs) -> str:
    name = str(out["modelPackageGroupName"])
    out["arn"] = arn(ctx, "sagemaker", f"model-package-group/{name.lower()}")
    return name


def _feature_group(args: Any, ctx: MockContext, out: Outputs) -> str:
    name = str(out["featureGroupName"])
    out["arn"] = arn(ctx, "sagemaker", f"feature-group/{name.lower()}")
    return name


RESOURCES.update(
    {
        "aws:sagemaker/model:Model": _sagemaker("model"),
        "aws:sagemaker/endpointConfiguration:EndpointConfiguration": _sagemaker("endpoint-config"),
        "aws:sagemaker/endpoint:Endpoint": _sagemaker("endpoint"),
        "aws:sagemaker/monitoringSchedule:MonitoringSchedule": _sagemaker("monitoring-schedule"),
        "aws:sagemaker/dataQualityJobDefinition:DataQualityJobDefinition": _sagemaker(
            "data-quality-job-definition"
        ),
        "aws:sagemaker/modelPackageGroup:ModelPackageGroup": _model_package_group,
        "aws:sagemaker/featureGroup:FeatureGroup": _feature_group,
        "aws:eks/nodeGroup:NodeGroup": _node_group,
        "aws:budgets/budget:Budget": _budget,
        "aws:cloudwatch/metricAlarm:MetricAlarm": _metric_alarm,
        "aws:cloudwatch/dashboard:Dashboard": _dashboard,
        "aws:ec2/vpcEndpoint:VpcEndpoint": _vpc_endpoint,
        "aws:ec2/launchTemplate:LaunchTemplate": _launch_template,
        "aws:glue/catalogDatabase:CatalogDatabase": _glue_database,
        "aws:appautoscaling/target:Target": _scalable_target,
        "aws:cloudtrail/trail:Trail": _trail,
    }
)
CALLS["aws:sagemaker/getPrebuiltEcrImage:getPrebuiltEcrImage"] = _prebuilt_image
