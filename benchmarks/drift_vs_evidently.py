"""Drift: mlkeel against Evidently 0.7.23 as users run them, side by side in one run, on equal terms.

    python benchmarks/drift_vs_evidently.py            # the full run (~12 min on 2 quiet cores)
    python benchmarks/drift_vs_evidently.py --quick    # 20k rows, one run per side: checks the harness
    python benchmarks/drift_vs_evidently.py --large 300000   # smaller "large" windows on a busy machine

Evidently takes 1.5 min a run at 1M rows on a quiet core and several times that on a busy one; the time
goes almost entirely to Evidently's three runs per configuration.

What is timed, for both sides:

* **command**: the command a user types, as a fresh process timed from outside (process start, imports,
  reading both files, the drift run, writing a JSON report): ``keel drift --reference R --current C``
  (profile fitted on the fly) and ``keel drift --profile P --current C`` (a saved profile), against a
  plain Evidently script (``EVIDENTLY_SCRIPT`` below: ``pd.read_csv``/``pd.read_parquet``, ``Report([
  DataDriftPreset(...)], include_tests=True).run``, ``snapshot.save_json``) run by ``.venv-peers``.
* **library**: the call on frames already in memory. Evidently: ``Dataset.from_pandas`` x2 +
  ``Report.run``, timed inside each of its script runs (so always a first call in a fresh process).
  mlkeel: one-shot ``DriftDetector(...).fit(ref).score(cur)`` and cached ``DriftDetector(...).load(
  profile).score(cur)``, each in a worker process after one untimed call; the very first call of that
  process (numba's cached kernels loading) is reported on its own.

Threads: mlkeel at 1 thread and at one per core (``n_jobs`` / ``keel drift --threads``, which also sizes
pyarrow's reader pool). Evidently has no thread setting and runs its statistics in one Python thread; its
CPU/wall ratio is reported so that can be checked. Every figure is the median of ``--runs`` runs (3 by
default) per side. Both data generators of ``benchmarks/_data.py`` are measured, as CSV and Parquet.
Per-column method, score and decision of both sides are compared in the same run (Evidently's decision is
its own per-column test status; mlkeel's KS p-values come from a ``p_values=True`` run, untimed, and its
timed critical-D decisions are checked against them).
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

ROOT = Path(__file__).resolve().parent.parent
PEERS_PY = ROOT / ".venv-peers" / "bin" / "python"
KEEL = ROOT / ".venv" / "bin" / "keel"
PRESETS: dict[str, dict[str, str]] = {
    "default": {},
    "psi": {"method": "psi"},
    "ks": {"num_method": "ks", "cat_method": "chisquare"},
}
#: Evidently's method labels -> mlkeel's method names.
EVIDENTLY_METHODS = {
    "Wasserstein distance (normed)": "wasserstein",
    "Jensen-Shannon distance": "jensenshannon",
    "K-S p_value": "ks",
    "chi-square p_value": "chisquare",
    "Z-test p_value": "z",
    "PSI": "psi",
}
#: (rows, generator, preset, file format) measured by the full run. The 1M-row configurations carry the
#: issues' targets on the independent generator (1M rows x 20 columns: ``keel drift`` end to end with the
#: default preset; the KS preset); the 100k-row ones cover the other generator, CSV input and the PSI
#: preset within the run's time budget (Evidently takes 1.5-3 min a run at 1M rows on a loaded machine).
FULL = [
    (1_000_000, "heavy", "default", "parquet"),
    (1_000_000, "heavy", "ks", "parquet"),
    (100_000, "mixed", "default", "csv"),
    (100_000, "mixed", "ks", "parquet"),
    (100_000, "mixed", "psi", "parquet"),
]
QUICK = [(20_000, g, p, f) for (_, g, p, f) in FULL]

EVIDENTLY_SCRIPT = '''\
"""What an Evidently user runs: read two files, run the data-drift preset, save the report as JSON."""
import json
import resource
import sys
import time

t0 = time.perf_counter()
import pandas as pd
from evidently import DataDefinition, Dataset, Report
from evidently.presets import DataDriftPreset

t1 = time.perf_counter()
args = json.loads(sys.argv[1])
read = pd.read_csv if args["reference"].endswith(".csv") else pd.read_parquet
reference, current = read(args["reference"]), read(args["current"])
t2 = time.perf_counter()
definition = DataDefinition(numerical_columns=args["numerical"], categorical_columns=args["categorical"])
snapshot = Report([DataDriftPreset(**args["preset"])], include_tests=True).run(
    Dataset.from_pandas(current, data_definition=definition),
    Dataset.from_pandas(reference, data_definition=definition),
)
t3 = time.perf_counter()
snapshot.save_json(args["output"])
t4 = time.perf_counter()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
times = {"import_s": t1 - t0, "read_s": t2 - t1, "run_s": t3 - t2, "write_s": t4 - t3}
print(json.dumps({**times, "peak_mib": peak}))
'''


def _data_paths(folder: Path, fmt: str) -> tuple[Path, Path]:
    return folder / f"reference.{fmt}", folder / f"current.{fmt}"


# ------------------------------------------------------------------------------------------------
# mlkeel library worker (its own process)
# ------------------------------------------------------------------------------------------------


def worker_mlkeel(folder: Path, fmt: str, generator: str, preset: str, runs: int) -> dict:
    t_start = time.perf_counter()
    import pyarrow

    from runtime.drift import DriftDetector
    from runtime.drift._report import read_table

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _data import columns

    import_s = time.perf_counter() - t_start
    num, cat = columns(generator)
    ref_path, cur_path = _data_paths(folder, fmt)
    ref, cur = read_table(ref_path), read_table(cur_path)
    profile = folder / f"profile-{preset}.npz"
    cores = os.cpu_count() or 1

    def make(jobs: int, **extra: object) -> DriftDetector:
        return DriftDetector(numerical=num, categorical=cat, n_jobs=jobs, **PRESETS[preset], **extra)  # type: ignore[arg-type]

    t0 = time.perf_counter()
    result = make(cores).fit(ref).score(cur)  # the first call of a fresh process: numba's kernels load
    first_s = time.perf_counter() - t0
    make(cores).fit(ref).save(profile)
    out: dict = {"import_s": import_s, "first_s": first_s, "threads": {}}
    for jobs in sorted({1, cores}):
        pyarrow.set_cpu_count(jobs)
        make(jobs).fit(ref).score(cur)  # untimed: each thread count starts warm
        fitted = make(jobs).fit(ref)
        out["threads"][str(jobs)] = {
            "one_shot": _timed(lambda j=jobs: make(j).fit(ref).score(cur), runs),
            "cached": _timed(lambda j=jobs: make(j).load(profile).score(cur), runs),
            "score_only": _timed(lambda d=fitted: d.score(cur), runs),
        }
    out["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    by_critical_d = [c.column for c in result.columns if c.method == "ks" and c.p_value is None]
    full = make(cores, p_values=True).fit(ref).score(cur) if by_critical_d else result
    out["ks_by_critical_d"] = len(by_critical_d)
    out["critical_d_decisions_same"] = [c.drifted for c in full.columns] == [
        c.drifted for c in result.columns
    ]
    out["columns"] = {c.column: [c.method, c.score, c.drifted] for c in full.columns}
    out["share"] = result.share
    return out


def _timed(fn, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


# ------------------------------------------------------------------------------------------------
# driver
# ------------------------------------------------------------------------------------------------


def _process(cmd: list[str], env: dict[str, str] | None = None) -> dict:
    """Run one command as a user would; wall time, CPU time and peak RSS of that process alone."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env or dict(os.environ), cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if proc.returncode != 0:  # keel drift exits 1 on dataset drift only with --fail-on-drift, not given
        raise RuntimeError(f"{cmd[:3]} failed ({proc.returncode}): {stderr[-2000:]}")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_mib": usage.ru_maxrss / 1024,
        "stdout": stdout,
    }


def _keel_cmd(args: list[str], columns: tuple[list[str], list[str]], output: Path, threads: int) -> list[str]:
    num, cat = columns
    cmd = [str(KEEL), "drift", *args, "--format", "json", "--output", str(output), "--threads", str(threads)]
    for name in num:
        cmd += ["--numerical", name]
    for name in cat:
        cmd += ["--categorical", name]
    return cmd


def _keel_flags(preset: str) -> list[str]:
    flags = {
        "default": [],
        "psi": ["--method", "psi"],
        "ks": ["--num-method", "ks", "--cat-method", "chisquare"],
    }
    return flags[preset]


def _evidently_columns(report: Path) -> tuple[dict[str, list], float]:
    doc = json.loads(report.read_text())
    by_id, share = {}, float("nan")
    for metric in doc["metrics"]:
        cfg = metric["config"]
        if cfg["type"].endswith("ValueDrift"):
            by_id[metric["id"]] = [
                cfg["column"],
                EVIDENTLY_METHODS.get(cfg["method"], cfg["method"]),
                float(metric["value"]),
            ]
        elif cfg["type"].endswith("DriftedColumnsCount"):
            share = float(metric["value"]["share"])
    columns: dict[str, list] = {}
    for test in doc.get("tests", []):
        found = by_id.get(test["metric_config"]["metric_id"])
        if found is not None:
            columns[found[0]] = [found[1], found[2], test["status"] == "FAIL"]
    return columns, share


def measure(n: int, generator: str, preset: str, fmt: str, folder: Path, runs: int, progress) -> dict:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _data import columns

    cols = columns(generator)
    ref_path, cur_path = _data_paths(folder, fmt)
    cores = os.cpu_count() or 1
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    tag = f"{n:,} {generator} {preset} {fmt}"

    # Evidently: the script, `runs` fresh processes
    script = folder.parent / "evidently_drift.py"
    script.write_text(EVIDENTLY_SCRIPT)
    ev_runs, ev_columns, ev_share = [], [], float("nan")
    for r in range(runs):
        progress(f"{tag}: Evidently run {r + 1}/{runs}")
        report = folder / f"evidently-{preset}-{r}.json"
        spec = {
            "reference": str(ref_path),
            "current": str(cur_path),
            "numerical": cols[0],
            "categorical": cols[1],
            "preset": PRESETS[preset],
            "output": str(report),
        }
        proc = _process([str(PEERS_PY), str(script), json.dumps(spec)], env)
        inner = json.loads(proc["stdout"].strip().splitlines()[-1])
        ev_runs.append({**inner, "wall": proc["wall"], "cpu": proc["cpu"]})
        found, ev_share = _evidently_columns(report)
        ev_columns.append(found)

    # mlkeel library, one worker process
    progress(f"{tag}: mlkeel library")
    worker = _process(
        [sys.executable, __file__, "--worker", str(folder), fmt, generator, preset, str(runs)], env
    )
    lib = json.loads(worker["stdout"].strip().splitlines()[-1])

    # mlkeel command: a saved profile for the cached runs (untimed), then one-shot and cached per thread count
    out = folder / "keel-report.json"
    profile = folder / f"keel-{preset}.npz"
    flags = _keel_flags(preset)
    _process(
        _keel_cmd(
            [
                *flags,
                "--reference",
                str(ref_path),
                "--current",
                str(cur_path),
                "--save-profile",
                str(profile),
            ],
            cols,
            out,
            cores,
        ),
        env,
    )
    cli: dict[str, dict[str, list[dict]]] = {}
    for threads in sorted({1, cores}):
        cli[str(threads)] = {"one_shot": [], "cached": []}
        for r in range(runs):
            progress(f"{tag}: keel drift, {threads} thread(s), run {r + 1}/{runs}")
            one = _keel_cmd(
                [*flags, "--reference", str(ref_path), "--current", str(cur_path)], cols, out, threads
            )
            cli[str(threads)]["one_shot"].append(_process(one, env))
            cached = _keel_cmd(
                [*flags, "--profile", str(profile), "--current", str(cur_path)], cols, out, threads
            )
            cli[str(threads)]["cached"].append(_process(cached, env))
    progress(f"{tag}: keel drift without the ahead-of-time build, numba's cache empty")
    with tempfile.TemporaryDirectory() as empty_cache:
        # what a machine without a C compiler pays on its very first run: numba compiles every loop
        cold = _process(
            _keel_cmd([*flags, "--profile", str(profile), "--current", str(cur_path)], cols, out, cores),
            {**env, "NUMBA_CACHE_DIR": empty_cache, "MLKEEL_DRIFT_AOT": "0"},
        )
    return {
        "n": n,
        "generator": generator,
        "preset": preset,
        "fmt": fmt,
        "evidently": ev_runs,
        "evidently_columns": ev_columns,
        "evidently_share": ev_share,
        "lib": lib,
        "lib_peak_mib": worker["peak_mib"],
        "cli": cli,
        "cold": cold,
    }


def _med(values) -> float:
    return statistics.median(values)


def _spread(value: float, m: dict) -> str:
    """Evidently's run-to-run spread, which one run cannot show."""
    return f"{value:.1e}" if len(m["evidently_columns"]) > 1 else "n/a (1 run)"


def _equality(m: dict) -> dict:
    """Ours against each Evidently run, per column, and Evidently's own spread between its runs."""
    ours = m["lib"]["columns"]
    worst_diff, worst_spread, methods_same, decisions_same, rows = 0.0, 0.0, True, True, []
    first = m["evidently_columns"][0]
    for col, (method, value, drifted) in first.items():
        mine = ours[col]
        seen = [run[col][1] for run in m["evidently_columns"]]
        diffs = [abs(mine[1] - v) / max(abs(v), 1e-300) for v in seen]
        spread = (max(seen) - min(seen)) / max(abs(statistics.median(seen)), 1e-300)
        worst_diff, worst_spread = max(worst_diff, max(diffs)), max(worst_spread, spread)
        same_method = mine[0] == method
        same_decision = all(run[col][2] == mine[2] for run in m["evidently_columns"])
        methods_same &= same_method
        decisions_same &= same_decision
        rows.append((col, method, mine[0], value, mine[1], max(diffs), spread, drifted, mine[2]))
    return {
        "worst_diff": worst_diff,
        "worst_spread": worst_spread,
        "methods_same": methods_same,
        "decisions_same": decisions_same,
        "share_same": abs(m["evidently_share"] - m["lib"]["share"]) < 1e-12,
        "rows": rows,
        "n_columns": len(first),
    }


def render(measured: list[dict], load: tuple[float, float], runs: int, elapsed: float) -> str:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _report import machine_line

    cores = str(os.cpu_count() or 1)
    lines = [
        machine_line(),
        "",
        "Data: `benchmarks/_data.py`, reference and current windows of the same size: **mixed** (20 "
        "numerical columns of four families, 5 string categoricals of 3-50 levels, 25 columns) and "
        "**heavy** (an "
        "independent generator: 14 heavy-tailed numerical columns with NaNs, 6 Zipf-like text "
        "categoricals of 5-50 values with missing entries, 20 columns). Every time is the median of "
        f"{runs} runs per side; Evidently 0.7.23 runs its statistics in one thread (its CPU/wall ratio is "
        "shown), mlkeel at 1 thread and at one per core. Speed-up = Evidently / mlkeel.",
        "",
        "**Command** (a fresh process timed from outside: start, imports, reading both files, drift, "
        "writing a JSON report). Evidently: a plain script (`pd.read_*`, `Report([DataDriftPreset(...)], "
        "include_tests=True).run`, `save_json`). mlkeel: `keel drift --reference R --current C` (profile "
        "fitted on the fly) and `keel drift --profile P --current C` (saved profile), `--threads` 1 and "
        f"{cores}, with the drift loops built ahead of time as the setup scripts build them "
        "(`python -m runtime.drift._aot`); the column before last is a first run without that build and "
        "with numba's cache empty (every loop compiled just in time). Wall time is what a user waits "
        "for; CPU time (user + system of the process, from "
        "`wait4`) is shown as well because it moves far less with the machine's load: the CPU-time ratio "
        "at 1 thread is the like-for-like measure of work.",
        "",
        "| rows | data | preset | file | Evidently s (CPU/wall) | keel one-shot s, 1 thr / "
        f"{cores} thr | speed-up | keel with profile s, 1 thr / {cores} thr | speed-up | keel with profile, "
        "no ahead-of-time build, empty numba cache s | CPU s Evidently / one-shot / profile (1 thr) | "
        "CPU-time ratio one-shot / profile |",
        "|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in measured:
        ev = _med([r["wall"] for r in m["evidently"]])
        ev_cpu = _med([r["cpu"] / r["wall"] for r in m["evidently"]])
        one = {t: _med([r["wall"] for r in v["one_shot"]]) for t, v in m["cli"].items()}
        cached = {t: _med([r["wall"] for r in v["cached"]]) for t, v in m["cli"].items()}
        t1, tn = "1", cores
        ev_c = _med([r["cpu"] for r in m["evidently"]])
        one_c = _med([r["cpu"] for r in m["cli"][t1]["one_shot"]])
        cached_c = _med([r["cpu"] for r in m["cli"][t1]["cached"]])
        lines.append(
            f"| {m['n']:,} | {m['generator']} | {m['preset']} | {m['fmt']} | {ev:.2f} ({ev_cpu:.2f}) | "
            f"{one[t1]:.2f} / {one[tn]:.2f} | **{ev / one[t1]:.0f}x** / **{ev / one[tn]:.0f}x** | "
            f"{cached[t1]:.2f} / {cached[tn]:.2f} | **{ev / cached[t1]:.0f}x** / **{ev / cached[tn]:.0f}x** "
            f"| {m['cold']['wall']:.2f} | {ev_c:.1f} / {one_c:.2f} / {cached_c:.2f} | {ev_c / one_c:.0f}x / "
            f"{ev_c / cached_c:.0f}x |"
        )
    lines += [
        "",
        "**Library call** on frames in memory (reading excluded). Evidently: `Dataset.from_pandas` x2 + "
        "`Report.run`, the first call of each fresh process. mlkeel: one-shot `fit(ref).score(cur)`, "
        "cached `load(profile).score(cur)` and `score(cur)` alone on a fitted detector, after one untimed "
        "call; its first call in a fresh process (one per core) shown on its own.",
        "",
        f"| rows | data | preset | file | Evidently s | mlkeel one-shot s, 1 / {cores} thr | speed-up "
        f"| cached s, 1 / {cores} thr | speed-up | score only s, 1 / {cores} thr | speed-up | mlkeel first "
        "call s | peak MiB Evidently / mlkeel |",
        "|---:|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for m in measured:
        ev = _med([r["run_s"] for r in m["evidently"]])
        th = m["lib"]["threads"]
        t1, tn = "1", cores
        cells = []
        for key in ("one_shot", "cached", "score_only"):
            a, b = _med(th[t1][key]), _med(th[tn][key])
            cells.append(f"{a:.3f} / {b:.3f} | {ev / a:.0f}x / **{ev / b:.0f}x**")
        lines.append(
            f"| {m['n']:,} | {m['generator']} | {m['preset']} | {m['fmt']} | {ev:.2f} | "
            + " | ".join(cells)
            + f" | {m['lib']['first_s']:.2f} | {_med([r['peak_mib'] for r in m['evidently']]):.0f} / "
            f"{m['lib_peak_mib']:.0f} |"
        )
    lines += [
        "",
        "**Equality** per configuration: every column's method, score and decision, mlkeel against each "
        "Evidently run (Evidently's decision is its own per-column test status). Evidently's own "
        "run-to-run spread is shown beside it: its Jensen-Shannon sums iterate a Python set, whose order "
        "changes between processes, so its score moves in the last bits between runs and no tolerance "
        "below that spread can hold on every data set.",
        "",
        "| rows | data | preset | file | columns | methods | decisions | dataset share | max rel. diff "
        "mlkeel vs Evidently | Evidently run-to-run spread | KS decided by critical D |",
        "|---:|---|---|---|---:|---|---|---|---:|---:|---|",
    ]
    details = []
    for m in measured:
        eq = _equality(m)
        ks = m["lib"]["ks_by_critical_d"]
        ks_same = "same as" if m["lib"]["critical_d_decisions_same"] else "DIFFER from"
        ks_note = f"{ks} columns, decisions {ks_same} p-values" if ks else "-"
        same = {k: "same" if eq[k] else "DIFFER" for k in ("methods_same", "decisions_same", "share_same")}
        lines.append(
            f"| {m['n']:,} | {m['generator']} | {m['preset']} | {m['fmt']} | {eq['n_columns']} | "
            f"{same['methods_same']} | {same['decisions_same']} | {m['lib']['share']:.2f} "
            f"({same['share_same']}) | {eq['worst_diff']:.1e} | {_spread(eq['worst_spread'], m)} | "
            f"{ks_note} |"
        )
        details += [
            "",
            f"<details><summary>{m['n']:,} rows, {m['generator']}, {m['preset']}, {m['fmt']}: per column"
            "</summary>",
            "",
            "| column | method Evidently / mlkeel | score Evidently (run 1) | score mlkeel | max rel. diff "
            "| Evidently spread | drift Evidently / mlkeel |",
            "|---|---|---:|---:|---:|---:|---|",
        ]
        for col, ev_m, my_m, ev_v, my_v, diff, spread, ev_d, my_d in eq["rows"]:
            details.append(
                f"| {col} | {ev_m} / {my_m} | {ev_v:.17g} | {my_v:.17g} | {diff:.1e} | "
                f"{_spread(spread, m)} | "
                f"{'yes' if ev_d else 'no'} / {'yes' if my_d else 'no'} |"
            )
        details += ["", "</details>"]
    lines += details
    lines += [
        "",
        "Where the time goes in Evidently's command (median s): "
        + "; ".join(
            f"{m['n']:,} {m['generator']} {m['preset']} {m['fmt']}: imports "
            f"{_med([r['import_s'] for r in m['evidently']]):.1f}, reading "
            f"{_med([r['read_s'] for r in m['evidently']]):.1f}, report "
            f"{_med([r['run_s'] for r in m['evidently']]):.1f}, writing "
            f"{_med([r['write_s'] for r in m['evidently']]):.2f}"
            for m in measured
        )
        + ".",
        "",
        f"Machine load average (1 min) {load[0]:.1f} at the start, {load[1]:.1f} at the end; the run took "
        f"{elapsed / 60:.1f} min. Other jobs shared the 2 cores, so absolute times are inflated; each "
        "configuration's two sides ran back to back under the same load.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="20k rows, one run per side: checks the harness")
    parser.add_argument("--runs", type=int, default=None, help="runs per side (default 3; 1 with --quick)")
    parser.add_argument(
        "--large", type=int, default=1_000_000, help="rows of the large configurations (default 1,000,000)"
    )
    parser.add_argument(
        "--small", type=int, default=100_000, help="rows of the small configurations (default 100,000)"
    )
    parser.add_argument("--worker", nargs=5, metavar=("FOLDER", "FMT", "GENERATOR", "PRESET", "RUNS"))
    parser.add_argument(
        "--no-write", action="store_true", help="print the section instead of updating docs/performance.md"
    )
    args = parser.parse_args()
    if args.worker:
        sys.path.insert(0, str(ROOT))
        folder, fmt, generator, preset, runs = args.worker
        print(json.dumps(worker_mlkeel(Path(folder), fmt, generator, preset, int(runs))))
        return

    from rich.progress import Progress

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _data import write_csv, write_parquet
    from _report import write_section

    if not PEERS_PY.exists():
        sys.exit(f"{PEERS_PY} not found: run benchmarks/setup_peers.sh first")
    if not KEEL.exists():
        sys.exit(f"{KEEL} not found: pip install -e . in .venv first")
    sizes = {1_000_000: args.large, 100_000: args.small}
    configs = QUICK if args.quick else [(sizes[n], g, p, f) for n, g, p, f in FULL]
    runs = args.runs or (1 if args.quick else 3)
    load_before, started = os.getloadavg()[0], time.perf_counter()
    measured = []
    with tempfile.TemporaryDirectory() as tmp, Progress() as bar:
        task = bar.add_task("drift benchmark", total=len(configs))
        for n, generator, preset, fmt in configs:
            folder = Path(tmp) / f"{generator}-{n}"
            if not folder.exists():
                folder.mkdir()
                bar.update(task, description=f"{n:,} rows, {generator}: writing the data")
                write_parquet(folder / "reference.parquet", generator, n, shifted=False)
                write_parquet(folder / "current.parquet", generator, n, shifted=True)
            if fmt == "csv" and not (folder / "current.csv").exists():
                write_csv(folder / "reference.parquet", folder / "reference.csv")
                write_csv(folder / "current.parquet", folder / "current.csv")
            measured.append(
                measure(
                    n, generator, preset, fmt, folder, runs, lambda text: bar.update(task, description=text)
                )
            )
            bar.advance(task)
            if not (args.quick or args.no_write) and len(measured) < len(configs):
                # written after every configuration, so a run cut short still documents what it measured
                partial = render(
                    measured, (load_before, os.getloadavg()[0]), runs, time.perf_counter() - started
                )
                note = (
                    f"**Partial run: {len(measured)} of {len(configs)} configurations measured so far.**\n\n"
                )
                write_section("drift_vs_evidently", note + partial)
    text = render(measured, (load_before, os.getloadavg()[0]), runs, time.perf_counter() - started)
    if args.quick:
        text = "**Quick check (`--quick`): not for quoting.**\n\n" + text
    if args.no_write or args.quick:
        print(text)
    else:
        write_section("drift_vs_evidently", text)
        print(text)


if __name__ == "__main__":
    main()
