"""The policy test kit's data side: compliant base states and one-field mutation cases from fixtures/.

A case (``fixtures/cases/<RULE_ID>.yaml``) names a base state, a resource (by its URN name) and one
change: ``set`` paths to values, ``delete`` paths, ``remove`` the resource, or change a ``provider``'s
inputs. ``__UNKNOWN__`` stands for a value unknown during preview, ``__SECRET__`` for an encrypted secret.
Changes apply to inputs and outputs alike, as a real program change would.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from policies.testing import UNKNOWN_STRING

FIXTURES = Path(__file__).parent / "fixtures"
STATES = FIXTURES / "states"
CASES = FIXTURES / "cases"
BASE_STATES = ("aws_good.json", "gcp_good.json", "k8s_good.json")

SECRET_ENVELOPE = {
    "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
    "ciphertext": "v1:Zm9vYmFyYmF6cXV4:c2VjcmV0LWNpcGhlcnRleHQ=",
}


@dataclass(frozen=True)
class Case:
    rule: str
    name: str
    base: str
    resource: str | None
    expect: str
    also: dict[str, str] = field(default_factory=dict)
    ops: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.rule}-{self.name}"

    def expected(self) -> set[tuple[str, str]]:
        """(rule id, status) pairs the mutated state must produce, and nothing else."""
        return {(self.rule, self.expect), *self.also.items()}


def load_cases() -> list[Case]:
    cases = []
    for path in sorted(CASES.glob("MLK_*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for raw in doc["cases"]:
            ops = {k: raw[k] for k in ("set", "delete", "remove", "provider") if k in raw}
            cases.append(
                Case(
                    doc["rule"],
                    raw["name"],
                    raw["base"],
                    raw.get("resource"),
                    raw.get("expect", "violation"),
                    dict(raw.get("also", {})),
                    ops,
                )
            )
    return cases


def base_state(name: str) -> dict[str, Any]:
    return json.loads((STATES / name).read_text(encoding="utf-8"))


def _special(value: Any) -> Any:
    if value == "__UNKNOWN__":
        return UNKNOWN_STRING
    if value == "__SECRET__":
        return copy.deepcopy(SECRET_ENVELOPE)
    return copy.deepcopy(value)


def _walk(obj: Any, parts: list[str]) -> Any:
    for part in parts:
        obj = obj[int(part)] if isinstance(obj, list) else obj.setdefault(part, {})
    return obj


def _set(props: dict[str, Any], path: str, value: Any) -> None:
    *head, last = path.split(".")
    parent = _walk(props, head)
    if isinstance(parent, list):
        parent[int(last)] = _special(value)
    else:
        parent[last] = _special(value)


def _delete(props: dict[str, Any], path: str) -> None:
    *head, last = path.split(".")
    parent = _walk(props, head)
    if isinstance(parent, list):
        del parent[int(last)]
    else:
        parent.pop(last, None)


def resource_urn(state: dict[str, Any], name: str) -> str:
    matches = [r["urn"] for r in state["deployment"]["resources"] if r["urn"].rsplit("::", 1)[-1] == name]
    assert len(matches) == 1, f"fixture has {len(matches)} resources named {name!r}"
    return matches[0]


def mutate(case: Case) -> dict[str, Any]:
    """The base state with the case's one change applied."""
    state = base_state(case.base)
    resources = state["deployment"]["resources"]
    if case.resource is not None:
        urn = resource_urn(state, case.resource)
        target = next(r for r in resources if r["urn"] == urn)
        if case.ops.get("remove"):
            resources.remove(target)
        for key in ("inputs", "outputs"):
            props = target.setdefault(key, {})
            for path, value in (case.ops.get("set") or {}).items():
                _set(props, path, value)
            for path in case.ops.get("delete") or ():
                _delete(props, path)
    for package, changes in (case.ops.get("provider") or {}).items():
        for r in resources:
            if r["type"] == f"pulumi:providers:{package}":
                for key in ("inputs", "outputs"):
                    r.setdefault(key, {}).update(copy.deepcopy(changes))
    return state


def write_failing_state(directory: Path) -> Path:
    """The AWS base with a public ACL (mandatory, critical) and on-demand training (advisory, low), written
    to ``directory``: one finding of each enforcement, which the report and CLI tests read."""
    data = mutate(next(c for c in load_cases() if c.id == "MLK_PUB_002-public-read-acl"))
    training = resource_urn(data, "fraud-dev-training-job")
    for r in data["deployment"]["resources"]:
        if r["urn"] == training:
            r["inputs"]["enableManagedSpotTraining"] = False
    path = directory / "fraud-dev.json"
    path.write_text(json.dumps(data))
    return path
