"""Every file the project reads ends in data or a clear InputError;
every write is all-or-nothing (issue 11)."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlkeel.files import (
    MAX_DEPTH,
    InputError,
    atomic_path,
    atomic_write_text,
    load_json,
    load_yaml,
    parse_json,
    parse_yaml,
    read_text,
)

FIXTURES = Path(__file__).parent / "fixtures"


def test_yaml_alias_bomb_is_refused_quickly_naming_the_file() -> None:
    started = time.perf_counter()
    with pytest.raises(InputError, match=r"alias-bomb\.yaml: expands to more than"):
        load_yaml(FIXTURES / "alias-bomb.yaml")
    assert time.perf_counter() - started < 10


def test_yaml_timestamps_stay_strings_as_pulumi_reads_them() -> None:
    assert load_yaml(FIXTURES / "non-json-values.yaml") == {
        "config": {"aws:region": "2000-01-01", "2001-02-03": "a date as a key"}
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: 1\nb: 2\na: 3\n", r"f\.yaml: a \(line 3\): is given twice \(first on line 1\)"),
        ("a: !!binary aGVsbG8=\n", r"f\.yaml: a: is !!binary data"),
        ("a: !!set {x, y}\n", r"f\.yaml: a: is a !!set"),
        ("a: [1, .inf]\n", r"f\.yaml: a\[1\] = inf: must be a finite number"),
        ("a: &x\n  b: *x\n", r"refers to itself"),
        ("? [1, 2]\n: 3\n", r"a map key must be a plain value"),
        ("[" * 5000, r"nests deeper than"),
        ("a: b: c\n", r"f\.yaml: is not valid YAML \(line 1, column 5"),
        ("a: \x1f\n", r"is not valid YAML"),
    ],
)
def test_yaml_refuses_what_json_and_pulumi_cannot_carry(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_yaml(text, "f.yaml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[1, NaN]", "NaN is not a number JSON allows"),
        ('{"a": Infinity}', "Infinity is not a number JSON allows"),
        ("1e999", "beyond what a 64-bit float holds"),
        ("9" * 400, "beyond what a 64-bit float holds"),
        ("[" * 100_000, "nests deeper than"),
        ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), "nests deeper than"),
        ('{"a": }', r"is not valid JSON \(line 1, column 7"),
    ],
)
def test_json_refuses_numbers_no_engine_carries_and_deep_nesting(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        parse_json(text, "s.json")
    assert str(caught.value).startswith("s.json")


def test_json_at_the_depth_limit_is_read() -> None:
    text = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert parse_json(text, "s.json") is not None


def test_reading_refuses_non_regular_files_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "Pulumi.fifo.yaml"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="is not a regular file"):
        read_text(fifo, what="stack file")
    with pytest.raises(InputError, match="is a folder; expected a state"):
        read_text(tmp_path, what="state")
    with pytest.raises(InputError, match="state not found"):
        read_text(tmp_path / "missing.json", what="state")
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    with pytest.raises(InputError, match="symbolic link loop"):
        read_text(tmp_path / "a")


def test_reading_names_the_first_byte_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "jobs.yaml"
    path.write_bytes(b"jobs:\n  - name: \xff\xfe\n")
    with pytest.raises(InputError, match=r"jobs\.yaml: is not UTF-8 text \(byte 16, line 2\)"):
        load_yaml(path, what="jobs file")


def test_reading_refuses_documents_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text("[" + "1," * 600 + "1]")
    with pytest.raises(InputError, match="may be at most 1,000 bytes"):
        load_json(path, max_bytes=1000)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_fuzz_any_bytes_read_as_yaml_or_json_give_data_or_input_error(data: bytes) -> None:
    for parse in (parse_yaml, parse_json):
        try:
            text = data.decode("utf-8")
            parse(text, "fuzz")
        except UnicodeDecodeError:
            pass
        except InputError as exc:
            assert str(exc).startswith("fuzz")


def test_atomic_write_replaces_whole_or_not_at_all(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    atomic_write_text(target, "good\n")
    with pytest.raises(RuntimeError), atomic_path(target) as temp:
        temp.write_text("half")
        raise RuntimeError("killed mid-write")
    assert target.read_text() == "good\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state.json"]


def test_atomic_exclusive_write_never_overwrites_and_leaves_no_file_on_refusal(tmp_path: Path) -> None:
    target = tmp_path / "Pulumi.team-dev.yaml"
    atomic_write_text(target, "first\n", exclusive=True)
    with pytest.raises(FileExistsError):
        atomic_write_text(target, "second\n", exclusive=True)
    assert target.read_text() == "first\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_atomic_exclusive_write_has_one_winner_among_racing_writers(tmp_path: Path) -> None:
    target = tmp_path / "x.yaml"
    winners: list[int] = []

    def write(i: int) -> None:
        try:
            atomic_write_text(target, f"{i}\n", exclusive=True)
            winners.append(i)
        except FileExistsError:
            pass

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(winners) == 1 and target.read_text() == f"{winners[0]}\n"


def test_atomic_write_keeps_the_old_file_when_the_disk_is_full(tmp_path: Path) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("needs /dev/full")
    target = tmp_path / "report.md"
    target.write_text("previous report\n")
    with pytest.raises(OSError), atomic_path(target) as temp, open("/dev/full", "w") as full:
        temp.write_text("new")
        full.write("x" * 10_000)
        full.flush()
    assert target.read_text() == "previous report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]
