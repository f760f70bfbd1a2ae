"""The StackSpec: good stack files validate, bad ones fail with every problem named (issue 2)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stacks.engine import load_stack_config
from stacks.stackspec import SpecError, StackSpec, spec_from_config, validate_spec_data

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

    spec = _spec(FIXTURES / "good" / "Pulumi.minimal-aws.yaml")
    tags = spec.cost_tags("serving")
    assert tuple(tags) == COST_TAG_KEYS
    assert tags["component"] == "serving" and tags["managed-by"] == "mlkeel"


def test_spec_extra_tags_may_not_override_cost_tags() -> None:
    data = json.loads(
        json.dumps(
            _spec(FIXTURES / "good" / "Pulumi.minimal-aws.yaml").model_dump(by_alias=True, exclude_none=True)
        )
    )
    data["tags"] = {"team": "other"}
    with pytest.raises(SpecError, match="set by mlkeel from the spec"):
        validate_spec_data(data, "f")


def test_spec_json_schema_published_and_current() -> None:
    from stacks.stackspec import SPEC_SCHEMA_FILE

    assert json.loads(SPEC_SCHEMA_FILE.read_text()) == StackSpec.model_json_schema(by_alias=True), (
        "regenerate with: python -m stacks.stackspec"
    )


def test_spec_reference_in_docs_is_current() -> None:
    from stacks.stackspec._docs import reference_markdown

    docs = (Path(__file__).resolve().parents[2] / "docs" / "spec.md").read_text()
    assert f"<!-- BEGIN reference -->\n{reference_markdown()}<!-- END reference -->" in docs, (
        "regenerate with: python -m stacks.stackspec"
    )


# -- fuzzing the path users take: stack file text -> load_stack_config -> spec_from_config -------------------

#: Phrases of the validation library; a user must read what is allowed, in the spec's words.
LIBRARY_PHRASES = (
    "Input should",
    "should match pattern",
    "after validation",
    "instance of",
    "Value error",
    "String should",
    "List should",
    "Dictionary should",
    "[key]",
)


def _outcome(folder: Path, text: str) -> StackSpec | SpecError:
    """Plan-time validation of ``text`` as a stack file: a spec, or the SpecError; anything else escapes."""
    stack = folder / "Pulumi.fuzz.yaml"
    stack.write_text(text, encoding="utf-8")
    try:
        config = load_stack_config(stack)
        return spec_from_config(config.values, str(stack))
    except SpecError as exc:
        return exc


def _assert_names_file(error: SpecError, folder: Path) -> None:
    assert error.issues, "a SpecError must list at least one issue"
    for issue in error.issues:
        assert issue.file == str(folder / "Pulumi.fuzz.yaml"), issue
        assert issue.message and not any(phrase in issue.message for phrase in LIBRARY_PHRASES), issue


@pytest.fixture(scope="module")
def fuzz_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "Pulumi.yaml").write_text("name: mlkeel\nruntime: python\n")
    return folder


_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-5, 10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["1.31", "us-east-1", "EU ", "2000-01-01", "yes", "0x1F", "1e400"])
)
_values = st.recursive(
    _scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3)
    ),
    max_leaves=12,
)
_keys = st.sampled_from(
    [
        "team",
        "environment",
        "cloud",
        "region",
        "residencyZone",
        "dataClassification",
        "costCenter",
        "owner",
        "training",
        "serving",
        "network",
        "budget",
        "featureStore",
        "tags",
        "typo",
        "monitoring",
        "access",
        "project",
        "billingAccount",
    ]
)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.dictionaries(_keys, _values, max_size=10))
def test_spec_fuzz_structured_stack_files_end_in_a_spec_or_a_spec_error_naming_the_file(
    fuzz_project: Path, data: dict
) -> None:
    import yaml

    text = yaml.safe_dump({"config": {f"mlkeel:{k}": v for k, v in data.items()}})
    outcome = _outcome(fuzz_project, text)
    if isinstance(outcome, SpecError):
        _assert_names_file(outcome, fuzz_project)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300) | st.text(alphabet="config:mlkeel{}[]-, \n\t'\"&*!|>#%@`", max_size=120))
def test_spec_fuzz_any_stack_file_text_ends_in_a_spec_or_a_spec_error_naming_the_file(
    fuzz_project: Path, text: str
) -> None:
    outcome = _outcome(fuzz_project, text)
    if isinstance(outcome, SpecError):
        _assert_names_file(outcome, fuzz_project)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=200))
def test_spec_fuzz_json_config_strings_end_in_a_spec_or_a_spec_error(fuzz_project: Path, text: str) -> None:
    """``pulumi config set mlkeel:training '<text>'`` hands the program a string to decode."""
    import yaml

    config = {"mlkeel:training": text, "mlkeel:serving": "[" + text, "mlkeel:budget": "{" + text}
    outcome = _outcome(fuzz_project, yaml.safe_dump({"config": config}))
    assert isinstance(outcome, SpecError)  # no team, no cloud: it can never be a spec
    _assert_names_file(outcome, fuzz_project)


# -- structured fuzz: a sound stack file with one field made wrong -------------------------------------------

SOUND = FIXTURES / "good" / "Pulumi.full-aws.yaml"


def _sound_config() -> dict:
    import yaml

    return yaml.safe_load(SOUND.read_text())["config"]


def _leaves(value: object, path: tuple = ()) -> list[tuple]:
    """Every scalar of the sound file, by its path of keys and indexes."""
    if isinstance(value, dict):
        return [leaf for key, child in value.items() for leaf in _leaves(child, (*path, key))]
    if isinstance(value, list):
        return [leaf for i, child in enumerate(value) for leaf in _leaves(child, (*path, i))]
    return [path]


def _spec_path(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _wrong_for(value: object, top_level: bool) -> st.SearchStrategy:
    """Values of another JSON type than ``value``: booleans are not numbers, numbers are not text.

    Top-level config values are strings to Pulumi whatever YAML made of them (``team: 10`` is "10"), so
    there only structures are wrong. Null means "not given" and is tested apart.
    """
    if top_level:
        return st.sampled_from([[value], {"v": value}])
    if isinstance(value, bool):
        return st.sampled_from([1, 0, "true", "yes", 1.5, [], {}])
    if isinstance(value, (int, float)):
        return st.sampled_from([True, False, "10", str(value), [], {"n": value}, float("inf"), float("nan")])
    if isinstance(value, str):
        return st.sampled_from([True, 10, 1.5, [value], {"v": value}])
    return st.nothing()


def _set(config: dict, path: tuple, value: object) -> None:
    target: object = config
    for part in path[:-1]:
        target = target[part]  # type: ignore[index]
    target[path[-1]] = value  # type: ignore[index]


LEAVES = [leaf for leaf in _leaves(_sound_config()) if not str(leaf[0]).startswith(("aws:", "gcp:"))]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_spec_fuzz_one_mistyped_field_is_named_in_the_spec_error(
    fuzz_project: Path, data: st.DataObject
) -> None:
    import yaml

    config = _sound_config()
    path = data.draw(st.sampled_from(LEAVES))
    original = config
    for part in path:
        original = original[part]
    wrong = data.draw(_wrong_for(original, top_level=len(path) == 1))
    _set(config, path, wrong)
    text = yaml.safe_dump({"config": config})
    outcome = _outcome(fuzz_project, text)
    assert isinstance(outcome, SpecError), f"{_spec_path(path)} = {wrong!r} was accepted"
    _assert_names_file(outcome, fuzz_project)
    named = _spec_path(path)
    assert any(
        issue.path.endswith(named) or named.endswith(issue.path.removeprefix("config."))
        for issue in outcome.issues
    ), (named, [str(i) for i in outcome.issues])


def test_spec_null_top_level_value_is_reported_as_missing(fuzz_project: Path) -> None:
    import yaml

    config = _sound_config()
    config["mlkeel:team"] = None
    outcome = _outcome(fuzz_project, yaml.safe_dump({"config": config}))
    assert isinstance(outcome, SpecError)
    assert [(i.path, i.message) for i in outcome.issues] == [("mlkeel:team", "is required")]


def test_spec_sound_fuzz_base_is_sound(fuzz_project: Path) -> None:
    """The structured fuzz mutates a file that validates: every error it sees comes from the mutation."""
    assert isinstance(_outcome(fuzz_project, SOUND.read_text()), StackSpec)
