"""Pulumi's component-provider analyzer accepts every component, inherited base args included.

A component provider (``pulumi package add`` / a component-provider host) builds the package schema with
``pulumi.provider.experimental.analyzer.Analyzer`` from each ``ComponentResource``'s ``args`` annotation.
The capability args ``TypedDict``s extend shared bases (``components.args.CapabilityArgs`` and each
cloud's ``args`` module), so the schema must still list every inherited input, required as declared.
"""

from __future__ import annotations

import importlib
import inspect
import json
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pulumi
import pytest

from components.args import CapabilityArgs
from components.aws.args import AwsCapabilityArgs, AwsKeyedArgs
from components.gcp.args import GcpCapabilityArgs, GcpKeyedArgs
from components.platform import Platform

CAPABILITIES = (
    "network",
    "encryption",
    "registry",
    "feature_store",
    "training",
    "serving",
    "monitoring",
    "access",
    "audit",
    "budget",
)
#: Components a capability creates inside itself: they take the cloud-neutral base only.
NESTED = {"AwsServingEndpoint", "AwsTrainingPool"}


def _components() -> list[type[pulumi.ComponentResource]]:
    found = []
    for capability in CAPABILITIES:
        for cloud in ("aws", "gcp"):
            module = importlib.import_module(f"components.{capability}.{cloud}")
            found += [
                c
                for c in vars(module).values()
                if inspect.isclass(c)
                and issubclass(c, pulumi.ComponentResource)
                and c.__module__ == module.__name__
            ]
    return found


COMPONENTS = _components()


def _args_type(component: type[pulumi.ComponentResource]) -> Any:
    return inspect.get_annotations(component.__init__)["args"]


BASES = (CapabilityArgs, AwsCapabilityArgs, AwsKeyedArgs, GcpCapabilityArgs, GcpKeyedArgs)


def _bases(typ: Any) -> set[Any]:
    """The shared bases ``typ`` extends: it has each one's keys, required, with the very same annotations.

    (Python 3.11 keeps no record of a ``TypedDict``'s bases; its merged annotations are what Pulumi reads.)
    """
    return {
        base
        for base in BASES
        if all(typ.__annotations__.get(key) is ann for key, ann in base.__annotations__.items())
        and base.__required_keys__ <= typ.__required_keys__
    }


#: Run in a fresh interpreter: the SDK's provider server registers its own copy of ``google.rpc.Status``, and
#: a process that has loaded it can no longer import the Google Cloud client libraries (and vice versa).
SCHEMA_SCRIPT = """
import importlib, json, sys
from pulumi.provider.experimental.analyzer import Analyzer
from pulumi.provider.experimental.schema import generate_schema
components = [getattr(importlib.import_module(m), n) for m, n in json.loads(sys.argv[1])]
result = Analyzer("mlkeel").analyze(components)
spec = generate_schema("mlkeel", "0.0.0", None, result["component_definitions"], result["type_definitions"],
                       list(result["dependencies"]))
print(json.dumps(spec.to_json()))
"""


@cache
def _schema() -> dict[str, Any]:
    names = [[c.__module__, c.__name__] for c in [*COMPONENTS, Platform]]
    done = subprocess.run(
        [sys.executable, "-c", SCHEMA_SCRIPT, json.dumps(names)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    schema: dict[str, Any] = json.loads(done.stdout)
    return schema


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def test_component_schema_lists_every_capability_component_and_the_platform() -> None:
    assert len(COMPONENTS) >= 20
    assert set(_schema()["resources"]) == {f"mlkeel:index:{c.__name__}" for c in [*COMPONENTS, Platform]}


@pytest.mark.parametrize("component", COMPONENTS, ids=lambda c: c.__name__)
def test_component_schema_args_extend_the_shared_bases(component: type[pulumi.ComponentResource]) -> None:
    bases = _bases(_args_type(component))
    assert CapabilityArgs in bases
    if component.__name__ not in NESTED:
        cloud_base = AwsCapabilityArgs if component.__name__.startswith("Aws") else GcpCapabilityArgs
        assert cloud_base in bases, f"{component.__name__} args should extend {cloud_base.__name__}"


@pytest.mark.parametrize("component", COMPONENTS, ids=lambda c: c.__name__)
def test_component_schema_has_every_inherited_input_required(
    component: type[pulumi.ComponentResource],
) -> None:
    resource = _schema()["resources"][f"mlkeel:index:{component.__name__}"]
    inherited = {key for base in _bases(_args_type(component)) for key in base.__required_keys__}
    assert inherited >= {"prefix", "tags", "region"}
    for key in inherited:
        assert _camel(key) in resource["inputProperties"], f"{component.__name__}: inherited {key} missing"
        assert _camel(key) in resource["requiredInputs"], (
            f"{component.__name__}: inherited {key} not required"
        )
    assert resource["inputProperties"]["prefix"]["type"] == "string"
    tags = resource["inputProperties"]["tags"]
    assert tags["type"] == "object" and tags["additionalProperties"]["type"] == "string"


def test_component_schema_keyed_capabilities_take_the_stack_key() -> None:
    keyed = [c for c in COMPONENTS if _bases(_args_type(c)) & {AwsKeyedArgs, GcpKeyedArgs}]
    assert {c.__name__ for c in keyed} >= {"AwsModelRegistry", "GcpModelRegistry", "AwsAudit", "GcpAudit"}
    for component in keyed:
        assert (
            "encryptionKey" in _schema()["resources"][f"mlkeel:index:{component.__name__}"]["requiredInputs"]
        )
