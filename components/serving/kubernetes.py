"""``K8sServing``: online endpoints in the team namespace.

Where KServe is installed, each endpoint is an ``InferenceService`` (min/max replicas, the model's storage
URI, ``canaryTrafficPercent`` for a progressive rollout); otherwise a Deployment + ClusterIP Service +
``autoscaling/v2`` HorizontalPodAutoscaler + PodDisruptionBudget (the spec refuses a canary there). Every
serving pod has requests and limits, a read-only root filesystem, runs as non-root without privilege
escalation or capabilities under seccomp ``RuntimeDefault``, carries the cost labels, and is reachable only
from the ingress gateway's namespaces and the team's own pods.
"""

from typing import Any, cast

import pulumi
import pulumi_kubernetes as k8s

from ..args import KubernetesServingArgs, ServingEndpointArgs
from ..kubernetes import (
    SERVING_LABEL,
    container_security_context,
    custom_resource,
    labels,
    metadata,
    name_of,
    pod_security_context,
    resources,
)
from ..kubernetes._workloads import container, deployment, disruption_budget, pod_template, service
from ..kubernetes.args import K8sCapabilityArgs
from ..tagging import capability_options

SERVING_PORT = 8080
INFERENCE_SERVICE = ("serving.kserve.io/v1beta1", "InferenceService")
#: CPU utilisation the HPA keeps each replica at when KServe is absent.
TARGET_CPU_PERCENT = 70


class K8sServingArgs(K8sCapabilityArgs):
    endpoints: list[ServingEndpointArgs]
    resources: KubernetesServingArgs
    kserve: bool
    service_account: pulumi.Input[str]


def canary_percent(endpoint: ServingEndpointArgs) -> int | None:
    """The share of traffic the newest revision gets first, or None for all at once."""
    rollout = endpoint["rollout"]
    if rollout["strategy"] == "canary":
        return max(1, round(rollout["canary_percent"]))
    if rollout["strategy"] == "linear":
        return max(1, round(rollout["linear_step_percent"]))
    return None


class K8sServing(pulumi.ComponentResource):
    """One InferenceService (KServe) or Deployment + Service + HPA + PDB per endpoint."""

    endpoint_names: pulumi.Output[list[str]]

    def __init__(self, name: str, args: K8sServingArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(
            "mlkeel:index:K8sServing", name, None, capability_options(opts, args["tags"], "serving")
        )
        child = pulumi.ResourceOptions(parent=self)
        names = []
        for endpoint in args["endpoints"]:
            if args["kserve"]:
                self._inference_service(name, args, endpoint, child)
            else:
                self._deployment(name, args, endpoint, child)
            names.append(endpoint["name"])
        self.endpoint_names = pulumi.Output.from_input(names)
        self.register_outputs({"endpoint_names": names})

    @staticmethod
    def _model(endpoint: ServingEndpointArgs) -> tuple[str, str]:
        model = endpoint["variants"][0]["model"]
        if not model["image"] or not model["artifact"]:  # pragma: no cover - the spec rules refuse it
            raise ValueError(f"endpoint {endpoint['name']}: Kubernetes serving needs 'image' and 'artifact'")
        return model["image"], model["artifact"]

    def _inference_service(
        self, name: str, args: K8sServingArgs, endpoint: ServingEndpointArgs, child: pulumi.ResourceOptions
    ) -> None:
        image, storage_uri = self._model(endpoint)
        app = endpoint["name"]
        own = labels(args["tags"], "serving", app)
        gpus = endpoint["accelerator"]["count"] if endpoint["accelerator"] else 0
        predictor: dict[str, Any] = {
            "minReplicas": endpoint["min_replicas"],
            "maxReplicas": endpoint["max_replicas"],
            "scaleMetric": "concurrency",
            "scaleTarget": endpoint["target_invocations_per_instance"],
            "serviceAccountName": args["service_account"],
            "automountServiceAccountToken": False,
            "securityContext": pod_security_context(),
            "labels": {
                **own,
                SERVING_LABEL: "true",
                "mlkeel.io/metrics": "true",
                "mlkeel.io/egress-https": "true",
            },
            "containers": [
                {
                    "name": "kserve-container",
                    "image": image,
                    "env": [{"name": "STORAGE_URI", "value": storage_uri}, {"name": "HOME", "value": "/tmp"}],
                    "ports": [{"name": "http1", "containerPort": SERVING_PORT, "protocol": "TCP"}],
                    "resources": resources(
                        args["resources"]["cpu_millis"], args["resources"]["memory_mib"], gpus
                    ),
                    "securityContext": container_security_context(),
                    "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
                }
            ],
            "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "256Mi"}}],
        }
        canary = canary_percent(endpoint)
        if canary is not None:
            predictor["canaryTrafficPercent"] = canary
        custom_resource(
            f"{name}-{app}",
            *INFERENCE_SERVICE,
            metadata(app, args["namespace"], own),
            {"predictor": predictor},
            child,
        )

    def _deployment(
        self, name: str, args: K8sServingArgs, endpoint: ServingEndpointArgs, child: pulumi.ResourceOptions
    ) -> None:
        image, storage_uri = self._model(endpoint)
        app = endpoint["name"]
        ns = args["namespace"]
        own = labels(args["tags"], "serving", app)
        gpus = endpoint["accelerator"]["count"] if endpoint["accelerator"] else 0
        server = container(
            "model",
            image,
            cpu_millis=args["resources"]["cpu_millis"],
            memory_mib=args["resources"]["memory_mib"],
            gpus=gpus,
            env=[{"name": "STORAGE_URI", "value": storage_uri}, {"name": "HOME", "value": "/tmp"}],
            port=SERVING_PORT,
        )
        template = pod_template(
            app,
            own,
            [server],
            args["service_account"],
            egress_https=True,
            metrics=True,
            extra_labels={SERVING_LABEL: "true"},
        )
        workload = deployment(f"{name}-{app}", app, ns, own, template, endpoint["min_replicas"], child)
        service(f"{name}-{app}-service", app, ns, own, SERVING_PORT, child)
        k8s.autoscaling.v2.HorizontalPodAutoscaler(
            f"{name}-{app}-hpa",
            metadata=metadata(app, ns, own),
            spec=cast(
                Any,
                {
                    "scaleTargetRef": {
                        "apiVersion": "apps/v1",
                        "kind": "Deployment",
                        "name": name_of(workload),
                    },
                    "minReplicas": endpoint["min_replicas"],
                    "maxReplicas": endpoint["max_replicas"],
                    "metrics": [
                        {
                            "type": "Resource",
                            "resource": {
                                "name": "cpu",
                                "target": {"type": "Utilization", "averageUtilization": TARGET_CPU_PERCENT},
                            },
                        }
                    ],
                },
            ),
            opts=child,
        )
        disruption_budget(f"{name}-{app}-pdb", app, ns, own, child)
