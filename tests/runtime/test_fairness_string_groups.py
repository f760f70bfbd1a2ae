"""Group columns of plain Python strings take a compiled pass keyed by object; the counts must be pandas'.

Issue 20: string group columns were 116-281x fairlearn against 1,000-2,300x for categories because
hashing a million strings cost 30 ms. The fast pass must give the same groups, order and counts as
``pd.factorize`` / ``groupby`` in every case that pandas decides differently from "one object per value".
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from runtime.fairness import _metrics, fairness_report, group_confusion

N = 6000
VALUES = np.array(["b", "a", "zz", "é", "c", "a2", "", "group_10", "group_9"], dtype=object)


@pytest.fixture(autouse=True)
def compiled_kernels() -> None:
    """The string pass is compiled: wait for the kernels the first call starts loading in the background."""
    if _metrics._kernels(block=True) is None:  # pragma: no cover - numba is a dependency
        pytest.skip("numba is not installed")


def _expected(y: np.ndarray, y_hat: np.ndarray, groups: pd.Series) -> pd.DataFrame:
    """(TN, FP, FN, TP) per group with pandas alone: the oracle."""
    cell = pd.Series(2 * y + y_hat).map({0: "tn", 1: "fp", 2: "fn", 3: "tp"})
    table = pd.crosstab(groups.to_numpy(), cell.to_numpy())
    return table.reindex(columns=["tn", "fp", "fn", "tp"], fill_value=0).sort_index()


def _data(seed: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.integers(0, 2, N), rng.integers(0, 2, N), rng.integers(0, VALUES.size, N)


def _fresh_copy(value: str) -> str:
    """An equal string held by a different object (as a row-by-row parser might produce)."""
    return "".join(["\x00", value])[1:] if len(value) > 1 else value


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda codes: pd.Series(VALUES[codes], name="g"), id="one-object-per-value"),
        pytest.param(
            lambda codes: pd.Series([_fresh_copy(v) for v in VALUES[codes]], name="g"),
            id="equal-strings-in-different-objects",
        ),
        pytest.param(lambda codes: VALUES[codes], id="numpy-object-array"),
    ],
)
def test_fairness_string_groups_count_like_pandas(make) -> None:
    y, y_hat, codes = _data()
    groups = make(codes)
    table, labels, _ = group_confusion(y, y_hat, groups)
    expected = _expected(y, y_hat, pd.Series(groups))
    assert labels == expected.index.tolist()  # sorted, as pd.factorize(sort=True) and fairlearn order them
    assert table.tolist() == expected.to_numpy().tolist()


def test_fairness_string_groups_equal_the_category_column() -> None:
    y, y_hat, codes = _data(5)
    strings = pd.Series(VALUES[codes], name="g")
    as_strings = fairness_report(y, y_hat, strings)
    as_category = fairness_report(y, y_hat, strings.astype("category"))
    assert as_strings == as_category


def test_fairness_string_groups_with_more_values_than_the_fast_pass_tracks() -> None:
    y, y_hat, _ = _data(7)
    groups = pd.Series([f"id-{i % 5000:05d}" for i in range(N)], name="g")  # 5,000 groups > 4,096
    table, labels, _ = group_confusion(y, y_hat, groups)
    expected = _expected(y, y_hat, groups)
    assert labels == expected.index.tolist()
    assert table.tolist() == expected.to_numpy().tolist()


def test_fairness_string_groups_with_a_missing_value_are_refused() -> None:
    y, y_hat, codes = _data()
    groups = pd.Series(VALUES[codes], name="g")
    groups.iloc[N // 2] = None
    with pytest.raises(ValueError, match="'g' has missing values"):
        fairness_report(y, y_hat, groups)


def test_fairness_mixed_strings_and_numbers_are_grouped_by_pandas() -> None:
    y, y_hat, codes = _data()
    groups = pd.Series(VALUES[codes], name="g")
    groups.iloc[::7] = 7  # a number among strings: the fast pass must hand the column to pandas
    table, labels, _ = group_confusion(y, y_hat, groups)
    by_pandas, _, _ = group_confusion(y.astype(float), y_hat.astype(float), groups)  # no compiled path
    assert 7 in labels
    assert table.tolist() == by_pandas.tolist()


def test_fairness_first_call_answers_before_the_kernels_load_and_the_same_as_after(tmp_path) -> None:
    """Issue 20: a fresh process's first call must not wait for numba; its answer must equal the kernels'."""
    script = tmp_path / "first_call.py"
    script.write_text(
        "import json, sys\n"
        "import numpy as np, pandas as pd\n"
        "from runtime.fairness import _metrics, fairness_report\n"
        "rng = np.random.default_rng(3)\n"
        "codes = rng.integers(0, 9, 6000)\n"
        "groups = pd.Series(np.array(list('abcdefghi'), dtype=object)[codes], name='g')\n"
        "y, y_hat = rng.integers(0, 2, 6000), rng.integers(0, 2, 6000)\n"
        "ready_before = _metrics._kernels() is not None\n"
        "first = fairness_report(y, y_hat, groups)\n"
        "_metrics._kernels(block=True)\n"
        "second = fairness_report(y, y_hat, groups)\n"
        "print(json.dumps([ready_before, first == second, _metrics._kernels() is not None]))\n"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        check=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
    )
    ready_before, same, ready_after = json.loads(out.stdout.strip().splitlines()[-1])
    assert not ready_before, "the kernels must load in the background, not at import"
    assert same, "the first call (numpy path) must answer as the compiled kernels do"
    assert ready_after
