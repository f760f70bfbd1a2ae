"""Serving on Kubernetes: a KServe InferenceService with a canary where KServe runs, otherwise a Deployment
with a ClusterIP Service, an ``autoscaling/v2`` HPA and a PodDisruptionBudget, sized from the spec."""

from __future__ import annotations

from .kubernetes_plans import of_kind, plain, search


def test_kserve_endpoint_is_an_inference_service_with_its_canary_and_bounds() -> None:
    (isvc,) = of_kind(search(), "InferenceService")
    predictor = isvc["spec"]["predictor"]
    assert (predictor["minReplicas"], predictor["maxReplicas"]) == (2, 6)
    assert predictor["canaryTrafficPercent"] == 10
    assert predictor["scaleTarget"] == 50
    (container,) = predictor["containers"]
    assert container["image"] == "ghcr.io/example/ranker-server:1.4.2"
    assert {"name": "STORAGE_URI", "value": "pvc://models/ranker/lgbm-v7"} in container["env"]
    assert not of_kind(search(), "HorizontalPodAutoscaler")


def test_without_kserve_an_endpoint_is_deployment_service_hpa_and_pdb() -> None:
    result = plain()
    assert not of_kind(result, "InferenceService")
    (deployment,) = [d for d in of_kind(result, "Deployment") if d["metadata"]["name"] == "triage"]
    (hpa,) = of_kind(result, "HorizontalPodAutoscaler")
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "triage"}
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 5)
    assert deployment["spec"]["replicas"] == 2
    budgets = {p["metadata"]["name"]: p for p in of_kind(result, "PodDisruptionBudget")}
    assert budgets["triage"]["spec"] == {
        "maxUnavailable": 1,
        "selector": {"matchLabels": {"app.kubernetes.io/name": "triage"}},
    }
    services = {s["metadata"]["name"] for s in of_kind(result, "Service")}
    assert "triage" in services
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert labels["mlkeel.io/serving"] == "true" and labels["component"] == "serving"
    resources = deployment["spec"]["template"]["spec"]["containers"][0]["resources"]
    assert resources["requests"] == resources["limits"] == {"cpu": "1000m", "memory": "2048Mi"}
