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

#: type token -> handler(args, ctx, outputs) that fills computed outputs in place and returns the id (or None).
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
        ctx.digest("kms", args.name, length=32)[i:j] for i, j in ((0, 8), (8, 12), (12, 16), (16, 20), (20, 32))
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
        out["arn"] = arn(ctx, "iam", f"{kind}{path}{out['name']}")
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
    out["endpoint"] = f"https://{ctx.digest('eks', args.name, length=32).upper()}.gr7.{ctx.region}.eks.amazonaws.com"
    out["certificateAuthority"] = {"data": "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg=="}
    out["identities"] = [
        {"oidcs": [{"issuer": f"https://oidc.eks.{ctx.region}.amazonaws.com/id/{ctx.digest('oidc', args.name, length=32).upper()}"}]}
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
