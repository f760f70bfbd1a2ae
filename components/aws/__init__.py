"""AWS: the MLOps platform built from native ``pulumi_aws`` resources.

``compose`` is what ``components.platform.Platform`` calls for a ``cloud: aws`` stack. It is imported
lazily so that ``components.aws.spec_rules`` (used by ``keel new-team``) loads without Pulumi.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pulumi

    from components.args import PlatformArgs


def compose(platform: "pulumi.ComponentResource", name: str, args: "PlatformArgs", tags: dict[str, str]) -> dict[str, Any]:
    """Create the AWS provider and every capability the spec switches on; return the stack outputs."""
    from ._compose import compose as _compose

    return _compose(platform, name, args, tags)


__all__ = ["compose"]
