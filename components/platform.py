"""``Platform``: the whole MLOps platform of one team stack, composed from its spec.

The platform is cloud-neutral: it creates the cloud's provider with the stack's cost tags as default tags
(so every taggable resource carries them, even ones no transform reaches), registers the cost-tag
transform, and hands the composition to the cloud's own module (``components.aws`` / ``components.gcp``).
Capabilities switched off in the spec create nothing.
"""

import importlib
from typing import Any

import pulumi

from mlkeel.contracts import cost_tags

from .args import PlatformArgs
from .tagging import capability_options


def stack_tags(args: PlatformArgs) -> dict[str, str]:
    """The stack's cost tags without ``component`` (which each capability sets for its resources)."""
    tags = cost_tags(
        team=args["team"],
        cost_center=args["cost_center"],
        environment=args["environment"],
        owner=args["owner"],
        data_classification=args["data_classification"],
        data_residency=args["residency_zone"],
        component="platform",
        extra=args.get("tags") or {},
    )
    tags.pop("component")
    return tags


class Platform(pulumi.ComponentResource):
    """A team's MLOps platform: network, encryption, registry, feature store, training, serving,
    monitoring, access, audit and budget, on the cloud its spec names."""

    outputs: pulumi.Output[dict[str, Any]]

    def __init__(self, name: str, args: PlatformArgs, opts: pulumi.ResourceOptions | None = None):
        tags = stack_tags(args)
        super().__init__("mlkeel:index:Platform", name, None, capability_options(opts, tags, "platform"))
        cloud = args["cloud"]
        module = importlib.import_module(f"components.{cloud}")
        # Each cloud module exposes compose(platform, name, args, tags) -> dict of stack outputs.
        outputs: dict[str, Any] = module.compose(self, name, args, tags)
        self.outputs = pulumi.Output.from_input(outputs)
        self.register_outputs(outputs)
