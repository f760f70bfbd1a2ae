"""Time and peak memory of planning synthetic stacks offline: mlkeel's engine next to the stock SDK mocks.

    python benchmarks/plan_scale.py            # 1,000 and 5,000 resources, then several stacks on 2 cores
    python benchmarks/plan_scale.py --quick    # 200 and 1,000 resources

Each measurement runs in its own process (peak RSS is per process). The synthetic program is the same for
both runners: components of 25 buckets and 25 public-access blocks, each component carrying the cost-tag
transform. The stock mock monitor records nothing and ignores transforms; mlkeel's engine records the
full graph, runs the transforms and answers with provider-like outputs, so the difference is the price of
fidelity. Results go to docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
PER_COMPONENT = 50
#: How many times the example stacks are planned in the several-stacks measurement.
COPIES = 4
#: Runs of each runner per size, alternating (stock, mlkeel, stock, mlkeel, ...).
PAIRS = 5


def synthetic_program(resources: int):  # type: ignore[no-untyped-def]
    import pulumi
    import pulumi_aws as aws

    from components.tagging import capability_options

    tags = {
        "team": "bench",
        "cost-center": "cc-1",
        "environment": "dev",
        "owner": "o",
        "data-classification": "internal",
        "data-residency": "us",
        "managed-by": "mlkeel",
    }

    class Block(pulumi.ComponentResource):
        def __init__(self, name: str, args: dict, opts: pulumi.ResourceOptions | None = None):
            super().__init__("mlkeel:index:Block", name, None, capability_options(opts, tags, "registry"))
            for i in range(PER_COMPONENT // 2):
                bucket = aws.s3.Bucket(f"{name}-b{i}", opts=pulumi.ResourceOptions(parent=self))
                aws.s3.BucketPublicAccessBlock(
                    f"{name}-p{i}",
                    bucket=bucket.id,
                    block_public_acls=True,
                    block_public_policy=True,
                    ignore_public_acls=True,
                    restrict_public_buckets=True,
                    opts=pulumi.ResourceOptions(parent=self),
                )
            self.register_outputs({})

    def program() -> None:
        for c in range(resources // PER_COMPONENT):
            Block(f"c{c}", {})

    return program


def worker(runner: str, resources: int) -> dict:
    program = synthetic_program(resources)
    if runner == "stock":
        import pulumi
        from pulumi.runtime.stack import run_pulumi_func
        from pulumi.runtime.sync_await import _sync_await

        class Echo(pulumi.runtime.Mocks):
            def new_resource(self, args):  # type: ignore[no-untyped-def]
                return f"{args.name}-id", dict(args.inputs)

            def call(self, args):  # type: ignore[no-untyped-def]
                return {}

        pulumi.runtime.set_mocks(Echo(), project="bench", stack="bench", preview=False)
        start, cpu = time.perf_counter(), time.process_time()
        _sync_await(run_pulumi_func(program))
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        count = resources
    else:
        from stacks.engine import run_program

        start, cpu = time.perf_counter(), time.process_time()
        result = run_program("bench", "bench", {"aws:region": "us-east-1"}, program=program)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
        count = sum(
            1 for r in result.resources if r.get("custom") and not r["type"].startswith("pulumi:providers:")
        )
        assert count == resources, count
        tagged = sum(
            1
            for r in result.by_type("aws:s3/bucket:Bucket")
            if r["inputs"]["tags"]["component"] == "registry"
        )
        assert tagged == resources // 2, "the cost-tag transform must reach every bucket"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"runner": runner, "resources": count, "seconds": elapsed, "cpu": cpu, "peak_mib": peak}


def _one_run(runner: str, resources: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--worker", runner, str(resources)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure_alternating(resources: int, pairs: int = PAIRS) -> tuple[list[dict], list[dict]]:
    """``pairs`` runs of each runner, alternating stock, mlkeel, stock, ... each in its own process.

    Why alternate: other jobs load this machine in waves; runs of one runner back to back would meet a
    different load from the other's, and the overhead would measure the load.
    """
    stock, mine = [], []
    for _ in range(pairs):
        stock.append(_one_run("stock", resources))
        mine.append(_one_run("mlkeel", resources))
    return stock, mine


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def several_stacks(jobs: int) -> float:
    """Wall time of ``keel plan`` on the example stacks, as a user runs it (a fresh process)."""
    import shutil
    import tempfile

    stacks = [str(p) for p in sorted((ROOT / "stacks" / "config").glob("Pulumi.*.yaml"))] * COPIES
    keel = shutil.which("keel", path=str(Path(sys.executable).parent)) or "keel"
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        subprocess.run(
            [keel, "plan", *stacks, "--no-tree", "-j", str(jobs), "-o", out],
            check=True,
            capture_output=True,
            cwd=ROOT,
        )
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="200 and 1,000 resources; docs not written")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/performance.md")
    parser.add_argument("--worker", nargs=2, metavar=("RUNNER", "RESOURCES"))
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker[0], int(args.worker[1]))))
        return
    from _report import machine_line, write_section
    from rich.progress import Progress

    sizes = [200, 1000] if args.quick else [1000, 5000]
    pairs = 3 if args.quick else PAIRS
    rows = []
    loads = [os.getloadavg()[0]]
    with Progress() as progress:
        task = progress.add_task(f"plan_scale ({pairs} alternating pairs per size)", total=len(sizes) + 2)
        for size in sizes:
            stock, mine = measure_alternating(size, pairs)
            loads.append(os.getloadavg()[0])
            progress.advance(task)
            rows.append((size, stock, mine))
        sequential = several_stacks(1)
        progress.advance(task)
        parallel = several_stacks(2)
        progress.advance(task)
    loads.append(os.getloadavg()[0])

    lines = [
        machine_line(),
        "",
        f"{pairs} runs of each runner per size, alternating stock, mlkeel, stock, mlkeel, ... (each run in "
        "its own process, same program, imports outside the timer); medians shown. Inside the timer: "
        "stock, `run_pulumi_func` with the mocks set beforehand; mlkeel, `run_program` (runtime set-up, "
        "the program, the state document). CPU is the process's CPU time over the same span (less "
        "sensitive to other jobs' load than wall). The overhead columns are the median of each pair's "
        "ratio (mlkeel / the stock run just before it) minus 1.",
        "",
        "| resources | stock wall s (CPU s) | mlkeel wall s (CPU s) | overhead wall / CPU "
        "| pairs within 25 % (wall / CPU) | peak MiB stock / mlkeel |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for size, stock, mine in rows:
        wall = [m["seconds"] / s_["seconds"] - 1 for s_, m in zip(stock, mine, strict=True)]
        cpu = [m["cpu"] / s_["cpu"] - 1 for s_, m in zip(stock, mine, strict=True)]
        lines.append(
            f"| {size:,} | {_median(stock, 'seconds'):.2f} ({_median(stock, 'cpu'):.2f}) | "
            f"{_median(mine, 'seconds'):.2f} ({_median(mine, 'cpu'):.2f}) | "
            f"{statistics.median(wall):+.0%} / {statistics.median(cpu):+.0%} | "
            f"{sum(w < 0.25 for w in wall)} of {pairs} / {sum(c < 0.25 for c in cpu)} of {pairs} | "
            f"{_median(stock, 'peak_mib'):.0f} / {_median(mine, 'peak_mib'):.0f} |"
        )
    n = len(list((ROOT / "stacks" / "config").glob("Pulumi.*.yaml"))) * COPIES
    lines += [
        "",
        f"Planning the {n // COPIES} example stacks {COPIES} times over ({n} stack runs, real program, "
        "process start-up and each worker's first-run warm-up of the provider SDKs included): "
        f"{sequential:.1f} s in one process, {parallel:.1f} s with `--jobs 2` ({sequential / parallel:.2f}× "
        f"on {os.cpu_count()} cores).",
        "",
        "The stock monitor records nothing, drops all but the nearest parent type from URNs, and does not "
        "run transforms; mlkeel's engine records the full graph in export format, runs every transform "
        "through the SDK's callback servicer with the engine's request bytes, synthesises default providers "
        "and answers with provider-like outputs. Target: overhead under 25%.",
        "",
        "Machine load average (1 min) at the start, after each size and at the end: "
        + ", ".join(f"{x:.1f}" for x in loads)
        + f" on {os.cpu_count()} cores (other jobs shared the machine; both runners met the same waves).",
    ]
    if not (args.quick or args.no_write):
        write_section("plan_scale", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
