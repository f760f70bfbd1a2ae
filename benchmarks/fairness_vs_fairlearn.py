"""Fairness: mlkeel's runtime against fairlearn 0.15.0, side by side in one run, on equal terms.

    python benchmarks/fairness_vs_fairlearn.py          # 100k and 1M rows, 10 groups
    python benchmarks/fairness_vs_fairlearn.py --quick  # 100k rows only

Data: binary labels and predictions (int64) with group-dependent base and error rates and one sensitive
feature with 10 groups, written to parquet twice: the group column as plain strings (what a scoring job
writes) and as a pandas ``category``. Each side reads the file itself and is handed the column as read
(never ready-made codes). Every row is one call on each side: the "everything" row is one fairlearn
``MetricFrame`` with the four rates and its ``difference()``/``ratio()`` (both methods) against one
``fairness_report``. Both sides: one thread (``*_NUM_THREADS=1``), one untimed warm-up call, then the
median of the same number of timed calls. The first call in a fresh process (imports, reading the file,
numba loading its on-disk cache) is timed apart, in a new process per side. Each library runs in its own
process (fairlearn in ``.venv-peers``, made by ``benchmarks/setup_peers.sh``) so peak RSS is its own; both
print their metric values, compared here.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
PEERS_PY = ROOT / ".venv-peers" / "bin" / "python"
GROUPS = 10
RUNS = {100_000: 9, 1_000_000: 3}  # timed calls per row, the same on both sides (sub-ms calls vary most)
W = 100_000  # rows (at most) of the untimed warm-up call
CALLS = [
    ("demographic_parity_difference", {}),
    ("demographic_parity_ratio", {}),
    ("equalized_odds_difference", {}),
    ("equalized_odds_difference", {"method": "to_overall"}),
    ("equalized_odds_ratio", {}),
    ("equal_opportunity_difference", {}),
]
#: At 1M rows fairlearn takes 10-25 s a call: the full list runs at 100k, these (and the last row) at both.
LARGE_CALLS = {"demographic_parity_difference"}
COLUMNS = ("string", "category")
ONE_THREAD = {
    k: "1" for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")
}


def make_data(n: int, out: Path) -> None:
    """Write string.parquet and category.parquet: y, y_hat (0/1) and group (10 values)."""
    import pandas as pd

    rng = np.random.default_rng(7)
    g = rng.integers(0, GROUPS, n)
    y = (rng.random(n) < 0.25 + 0.03 * g).astype(np.int64)
    flip = rng.random(n) < 0.08 + 0.01 * g
    y_hat = np.where(flip, 1 - y, y).astype(np.int64)
    names = np.array([f"group_{k}" for k in range(GROUPS)], dtype=object)
    strings = pd.DataFrame({"y": y, "y_hat": y_hat, "group": names[g]})
    strings.to_parquet(out / "string.parquet")
    strings.assign(group=strings["group"].astype("category")).to_parquet(out / "category.parquet")


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _median_time(fn, runs: int, warm_up=None) -> tuple[float, object]:
    if warm_up is not None:
        warm_up()  # untimed, on both sides: the same call on the first W rows
    if "runtime.fairness._metrics" in sys.modules:  # mlkeel: its compiled kernels finish loading
        sys.modules["runtime.fairness._metrics"]._kernels(block=True)
    times, value = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), value


def _everything(mod, lib: str, y, y_hat, group):
    """One call that yields the per-group table and every disparity metric, on either side."""
    if lib == "mlkeel":
        report = mod.fairness_report(y, y_hat, group)
        return report.frame(), report.metrics
    from sklearn.metrics import accuracy_score

    frame = mod.MetricFrame(
        metrics={
            "selection_rate": mod.selection_rate,
            "true_positive_rate": mod.true_positive_rate,
            "false_positive_rate": mod.false_positive_rate,
            "accuracy": accuracy_score,
        },
        y_true=y,
        y_pred=y_hat,
        sensitive_features=group,
    )
    return frame.by_group, [frame.difference(method=m) for m in ("between_groups", "to_overall")] + [
        frame.ratio(method=m) for m in ("between_groups", "to_overall")
    ]


def _import(lib: str):
    if lib == "fairlearn":
        import fairlearn.metrics as mod

        return mod
    import runtime.fairness as ours

    return ours


def worker(lib: str, data: Path, column: str, runs: int, large: bool) -> dict:
    import pandas as pd

    frame = pd.read_parquet(data / f"{column}.parquet")
    y, y_hat, group = frame["y"].to_numpy(), frame["y_hat"].to_numpy(), frame["group"]
    base = _peak_mib()
    mod = _import(lib)
    calls: dict[str, list[float]] = {}
    out: dict[str, object] = {"data_mib": base, "calls": calls, "dtype": str(group.dtype)}
    for name, kwargs in CALLS:
        if large and (name not in LARGE_CALLS or kwargs):
            continue
        label = name + ("_to_overall" if kwargs.get("method") == "to_overall" else "")
        seconds, value = _median_time(
            lambda n=name, k=kwargs: getattr(mod, n)(y, y_hat, sensitive_features=group, **k),
            runs,
            lambda n=name, k=kwargs: getattr(mod, n)(y[:W], y_hat[:W], sensitive_features=group[:W], **k),
        )
        calls[label] = [seconds, float(value)]  # type: ignore[arg-type]
    seconds, _ = _median_time(
        lambda: _everything(mod, lib, y, y_hat, group),
        runs,
        lambda: _everything(mod, lib, y[:W], y_hat[:W], group[:W]),
    )
    calls["everything: per-group table (4 rates) + every disparity metric"] = [seconds, float("nan")]
    out["peak_mib"] = _peak_mib()
    return out


def first_call(lib: str, data: Path, column: str) -> dict:
    """A fresh process: import the library, read the file, one demographic_parity_difference call."""
    t0 = time.perf_counter()
    mod = _import(lib)
    import pandas as pd

    t1 = time.perf_counter()
    frame = pd.read_parquet(data / f"{column}.parquet")
    t2 = time.perf_counter()
    mod.demographic_parity_difference(
        frame["y"].to_numpy(), frame["y_hat"].to_numpy(), sensitive_features=frame["group"]
    )
    t3 = time.perf_counter()
    return {"import_s": t1 - t0, "read_s": t2 - t1, "call_s": t3 - t2}


def _run(python: Path | str, args: list[str]) -> dict:
    cmd = [str(python), __file__, *args]
    res = subprocess.run(
        cmd,
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONWARNINGS": "ignore", **ONE_THREAD},
    )
    return json.loads(res.stdout.strip().splitlines()[-1])


def _same(theirs: float, ours: float) -> str:
    if theirs != theirs:
        return "n/a"
    return "==" if theirs == ours else f"differ {abs(theirs - ours):.1e}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--worker", choices=["mlkeel", "fairlearn"])
    parser.add_argument("--data", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--column", choices=COLUMNS, default="string")
    parser.add_argument("--large", action="store_true")
    parser.add_argument("--first-call", action="store_true")
    args = parser.parse_args()
    if args.worker:
        sys.path.insert(0, str(ROOT))
        if args.first_call:
            print(json.dumps(first_call(args.worker, args.data, args.column)))
        else:
            print(json.dumps(worker(args.worker, args.data, args.column, args.runs, args.large)))
        return

    from rich.progress import Progress

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _report import machine_line, write_section

    if not PEERS_PY.exists():
        sys.exit(f"{PEERS_PY} not found: run benchmarks/setup_peers.sh first")
    sizes = [100_000] if args.quick else [100_000, 1_000_000]
    load_before = os.getloadavg()
    lines = [
        machine_line(),
        "",
        f"{GROUPS} groups; int64 labels and predictions; each side reads the parquet file itself and gets "
        "the group column as read: plain strings (`object`) or a `category`. One call per row on each side; "
        "the last row is one fairlearn `MetricFrame` (4 rates, then `difference()` and `ratio()` with both "
        "methods) against one `fairness_report`. Both sides: 1 thread, one untimed warm-up call on the "
        "first 100,000 rows (mlkeel's starts loading its compiled kernels in the background; the wait for "
        f"them is outside the timer), then the median of {RUNS[100_000]} timed calls at 100,000 rows and "
        f"{RUNS[1_000_000]} at 1,000,000; each library in its "
        "own process; values compared in the same run (`==` is bit-identical). At 1,000,000 rows only "
        "`demographic_parity_difference` and the last row run (fairlearn takes 10-25 s a call). The "
        "speed-up is fairlearn's time over mlkeel's.",
        "",
        "| rows | group column | call | fairlearn s | mlkeel ms | speed-up | values |",
        "|---:|---|---|---:|---:|---:|---|",
    ]
    memory: list[tuple[int, str, float, float, float, float]] = []
    first: list[tuple[int, str, dict, dict]] = []
    with tempfile.TemporaryDirectory() as tmp, Progress() as progress:
        task = progress.add_task("fairness benchmark", total=2 * len(sizes) * len(COLUMNS) + 4)
        for n in sizes:
            data = Path(tmp) / str(n)
            data.mkdir()
            make_data(n, data)
            for column in COLUMNS:
                common = ["--data", str(data), "--runs", str(RUNS[n]), "--column", column]
                common += ["--large"] if n >= 1_000_000 else []
                progress.update(task, description=f"{n:,} rows, {column}: fairlearn")
                theirs = _run(PEERS_PY, ["--worker", "fairlearn", *common])
                progress.advance(task)
                progress.update(task, description=f"{n:,} rows, {column}: mlkeel")
                ours = _run(sys.executable, ["--worker", "mlkeel", *common])
                progress.advance(task)
                for label, (t_s, t_v) in theirs["calls"].items():
                    o_s, o_v = ours["calls"][label]
                    lines.append(
                        f"| {n:,} | {column} | `{label}` | {t_s:.3f} | {o_s * 1e3:.2f} | "
                        f"**{t_s / o_s:,.0f}x** | {_same(t_v, o_v)} |"
                    )
                memory.append(
                    (n, column, theirs["peak_mib"], theirs["data_mib"], ours["peak_mib"], ours["data_mib"])
                )
        n = sizes[-1]
        for column in COLUMNS:
            timings = []
            for lib, python in (("fairlearn", PEERS_PY), ("mlkeel", Path(sys.executable))):
                progress.update(task, description=f"fresh process, {column}: {lib}")
                args_ = ["--worker", lib, "--data", str(Path(tmp) / str(n)), "--column", column]
                timings.append(_run(python, [*args_, "--first-call"]))
                progress.advance(task)
            first.append((n, column, timings[0], timings[1]))
    lines += [
        "",
        "First call in a fresh process (one `demographic_parity_difference`; the process imports the "
        "library, reads the file and calls once; mlkeel's first call takes its numpy path and does not "
        "wait for numba, which loads the compiled kernels in the background after it):",
        "",
        "| rows | group column | fairlearn import / read / call s | mlkeel import / read / call s | "
        "speed-up (call) | speed-up (all three) |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for n, column, t, o in first:
        t_all, o_all = t["import_s"] + t["read_s"] + t["call_s"], o["import_s"] + o["read_s"] + o["call_s"]
        lines.append(
            f"| {n:,} | {column} | {t['import_s']:.2f} / {t['read_s']:.2f} / {t['call_s']:.2f} | "
            f"{o['import_s']:.2f} / {o['read_s']:.2f} / {o['call_s']:.3f} | "
            f"**{t['call_s'] / o['call_s']:,.0f}x** | {t_all / o_all:,.1f}x |"
        )
    lines += [
        "",
        "| rows | group column | fairlearn peak MiB (data) | mlkeel peak MiB (data) |",
        "|---:|---|---:|---:|",
    ]
    lines += [f"| {n:,} | {c} | {a:.0f} ({b:.0f}) | {d:.0f} ({e:.0f}) |" for n, c, a, b, d, e in memory]
    lines += [
        "",
        f"Machine load average (1 min) {load_before[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the "
        "end (other jobs shared the 2 cores; both sides ran under the same load).",
    ]
    text = "\n".join(lines)
    if not args.no_write:
        write_section("fairness_vs_fairlearn", text)
    print(text)


if __name__ == "__main__":
    main()
