"""Drift at scale: Spark local[2] against the in-memory path, same profile, same numbers.

    python benchmarks/spark_scale.py                         # 1M and 10M rows, presets default and ks
    python benchmarks/spark_scale.py --rows 1000000 10000000 50000000
    python benchmarks/spark_scale.py --evidently             # also Evidently at the smallest size

Data: 20 float64 numerical columns (normal, lognormal, exponential, 2-decimal uniform with ties; the
first 8 drift, two carry 1% NaN) and 5 string categoricals (3/5/10/20/50 levels, two drift, one with a
0.5% unseen category), as in ``drift_vs_evidently.py``, written to parquet in 1M-row row groups so that
generating 50M rows never holds them in memory. The reference is 1M rows; its profile is fitted once
and saved, and both paths load that file. Each measurement runs in its own process:

* in-memory: ``pd.read_parquet(current)`` + ``DriftDetector.load(profile).score(frame)``;
* Spark: ``spark_session("local[2]", driver_memory=...)`` + ``spark.read.parquet(current)`` +
  ``DriftDetector.load(profile).score(sdf)``; the session start is reported apart.

Peak memory: the Python process's peak RSS (``getrusage``) plus, for Spark, the JVM's (``VmHWM`` of the
java child). A run that dies (out of memory) or exceeds ``--budget-gib`` of address space is reported as
"did not fit". Scores and verdicts of the two paths (and Evidently's, with ``--evidently``) are compared
per column in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEERS_PY = ROOT / ".venv-peers" / "bin" / "python"
PRESETS = {"default": {}, "ks": {"num_method": "ks", "cat_method": "chisquare"}}


def _columns() -> tuple[list[str], list[str]]:
    """The "mixed" data set's columns (``benchmarks/_data.py``, shared with the Evidently benchmark)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _data import columns

    return columns("mixed")


def make_parquet(path: Path, n: int, shifted: bool, seed: int) -> None:
    """n rows of the "mixed" data set in 1M-row row groups (``benchmarks/_data.py``: bounded memory)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _data import write_parquet

    write_parquet(path, "mixed", n, shifted, seed)


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _java_hwm_mib() -> float:
    """Peak RSS (VmHWM) of this process's java descendants, in MiB."""
    me, total = os.getpid(), 0.0
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    for pid in parents:
        p = pid
        while p in parents and p not in (me, 0, 1):
            p = parents[p]
        if p == me and pid != me:
            try:
                status = Path(f"/proc/{pid}/status").read_text()
                if "java" in Path(f"/proc/{pid}/comm").read_text():
                    hwm = [ln for ln in status.splitlines() if ln.startswith("VmHWM:")]
                    total += float(hwm[0].split()[1]) / 1024 if hwm else 0.0
            except OSError:
                continue
    return total


# ------------------------------------------------------------------------------------------------
# workers
# ------------------------------------------------------------------------------------------------


def _result_json(result) -> dict:
    return {
        "columns": {c.column: [c.method, c.statistic, c.p_value, c.drifted] for c in result.columns},
        "share": result.share,
        "dump": result.model_dump(mode="json"),
    }


def worker_memory(current: Path, profile: Path, preset: str) -> dict:
    import pandas as pd

    from runtime.drift import DriftDetector

    t0 = time.perf_counter()
    frame = pd.read_parquet(current)
    read_s = time.perf_counter() - t0
    det = DriftDetector(**PRESETS[preset]).load(profile)
    t1 = time.perf_counter()
    result = det.score(frame)
    score_s = time.perf_counter() - t1
    return {"read_s": read_s, "score_s": score_s, "peak_mib": _peak_mib(), **_result_json(result)}


def worker_spark(current: Path, profile: Path, preset: str, driver_memory: str) -> dict:
    from runtime._spark import spark_session
    from runtime.drift import DriftDetector

    t0 = time.perf_counter()
    spark = spark_session("local[2]", driver_memory=driver_memory)
    start_s = time.perf_counter() - t0
    det = DriftDetector(**PRESETS[preset]).load(profile)
    t1 = time.perf_counter()
    result = det.score(spark.read.parquet(str(current)))
    score_s = time.perf_counter() - t1
    jvm = _java_hwm_mib()
    spark.stop()
    return {
        "start_s": start_s,
        "score_s": score_s,
        "peak_mib": _peak_mib() + jvm,
        "jvm_mib": jvm,
        **_result_json(result),
    }


def worker_fit(reference: Path, profile: Path) -> dict:
    import pandas as pd

    from runtime.drift import DriftDetector

    num, cat = _columns()
    DriftDetector(numerical=num, categorical=cat).fit(pd.read_parquet(reference)).save(profile)
    return {}


# ------------------------------------------------------------------------------------------------
# driver
# ------------------------------------------------------------------------------------------------


def _run(args: list[str], budget_gib: float, python: str = sys.executable) -> dict | None:
    """Run a worker; None when it died or went over the memory budget."""
    cmd = [python, __file__, *args]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    limit = int(budget_gib * 2**30)

    def cap() -> None:  # the in-memory worker only: the JVM reserves address space it never touches
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    preexec = cap if "memory" in args else None
    out = subprocess.run(
        cmd, capture_output=True, text=True, env=env, cwd=ROOT, preexec_fn=preexec, check=False
    )
    if out.returncode != 0:
        sys.stderr.write(out.stderr[-2000:])
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def _same(a: dict, b: dict) -> str:
    if a["dump"] == b["dump"]:
        return "identical"
    diffs = [c for c in a["columns"] if a["columns"][c] != b["columns"].get(c)]
    return f"DIFFER in {diffs}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--presets", nargs="+", default=list(PRESETS), choices=list(PRESETS))
    parser.add_argument("--driver-memory", default="4g")
    parser.add_argument(
        "--budget-gib", type=float, default=16.0, help="address-space cap of the in-memory run"
    )
    parser.add_argument("--evidently", action="store_true", help="Evidently too, at the smallest size")
    parser.add_argument("--no-write", action="store_true", help="print instead of updating the docs")
    parser.add_argument("--worker", choices=["memory", "spark", "fit"])
    parser.add_argument("--current", type=Path)
    parser.add_argument("--profile", type=Path)
    parser.add_argument("--preset", default="default")
    args = parser.parse_args()
    if args.worker:
        sys.path.insert(0, str(ROOT))
        if args.worker == "fit":
            out = worker_fit(args.current, args.profile)
        elif args.worker == "memory":
            out = worker_memory(args.current, args.profile, args.preset)
        else:
            out = worker_spark(args.current, args.profile, args.preset, args.driver_memory)
        print(json.dumps(out))
        return

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from _report import machine_line, write_section

    load_before = os.getloadavg()[0]
    rows, notes = [], []
    with tempfile.TemporaryDirectory(dir=os.environ.get("MLKEEL_BENCH_TMP")) as tmp:
        folder = Path(tmp)
        reference, profile = folder / "reference.parquet", folder / "profile.npz"
        make_parquet(reference, 1_000_000, False, 1)
        _run(["--worker", "fit", "--current", str(reference), "--profile", str(profile)], args.budget_gib)
        for n in sorted(args.rows):
            current = folder / f"current-{n}.parquet"
            t0 = time.perf_counter()
            make_parquet(current, n, True, 2)
            gen_s = time.perf_counter() - t0
            size_mib = current.stat().st_size / 2**20
            for preset in args.presets:
                common = ["--current", str(current), "--profile", str(profile), "--preset", preset]
                print(f"{n:,} rows, {preset}: in-memory", file=sys.stderr, flush=True)
                mem = _run(["--worker", "memory", *common], args.budget_gib)
                print(f"{n:,} rows, {preset}: Spark local[2]", file=sys.stderr, flush=True)
                spark = _run(
                    ["--worker", "spark", *common, "--driver-memory", args.driver_memory], args.budget_gib
                )
                same = _same(mem, spark) if mem and spark else "-"
                rows.append((n, size_mib, preset, mem, spark, same))
                if args.evidently and n == min(args.rows) and PEERS_PY.exists() and spark:
                    notes.append(_evidently_note(folder, reference, current, preset, spark))
            current.unlink()
            notes.append(f"{n:,} rows generated in {gen_s:.0f} s ({size_mib:,.0f} MiB of parquet)")

    lines = [
        machine_line(),
        "",
        "Current window: parquet on local disk, 20 numerical + 5 string categorical columns; reference "
        "profile fitted once on 1M rows and loaded from its file by both paths. In-memory: "
        "`pd.read_parquet` + `DriftDetector.score` (2 threads). Spark: `local[2]`, driver memory "
        f"{args.driver_memory}, `DriftDetector.score(spark.read.parquet(...))`; session start apart. One run "
        "per cell (each minutes long at 10M rows); peak = Python peak RSS, plus the JVM's VmHWM for Spark. "
        f"The in-memory run is capped at {args.budget_gib:.0f} GiB of address space (the machine's other "
        "jobs need the rest): over it, it did not fit.",
        "",
        "| rows | parquet MiB | preset | in-memory read + score s | in-memory peak MiB | Spark start s "
        "| Spark score s | Spark peak MiB (JVM) | results |",
        "|---:|---:|---|---:|---:|---:|---:|---:|---|",
    ]
    for n, size_mib, preset, mem, spark in [(r[0], r[1], r[2], r[3], r[4]) for r in rows]:
        same = next(r[5] for r in rows if r[0] == n and r[2] == preset)
        mem_cells = (
            f"{mem['read_s']:.1f} + {mem['score_s']:.1f} | {mem['peak_mib']:,.0f}"
            if mem
            else "did not fit | -"
        )
        spark_cells = "- | failed | -"
        if spark:
            spark_cells = f"{spark['start_s']:.1f} | {spark['score_s']:.1f} | "
            spark_cells += f"{spark['peak_mib']:,.0f} ({spark['jvm_mib']:,.0f})"
        lines.append(f"| {n:,} | {size_mib:,.0f} | {preset} | {mem_cells} | {spark_cells} | {same} |")
    lines += ["", "Notes: " + "; ".join(notes) + "."]
    lines += [
        "",
        f"Machine load average (1 min) {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end.",
    ]
    text = "\n".join(lines)
    if not args.no_write:
        write_section("spark_scale", text)
    print(text)


def _evidently_note(folder: Path, reference: Path, current: Path, preset: str, spark: dict) -> str:
    """Evidently on the same files (its worker from drift_vs_evidently.py), compared column by column."""
    data = folder / "evidently"
    data.mkdir(exist_ok=True)
    for name, src in (("reference.parquet", reference), ("current.parquet", current)):
        (data / name).unlink(missing_ok=True)
        (data / name).symlink_to(src)
    cmd = [str(PEERS_PY), str(ROOT / "benchmarks" / "drift_vs_evidently.py"), "--worker", "evidently"]
    cmd += ["--data", str(data), "--preset", preset, "--runs", "1"]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    if out.returncode != 0:
        return f"Evidently ({preset}) failed: {out.stderr.strip().splitlines()[-1:]}"
    theirs = json.loads(out.stdout.strip().splitlines()[-1])
    worst, methods_same = 0.0, True
    for col, (method, value) in theirs["scores"].items():
        ours_method, stat, p, _ = spark["columns"][col]
        methods_same &= ours_method == method.split("_")[0] or ours_method in method
        mine = p if p is not None else stat
        if ours_method == "ks" and p is None:
            continue  # decided through the critical D: no p-value to compare
        if value != mine:
            worst = max(worst, abs(value - mine) / max(abs(value), 1e-300))
    return (
        f"Evidently ({preset}, {theirs['times'][0]:.0f} s) on the smallest window: max relative difference "
        f"of Spark's scores {worst:.1e}, dataset share {theirs['share']:.2f} vs Spark's {spark['share']:.2f}"
    )


if __name__ == "__main__":
    main()
