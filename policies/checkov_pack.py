"""The opt-in ``mlkeel-checkov`` pack: Checkov's own resource checks at `pulumi preview`.

Teams that standardise on Checkov get its whole catalogue enforced before `pulumi up`, not only in CI.
One stack policy writes the previewed resources as a state, turns it into Terraform plan JSON with
``keel export`` (the mapping of the Terraform-plan export) and runs the Checkov of ``.venv-scanners`` on it;
each failed check becomes a violation on the resource it names. Checkov stays out of the default pack's
dependencies: this pack needs it installed (``bash benchmarks/setup_scanners.sh``, or ``checkovPython``).
The stacks are run as the ``keel`` command, not imported (``policies`` stands alone).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from pulumi_policy import EnforcementLevel, PolicyResource, Severity
from pulumi_policy.proxy import UnknownValueError

from mlkeel.processes import python_module_command

from .rules import CouldNotCheck, RuleMeta, StackRule

ROOT = Path(__file__).resolve().parent.parent
SCANNERS_PYTHON = ROOT / ".venv-scanners" / "bin" / "python"
_TIMEOUT = 600


def _plain(value: Any) -> Any:
    """A property value as plain JSON; values unknown during preview are left out (Checkov: unset)."""
    if isinstance(value, Mapping):
        out = {}
        for key in list(value.keys()):
            try:
                item = value[key]
            except UnknownValueError:
                continue
            out[str(key)] = _plain(item)
        return out
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        out_list = []
        for index in range(len(value)):
            try:
                out_list.append(_plain(value[index]))
            except UnknownValueError:
                continue
        return out_list
    return value


def state_of(resources: Sequence[PolicyResource]) -> dict[str, Any]:
    """The previewed resources as a ``pulumi stack export`` document ``keel export`` reads."""
    listed = []
    for r in resources:
        props = _plain(r.props)
        entry: dict[str, Any] = {"urn": r.urn, "type": r.resource_type, "custom": True,
                                 "inputs": props, "outputs": props}  # fmt: skip
        # The export turns dependencies into Terraform references: Checkov's graph checks (a bucket and
        # its encryption, a VPC and its flow log) follow them.
        entry["dependencies"] = [d.urn for d in r.dependencies or ()]
        entry["propertyDependencies"] = {
            key: [d.urn for d in deps] for key, deps in (r.property_dependencies or {}).items()
        }
        listed.append(entry)
    return {"version": 3, "deployment": {"manifest": {"version": "v3"}, "resources": listed}}


def addresses(resources: Sequence[PolicyResource], plan: Mapping[str, Any]) -> dict[str, str]:
    """Terraform address -> URN: the export maps resources in order, under identifiers made from names."""
    changes = iter(plan.get("resource_changes") or [])
    pending = next(changes, None)
    found: dict[str, str] = {}
    for r in resources:
        ident = "".join(c if c.isalnum() or c == "_" else "_" for c in r.name)
        if pending is not None and str(pending["name"]).lstrip("_").startswith(ident.lstrip("_")):
            found[str(pending["address"])] = r.urn
            pending = next(changes, None)
    return found


def _run(argv: list[str], env: Mapping[str, str], cwd: Path) -> str:
    run = subprocess.run(argv, capture_output=True, text=True, timeout=_TIMEOUT, cwd=cwd,
                         env={**os.environ, **env}, check=False)  # fmt: skip
    if run.returncode not in (0, 1):
        raise CouldNotCheck(f"{' '.join(argv[3:6])} exited {run.returncode}: {run.stderr.strip()[-500:]}")
    return run.stdout


class CheckovResourceChecks(StackRule):
    meta = RuleMeta(
        id="MLK_CHECKOV_001",
        name="checkov-resource-checks",
        title="Ensure the stack passes Checkov's Terraform resource checks",
        description="Every previewed resource the Terraform-plan export maps is scanned by Checkov's "
        "`terraform_plan` runner; each failed check (less `skipChecks`) is a violation on its resource. "
        "Values unknown during preview are left out, as Checkov sees unknowns in a plan.",
        why="Teams that already answer to Checkov in CI get the same verdict before `pulumi up`, so a "
        "finding never reaches a deployed resource.",
        severity=Severity.HIGH,
        enforcement=EnforcementLevel.MANDATORY,
        resources={"every type the Terraform-plan export maps": "every attribute Checkov reads"},
        config={
            "skipChecks": {
                "type": "array",
                "items": {"type": "string", "pattern": "^CKV2?_[A-Z0-9]+_[0-9]+$"},
                "default": [],
                "description": "Checkov check ids not to run (reviewed, like .checkov.yaml's skip-check).",
            },
            "checkovPython": {
                "type": "string",
                "default": str(SCANNERS_PYTHON),
                "description": "The Python of the environment Checkov is installed in.",
            },
        },
        remediation="Fix the resource as Checkov's guideline for the check says, or skip the check with a "
        "reviewed reason.",
    )

    def check(
        self, resources: Sequence[PolicyResource], config: Mapping[str, Any]
    ) -> Iterator[tuple[str, str]]:
        python = Path(str(config.get("checkovPython") or SCANNERS_PYTHON))
        if not python.exists():
            raise CouldNotCheck(f"Checkov's Python {python} is missing: bash benchmarks/setup_scanners.sh")
        custom = [r for r in resources if not r.resource_type.startswith(("pulumi:", "mlkeel:"))]
        with tempfile.TemporaryDirectory(prefix="mlkeel-checkov-") as tmp:
            work = Path(tmp)
            (work / "state.json").write_text(json.dumps(state_of(custom)), encoding="utf-8")
            argv, env = python_module_command(sys.executable, "stacks.cli", "export", "--format",
                                              "terraform-plan", str(work / "state.json"), "--output",
                                              str(work / "plan.json"))  # fmt: skip
            _run(argv, env, ROOT)
            plan = json.loads((work / "plan.json").read_text(encoding="utf-8"))
            skips = [str(c) for c in config.get("skipChecks") or ()]
            scan = ["-f", str(work / "plan.json"), "--framework", "terraform_plan", "-o", "json"]
            scan += ["--compact", "--skip-download", *(["--skip-check", ",".join(skips)] if skips else [])]
            argv, env = python_module_command(str(python), "checkov.main", *scan)
            report = json.loads(_run(argv, {**env, "BC_SKIP_MAPPING": "TRUE"}, work) or "{}")
        by_address = addresses(custom, plan)
        reports = report if isinstance(report, list) else [report]
        for part in reports:
            for failed in (part.get("results") or {}).get("failed_checks", []):
                urn = by_address.get(str(failed.get("resource")))
                if urn is not None:
                    yield (f"{failed['check_id']}: {failed['check_name']} (Checkov).", urn)
