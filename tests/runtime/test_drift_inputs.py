"""``keel drift`` (and ``keel fairness``, which reads data the same way) on broken inputs (issue 11).

Every data file and profile goes through the command as a user runs it (``stacks.cli.main``, the
console script's entry). The rule under test: the command succeeds (0), reports drift (1, with a line
saying why) or refuses bad input (2) with the file named; never a traceback or an internal error (3).
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlkeel.files import InputError
from runtime.drift import DriftDetector, load_profile
from runtime.drift._report import read_table
from stacks.cli import _register_all, main

FIXTURES = Path(__file__).parent / "fixtures"
REF, CUR, SCORED = (
    FIXTURES / "drift_reference.csv",
    FIXTURES / "drift_current.csv",
    FIXTURES / "fairness_scored.csv",
)
TYPES = [
    "--numerical",
    "age",
    "--numerical",
    "income",
    "--categorical",
    "country",
    "--categorical",
    "segment",
]
FAIRNESS = ["--label", "y", "--prediction", "y_hat", "--sensitive", "group"]


def run(argv: list[str]) -> tuple[int, str, str]:
    """``keel ARGV`` in-process through the console script's ``main``: (exit code, stdout, stderr).

    Every verb is registered once per process before the first call: ``main`` registers only when
    nothing has been yet, so a run must never take registrations away again (every later run would
    then find no verb at all, depending on which test happened to run first).
    """
    _register_all()
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    return code, out.getvalue(), err.getvalue()


def assert_refused_naming(code: int, err: str, path: Path) -> None:
    assert code == 2, err
    assert err.startswith("keel: error: ") and str(path) in err and "Traceback" not in err, err


# -- data files ----------------------------------------------------------------------------------------------
def _broken_data_files(folder: Path) -> dict[str, Path]:
    """One member of each class of unreadable data file."""
    files: dict[str, Path] = {}
    files["not utf-8"] = folder / "latin1.csv"
    files["not utf-8"].write_bytes("age,income\n1,2\nM\xfcnchen,3\n".encode("latin-1"))
    files["binary"] = folder / "binary.csv"
    files["binary"].write_bytes(bytes(range(256)) * 4)
    files["empty"] = folder / "empty.csv"
    files["empty"].write_bytes(b"")
    good = folder / "good.parquet"
    pd.read_csv(CUR).to_parquet(good)
    files["truncated parquet"] = folder / "truncated.parquet"
    files["truncated parquet"].write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    files["text as parquet"] = folder / "text.parquet"
    files["text as parquet"].write_text("age,income\n1,2\n")
    files["bad gzip"] = folder / "bad.csv.gz"
    files["bad gzip"].write_bytes(gzip.compress(CUR.read_bytes())[:40])
    files["folder"] = folder / "folder.csv"
    files["folder"].mkdir()
    files["fifo"] = folder / "fifo.csv"
    os.mkfifo(files["fifo"])
    files["missing"] = folder / "missing.csv"
    files["unsupported"] = folder / "data.xlsx"
    files["unsupported"].write_bytes(b"PK")
    loop = folder / "loop.csv"
    loop.symlink_to(loop)
    files["symlink loop"] = loop
    return files


BROKEN = [
    "not utf-8",
    "binary",
    "empty",
    "truncated parquet",
    "text as parquet",
    "bad gzip",
    "folder",
    "fifo",
    "missing",
    "unsupported",
    "symlink loop",
]


@pytest.mark.parametrize("kind", BROKEN)
def test_read_table_refuses_each_class_of_unreadable_file_naming_it(tmp_path: Path, kind: str) -> None:
    path = _broken_data_files(tmp_path)[kind]
    with pytest.raises(InputError) as info:
        read_table(path)
    assert str(path) in str(info.value)


@pytest.mark.parametrize("kind", BROKEN)
@pytest.mark.parametrize("option", ["--reference", "--current"])
def test_drift_cli_refuses_each_unreadable_data_file_with_exit_2(
    tmp_path: Path, kind: str, option: str
) -> None:
    path = _broken_data_files(tmp_path)[kind]
    files = {"--reference": str(REF), "--current": str(CUR), option: str(path)}
    code, _, err = run(
        ["drift", "--reference", files["--reference"], "--current", files["--current"], *TYPES]
    )
    assert_refused_naming(code, err, path)
    assert err.startswith(f"keel: error: {option}")


@pytest.mark.parametrize("kind", BROKEN)
def test_fairness_cli_refuses_each_unreadable_data_file_with_exit_2(tmp_path: Path, kind: str) -> None:
    path = _broken_data_files(tmp_path)[kind]
    code, _, err = run(["fairness", "--data", str(path), *FAIRNESS])
    assert_refused_naming(code, err, path)


def test_read_table_reads_gzip_csv_and_utf8_bom(tmp_path: Path) -> None:
    gz = tmp_path / "cur.csv.gz"
    gz.write_bytes(gzip.compress(CUR.read_bytes()))
    bom = tmp_path / "bom.csv"
    bom.write_bytes(b"\xef\xbb\xbf" + CUR.read_bytes())
    expected = pd.read_csv(CUR)
    pd.testing.assert_frame_equal(read_table(gz), expected)
    pd.testing.assert_frame_equal(read_table(bom), expected)


_cells = st.one_of(
    st.sampled_from(
        ["", "1", "2.5", "-3", "nan", "inf", "-inf", "de", "forty", '"a,b"', "1e400", "0x10", "True"]
    ),
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=6),
)


@st.composite
def _csv_documents(draw: st.DrawFn) -> bytes:
    """CSV-shaped text: the fixture's header or a random one, ragged rows, random cells,
    sometimes raw bytes."""
    header = draw(st.sampled_from([["age", "income", "country", "segment"], ["age", "income"], ["age"]]))
    rows = draw(st.lists(st.lists(_cells, min_size=0, max_size=5), max_size=12))
    text = "\n".join([",".join(header), *(",".join(r) for r in rows)])
    data = text.encode("utf-8")
    if draw(st.booleans()):
        cut = draw(st.integers(0, len(data)))
        data = data[:cut] + draw(st.binary(max_size=8)) + data[cut:]
    return data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=_csv_documents(), side=st.sampled_from(["--reference", "--current"]), typed=st.booleans())
def test_drift_cli_on_random_csv_succeeds_or_refuses_naming_the_file(
    tmp_path: Path, data: bytes, side: str, typed: bool
) -> None:
    path = tmp_path / "fuzz.csv"
    path.write_bytes(data)
    files = {"--reference": str(REF), "--current": str(CUR), side: str(path)}
    code, _, err = run(
        [
            "drift",
            "--reference",
            files["--reference"],
            "--current",
            files["--current"],
            *(TYPES if typed else []),
            "--format",
            "json",
            "--fail-on-drift",
        ]
    )
    assert code in (0, 1, 2), err
    if code == 2:
        assert_refused_naming(code, err, path)
    if code == 1:
        assert err.startswith("keel: dataset drift in "), err


# -- messages ------------------------------------------------------------------------------------------------
def test_drift_text_cell_error_names_the_offending_cell_its_column_and_row(tmp_path: Path) -> None:
    frame = pd.read_csv(CUR)
    frame["age"] = frame["age"].astype(object)
    frame.loc[7, "age"] = "forty"  # row 8 of the data; the first cell of the column is a fine number
    cur = tmp_path / "cur.csv"
    frame.to_csv(cur, index=False)
    code, _, err = run(["drift", "--reference", str(REF), "--current", str(cur), *TYPES])
    assert code == 2
    assert f"--current {cur}: column 'age' is numerical in the reference but row 8 holds 'forty'" in err
    code, _, err = run(["drift", "--reference", str(cur), "--current", str(CUR), *TYPES])
    assert (
        code == 2 and f"--reference {cur}: column 'age' is declared numerical but row 8 holds 'forty'" in err
    )


# -- references that cannot be judged ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "content,message",
    [
        ("age,income,country,segment\n", "has no rows"),
        ("age,income,country,segment\n,,,\n,,,\n", "have no usable values"),
        (
            "age,income,country,segment\ninf,1,de,retail\n-inf,2,it,retail\n",
            "column(s) ['age'] have no usable values",
        ),
    ],
)
@pytest.mark.parametrize("typed", [True, False])
def test_drift_cli_refuses_a_reference_it_cannot_judge_even_with_fail_on_drift(
    tmp_path: Path, content: str, message: str, typed: bool
) -> None:
    ref = tmp_path / "ref.csv"
    ref.write_text(content)
    code, out, err = run(
        [
            "drift",
            "--reference",
            str(ref),
            "--current",
            str(CUR),
            *(TYPES if typed else []),
            "--fail-on-drift",
            "--format",
            "json",
        ]
    )
    assert code == 2 and out == "" and f"--reference {ref}: " in err and message in err, err
    assert "--current" not in err


def test_drift_cli_empty_window_fails_closed(tmp_path: Path) -> None:
    cur = tmp_path / "cur.csv"
    cur.write_text("age,income,country,segment\n")
    code, out, err = run(
        [
            "drift",
            "--reference",
            str(REF),
            "--current",
            str(cur),
            *TYPES,
            "--format",
            "json",
            "--fail-on-drift",
        ]
    )
    doc = json.loads(out)
    assert code == 1 and doc["dataset_drift"] and {c["status"] for c in doc["columns"]} == {"empty_current"}
    assert "4 of 4 columns drifted" in err


def test_drift_cli_failure_with_output_says_why_on_stderr(tmp_path: Path) -> None:
    report = tmp_path / "drift.json"
    code, out, err = run(
        [
            "drift",
            "--reference",
            str(REF),
            "--current",
            str(CUR),
            *TYPES,
            "--format",
            "json",
            "--output",
            str(report),
            "--fail-on-drift",
        ]
    )
    assert code == 1 and out == ""
    assert err.strip().splitlines() == [
        f"keel: dataset drift in {CUR}: 2 of 4 columns drifted (age, country); share 0.500 >= --drift-share "
        f"0.5; report in {report}"
    ]
    assert json.loads(report.read_text())["dataset_drift"] is True


# -- profiles ------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def saved_profiles(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("profiles")
    detector = DriftDetector(numerical=["age", "income"], categorical=["country", "segment"]).fit(
        pd.read_csv(REF)
    )
    return {suffix: detector.save(folder / f"ref{suffix}").read_bytes() for suffix in (".npz", ".json")}


def _profile_run(path: Path) -> tuple[int, str, str]:
    return run(["drift", "--profile", str(path), "--current", str(CUR), "--format", "json"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), suffix=st.sampled_from([".npz", ".json"]))
def test_truncated_profiles_are_refused_as_not_a_profile(
    tmp_path: Path, saved_profiles: dict[str, bytes], data: st.DataObject, suffix: str
) -> None:
    whole = saved_profiles[suffix]
    cut = data.draw(st.integers(0, len(whole) - 1))
    path = tmp_path / f"cut{suffix}"
    path.write_bytes(whole[:cut])
    code, _, err = _profile_run(path)
    assert_refused_naming(code, err, path)
    assert "is not a reference profile written by mlkeel" in err and "allow_pickle" not in err


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.data(),
    suffix=st.sampled_from([".npz", ".json"]),
    how=st.sampled_from(["random", "flip", "splice"]),
)
def test_corrupted_profiles_score_or_are_refused_naming_the_file(
    tmp_path: Path, saved_profiles: dict[str, bytes], data: st.DataObject, suffix: str, how: str
) -> None:
    whole = bytearray(saved_profiles[suffix])
    if how == "random":
        content = data.draw(st.binary(max_size=4096))
    elif how == "flip":
        for _ in range(data.draw(st.integers(1, 8))):
            i = data.draw(st.integers(0, len(whole) - 1))
            whole[i] = data.draw(st.integers(0, 255))
        content = bytes(whole)
    else:
        at = data.draw(st.integers(0, len(whole)))
        content = bytes(whole[:at]) + data.draw(st.binary(min_size=1, max_size=64)) + bytes(whole[at:])
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(content)
    code, _, err = _profile_run(path)
    assert code in (0, 2), err
    if code == 2:
        assert_refused_naming(code, err, path)
        assert "allow_pickle" not in err


@pytest.mark.parametrize(
    "change,why",
    [
        (lambda d: d["meta"].update(n_rows=0), "n_rows = 0"),
        (lambda d: d["meta"]["columns"][0].update(kind="text"), "kind 'text'"),
        (
            lambda d: d["arrays"]["c0_sorted"].update(data=list(reversed(d["arrays"]["c0_sorted"]["data"]))),
            "not finite and sorted",
        ),
        (lambda d: d["arrays"]["c2_counts"].update(data=[1]), "counts for"),
        (lambda d: d["meta"].update(version=99), "version 99"),
        (lambda d: d.update(arrays=[]), "bad layout"),
    ],
)
def test_profile_parts_that_contradict_each_other_are_refused(
    tmp_path: Path, saved_profiles: dict[str, bytes], change, why: str
) -> None:
    doc = json.loads(saved_profiles[".json"])
    change(doc)
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError, match="is not a reference profile written by mlkeel") as info:
        load_profile(path)
    assert why in str(info.value)


def test_npz_holding_python_objects_is_refused_without_suggesting_pickle(tmp_path: Path) -> None:
    path = tmp_path / "objects.npz"
    np.savez(path, __meta__=np.array([{"version": 1}], dtype=object))
    code, _, err = _profile_run(path)
    assert_refused_naming(code, err, path)
    assert "Python objects" in err and "allow_pickle" not in err


def test_profile_save_is_atomic_when_the_writer_fails(
    tmp_path: Path, saved_profiles: dict[str, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "ref.npz"
    target.write_bytes(saved_profiles[".npz"])
    detector = DriftDetector(numerical=["age"], categorical=[]).fit(pd.read_csv(REF))

    def half_written(file, *args, **kwargs):  # numpy's writer dying halfway (disk full, kill)
        file.write(b"PK\x03\x04 half an archive")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(np, "savez", half_written)
    with pytest.raises(OSError, match="No space left"):
        detector.save(target)
    assert target.read_bytes() == saved_profiles[".npz"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ref.npz"]


def test_profile_save_cli_error_exits_2_naming_the_path(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, _, err = run(
        [
            "drift",
            "--reference",
            str(REF),
            "--current",
            str(CUR),
            *TYPES,
            "--save-profile",
            str(blocker / "ref.npz"),
        ]
    )
    assert_refused_naming(code, err, blocker / "ref.npz")
    code, _, err = run(
        [
            "drift",
            "--reference",
            str(REF),
            "--current",
            str(CUR),
            *TYPES,
            "--save-profile",
            str(tmp_path / "ref.pickle"),
        ]
    )
    assert code == 2 and "must end in .npz or .json" in err
