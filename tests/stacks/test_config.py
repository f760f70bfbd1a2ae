"""Reading stack and project files (stacks/engine/_config.py): every read and YAML error path names the file.

Each case is a file a user could have; the error must be a ``SpecError`` (bad input, exit 2 in ``keel``)
naming the file, the field where there is one, and what is allowed, and must come back at once (a FIFO
must not hang the read).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from stacks.engine._config import load_stack_config, stack_config_dir
from stacks.stackspec import SpecError, spec_from_config

GOOD = Path(__file__).parent / "fixtures" / "spec" / "good" / "Pulumi.minimal-aws.yaml"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: mlkeel\nruntime: python\n")
    return tmp_path


def _error(stack: Path) -> SpecError:
    with pytest.raises(SpecError) as caught:
        config = load_stack_config(stack)
        spec_from_config(config.values, str(stack))
    return caught.value


def test_config_non_utf8_stack_file_names_the_file_and_byte(project: Path) -> None:
    stack = project / "Pulumi.dev.yaml"
    stack.write_bytes(b"config:\n  mlkeel:team: caf\xe9\n")
    error = _error(stack)
    assert error.issues[0].file == str(stack)
    assert "is not UTF-8 text (byte 26, line 2); a stack file is UTF-8 text" in str(error)


def test_config_binary_stack_file_is_refused(project: Path) -> None:
    stack = project / "Pulumi.dev.yaml"
    stack.write_bytes(bytes(range(256)))
    assert "is not UTF-8 text" in str(_error(stack))


def test_config_fifo_named_like_a_stack_file_is_refused_without_hanging(project: Path) -> None:
    stack = project / "Pulumi.dev.yaml"
    os.mkfifo(stack)
    error = _error(stack)
    assert error.issues[0].file == str(stack) and "is not a regular file" in str(error)


def test_config_folder_named_like_a_stack_file_is_refused(project: Path) -> None:
    (project / "Pulumi.dev.yaml").mkdir()
    assert "is a folder; expected a stack file" in str(_error(project / "Pulumi.dev.yaml"))


def test_config_missing_stack_file_is_named(project: Path) -> None:
    assert "stack file not found" in str(_error(project / "Pulumi.dev.yaml"))


def test_config_file_not_named_like_a_stack_file_is_refused(project: Path) -> None:
    other = project / "stack.yaml"
    other.write_text(GOOD.read_text())
    assert "a stack file is named Pulumi.<stack>.yaml" in str(_error(other))


def test_config_without_a_project_file_above_is_refused(tmp_path: Path) -> None:
    import tempfile

    from stacks.engine._config import find_project_file

    for base in (tmp_path, Path("/dev/shm"), Path("/var/tmp")):
        try:
            find_project_file(base)
        except SpecError:
            break
    else:
        pytest.skip("every scratch folder here has a Pulumi.yaml above it")
    with tempfile.TemporaryDirectory(dir=base) as folder:
        stack = Path(folder) / "Pulumi.dev.yaml"
        stack.write_text(GOOD.read_text())
        assert "no Pulumi.yaml found in this folder or above it" in str(_error(stack))


@pytest.mark.parametrize(
    ("project_text", "expected"),
    [
        ("runtime: python\n", 'name = {"runtime": "python"}: a Pulumi project file needs a \'name\''),
        (
            "name: mlkeel\nconfig: [a, b]\n",
            'config = ["a", "b"]: must be a mapping of config keys to declarations',
        ),
        ("name: mlkeel\nname: other\n", "name (line 2): is given twice (first on line 1)"),
        ("name: [mlkeel\n", "Pulumi.yaml: is not valid YAML (line 2, column 1"),
    ],
)
def test_config_bad_project_file_is_named(tmp_path: Path, project_text: str, expected: str) -> None:
    (tmp_path / "Pulumi.yaml").write_text(project_text)
    stack = tmp_path / "Pulumi.dev.yaml"
    stack.write_text(GOOD.read_text())
    error = _error(stack)
    assert error.issues[0].file == str(tmp_path / "Pulumi.yaml") and expected in str(error), str(error)


@pytest.mark.parametrize(
    ("stack_text", "field", "expected"),
    [
        ("- a\n- b\n", "", "a stack file is a mapping with a 'config:' key"),
        ("config: {}\nsecrets: x\n", "secrets", "unknown top-level key"),
        ("config: [a]\n", "config", "must be a mapping of config keys"),
        (
            "config:\n  mlkeel:team: a\n  mlkeel:team: b\n",
            "mlkeel:team (line 3)",
            "is given twice (first on line 2)",
        ),
        ("config:\n  mlkeel:tags: !!binary aGk=\n", "config.mlkeel:tags", "is !!binary data"),
        ("config:\n  mlkeel:tags: !!set {a}\n", "config.mlkeel:tags", "is a !!set"),
        ("config:\n  mlkeel:x: &a [*a]\n", "line 2", "refers to itself"),
    ],
)
def test_config_bad_stack_file_names_file_field_and_rule(
    project: Path, stack_text: str, field: str, expected: str
) -> None:
    stack = project / "Pulumi.dev.yaml"
    stack.write_text(stack_text)
    error = _error(stack)
    assert (error.issues[0].file, error.issues[0].path) == (str(stack), field)
    assert expected in error.issues[0].message, str(error)


def test_config_dates_stay_text_as_pulumi_reads_them(project: Path) -> None:
    stack = project / "Pulumi.dev.yaml"
    stack.write_text(GOOD.read_text() + "  aws:region: 2000-01-01\n  mlkeel:tags: {since: 2000-01-01}\n")
    config = load_stack_config(stack)
    assert config.values["aws:region"] == "2000-01-01"
    assert spec_from_config(config.values, str(stack)).tags == {"since": "2000-01-01"}


def test_config_whole_floats_reach_the_program_as_go_encodes_them(project: Path) -> None:
    """The Pulumi CLI writes ``2.0`` as ``2``, so an integer field given ``2.0`` validates
    as it would under Pulumi."""
    stack = project / "Pulumi.dev.yaml"
    stack.write_text(
        GOOD.read_text()
        + "  mlkeel:audit: {retentionDays: 400.0}\n  mlkeel:budget: {monthlyLimitUsd: 10.5}\n"
    )
    config = load_stack_config(stack)
    assert config.values["mlkeel:audit"] == '{"retentionDays": 400}'
    spec = spec_from_config(config.values, str(stack))
    assert spec.audit.retention_days == 400 and spec.budget.monthly_limit_usd == 10.5


def test_config_secure_values_are_placeholders_marked_secret(project: Path) -> None:
    stack = project / "Pulumi.dev.yaml"
    stack.write_text(GOOD.read_text() + "  mlkeel:monitoring:\n    alertWebhook: {secure: v1:abc}\n")
    config = load_stack_config(stack)
    assert config.secret_keys == {"mlkeel:monitoring"}
    assert "offline-secret-placeholder" in config.values["mlkeel:monitoring"]


@pytest.mark.parametrize(
    ("text", "expected"), [("name: p\n", "."), ("name: p\nstackConfigDir: stacks/config\n", "stacks/config")]
)
def test_config_stack_config_dir_defaults_to_the_project_folder(
    tmp_path: Path, text: str, expected: str
) -> None:
    (tmp_path / "Pulumi.yaml").write_text(text)
    assert stack_config_dir(tmp_path / "Pulumi.yaml") == tmp_path / expected


def test_config_stack_config_dir_must_be_a_path(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: p\nstackConfigDir: [a]\n")
    with pytest.raises(SpecError, match=r"stackConfigDir = \["):
        stack_config_dir(tmp_path / "Pulumi.yaml")
