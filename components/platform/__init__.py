"""``Platform``: the whole MLOps platform of one team stack, composed from its validated spec.

The platform is cloud-neutral: it registers the stack's cost-tag transform on itself and hands the spec to
its cloud's composer (``components.platform.aws`` / ``components.platform.gcp``). A composer creates the
cloud's provider with the stack's cost tags as default tags (so every taggable resource carries them, even
ones no transform reaches), then runs one wiring function per capability, each taking the shared inputs
from the cloud's context object. Capabilities switched off in the spec create nothing. The capabilities
themselves live one folder each (``components/<capability>/{aws,gcp}.py``); the cloud folders
(``components/aws``, ``components/gcp``) only hold what capabilities share (names, IAM documents, base
args), so dependencies point one way: platform → capabilities → cloud helpers.
"""

from collections.abc import Callable
from typing import Any

import pulumi

from mlkeel.contracts import cost_tags

from ..args import PlatformArgs
from ..tagging import capability_options

Composer = Callable[[pulumi.ComponentResource, str, PlatformArgs, dict[str, str]], dict[str, Any]]


def _aws() -> Composer:
    from .aws import compose

    return compose


def _gcp() -> Composer:
    from .gcp import compose

    return compose


def _kubernetes() -> Composer:
    from .kubernetes import compose

    return compose


#: ``cloud`` -> its composer, loaded on first use so a stack imports one cloud's SDK, not both. An
#: explicit map rather than a module name built from the cloud, so a missing composer fails loudly here.
COMPOSERS: dict[str, Callable[[], Composer]] = {"aws": _aws, "gcp": _gcp, "kubernetes": _kubernetes}
#: The clouds a composer exists for.
CLOUDS = tuple(COMPOSERS)


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
        if cloud not in CLOUDS:  # pragma: no cover - the spec admits only these
            raise ValueError(f"cloud = {cloud!r}: a platform is composed on {', '.join(CLOUDS)}")
        outputs = COMPOSERS[cloud]()(self, name, args, tags)
        self.outputs = pulumi.Output.from_input(outputs)
        self.register_outputs(outputs)


__all__ = ["CLOUDS", "Platform", "stack_tags"]
