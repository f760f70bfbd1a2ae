"""The StackSpec: good stack files validate, bad ones fail with every problem named (issue 2)."""

from __future__ import annotations

import contextlib
import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stacks.engine import load_stack_config
from stacks.spec import SpecError, StackSpec, spec_from_config, validate_spec_data

FIXTURES = Path(__file__).parent / "fixtures" / "spec"
GOOD = sorted((FIXTURES / "good").glob("Pulumi.*.yaml"))
BAD = sorted((FIXTURES / "bad").glob("Pulumi.*.yaml"))
EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "stacks" / "config").glob("Pulumi.*.yaml"))


def _spec(path: Path) -> StackSpec:
    config = load_stack_config(path)
    return spec_from_config(config.values, str(config.file))


def _expectations(path: Path) -> list[str]:
    return [m.group(1).strip() for m in re.finditer(r"^# expect: (.+)$", path.read_text(), re.M)]


@pytest.mark.parametrize("path", GOOD + EXAMPLES, ids=lambda p: p.name)
def test_spec_good_stack_files_validate(path: Path) -> None:
    spec = _spec(path)
    assert spec.stack_name == f"{spec.team}-{spec.environment}"


@pytest.mark.parametrize("path", BAD, ids=lambda p: p.name)
def test_spec_bad_stack_files_name_file_field_value_and_rule(path: Path) -> None:
    expectations = _expectations(path)
    assert expectations, f"{path.name} has no '# expect:' line"
    with pytest.raises(SpecError) as info:
        _spec(path)
    message = str(info.value)
    assert path.name in message
    for expected in expectations:
        assert expected in message, f"{expected!r} not in:\n{message}"


def test_spec_reports_several_problems_together() -> None:
    with pytest.raises(SpecError) as info:
        _spec(FIXTURES / "bad" / "Pulumi.several.yaml")
    assert len(info.value.issues) == 3
    assert str(info.value).startswith("3 problems:")


def test_spec_secret_config_stays_secret_and_out_of_repr() -> None:
    config = load_stack_config(FIXTURES / "good" / "Pulumi.secret-webhook.yaml")
    assert config.secret_keys == {"mlkeel:monitoring"}
    spec = spec_from_config(config.values, "f")
    assert spec.monitoring.alert_webhook is not None
    assert "offline-secret-placeholder" not in repr(spec)


def test_spec_cost_tags_carry_every_contract_key() -> None:
    from mlkeel.contracts import COST_TAG_KEYS

    spec = _spec(GOOD[0])
    tags = spec.cost_tags("serving")
    assert tuple(tags) == COST_TAG_KEYS
    assert tags["component"] == "serving" and tags["managed-by"] == "mlkeel"


def test_spec_extra_tags_may_not_override_cost_tags() -> None:
    data = json.loads(json.dumps(_spec(GOOD[0]).model_dump(by_alias=True, exclude_none=True)))
    data["tags"] = {"team": "other"}
    with pytest.raises(SpecError, match="set by mlkeel from the spec"):
        validate_spec_data(data, "f")


def test_spec_json_schema_published_and_current() -> None:
    published = Path(__file__).resolve().parents[2] / "stacks" / "spec" / "stack-spec.schema.json"
    assert json.loads(published.read_text()) == StackSpec.model_json_schema(by_alias=True), (
        "regenerate with: python -m stacks.spec"
    )


_values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 10_000) | st.floats(allow_nan=True) | st.text(max_size=12),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3),
    max_leaves=12,
)
_keys = st.sampled_from(
    ["team", "environment", "cloud", "region", "residencyZone", "dataClassification", "costCenter", "owner",
     "training", "serving", "network", "budget", "featureStore", "tags", "typo", "monitoring", "access"]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_keys, _values, max_size=10))
def test_spec_fuzz_validates_or_raises_spec_error(data: dict) -> None:
    try:
        validate_spec_data(data, "fuzz.yaml")
    except SpecError as exc:
        assert exc.issues and all(issue.file == "fuzz.yaml" for issue in exc.issues)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_spec_fuzz_config_strings_validate_or_raise_spec_error(text: str) -> None:
    config = {"mlkeel:team": "t", "mlkeel:training": text, "mlkeel:serving": "[" + text}
    with contextlib.suppress(SpecError):
        spec_from_config(config, "fuzz.yaml")


def test_spec_reference_in_docs_is_current() -> None:
    from stacks.spec._docs import reference_markdown

    docs = (Path(__file__).resolve().parents[2] / "docs" / "spec.md").read_text()
    assert f"<!-- BEGIN reference -->\n{reference_markdown()}<!-- END reference -->" in docs, (
        "regenerate with: python -m stacks.spec"
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_spec_fuzz_stack_file_text_loads_or_raises_spec_error(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "Pulumi.yaml").write_text("name: mlkeel\nruntime: python\n")
    stack = folder / "Pulumi.fuzz.yaml"
    stack.write_text(text, encoding="utf-8")
    try:
        config = load_stack_config(stack)
        spec_from_config(config.values, str(stack))
    except SpecError as exc:
        assert exc.issues
