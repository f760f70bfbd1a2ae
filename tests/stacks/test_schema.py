"""The published stack-file schema: current, and agreeing with ``keel`` on every stack file we ship.

An editor validating against the schema must never flag a stack ``keel plan`` accepts (every example, every
good fixture, every template as ``keel new-team`` writes it), and must flag the shape mistakes ``keel``
refuses (unknown keys at any depth, a value of the wrong JSON type for any key).
"""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlkeel.files import load_yaml
from stacks.engine._config import stack_config_from_data
from stacks.stackspec import (
    NAMESPACE,
    STACK_FILE_SCHEMA_FILE,
    SpecError,
    StackSpec,
    spec_from_config,
    stack_file_schema,
)
from stacks.teams import new_team_stack, template_names

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "stacks" / "config").glob("Pulumi.*.yaml"))
GOOD = sorted((Path(__file__).parent / "fixtures" / "spec" / "good").glob("Pulumi.*.yaml"))
PARAMS = {
    "costCenter": "cc-1234",
    "owner": "sam-lee",
    "project": "acme-ml-dev",
    "billingAccount": "01A2B3-C4D5E6-F7A8B9",
}
VALIDATOR = jsonschema.Draft202012Validator(stack_file_schema())
BASE = ROOT / "stacks" / "config" / "Pulumi.fraud-dev.yaml"
SPEC_KEYS = sorted((info.alias or name) for name, info in StackSpec.model_fields.items())


def _errors(document: Any) -> list[str]:
    return [f"{error.json_path}: {error.message}" for error in VALIDATOR.iter_errors(document)]


def _keel_refuses(document: dict[str, Any], tmp_path: Path) -> bool:
    """Whether the engine and the spec (what ``keel plan`` runs first) refuse ``document``."""
    try:
        config = stack_config_from_data(document, tmp_path / "Pulumi.trial-dev.yaml", ROOT / "Pulumi.yaml")
        spec_from_config(config.values, "Pulumi.trial-dev.yaml")
    except SpecError:
        return True
    return False


def test_stack_file_schema_published_and_current() -> None:
    assert json.loads(STACK_FILE_SCHEMA_FILE.read_text(encoding="utf-8")) == stack_file_schema(), (
        "regenerate with: python -m stacks.stackspec"
    )


def test_stack_file_schema_is_a_valid_draft_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(stack_file_schema())


@pytest.mark.parametrize("stack_file", EXAMPLES + GOOD, ids=lambda p: p.name)
def test_every_example_and_good_stack_file_passes_the_schema(stack_file: Path) -> None:
    assert _errors(load_yaml(stack_file)) == []


@pytest.mark.parametrize("template", template_names())
def test_every_template_as_new_team_writes_it_passes_the_schema_it_points_at(
    template: str, tmp_path: Path
) -> None:
    shutil.copy(ROOT / "Pulumi.yaml", tmp_path / "Pulumi.yaml")
    from stacks.teams import OPTION_PARAMETERS, load_template

    known = {*load_template(template).parameters, *OPTION_PARAMETERS}
    params = {key: value for key, value in PARAMS.items() if key in known}
    written = new_team_stack("acme", template, "dev", params, tmp_path / "stacks", tmp_path / "Pulumi.yaml")
    text = written.read_text(encoding="utf-8")
    [target] = re.findall(r"^# yaml-language-server: \$schema=(\S+)$", text, flags=re.M)
    assert (written.parent / target).resolve() == STACK_FILE_SCHEMA_FILE.resolve()
    assert _errors(load_yaml(written)) == []


@pytest.mark.parametrize("template", template_names())
def test_every_template_as_pulumi_new_writes_it_passes_the_schema(template: str, tmp_path: Path) -> None:
    """``pulumi new`` writes each prompted answer, structured keys as JSON text; keel and the schema take it.

    The answers are the defaults, and ours where a prompt has only a ``<placeholder>``.
    """
    project = load_yaml(ROOT / "stacks" / "templates" / template / "Pulumi.yaml")
    prompts = project["template"]["config"]
    answer = {
        key: PARAMS.get(key.split(":", 1)[1], prompt["default"])
        if prompt["default"].startswith("<")
        else prompt["default"]
        for key, prompt in prompts.items()
    }
    document = {"config": answer}
    assert any(isinstance(v, str) and v.startswith("{") for v in document["config"].values())
    assert _errors(document) == []
    assert not _keel_refuses(document, tmp_path)


def test_stack_file_schema_takes_secure_values_where_secrets_are_and_for_provider_keys() -> None:
    document = load_yaml(BASE)
    document["config"][f"{NAMESPACE}:monitoring"] = {"alertWebhook": {"secure": "v1:AAAA"}}
    document["config"]["aws:secretKey"] = {"secure": "v1:BBBB"}
    assert _errors(document) == []


def test_stack_file_schema_refuses_secure_values_for_plain_spec_keys() -> None:
    document = load_yaml(BASE)
    document["config"][f"{NAMESPACE}:owner"] = {"secure": "v1:AAAA"}
    assert _errors(document)


_UNKNOWN = st.from_regex(r"[a-z][a-zA-Z]{0,15}", fullmatch=True)
#: Where an unknown key can go: the namespace itself, or inside one of its object-valued keys.
_PLACES = [
    "",
    "network",
    "encryption",
    "registry",
    "featureStore",
    "serving",
    "monitoring",
    "audit",
    "budget",
]


@settings(max_examples=40, deadline=None)
@given(key=_UNKNOWN, place=st.sampled_from(_PLACES))
def test_schema_and_keel_both_refuse_an_unknown_key_at_any_depth(
    key: str, place: str, tmp_path_factory
) -> None:  # type: ignore[no-untyped-def]
    document = copy.deepcopy(load_yaml(BASE))
    config = document["config"]
    if place == "":
        if key in SPEC_KEYS:
            return
        config[f"{NAMESPACE}:{key}"] = "x"
    else:
        model = StackSpec.model_fields[next(n for n, i in StackSpec.model_fields.items() if i.alias == place)]
        allowed = {(i.alias or n) for n, i in model.annotation.model_fields.items()}  # type: ignore[union-attr]
        if key in allowed:
            return
        config[f"{NAMESPACE}:{place}"] = {**(config.get(f"{NAMESPACE}:{place}") or {}), key: "x"}
    assert _errors(document), document
    assert _keel_refuses(document, tmp_path_factory.mktemp("trial"))


OBJECT_KEYS = [
    key
    for key in SPEC_KEYS
    if "$ref" in json.dumps(stack_file_schema()["properties"]["config"]["properties"][f"{NAMESPACE}:{key}"])
]
_WRONG = st.sampled_from([True, 3.5, [1, 2], "text", "{not json", '{"not": "this"}', {"not": "this"}])


@settings(max_examples=60, deadline=None)
@given(key=st.sampled_from(SPEC_KEYS), value=_WRONG)
def test_schema_never_flags_a_value_keel_accepts(key: str, value: Any, tmp_path_factory) -> None:  # type: ignore[no-untyped-def]
    """Pulumi reads a top-level scalar as text (``mlkeel:team: true`` is the team "true"):
    so does the schema."""
    document = copy.deepcopy(load_yaml(BASE))
    document["config"][f"{NAMESPACE}:{key}"] = value
    if _errors(document):
        assert _keel_refuses(document, tmp_path_factory.mktemp("trial")), (key, value, _errors(document))


@settings(max_examples=40, deadline=None)
@given(key=st.sampled_from(OBJECT_KEYS), value=st.sampled_from([True, 3.5, [1, 2], "text"]))
def test_schema_and_keel_both_refuse_a_non_object_for_an_object_key(
    key: str, value: Any, tmp_path_factory
) -> None:  # type: ignore[no-untyped-def]
    document = copy.deepcopy(load_yaml(BASE))
    document["config"][f"{NAMESPACE}:{key}"] = value
    assert _errors(document), (key, value)
    assert _keel_refuses(document, tmp_path_factory.mktemp("trial")), (key, value)
