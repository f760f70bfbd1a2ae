"""GCP: the MLOps platform built from native ``pulumi_gcp`` resources.

``compose`` is what ``components.platform.Platform`` calls for a ``cloud: gcp`` stack. It is imported
lazily so that ``components.gcp.spec_rules`` (used by ``keel new-team``) loads without Pulumi.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pulumi

    from components.args import PlatformArgs


def compose(platform: "pulumi.ComponentResource", name: str, args: "PlatformArgs", tags: dict[str, str]) -> dict[str, Any]:
    """Create the GCP provider and every capability the spec switches on; return the stack outputs."""
    from ._compose import compose as _compose

    return _compose(platform, name, args, tags)


def use_model_deployer(deployer: Any) -> None:
    """Plug in what deploys models to Vertex AI endpoints (``components.serving.gcp.ModelDeployer``)."""
    from ._compose import use_model_deployer as _use

    _use(deployer)


__all__ = ["compose", "use_model_deployer"]
