"""The rules only one cloud knows, keyed by the spec's ``cloud``.

An explicit map rather than a module name built from the cloud: a cloud added to the spec's ``Cloud``
without rules fails at import (the check below) instead of being silently waved through, and an import
error inside a rule module surfaces as itself.
"""

from __future__ import annotations

import typing
from collections.abc import Callable

from .._errors import Problem
from .._model import Cloud, StackSpec
from . import aws, gcp, kubernetes

#: ``cloud`` -> every problem only that cloud knows (paths relative to the config namespace).
CLOUD_RULES: dict[str, Callable[[StackSpec], list[Problem]]] = {
    "aws": aws.problems,
    "gcp": gcp.problems,
    "kubernetes": kubernetes.problems,
}

if set(CLOUD_RULES) != set(typing.get_args(Cloud)):  # pragma: no cover - guards a future edit
    raise ImportError(
        f"cloud rules cover {sorted(CLOUD_RULES)} but the spec admits {sorted(typing.get_args(Cloud))}"
    )


def cloud_problems(spec: StackSpec) -> list[Problem]:
    """The problems of ``spec`` that only its cloud's rules find, and those of its in-cluster layer."""
    found = list(CLOUD_RULES[spec.cloud](spec))
    if spec.cloud != "kubernetes" and spec.kubernetes is not None:
        found += kubernetes.problems(spec)
    return found


__all__ = ["CLOUD_RULES", "cloud_problems"]
