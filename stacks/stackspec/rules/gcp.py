"""Spec-time rules only GCP knows: machine types per region, GPUs per machine family, names, principals.

The loader runs :func:`problems` after the cloud-neutral validation, so a GCP stack with a machine type
the region does not offer, a GPU that does not fit the machine family, or a name GCP would refuse is
stopped before any resource is registered, with the field, the value and what is allowed. It reads only
the spec and the pricing catalog (``runtime.pricing``), never Pulumi, because ``keel new-team`` runs it
too; GPU compatibility comes from :mod:`components.gcp._accelerators`, the table the components use.
"""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING

from components.gcp._accelerators import ACCELERATORS, accelerator_rule, machine_family, suggest

from .._errors import Problem
from .._model import AcceleratorSpec, StackSpec

if TYPE_CHECKING:
    from runtime.pricing import Catalog

_PRINCIPAL = re.compile(r"^(user|group|serviceAccount):[^@\s]+@[^@\s]+\.[a-z]{2,}$")
_AWS_TYPE = re.compile(r"^(ml\.)?[a-z][a-z0-9-]*\.[0-9a-z]+$")


def _catalog() -> Catalog:
    from runtime.pricing import load_catalog

    return load_catalog()


def _machine_problems(cat: Catalog, region: str, path: str, machine: str) -> list[Problem]:
    """Unknown machine type for ``region``, with the nearest names offered there."""
    if cat.instance_type("gcp", region, machine) is not None:
        return []
    known = sorted(it.name for it in cat.instance_types("gcp", region))
    close = difflib.get_close_matches(machine, known, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    if _AWS_TYPE.match(machine):
        hint += " (that looks like an AWS instance type; GCP machine types look like 'n1-standard-8')"
    families = sorted({it.family for it in cat.instance_types("gcp", region)})
    return [
        Problem(
            path,
            machine,
            f"is not a machine type offered in {region}{hint}. Families offered there: {', '.join(families)}",
        )
    ]


def _accelerator_problems(
    cat: Catalog, region: str, path: str, machine: str, accelerator: AcceleratorSpec | None
) -> list[Problem]:
    """The GPU named on ``path`` must fit ``machine``'s family,
    come in an allowed count and exist in region."""
    it = cat.instance_type("gcp", region, machine)
    if it is None or accelerator is None:
        return []
    name, count = accelerator.type, accelerator.count
    family = machine_family(machine)
    rule = accelerator_rule(name)
    if rule is None:
        guess = suggest(name)
        hint = f"did you mean '{guess}'? " if guess else ""
        return [
            Problem(
                f"{path}.type",
                name,
                f"is not a GCP accelerator type; {hint}known: {', '.join(sorted(ACCELERATORS))}",
            )
        ]
    if family not in rule.families:
        fams = " or ".join(rule.families)
        if rule.bundled:
            offered = sorted(t.name for t in cat.instance_types("gcp", region) if t.gpu_type == name)
            example = f" (here: {', '.join(offered[:4])})" if offered else ""
            message = (
                f"comes only with {fams} machine types{example}; choose one of those instead of "
                f"'{machine}' and leave the accelerator to the machine type"
            )
        else:
            message = f"attaches to {fams} machine types only, not '{machine}' (family {family})"
        return [Problem(f"{path}.type", name, message)]
    if rule.bundled:
        problems: list[Problem] = []
        if it.gpu_type != name:
            problems.append(
                Problem(f"{path}.type", name, f"'{machine}' comes with {it.gpu_type}, not {name}")
            )
        elif count != it.gpu_count:
            problems.append(
                Problem(
                    f"{path}.count",
                    count,
                    f"'{machine}' comes with {it.gpu_count} × {name}; "
                    f"set count {it.gpu_count} or pick the machine type with {count} GPUs",
                )
            )
        return problems
    problems = []
    limit = rule.limit(count)
    if limit is None:
        counts = ", ".join(str(c) for c in rule.counts)
        problems.append(Problem(f"{path}.count", count, f"{name} attaches in counts of {counts} per machine"))
    elif it.vcpu > limit.max_vcpu or it.memory_gib > limit.max_memory_gib:
        problems.append(
            Problem(
                f"{path}.count",
                count,
                f"{count} × {name} allows at most {limit.max_vcpu} vCPUs and {limit.max_memory_gib:g} GiB; "
                f"'{machine}' has {it.vcpu} vCPUs and {it.memory_gib:g} GiB",
            )
        )
    if cat.accelerator("gcp", region, name) is None:
        offered = sorted(a.name for a in cat.accelerators("gcp", region))
        problems.append(
            Problem(
                f"{path}.type",
                name,
                f"is not offered in {region}; offered there: {', '.join(offered) or 'none'}",
            )
        )
    return problems


def _name_problems(spec: StackSpec) -> list[Problem]:
    """GCP resource names start with a letter and use '-' (RFC 1035); the team name starts every name."""
    problems: list[Problem] = []
    if not re.match(r"^[a-z]", spec.team) or "_" in spec.team:
        problems.append(
            Problem(
                "team",
                spec.team,
                "on GCP the team name starts every resource name, so it must start "
                "with a lowercase letter and use '-' rather than '_' (RFC 1035 names)",
            )
        )
    return problems


def _principal_problems(spec: StackSpec) -> list[Problem]:
    problems: list[Problem] = []
    for persona, principals in spec.access.personas.items():
        for j, principal in enumerate(principals):
            if not _PRINCIPAL.match(principal):
                problems.append(
                    Problem(
                        f"access.personas.{persona}[{j}]",
                        principal,
                        "must be a GCP member 'user:<email>', 'group:<email>' or 'serviceAccount:<email>' "
                        "(no allUsers, allAuthenticatedUsers or domain: members)",
                    )
                )
    return problems


def problems(spec: StackSpec) -> list[Problem]:
    """Every GCP-specific problem of ``spec`` (paths relative to the namespace); empty when sound."""
    found = _name_problems(spec) + _principal_problems(spec)
    needs_machines = (spec.training.enabled and spec.training.pools) or (
        spec.serving.enabled and spec.serving.endpoints
    )
    if not needs_machines:
        return found
    cat = _catalog()
    region = spec.region
    if not cat.has_region("gcp", region):
        known = ", ".join(cat.regions("gcp"))
        found.append(
            Problem(
                "region",
                region,
                f"has no machine-type facts in the pricing catalog (as of {cat.as_of}; "
                f"known GCP regions: {known}); add it with `keel cost refresh-prices --region {region}`",
            )
        )
        return found
    if spec.training.enabled:
        for i, pool in enumerate(spec.training.pools):
            base = f"training.pools[{i}]"
            for j, machine in enumerate(pool.instance_types):
                found += _machine_problems(cat, region, f"{base}.instanceTypes[{j}]", machine)
                found += _accelerator_problems(cat, region, f"{base}.accelerator", machine, pool.accelerator)
            types = len(pool.instance_types)
            if types > 1 and pool.max_nodes < pool.min_nodes + types - 1:
                found.append(
                    Problem(
                        f"{base}.maxNodes",
                        pool.max_nodes,
                        f"on GKE each of the {types} machine types is its own node pool sharing maxNodes; "
                        f"maxNodes must be at least minNodes + {types - 1} ({pool.min_nodes + types - 1})",
                    )
                )
    if spec.serving.enabled:
        for i, endpoint in enumerate(spec.serving.endpoints):
            base = f"serving.endpoints[{i}]"
            found += _machine_problems(cat, region, f"{base}.instanceType", endpoint.instance_type)
            found += _accelerator_problems(
                cat, region, f"{base}.accelerator", endpoint.instance_type, endpoint.accelerator
            )
            for k, variant in enumerate(endpoint.variants):
                if variant.instance_type:
                    found += _machine_problems(
                        cat, region, f"{base}.variants[{k}].instanceType", variant.instance_type
                    )
    return found
