"""How fast ``keel cost`` estimates and rolls up large states (issue 5 target: 5,000 resources < 1 s).

Builds synthetic states by replicating the test fixtures' AWS and GCP stacks (every priced type, free
types, Kubernetes objects and an unknown type) under unique URNs, then times each stage: parsing the
state, pricing every resource, rolling up by four tag keys plus tag coverage, and rendering the FOCUS
CSV. There is no peer to run side by side: Infracost, the nearest tool, does not read Pulumi states
(infracost/infracost#187), so the figures stand alone.

Run: ``python benchmarks/cost_scale.py`` (``--quick`` for a small run).
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
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _report import machine_line, write_section  # noqa: E402

from runtime.cost import (  # noqa: E402
    DEFAULT_ROLLUP_KEYS,
    estimate_cost,
    parse_state,
    render,
    rollup_by_tag,
    tag_coverage,
)
from runtime.pricing import load_catalog  # noqa: E402

FIXTURES = ROOT / "tests" / "runtime" / "fixtures" / "cost"


def synthetic_state(n_resources: int) -> dict[str, Any]:
    """A state of about ``n_resources`` custom resources copied from the fixtures under unique names."""
    aws = json.loads((FIXTURES / "aws_fraud_dev_head.json").read_text())["deployment"]["resources"]
    gcp = json.loads((FIXTURES / "gcp_recs_prod.json").read_text())["deployment"]["resources"]
    providers = [r for r in aws + gcp if r["type"].startswith("pulumi:")]
    templates = [r for r in aws + gcp if not r["type"].startswith("pulumi:")]
    out = list(providers)
    copy_no = 0
    teams = ["fraud", "recs", "search", "ads", "risk", "growth", "vision", "speech"]
    while len(out) - len(providers) < n_resources:
        for template in templates:
            if len(out) - len(providers) >= n_resources:
                break
            res = copy.deepcopy(template)
            res["urn"] = f"{res['urn']}-{copy_no}"
            team = teams[copy_no % len(teams)]
            for key in ("inputs", "outputs"):
                props = res.get(key) or {}
                if isinstance(props.get("tags"), dict):
                    props["tags"] = {**props["tags"], "team": team}
                if isinstance(props.get("labels"), dict):
                    props["labels"] = {**props["labels"], "team": team}
                if "name" in props and isinstance(props["name"], str):
                    props["name"] = f"{props['name']}-{copy_no}"
                if "endpointConfigName" in props:
                    props["endpointConfigName"] = f"{props['endpointConfigName']}-{copy_no}"
                if isinstance(props.get("resourceId"), str) and props["resourceId"].startswith("endpoint/"):
                    parts = props["resourceId"].split("/")
                    props["resourceId"] = f"endpoint/{parts[1]}-{copy_no}/variant/{parts[3]}"
            res["dependencies"] = [f"{d}-{copy_no}" for d in res.get("dependencies", [])]
            out.append(res)
        copy_no += 1
    return {"version": 3, "deployment": {"manifest": {}, "resources": out}}


def _time(fn: Any, repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def run(sizes: list[int], repeat: int) -> list[dict[str, Any]]:
    catalog = load_catalog()
    rows = []
    for n in sizes:
        doc = synthetic_state(n)
        t_parse, state = _time(lambda d=doc: parse_state(d), repeat)
        t_est, est = _time(lambda s=state: estimate_cost(s, catalog=catalog), repeat)

        def rollups(e: Any = est) -> Any:
            return [rollup_by_tag(e, k) for k in DEFAULT_ROLLUP_KEYS], tag_coverage(e)

        t_roll, _ = _time(rollups, repeat)
        t_csv, _ = _time(lambda e=est: render(e, "csv"), max(1, repeat // 2))
        rows.append(
            {
                "resources": len(state.resources),
                "parse": t_parse,
                "estimate": t_est,
                "rollup": t_roll,
                "total": t_parse + t_est + t_roll,
                "csv": t_csv,
                "monthly": est.total,
                "not_priced": len(est.not_priced),
            }
        )
        print(
            f"{len(state.resources):>6} resources: parse {t_parse * 1000:7.1f} ms, estimate "
            f"{t_est * 1000:7.1f} ms, rollups {t_roll * 1000:6.1f} ms, total "
            f"{(t_parse + t_est + t_roll) * 1000:7.1f} ms; FOCUS CSV {t_csv * 1000:7.1f} ms"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, few repeats")
    args = parser.parse_args()
    sizes = [500, 5000] if args.quick else [500, 5000, 20000]
    repeat = 3 if args.quick else 7
    start = time.perf_counter()
    from runtime.pricing import clear_catalog_cache

    clear_catalog_cache()
    load_catalog()
    t_catalog = time.perf_counter() - start
    rows = run(sizes, repeat)
    five = next(r for r in rows if r["resources"] == 5000)
    verdict = "meets" if five["total"] < 1.0 else "misses"
    table = [
        "| Resources | Parse state | Estimate | Rollups (4 keys + coverage) | **Total** | FOCUS CSV render |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        table.append(
            f"| {r['resources']:,} | {r['parse'] * 1000:.1f} ms | {r['estimate'] * 1000:.1f} ms | "
            f"{r['rollup'] * 1000:.1f} ms | **{r['total'] * 1000:.1f} ms** | {r['csv'] * 1000:.1f} ms |"
        )
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    text = "\n".join(
        [
            machine_line() + f" Load average during the run: {load} (other jobs share the machine).",
            "",
            "Synthetic states replicating the AWS and GCP fixture stacks (every priced type, free types, "
            f"Kubernetes objects, one unknown type); median of {repeat} runs. Loading and validating the "
            f"bundled catalog once: {t_catalog * 1000:.0f} ms (cached afterwards).",
            "",
            *table,
            "",
            f"5,000 resources: estimate + rollups in {five['total'] * 1000:.0f} ms, which {verdict} the "
            "issue's target of under one second. No peer runs side by side: Infracost does not read Pulumi "
            "states (infracost/infracost#187).",
        ]
    )
    if not args.quick:
        write_section("cost_scale", text)
    print(text)


if __name__ == "__main__":
    main()
