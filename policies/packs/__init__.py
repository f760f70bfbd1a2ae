"""Policy packs: which rules each pack runs, and how a pack directory starts its server.

A pack directory (``policies/packs/<pack>/``) holds ``PulumiPolicy.yaml``, ``requirements.txt`` and a
two-line ``__main__.py`` calling :func:`serve_pack`, so ``pulumi preview --policy-pack
policies/packs/<pack>`` and ``keel check --pack`` start the very same code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pulumi_policy import EnforcementLevel

from ..rules import ALL_RULES, AbsRule

PACKS_DIR = Path(__file__).resolve().parent

#: Pack name -> rule classes it runs, in catalogue order.
PACKS: dict[str, tuple[type[AbsRule], ...]] = {
    "mlkeel": ALL_RULES,
    "mlkeel-residency": tuple(r for r in ALL_RULES if r.meta.area in ("RES", "TAG")),
}

DESCRIPTIONS: dict[str, str] = {
    "mlkeel": "mlkeel: security, residency and cost rules for AWS, GCP and Kubernetes MLOps stacks.",
    "mlkeel-residency": "mlkeel residency: cost tags and data residency only.",
}


def pack_dir(name: str) -> Path:
    """Directory of the bundled pack ``name``."""
    return PACKS_DIR / name


def build_rules(name: str) -> list[AbsRule]:
    """The rule instances of pack ``name`` with their default enforcement and settings."""
    if name not in PACKS:
        raise ValueError(f"no policy pack {name!r}; bundled packs: {', '.join(sorted(PACKS))}")
    return [rule() for rule in PACKS[name]]


def pack_arguments(name: str) -> dict[str, Any]:
    """Keyword arguments of ``PolicyPack`` for pack ``name``."""
    rules = build_rules(name)
    return {
        "name": name,
        "policies": [rule.policy() for rule in rules],
        "enforcement_level": EnforcementLevel.ADVISORY,
        "description": DESCRIPTIONS[name],
        "display_name": name,
        "tags": ["mlops", "aws", "gcp", "kubernetes", "cost", "residency"],
    }


def serve_pack(name: str) -> None:
    """Entry point of a pack directory's ``__main__.py``."""
    from .._server import serve

    serve(**pack_arguments(name))


__all__ = ["PACKS", "PACKS_DIR", "build_rules", "pack_arguments", "pack_dir", "serve_pack"]
