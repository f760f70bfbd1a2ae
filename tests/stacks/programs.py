"""Small Pulumi programs the engine tests run: each exercises one thing the real engine does."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

ORDER: list[str] = []


class Store(pulumi.ComponentResource):
    """A component with a child component, to check URN chains, parents and transform order."""

    def __init__(self, name: str, args: dict, opts: pulumi.ResourceOptions | None = None):
        def own(a: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
            if a.type_ == "aws:s3/bucket:Bucket":
                ORDER.append(f"store:{a.name}")
                tags = {
                    **(a.props.get("tags") or {}),
                    "order": (a.props.get("tags") or {}).get("order", "") + "store,",
                }
                return pulumi.ResourceTransformResult({**a.props, "tags": tags}, a.opts)
            return None

        super().__init__(
            "mlkeel:index:Store",
            name,
            None,
            pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(transforms=[own])),
        )
        self.inner = Inner(f"{name}-inner", {}, pulumi.ResourceOptions(parent=self))
        self.bucket = self.inner.bucket
        self.register_outputs(
            {"bucketName": self.bucket.bucket, "token": pulumi.Output.secret("component-secret")}
        )


class Inner(pulumi.ComponentResource):
    def __init__(self, name: str, args: dict, opts: pulumi.ResourceOptions | None = None):
        def own(a: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
            if a.type_ == "aws:s3/bucket:Bucket":
                ORDER.append(f"inner:{a.name}")
                tags = {
                    **(a.props.get("tags") or {}),
                    "order": (a.props.get("tags") or {}).get("order", "") + "inner,",
                }
                return pulumi.ResourceTransformResult({**a.props, "tags": tags}, a.opts)
            return None

        super().__init__(
            "mlkeel:index:Inner",
            name,
            None,
            pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(transforms=[own])),
        )
        self.bucket = aws.s3.Bucket(
            f"{name}-bucket", tags={"order": "self,"}, opts=pulumi.ResourceOptions(parent=self)
        )
        aws.s3.BucketPublicAccessBlock(
            f"{name}-pab",
            bucket=self.bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({})


def graph_program() -> None:
    """Components, an explicit provider, a default provider, a stack transform, secrets and config."""

    def stack_transform(a: pulumi.ResourceTransformArgs) -> pulumi.ResourceTransformResult | None:
        if a.type_ == "aws:s3/bucket:Bucket":
            ORDER.append(f"stack:{a.name}")
            tags = {
                **(a.props.get("tags") or {}),
                "order": (a.props.get("tags") or {}).get("order", "") + "stack",
            }
            return pulumi.ResourceTransformResult({**a.props, "tags": tags}, a.opts)
        return None

    pulumi.runtime.register_resource_transform(stack_transform)
    config = pulumi.Config("mlkeel")
    provider = aws.Provider(
        "eu",
        region="eu-west-1",
        default_tags=aws.ProviderDefaultTagsArgs(tags={"team": config.require("team")}),
    )
    store = Store("store", {}, pulumi.ResourceOptions(providers=[provider]))
    loose = aws.s3.Bucket("loose", tags={"order": ""})
    topic = aws.sns.Topic("alerts", opts=pulumi.ResourceOptions(depends_on=[loose]))
    aws.sns.TopicSubscription(
        "hook",
        topic=topic.arn,
        protocol="https",
        endpoint=config.require_secret("webhook"),
        opts=pulumi.ResourceOptions(provider=provider),
    )
    pulumi.export("bucket", store.bucket.bucket)
    pulumi.export("webhook", config.require_secret("webhook"))
    pulumi.export("secretKeys", pulumi.runtime.is_config_secret("mlkeel:webhook"))
