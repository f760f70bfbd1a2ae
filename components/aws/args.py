"""The inputs every AWS capability component shares, declared once (``CapabilityArgs`` plus the account).

Each AWS capability's args ``TypedDict`` extends one of these, so the composer can hand every capability
the same context (``components.platform.aws.AwsContext``) and a shared input has one name and one type.
"""

import pulumi

from components.args import CapabilityArgs

# No `from __future__ import annotations`: Pulumi's component analyzer reads these annotations at run time.


class AwsCapabilityArgs(CapabilityArgs):
    """Where an AWS capability deploys: the stack's account, partition and IAM path."""

    account_id: pulumi.Input[str]
    """The deploying account (from the provider's own credentials)."""
    partition: pulumi.Input[str]
    """``aws``, ``aws-cn`` or ``aws-us-gov``: the start of every ARN."""
    role_path: str
    """IAM path of stack roles (``/mlkeel/<team>/<environment>/``); the key policy trusts roles under it."""


class AwsKeyedArgs(AwsCapabilityArgs):
    """An AWS capability whose data is encrypted with the stack's own key (all but the key itself)."""

    encryption_key: pulumi.Input[str]
    """ARN of the stack's KMS key."""


__all__ = ["AwsCapabilityArgs", "AwsKeyedArgs"]
