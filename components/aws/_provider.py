"""The stack's explicit AWS provider and the account facts every ARN is built from."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class AwsAccount:
    """Where the stack deploys: account id and partition come from the provider's own credentials."""

    provider: aws.Provider
    region: str
    account_id: pulumi.Output[str]
    partition: pulumi.Output[str]


def make_provider(
    platform: pulumi.ComponentResource, name: str, region: str, tags: dict[str, str]
) -> AwsAccount:
    """The explicit provider (stack cost tags as default tags) and the caller's account and partition."""
    provider = aws.Provider(
        f"{name}-aws",
        region=region,
        default_tags=aws.ProviderDefaultTagsArgs(tags=tags),
        opts=pulumi.ResourceOptions(parent=platform),
    )
    invoke = pulumi.InvokeOutputOptions(provider=provider, parent=platform)
    caller = aws.get_caller_identity_output(opts=invoke)
    partition = aws.get_partition_output(opts=invoke)
    return AwsAccount(
        provider=provider, region=region, account_id=caller.account_id, partition=partition.partition
    )
