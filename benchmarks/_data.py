"""Seeded data sets the runtime benchmarks share: two independent generators, written in row-group chunks.

Why two: one generator written alongside the code it measures can flatter it without anyone meaning to
(its columns are the shapes the code was tuned on). ``mixed`` is the data set the benchmarks have always
used; ``heavy`` was written separately from the issue's description of an independent harness
(heavy-tailed numerical columns, NaNs in many columns, text categoricals with 5-50 values and missing
entries), with other seeds, column names and drift. Every benchmark reports both.

Both write Parquet in ``CHUNK``-row row groups (bounded memory at any size) and CSV from the same rows, so a
CSV and a Parquet input hold identical values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

__all__ = ["CHUNK", "GENERATORS", "columns", "frames", "write_csv", "write_parquet"]

#: Rows generated (and written as one Parquet row group) at a time.
CHUNK = 1_000_000

# ------------------------------------------------------------------------------------------------
# "mixed": 20 numerical columns of four families + 5 string categoricals (3-50 levels)
# ------------------------------------------------------------------------------------------------

_MIXED_NUM, _MIXED_CATS = 20, (3, 5, 10, 20, 50)


def _mixed(rng: np.random.Generator, m: int, shifted: bool) -> dict[str, np.ndarray]:
    """Normal, lognormal, exponential and 2-decimal uniform (ties); the first 8 drift, two carry 1% NaN;
    categoricals of 3/5/10/20/50 levels, two drift, the largest gets a 0.5% unseen category."""
    cols: dict[str, np.ndarray] = {}
    for i in range(_MIXED_NUM):
        shift = 0.1 * (1 + i % 3) if shifted and i < 8 else 0.0
        fam = i % 4
        if fam == 0:
            x = rng.normal(shift, 1.0, m)
        elif fam == 1:
            x = rng.lognormal(shift, 0.6, m)
        elif fam == 2:
            x = rng.exponential(1.0 + shift, m)
        else:
            x = np.round(rng.uniform(shift, 1.0 + shift, m), 2)
        if i >= 18:
            x[rng.random(m) < 0.01] = np.nan
        cols[f"num_{i}"] = x
    for j, levels in enumerate(_MIXED_CATS):
        w = np.linspace(1.0, 2.0, levels)
        if shifted and j in (1, 3):
            w = w[::-1] ** 2
        values = rng.choice(np.array([f"c{j}_{k}" for k in range(levels)], dtype=object), m, p=w / w.sum())
        if shifted and j == 4:
            values[rng.random(m) < 0.005] = "unseen"
        cols[f"cat_{j}"] = values
    return cols


# ------------------------------------------------------------------------------------------------
# "heavy": 14 heavy-tailed / spiky numerical columns with NaNs + 6 text categoricals (5-50 values)
# ------------------------------------------------------------------------------------------------

_WORDS = [
    "alpha",
    "bravo",
    "charlie",
    "delta",
    "echo",
    "foxtrot",
    "golf",
    "hotel",
    "india",
    "juliet",
    "kilo",
    "lima",
    "mike",
    "november",
    "oscar",
    "papa",
    "quebec",
    "romeo",
    "sierra",
    "tango",
    "uniform",
    "victor",
    "whiskey",
    "xray",
    "yankee",
    "zulu",
    "amber",
    "basil",
    "cedar",
    "dune",
    "ember",
    "fjord",
    "grove",
    "heath",
    "iris",
    "jade",
    "kelp",
    "larch",
    "moss",
    "nectar",
    "onyx",
    "pearl",
    "quartz",
    "reed",
    "sage",
    "thorn",
    "umber",
    "vale",
    "willow",
    "yarrow",
]
_HEAVY_CATS = (("country", 5), ("device", 8), ("plan", 12), ("channel", 20), ("region", 35), ("segment", 50))
_HEAVY_NUM = (
    "latency_ms",
    "amount",
    "t2_score",
    "cauchy_noise",
    "pareto_size",
    "clicks",
    "zero_inflated",
    "session_s",
    "rating",
    "balance",
    "t3_delta",
    "log_income",
    "retries",
    "ratio",
)


def _heavy(rng: np.random.Generator, m: int, shifted: bool) -> dict[str, np.ndarray]:
    """Heavy tails (Student t with 2-3 degrees of freedom, Cauchy, Pareto, lognormal sigma 1.5), integer
    counts with many ties, a zero-inflated column, NaN in 8 of the 14 numerical columns (0.2-5%); Zipf-like
    text categoricals with missing values, three drift, one gets new values."""
    s = 1.0 if shifted else 0.0
    cols: dict[str, np.ndarray] = {
        "latency_ms": rng.lognormal(3.0 + 0.08 * s, 1.5, m),
        "amount": np.round(rng.pareto(1.5 + 0.2 * s, m) * 20.0, 2),
        "t2_score": rng.standard_t(2, m) + 0.05 * s,
        "cauchy_noise": rng.standard_cauchy(m),
        "pareto_size": rng.pareto(2.5, m),
        "clicks": rng.negative_binomial(2, 0.3 - 0.02 * s, m).astype(np.float64),
        "zero_inflated": np.where(rng.random(m) < 0.6 + 0.03 * s, 0.0, rng.gamma(2.0, 10.0, m)),
        "session_s": rng.weibull(0.7, m) * 60.0,
        "rating": rng.integers(1, 6, m).astype(np.float64),
        "balance": rng.standard_t(3, m) * 1000.0,
        "t3_delta": rng.standard_t(3, m) * (1.0 + 0.1 * s),
        "log_income": rng.normal(10.5, 0.8, m),
        "retries": rng.poisson(0.3, m).astype(np.float64),
        "ratio": rng.beta(0.5, 0.5, m),
    }
    for name, share in zip(
        ("latency_ms", "amount", "t2_score", "clicks", "session_s", "balance", "log_income", "ratio"),
        (0.05, 0.01, 0.002, 0.02, 0.03, 0.005, 0.04, 0.01),
        strict=True,
    ):
        cols[name][rng.random(m) < share] = np.nan
    for j, (name, levels) in enumerate(_HEAVY_CATS):
        w = 1.0 / np.arange(1, levels + 1) ** 1.1  # Zipf-like: a few common values, a long tail
        if shifted and j in (1, 4):
            w = np.roll(w, 1)
        vocab = np.array([f"{_WORDS[(k * 7 + j) % len(_WORDS)]}-{k}" for k in range(levels)], dtype=object)
        values = rng.choice(vocab, m, p=w / w.sum())
        values[rng.random(m) < 0.01 * (j % 3)] = None
        if shifted and j == 5:
            values[rng.random(m) < 0.002] = "brand-new"
        cols[name] = values
    return cols


#: name -> (chunk generator, numerical columns, categorical columns, seed base)
GENERATORS: dict[str, tuple[Callable[..., dict[str, np.ndarray]], list[str], list[str], int]] = {
    "mixed": (
        _mixed,
        [f"num_{i}" for i in range(_MIXED_NUM)],
        [f"cat_{j}" for j in range(len(_MIXED_CATS))],
        20261122,
    ),
    "heavy": (_heavy, list(_HEAVY_NUM), [name for name, _ in _HEAVY_CATS], 977),
}


def columns(generator: str) -> tuple[list[str], list[str]]:
    """(numerical, categorical) column names of a generator."""
    _, num, cat, _ = GENERATORS[generator]
    return list(num), list(cat)


def frames(generator: str, n: int, shifted: bool, seed: int | None = None) -> Iterator[object]:
    """The data set as pandas DataFrames of at most ``CHUNK`` rows (reference: ``shifted=False``)."""
    import pandas as pd

    make, _, _, base = GENERATORS[generator]
    rng = np.random.default_rng(seed if seed is not None else base + int(shifted))
    for start in range(0, n, CHUNK):
        yield pd.DataFrame(make(rng, min(CHUNK, n - start), shifted))


def write_parquet(path: Path, generator: str, n: int, shifted: bool, seed: int | None = None) -> None:
    """n rows in CHUNK-row row groups (pyarrow writer: bounded memory at any n)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    writer = None
    try:
        for frame in frames(generator, n, shifted, seed):
            table = pa.Table.from_pandas(frame, preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema)
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()


def write_csv(parquet: Path, path: Path) -> None:
    """The same rows as a CSV file (floats written with full precision, so both files hold equal values)."""
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    pcsv.write_csv(pq.read_table(parquet), path)
