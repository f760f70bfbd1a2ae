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
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
PER_COMPONENT = 50
#: How many times the example stacks are planned in the several-stacks measurement.
COPIES = 4


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


def measure(runner: str, resources: int, repeats: int = 3) -> dict:
    """The median of ``repeats`` runs, each in its own process."""
    runs = []
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, __file__, "--worker", runner, str(resources)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    runs.sort(key=lambda r: r["seconds"])
    return runs[len(runs) // 2]


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
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--worker", nargs=2, metavar=("RUNNER", "RESOURCES"))
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker[0], int(args.worker[1]))))
        return
    from _report import machine_line, write_section
    from rich.progress import Progress

    sizes = [200, 1000] if args.quick else [1000, 5000]
    rows = []
    with Progress() as progress:
        task = progress.add_task("plan_scale (median of 3 runs each)", total=len(sizes) * 2 + 2)
        for size in sizes:
            stock = measure("stock", size)
            progress.advance(task)
            mine = measure("mlkeel", size)
            progress.advance(task)
            rows.append((size, stock, mine))
        sequential = several_stacks(1)
        progress.advance(task)
        parallel = several_stacks(2)
        progress.advance(task)

    lines = [
        machine_line(),
        "",
        "Median of 3 runs, each in its own process.",
        "",
        "| resources | stock SDK mocks s (ms/resource) | mlkeel engine s (ms/resource) "
        "| overhead (wall / CPU) | peak MiB stock / mlkeel |",
        "|---:|---:|---:|---:|---:|",
    ]
    for size, stock, mine in rows:
        overhead = mine["seconds"] / stock["seconds"] - 1
        cpu_overhead = mine["cpu"] / stock["cpu"] - 1
        lines.append(
            f"| {size:,} | {stock['seconds']:.2f} ({1000 * stock['seconds'] / size:.2f}) | "
            f"{mine['seconds']:.2f} ({1000 * mine['seconds'] / size:.2f}) | {overhead:+.0%} / "
            f"{cpu_overhead:+.0%} | {stock['peak_mib']:.0f} / {mine['peak_mib']:.0f} |"
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
    ]
    write_section("plan_scale", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
