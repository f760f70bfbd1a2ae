"""Prove a refactoring of the components left every planned stack byte for byte the same.

Plans every example stack (``stacks/config/Pulumi.*.yaml``) and a stack made from every template
(``stacks/templates/``, filled as ``keel new-team`` fills it) with the offline engine, and records a
sha256 digest of each state. The states are the contract the policy pack, the cost estimate and
``pulumi up`` see: type tokens, resource names, URNs, parents, dependencies, inputs and outputs. A whole
state digest alone would say *that* something changed but not *what*, so each resource also keeps a short
digest per field and per input/output property, and ``--check`` names the first one that differs.

    python scripts/state_digests.py --write   # record the digests of the code as it is now
    python scripts/state_digests.py --check   # exit 1 naming each stack that no longer matches

Exit codes: 0 all match (or written), 1 a mismatch, 2 an unreadable digest file or a stack that cannot be
planned.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import shutil
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as `python scripts/state_digests.py` from a checkout
    sys.path.insert(0, str(ROOT))

#: Where the digests of the reference code live.
DIGESTS_FILE = ROOT / "tests" / "stacks" / "fixtures" / "state-digests.json"
#: What each template is filled with (the same as tests/stacks/test_new_team_passes_policies.py).
TEMPLATE_PARAMS = {
    "costCenter": "cc-1234",
    "owner": "sam-lee",
    "project": "acme-ml-dev",
    "billingAccount": "01A2B3-C4D5E6-F7A8B9",
}
TEMPLATE_TEAM, TEMPLATE_ENV = "digest", "dev"
#: When a state was planned is volatile; it is pinned to this.
FIXED_TIME = "1970-01-01T00:00:00+00:00"
FORMAT_VERSION = 1
#: Property digests are shortened: they locate a change, the full stack digest proves equality.
SHORT = 16


def _sha(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def normalise(state: Mapping[str, Any]) -> dict[str, Any]:
    """The state with what varies from run to run pinned, so only what the program declared is digested.

    Three things vary and none is declared by the program: the planning time; the order of the resources,
    which is the order their asynchronous registrations complete in (the engine only promises a parent and
    dependencies come first); and the order of each resource's dependency URNs, which the SDK sends from a
    Python ``set`` (string hashing is seeded per process) and the engine treats as a set. Resources are
    therefore sorted by URN (unique in a state) and dependency lists sorted.
    """
    out = copy.deepcopy(dict(state))
    out["deployment"]["manifest"]["time"] = FIXED_TIME
    out["deployment"]["resources"] = sorted(out["deployment"]["resources"], key=lambda r: str(r["urn"]))
    for resource in out["deployment"]["resources"]:
        if isinstance(resource.get("dependencies"), list):
            resource["dependencies"] = sorted(resource["dependencies"])
        if isinstance(resource.get("propertyDependencies"), dict):
            resource["propertyDependencies"] = {
                k: sorted(v) for k, v in resource["propertyDependencies"].items()
            }
    return out


def resource_fields(resource: Mapping[str, Any]) -> dict[str, str]:
    """Short digests of each field of a resource, inputs and outputs one property at a time."""
    fields: dict[str, str] = {}
    for key in sorted(resource):
        value = resource[key]
        if key in ("inputs", "outputs") and isinstance(value, dict):
            fields[key] = _sha(sorted(value))[:SHORT]  # which properties there are
            for prop in sorted(value):
                fields[f"{key}.{prop}"] = _sha(value[prop])[:SHORT]
        else:
            fields[key] = _sha(value)[:SHORT]
    return fields


def digest_state(state: Mapping[str, Any]) -> dict[str, Any]:
    """The digest record of one planned state: the whole-state sha256 and per-resource field digests."""
    normal = normalise(state)
    resources = normal["deployment"]["resources"]
    return {
        "sha256": _sha(normal),
        "resources": [{"urn": r["urn"], "fields": resource_fields(r)} for r in resources],
    }


@contextmanager
def stack_files() -> Iterator[list[tuple[str, Path]]]:
    """Every example stack and one stack per template, as ``(key, stack file)``;
    templates in a temp folder."""
    from stacks.teams import BUILTIN_PARAMETERS, load_template, new_team_stack, template_names

    examples = [
        (f"example/{p.stem.removeprefix('Pulumi.')}", p)
        for p in sorted((ROOT / "stacks" / "config").glob("Pulumi.*.yaml"))
    ]
    with tempfile.TemporaryDirectory(prefix="mlkeel-digests-") as tmp:
        rendered = []
        for name in template_names():
            work = Path(tmp) / name
            work.mkdir()
            shutil.copy(ROOT / "Pulumi.yaml", work / "Pulumi.yaml")
            asks = set(BUILTIN_PARAMETERS) | set(load_template(name).parameters)
            params = {k: v for k, v in TEMPLATE_PARAMS.items() if k in asks}
            path = new_team_stack(
                TEMPLATE_TEAM, name, TEMPLATE_ENV, params, work / "stacks", work / "Pulumi.yaml"
            )
            rendered.append((f"template/{name}", path))
        yield examples + rendered


def plan_states(progress: bool = False) -> dict[str, dict[str, Any]]:
    """Plan every stack, keyed ``example/<stack>`` or ``template/<name>``, into its state."""
    from stacks.engine import plan_stack_file

    states: dict[str, dict[str, Any]] = {}
    with stack_files() as files:
        for key, path in files:
            if progress:
                print(f"planning {key}", file=sys.stderr)
            states[key] = plan_stack_file(path).state
    return states


def compute_digests(progress: bool = False) -> dict[str, dict[str, Any]]:
    """Plan every stack and digest its state."""
    return {key: digest_state(state) for key, state in plan_states(progress).items()}


def first_difference(recorded: Mapping[str, Any], current: Mapping[str, Any]) -> str:
    """Where two digest records of one stack first part: a resource added, removed, moved, or its field."""
    old = [r["urn"] for r in recorded["resources"]]
    new = [r["urn"] for r in current["resources"]]
    old_set, new_set = set(old), set(new)
    for urn in new:
        if urn not in old_set:
            return f"resource added: {urn}"
    for urn in old:
        if urn not in new_set:
            return f"resource removed: {urn}"
    old_fields = {r["urn"]: r["fields"] for r in recorded["resources"]}
    for resource in current["resources"]:
        urn, fields = resource["urn"], resource["fields"]
        before = old_fields[urn]
        for name in sorted(set(before) | set(fields)):
            if name not in before:
                return f"{urn}: {name} added"
            if name not in fields:
                return f"{urn}: {name} removed"
            if before[name] != fields[name]:
                return f"{urn}: {name} differs"
    return "the resources match; the state's header (manifest, secrets provider, version) differs"


def compare(recorded: Mapping[str, Mapping[str, Any]], current: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """One line per stack that differs (missing, new, or changed with its first difference);
    empty if equal."""
    problems = []
    for key in sorted(set(recorded) | set(current)):
        if key not in current:
            problems.append(f"{key}: recorded but no longer planned")
        elif key not in recorded:
            problems.append(f"{key}: planned but not recorded (run --write if the stack is new)")
        elif recorded[key]["sha256"] != current[key]["sha256"]:
            problems.append(f"{key}: {first_difference(recorded[key], current[key])}")
    return problems


def load_digests(path: Path) -> dict[str, dict[str, Any]]:
    """The recorded digests; an unreadable or malformed file is an ``InputError`` naming it."""
    from mlkeel.files import InputError, load_json

    data = load_json(path, what="state digests")
    allowed = f"a digest file written by scripts/state_digests.py --write (format {FORMAT_VERSION})"
    if not isinstance(data, dict) or data.get("format") != FORMAT_VERSION:
        raise InputError.at(path, "format", data.get("format") if isinstance(data, dict) else data, allowed)
    stacks = data.get("stacks")
    if not isinstance(stacks, dict):
        raise InputError.at(path, "stacks", stacks, allowed)
    for key, record in stacks.items():
        if (
            not isinstance(record, dict)
            or not isinstance(record.get("sha256"), str)
            or not isinstance(record.get("resources"), list)
            or not all(
                isinstance(r, dict) and isinstance(r.get("urn"), str) and isinstance(r.get("fields"), dict)
                for r in record["resources"]
            )
        ):
            raise InputError.at(path, f"stacks.{key}", "...", allowed)
    return stacks


def write_digests(path: Path, digests: Mapping[str, Any]) -> None:
    from mlkeel.files import atomic_write_text

    document = {"format": FORMAT_VERSION, "stacks": dict(sorted(digests.items()))}
    atomic_write_text(path, json.dumps(document, indent=1, sort_keys=True) + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true", help="record the digests of the code as it is")
    mode.add_argument(
        "--check", action="store_true", help="exit 1 if any stack's state differs from the record"
    )
    parser.add_argument(
        "--digests", type=Path, default=DIGESTS_FILE, help=f"digest file (default {DIGESTS_FILE})"
    )
    args = parser.parse_args(argv)

    from mlkeel.files import InputError

    try:
        recorded = load_digests(args.digests) if args.check else None  # read first: fail before planning
        current = compute_digests(progress=True)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # a stack that cannot be planned: name it, no traceback
        print(f"error: planning failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    if recorded is None:
        write_digests(args.digests, current)
        print(f"wrote digests of {len(current)} stacks to {args.digests}")
        return 0
    problems = compare(recorded, current)
    if problems:
        print(f"{len(problems)} of {len(set(recorded) | set(current))} stacks differ from {args.digests}:")
        for line in problems:
            print(f"  {line}")
        return 1
    print(f"all {len(current)} stacks match {args.digests}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
