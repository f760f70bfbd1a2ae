"""A Kubernetes stack is priced from its pods' requests at its nodes' catalog prices, as OpenCost allocates.

The fixture is a ``cloud: kubernetes`` team stack (MLflow, its database, Feast behind an HPA, a GPU training
Job on a spot pool, a nightly CronJob, a KServe InferenceService) whose Namespace names its node prices in
the ``mlkeel.io/pricing`` annotation. Expected figures are recomputed here from the catalog rows, not from
the pricer's own helpers.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runtime.cost import HOURS_PER_MONTH, estimate_cost, focus_rows, parse_state, rollup_by_tag
from runtime.cost._usage import parse_usage
from runtime.cost.pricers import PriceMissing
from runtime.cost.pricers.kubernetes import OPENCOST_WEIGHTS, quantity
from runtime.pricing import load_catalog

FIXTURE = Path(__file__).parent / "fixtures" / "kubernetes_ranking_dev.json"
CATALOG = load_catalog()
REGION = "eu-west-1"


def _doc() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def _named(doc: dict[str, Any], name: str) -> dict[str, Any]:
    return next(r for r in doc["deployment"]["resources"] if r["urn"].endswith(f"::{name}"))


def _estimate(doc: dict[str, Any] | None = None, usage: Any = None) -> Any:
    return estimate_cost(parse_state(doc or _doc(), "k8s.json"), catalog=CATALOG, usage=usage)


def _cost(est: Any, name: str) -> Any:
    return next(r for r in est.resources if r.name == name)


def _split(node: str, spot: bool = False) -> dict[str, float]:
    """Per vCPU / GiB / GPU hourly prices of ``node``, recomputed from its catalog row."""
    it = CATALOG.instance_type("aws", REGION, node)
    assert it is not None
    price = it.spot_hourly if spot else it.on_demand_hourly
    assert price is not None
    weights = {
        "cpu": it.vcpu * OPENCOST_WEIGHTS["cpu"],
        "memory": it.memory_gib * OPENCOST_WEIGHTS["memory"],
        "gpu": it.gpu_count * OPENCOST_WEIGHTS["gpu"],
    }
    amounts = {"cpu": it.vcpu, "memory": it.memory_gib, "gpu": it.gpu_count}
    return {
        k: price * weights[k] / sum(weights.values()) / amounts[k] if amounts[k] else 0.0 for k in weights
    }


def test_deployment_costs_its_requests_times_replicas_at_the_general_node_split() -> None:
    unit = _split("m6i.xlarge")
    mlflow = _cost(_estimate(), "ranking-dev-mlflow")  # 2 replicas x (0.5 vCPU, 1 GiB)
    assert mlflow.status == "priced"
    assert mlflow.monthly == pytest.approx(HOURS_PER_MONTH * 2 * (0.5 * unit["cpu"] + 1 * unit["memory"]))
    assert {line.unit for line in mlflow.lines} == {"vCPU-hour", "GiB memory-hour"}
    assert all(line.pricing_category == "Standard" for line in mlflow.lines)


def test_hpa_minimum_is_the_estimate_and_its_maximum_the_high_end() -> None:
    feast = _cost(_estimate(), "ranking-dev-feast")  # HPA 2..4 replicas of (1 vCPU, 2 GiB)
    assert feast.high == pytest.approx(2 * feast.monthly) and feast.low == pytest.approx(feast.monthly)
    assert "HPA min 2..max 4" in feast.assumptions


def test_gpu_job_on_a_spot_pool_runs_on_its_cheapest_fitting_type_at_spot_prices() -> None:
    train = _cost(
        _estimate(), "ranking-dev-train"
    )  # 4 vCPU, 16 GiB, 1 GPU; pool g5.2xlarge, g5.xlarge, g6.xlarge
    fitting = [
        CATALOG.instance_type("aws", REGION, n) for n in ("g5.2xlarge", "g5.xlarge", "g6.xlarge")
    ]  # fmt: skip
    cheapest = min((it for it in fitting if it is not None), key=lambda it: it.spot_hourly or 0.0)
    unit = _split(cheapest.name, spot=True)
    hours = 24.0  # the documented run_hours default
    assert train.monthly == pytest.approx(hours * (4 * unit["cpu"] + 16 * unit["memory"] + 1 * unit["gpu"]))
    assert train.is_spot and all(line.pricing_category == "Dynamic" for line in train.lines)
    assert f"pool gpu-train: {cheapest.name} spot" in train.assumptions
    assert all(line.usage_based for line in train.lines)


def test_cronjob_is_priced_for_its_scheduled_runs() -> None:
    unit = _split("m6i.xlarge")
    nightly = _cost(_estimate(), "ranking-dev-nightly-eval")  # 0 2 * * *: once a day, 30 min default
    runs = 30.42
    assert nightly.monthly == pytest.approx(runs * 0.5 * (2 * unit["cpu"] + 4 * unit["memory"]))


def test_inference_service_takes_its_minimum_replicas_and_ranges_to_its_maximum() -> None:
    unit = _split("m6i.xlarge")
    ranker = _cost(_estimate(), "ranking-dev-ranker")  # minReplicas 1, maxReplicas 3 of (1 vCPU, 2 GiB)
    assert ranker.monthly == pytest.approx(HOURS_PER_MONTH * (1 * unit["cpu"] + 2 * unit["memory"]))
    assert ranker.high == pytest.approx(3 * ranker.monthly)
    assert ranker.tags["component"] == "serving"  # a custom resource's labels are its cost tags


def test_statefulset_claims_a_volume_per_replica_at_the_block_storage_price() -> None:
    postgres = _cost(_estimate(), "ranking-dev-postgres")
    volume = next(line for line in postgres.lines if line.name.startswith("Volume data"))
    gp3 = CATALOG.price("aws", REGION, "ebs.gp3.storage")
    assert gp3 is not None and volume.monthly == pytest.approx(20 * gp3.usd)


def test_usage_file_sets_replicas_and_job_hours() -> None:
    usage = parse_usage(
        {
            "version": "0.1",
            "resource_usage": {"ranking-dev-mlflow": {"replicas": 5}, "ranking-dev-train": {"run_hours": 48}},
        }
    )
    base, changed = _estimate(), _estimate(usage=usage)
    assert _cost(changed, "ranking-dev-mlflow").monthly == pytest.approx(
        2.5 * _cost(base, "ranking-dev-mlflow").monthly
    )
    assert _cost(changed, "ranking-dev-train").monthly == pytest.approx(
        2 * _cost(base, "ranking-dev-train").monthly
    )


def test_cost_rolls_up_by_team_and_component_like_opencost_by_label() -> None:
    est = _estimate()
    by_team = rollup_by_tag(est, "team")
    assert by_team.as_dict() == {"ranking": pytest.approx(est.total)}
    by_component = rollup_by_tag(est, "component").as_dict()
    assert set(by_component) == {"registry", "feature-store", "training", "serving"}
    assert sum(by_component.values()) == pytest.approx(est.total)
    assert not est.not_priced


def test_focus_rows_carry_the_kubernetes_service_and_spot_pricing_category() -> None:
    rows = [r for r in focus_rows(_estimate()) if r["x_Status"] == "priced"]
    assert {r["ProviderName"] for r in rows} == {"Kubernetes"}
    assert {r["ServiceName"] for r in rows} == {"Kubernetes"}
    assert {r["PricingCategory"] for r in rows if r["ResourceName"] == "ranking-dev-train"} == {"Dynamic"}
    assert all(json.loads(str(r["Tags"]))["team"] == "ranking" for r in rows)


def test_pods_on_a_stacks_own_priced_nodes_are_not_counted_twice_but_karpenter_pools_are() -> None:
    doc = _doc()
    resources = doc["deployment"]["resources"]
    group = {
        "urn": "urn:pulumi:ranking-dev::mlkeel::aws:eks/nodeGroup:NodeGroup::general",
        "custom": True,
        "id": "general",
        "type": "aws:eks/nodeGroup:NodeGroup",
        "inputs": {
            "region": REGION,
            "instanceTypes": ["m6i.xlarge"],
            "scalingConfig": {"minSize": 2, "maxSize": 3},
        },
    }
    pool = copy.deepcopy(_named(doc, "ranking-dev-mlflow-monitor"))
    pool.update(urn=pool["urn"].replace("ServiceMonitor::ranking-dev-mlflow-monitor", "NodePool::gpu-train"))
    pool["type"] = "kubernetes:karpenter.sh/v1:NodePool"
    for props in (pool["inputs"], pool["outputs"]):
        props.update(apiVersion="karpenter.sh/v1", kind="NodePool", metadata={"name": "gpu-train"}, spec={})
    resources += [group, pool]
    est = _estimate(doc)
    mlflow = _cost(est, "ranking-dev-mlflow")
    assert mlflow.status == "free" and "node groups" in mlflow.note
    postgres = _cost(est, "ranking-dev-postgres")  # its pod is on the nodes, its volume is its own
    assert postgres.status == "priced" and [line.name for line in postgres.lines] == [
        "Volume data (one per replica)"
    ]
    assert _cost(est, "ranking-dev-train").monthly == pytest.approx(
        _cost(_estimate(), "ranking-dev-train").monthly
    )


def test_namespace_without_node_prices_leaves_its_pods_price_missing_with_the_fix() -> None:
    doc = _doc()
    for key in ("inputs", "outputs"):
        _named(doc, "ranking-dev-namespace")[key]["metadata"].pop("annotations")
    est = _estimate(doc)
    missing = {r.name: r.note for r in est.not_priced}
    assert "ranking-dev-mlflow" in missing and "mlkeel.io/pricing" in missing["ranking-dev-mlflow"]
    assert "nodeInstanceType" in missing["ranking-dev-mlflow"]


def test_pod_that_fits_no_node_type_of_its_pool_is_price_missing() -> None:
    doc = _doc()
    for key in ("inputs", "outputs"):
        container = _named(doc, "ranking-dev-train")[key]["spec"]["template"]["spec"]["containers"][0]
        container["resources"]["requests"]["nvidia.com/gpu"] = "8"
    note = _cost(_estimate(doc), "ranking-dev-train").note
    assert "no node type of pool gpu-train" in note and "8 GPUs" in note


def test_container_without_request_or_limit_is_price_missing_not_free() -> None:
    doc = _doc()
    for key in ("inputs", "outputs"):
        container = _named(doc, "ranking-dev-mlflow")[key]["spec"]["template"]["spec"]["containers"][0]
        container.pop("resources")
    cost = _cost(_estimate(doc), "ranking-dev-mlflow")
    assert cost.status == "price_missing" and "no cpu request or limit" in cost.note


@pytest.mark.parametrize(
    "text,value",
    [
        ("500m", 0.5),
        ("2", 2.0),
        ("1.5", 1.5),
        ("1Gi", 2.0**30),
        ("512Mi", 2.0**29),
        ("1G", 1e9),
        ("1e3", 1000.0),
    ],
)
def test_kubernetes_quantities_parse_like_the_api_server(text: str, value: float) -> None:
    assert quantity(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "1.5.2", "one", "2Gb", "True"])
def test_malformed_quantities_are_price_missing(text: str) -> None:
    with pytest.raises(PriceMissing, match="not a Kubernetes quantity"):
        quantity(text)


NODE_TYPES = sorted(
    it.name
    for it in CATALOG.instance_types("aws", REGION)
    if it.service == "ec2" and it.spot_hourly is not None
)


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(NODE_TYPES), st.booleans())
def test_a_pod_requesting_a_whole_node_pays_exactly_the_node(node: str, spot: bool) -> None:
    it = CATALOG.instance_type("aws", REGION, node)
    assert it is not None
    doc = _doc()
    namespace = _named(doc, "ranking-dev-namespace")
    pricing = {"cloud": "aws", "region": REGION, "nodeInstanceType": node, "nodeSpot": spot}
    pod = copy.deepcopy(_named(doc, "ranking-dev-train"))
    pod.update(urn=pod["urn"].replace("batch/v1:Job::ranking-dev-train", "core/v1:Pod::whole-node"))
    pod["type"] = "kubernetes:core/v1:Pod"
    whole = {"cpu": str(it.vcpu), "memory": f"{it.memory_gib}Gi", "nvidia.com/gpu": str(it.gpu_count)}
    for key in ("inputs", "outputs"):
        namespace[key]["metadata"]["annotations"] = {"mlkeel.io/pricing": json.dumps(pricing)}
        spec = copy.deepcopy(pod[key]["spec"]["template"]["spec"])
        spec.pop("nodeSelector")
        spec["containers"][0]["resources"] = {"requests": whole, "limits": whole}
        pod[key] = {"apiVersion": "v1", "kind": "Pod", "metadata": pod[key]["metadata"], "spec": spec}
    doc["deployment"]["resources"].append(pod)
    cost = _cost(_estimate(doc), "whole-node")
    hourly = it.hourly(spot)
    assert hourly is not None and cost.monthly == pytest.approx(HOURS_PER_MONTH * hourly)
