"""Policy checks at scale: resources per second through the analyzer protocol, and the in-process floor.

States of 1,000 and 5,000 resources are built by repeating the known-good AWS and GCP fixture stacks
(``tests/policies/fixtures/states``) under new names, so every resource is one a real mlkeel stack
has and every rule has work to do. Each state goes through ``keel check``'s engine (pack started as the
CLI does, ``Analyze`` for every resource, ``AnalyzeStack``) with:

- the stock ``pulumi_policy`` server, one pack process (``MLKEEL_POLICY_SERVER=stock``);
- mlkeel's server (properties decoded once per request), one pack process;
- mlkeel's server, one pack process per core (the default of ``keel check``);

and, as the floor, every rule called in-process on every resource, each decoded once
(``policies.testing.run_rules``).
Start-up (launching packs, handshake, configure) is reported apart; resources/s counts the analysis:
every ``Analyze`` call and the ``AnalyzeStack`` call. A second rate includes the start-up, as a user
waiting for ``keel check`` on one state sees it.

Run: ``python benchmarks/check_scale.py`` (``--quick`` for 200 and 1,000 resources).
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import machine_line, write_section  # noqa: E402
from rich.progress import Progress  # noqa: E402

from policies.analyzer import check_states, parse_state  # noqa: E402
from policies.packs import build_rules, pack_dir  # noqa: E402
from policies.testing import run_rules  # noqa: E402

STATES = ROOT / "tests" / "policies" / "fixtures" / "states"
#: Runs of every runner per size (alternating); the median is reported.
ROUNDS = 3


def synthetic_state(size: int) -> dict:
    """A state of ``size`` resources: copies of the fixture stacks' resources under unique names."""
    bases = [json.loads((STATES / name).read_text()) for name in ("aws_good.json", "gcp_good.json")]
    head: list[dict] = []
    pool: list[dict] = []
    for base in bases:
        for r in base["deployment"]["resources"]:
            if r["type"] == "pulumi:pulumi:Stack" or r["type"].startswith("pulumi:providers:"):
                if not any(h["urn"] == r["urn"] for h in head):
                    head.append(r)
            else:
                pool.append(r)
    resources = list(head)
    copy_index = 0
    while len(resources) < size:
        suffix = f"-c{copy_index}"
        renamed = {r["urn"]: r["urn"] + suffix for r in pool}
        for r in pool:
            if len(resources) >= size:
                break
            clone = copy.deepcopy(r)
            clone["urn"] = renamed[r["urn"]]
            if clone.get("parent") in renamed:
                clone["parent"] = renamed[clone["parent"]]
            clone["dependencies"] = [renamed.get(d, d) for d in clone.get("dependencies", [])]
            if copy_index % 5 == 0 and clone["type"] == "aws:ecr/repository:Repository":
                for key in (
                    "inputs",
                    "outputs",
                ):  # a known violation in every fifth copy: all runners must agree
                    clone[key]["encryptionConfigurations"] = [{"encryptionType": "AES256"}]
            clone["propertyDependencies"] = {
                k: [renamed.get(d, d) for d in v] for k, v in clone.get("propertyDependencies", {}).items()
            }
            resources.append(clone)
        copy_index += 1
    return {"version": 3, "deployment": {"manifest": {"version": "v3.272.0"}, "resources": resources}}


def over_protocol(state, workers: int, server: str) -> tuple[float, float, int]:
    """(start-up seconds, analysis seconds, findings) for one ``keel check`` engine run."""
    previous = os.environ.get("MLKEEL_POLICY_SERVER")
    os.environ["MLKEEL_POLICY_SERVER"] = server
    try:
        result = check_states([state], pack_dir("mlkeel"), workers=workers)
    finally:
        if previous is None:
            os.environ.pop("MLKEEL_POLICY_SERVER", None)
        else:
            os.environ["MLKEEL_POLICY_SERVER"] = previous
    return result.seconds - result.analysis_seconds, result.analysis_seconds, len(result.findings)


def in_process(state) -> tuple[float, int]:
    """Every rule on every resource in this process, each resource decoded once (no protocol)."""
    rules = build_rules("mlkeel")
    started = time.perf_counter()
    outcome = run_rules(rules, state)
    return time.perf_counter() - started, len(outcome.violations) + len(outcome.unchecked)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small states (200 and 1,000 resources)")
    args = parser.parse_args()
    sizes = (200, 1000) if args.quick else (1000, 5000)
    cores = min(os.cpu_count() or 1, 4)
    peers = [("stock pulumi_policy server, 1 process", 1, "stock"), ("mlkeel server, 1 process", 1, "mlkeel"),
             (f"mlkeel server, {max(2, cores)} processes", max(2, cores), "mlkeel")]  # fmt: skip
    rows = []
    load_start = os.getloadavg()[0]
    with Progress() as progress:
        task = progress.add_task("check_scale", total=len(sizes) * ROUNDS * (len(peers) + 1))
        for size in sizes:
            state = parse_state(json.dumps(synthetic_state(size)), Path(f"synthetic-{size}.json"))
            runs: dict[str, list[tuple[float, float, int]]] = {label: [] for label, _, _ in peers}
            floor: list[tuple[float, int]] = []
            for _ in range(ROUNDS):  # runners alternate, so a wave of load from other jobs meets them all
                for label, workers, server in peers:
                    runs[label].append(over_protocol(state, workers, server))
                    progress.advance(task)
                floor.append(in_process(state))
                progress.advance(task)
            for label, _, _ in peers:
                startup = statistics.median(r[0] for r in runs[label])
                seconds = statistics.median(r[1] for r in runs[label])
                total = statistics.median(r[0] + r[1] for r in runs[label])
                found = {r[2] for r in runs[label]}
                assert len(found) == 1, f"{label} gave different findings across runs: {found}"
                rows.append((size, label, startup, seconds, size / seconds, size / total, found.pop()))
            seconds = statistics.median(f[0] for f in floor)
            rate = size / seconds
            rows.append(
                (size, "in-process rule calls, no protocol (floor)", 0.0, seconds, rate, rate, floor[0][1])
            )
    load = os.getloadavg()[0]
    lines = [
        machine_line(),
        f"Load average (1 min) {load_start:.1f} at the start and {load:.1f} at the end of the run on "
        f"{os.cpu_count()} cores"
        + (
            " (other jobs were sharing the machine; rates are lower than on an idle one)."
            if load > 1.5
            else "."
        ),
        "",
        f"{len(build_rules('mlkeel'))} rules; states built from the known-good fixture stacks; every "
        "resource goes through `Analyze` with its provider, and the stack through one `AnalyzeStack` (sent "
        "first, to the last pack copy, so it runs alongside; its findings are listed last, in the engine's "
        "order). Start-up = launching "
        "the pack process(es) as the Pulumi CLI does (process start, imports, handshake, configure), "
        "reported apart; analysis = every `Analyze` call and the `AnalyzeStack` call, building the requests "
        f"included. Median of {ROUNDS} runs per row, the runners alternating.",
        "",
        "| resources | runner | start-up s | analysis s | resources/s | with start-up | findings |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for size, label, startup, seconds, rate, total_rate, findings in rows:
        lines.append(
            f"| {size:,} | {label} | {startup:.2f} | {seconds:.2f} | {rate:,.0f} "
            f"| {total_rate:,.0f} | {findings} |"
        )
    lines += [
        "",
        "Target: ≥ 1,700 resources/s over the protocol (the analysis; the rate before the rules of issue "
        "19 were added). 'With start-up' divides by start-up plus analysis (the median of their sums), as "
        "a user waiting for `keel check` on one state sees it. Every fifth copy of the ECR "
        "repository is unencrypted on purpose, so all runners must report the same findings.",
    ]
    for size in sizes:
        counts = {row[6] for row in rows if row[0] == size}
        assert len(counts) == 1 and counts != {0}, (
            f"runners disagree on findings for {size} resources: {counts}"
        )
    text = "\n".join(lines)
    print(text)
    if not args.quick:
        write_section("check_scale", text)


if __name__ == "__main__":
    main()
