"""AWS: what every AWS capability shares (names, IAM documents, S3 defaults, the provider, base args).

The capabilities themselves live in ``components/<capability>/aws.py`` and are composed by
``components.platform.aws``. ``compose`` stays importable from here for programs written against the
earlier layout; it is imported lazily, so importing this package does not load the Pulumi SDK.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pulumi

    from components.args import PlatformArgs


def compose(
    platform: "pulumi.ComponentResource", name: str, args: "PlatformArgs", tags: dict[str, str]
) -> dict[str, Any]:
    """Create the AWS provider and every capability the spec switches on (``components.platform.aws``)."""
    from components.platform.aws import compose as _compose

    return _compose(platform, name, args, tags)


__all__ = ["compose"]
