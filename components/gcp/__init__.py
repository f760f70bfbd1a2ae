"""GCP: what every GCP capability shares (names, accelerators, machine facts, base args).

The capabilities themselves live in ``components/<capability>/gcp.py`` and are composed by
``components.platform.gcp``. ``compose`` and ``use_model_deployer`` stay importable from here for programs
written against the earlier layout; they are imported lazily, so importing this package does not load the
Pulumi SDK.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pulumi

    from components.args import PlatformArgs
    from components.serving.gcp import ModelDeployer


def compose(
    platform: "pulumi.ComponentResource", name: str, args: "PlatformArgs", tags: dict[str, str]
) -> dict[str, Any]:
    """Create the GCP provider and every capability the spec switches on (``components.platform.gcp``)."""
    from components.platform.gcp import compose as _compose

    return _compose(platform, name, args, tags)


def use_model_deployer(deployer: "ModelDeployer | None") -> None:
    """Plug in what deploys models to Vertex AI endpoints (``components.serving.gcp.use_model_deployer``)."""
    from components.serving.gcp import use_model_deployer as _use

    _use(deployer)


__all__ = ["compose", "use_model_deployer"]
