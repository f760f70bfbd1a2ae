"""Fairness: mlkeel's runtime against fairlearn 0.15.0, side by side in one run.

    python benchmarks/fairness_vs_fairlearn.py          # 100k and 1M rows, 10 groups
    python benchmarks/fairness_vs_fairlearn.py --quick  # 100k rows only

Data: binary labels and predictions (int64) with group-dependent base and error rates, one sensitive
feature with 10 groups given to both libraries as the same pandas ``category`` column. Each side runs in
its own process (fairlearn in ``.venv-peers``, made by ``benchmarks/setup_peers.sh``) so peak RSS is its
own; both print their metric values, compared here.
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
CALLS = [
    ("demographic_parity_difference", {}),
    ("demographic_parity_ratio", {}),
    ("equalized_odds_difference", {}),
    ("equalized_odds_difference", {"method": "to_overall"}),
    ("equalized_odds_ratio", {}),
    ("equal_opportunity_difference", {}),
]


def make_data(n: int, out: Path) -> None:
    """Write scored.parquet: y, y_hat (0/1) and group (category of 10)."""
    import pandas as pd

    rng = np.random.default_rng(7)
    g = rng.integers(0, GROUPS, n)
    y = (rng.random(n) < 0.25 + 0.03 * g).astype(np.int64)
    flip = rng.random(n) < 0.08 + 0.01 * g
    y_hat = np.where(flip, 1 - y, y).astype(np.int64)
    group = pd.Categorical.from_codes(g, [f"group_{k}" for k in range(GROUPS)])
    pd.DataFrame({"y": y, "y_hat": y_hat, "group": group}).to_parquet(out / "scored.parquet")


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _median_time(fn, runs: int) -> tuple[float, object]:
    times, value = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), value


def worker(lib: str, data: Path, runs: int) -> dict:
    import pandas as pd

    frame = pd.read_parquet(data / "scored.parquet")
    y, y_hat, group = frame["y"].to_numpy(), frame["y_hat"].to_numpy(), frame["group"]
    base = _peak_mib()
    if lib == "fairlearn":
        import fairlearn.metrics as mod
        from sklearn.metrics import accuracy_score
    else:
        import runtime.fairness as mod  # type: ignore[no-redef]
    out: dict[str, object] = {"data_mib": base, "calls": {}}
    for name, kwargs in CALLS:
        label = name + ("_to_overall" if kwargs.get("method") == "to_overall" else "")
        seconds, value = _median_time(
            lambda n=name, k=kwargs: getattr(mod, n)(y, y_hat, sensitive_features=group, **k), runs
        )
        out["calls"][label] = [seconds, float(value)]  # type: ignore[index]
    if lib == "fairlearn":

        def table():
            return mod.MetricFrame(
                metrics={
                    "selection_rate": mod.selection_rate,
                    "true_positive_rate": mod.true_positive_rate,
                    "false_positive_rate": mod.false_positive_rate,
                    "accuracy": accuracy_score,
                },
                y_true=y,
                y_pred=y_hat,
                sensitive_features=group,
            ).by_group
    else:

        def table():
            return mod.fairness_report(y, y_hat, group).frame()

    seconds, _ = _median_time(table, runs)
    out["calls"]["by_group_table (4 rates)"] = [seconds, float("nan")]  # type: ignore[index]
    if lib == "mlkeel":
        seconds, _ = _median_time(lambda: mod.fairness_report(y, y_hat, group), max(runs, 5))
        out["report_s"] = seconds
    out["peak_mib"] = _peak_mib()
    return out


def _run(python: Path | str, lib: str, data: Path, runs: int) -> dict:
    cmd = [str(python), __file__, "--worker", lib, "--data", str(data), "--runs", str(runs)]
    res = subprocess.run(
        cmd,
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--worker", choices=["mlkeel", "fairlearn"])
    parser.add_argument("--data", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    if args.worker:
        sys.path.insert(0, str(ROOT))
        print(json.dumps(worker(args.worker, args.data, args.runs)))
        return

    from rich.progress import Progress

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _report import machine_line, write_section

    if not PEERS_PY.exists():
        sys.exit(f"{PEERS_PY} not found: run benchmarks/setup_peers.sh first")
    sizes = [100_000] if args.quick else [100_000, 1_000_000]
    load_before = os.getloadavg()[0]
    lines = [
        machine_line(),
        "",
        f"{GROUPS} groups given to both as the same pandas `category` column; int64 labels and predictions. "
        "Median of 3 calls (fairlearn) and of 7 (mlkeel) per row; each library in its own process; values "
        "compared in the same run (`==` is bit-identical).",
        "",
        "| rows | call | fairlearn s | mlkeel s | speed-up | values |",
        "|---:|---|---:|---:|---:|---|",
    ]
    memory = []
    with tempfile.TemporaryDirectory() as tmp, Progress() as progress:
        task = progress.add_task("fairness benchmark", total=2 * len(sizes))
        for n in sizes:
            data = Path(tmp) / str(n)
            data.mkdir()
            make_data(n, data)
            progress.update(task, description=f"{n:,} rows: fairlearn")
            theirs = _run(PEERS_PY, "fairlearn", data, 3)
            progress.advance(task)
            progress.update(task, description=f"{n:,} rows: mlkeel")
            ours = _run(sys.executable, "mlkeel", data, 7)
            progress.advance(task)
            for label, (t_s, t_v) in theirs["calls"].items():
                o_s, o_v = ours["calls"][label]
                same = "n/a" if t_v != t_v else ("==" if t_v == o_v else f"differ {abs(t_v - o_v):.1e}")
                lines.append(
                    f"| {n:,} | `{label}` | {t_s:.3f} | {o_s * 1e3:.2f} ms | **{t_s / o_s:,.0f}x** | {same} |"
                )
            fl_total = sum(v[0] for v in theirs["calls"].values())
            lines.append(
                f"| {n:,} | everything above (mlkeel: one `fairness_report`) | {fl_total:.2f} | "
                f"{ours['report_s'] * 1e3:.2f} ms | **{fl_total / ours['report_s']:,.0f}x** | |"
            )
            memory.append((n, theirs["peak_mib"], theirs["data_mib"], ours["peak_mib"], ours["data_mib"]))
    lines += ["", "| rows | fairlearn peak MiB (data) | mlkeel peak MiB (data) |", "|---:|---:|---:|"]
    lines += [f"| {n:,} | {a:.0f} ({b:.0f}) | {c:.0f} ({d:.0f}) |" for n, a, b, c, d in memory]
    lines += [
        "",
        f"Machine load average (1 min) {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end "
        "(other jobs shared the 2 cores; both sides ran under the same load).",
    ]
    text = "\n".join(lines)
    if not args.no_write:
        write_section("fairness_vs_fairlearn", text)
    print(text)


if __name__ == "__main__":
    main()
