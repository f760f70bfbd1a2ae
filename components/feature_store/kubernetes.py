"""``K8sFeatureStore``: the Feast feature server with a Redis online store in the team namespace.

The feature server reads ``feature_store.yaml`` from a Secret (the Redis connection string carries its
password, a generated Pulumi secret); its registry lives in the stack's bucket through the workload
identity, or on a volume on ``cloud: kubernetes``. Redis requires that password and is reachable only from
the team's own pods (the namespace's NetworkPolicies).
"""

from typing import Any, cast

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

from ..args import FeastArgs, FeatureGroupArgs
from ..kubernetes import labels, metadata, name_of
from ..kubernetes._workloads import (
    container,
    deployment,
    disruption_budget,
    pod_template,
    service,
    stateful_set,
)
from ..kubernetes.args import K8sCapabilityArgs
from ..tagging import capability_options

FEAST_PORT = 6566
REDIS_PORT = 6379
REDIS_UID = 999


class K8sFeatureStoreArgs(K8sCapabilityArgs):
    feast: FeastArgs
    groups: list[FeatureGroupArgs]
    registry_root: pulumi.Input[str] | None
    """``s3://…`` / ``gs://…`` of the stack's bucket for the Feast registry, or None for a volume."""
    service_account: pulumi.Input[str]
    """The feature server's service account, carrying the workload identity."""
    redis_service_account: pulumi.Input[str]
    """The Redis pod's service account (no identity, no token)."""


def _config(project: str, registry: str, password: str) -> str:
    return (
        f"project: {project}\n"
        f"registry: {registry}\n"
        "provider: local\n"
        "online_store:\n"
        "  type: redis\n"
        f"  connection_string: feast-redis:{REDIS_PORT},password={password}\n"
        "entity_key_serialization_version: 2\n"
    )


class K8sFeatureStore(pulumi.ComponentResource):
    """Feast feature server (Deployment, Service, PDB) and its Redis online store (StatefulSet, Service)."""

    feature_server_uri: pulumi.Output[str]

    def __init__(self, name: str, args: K8sFeatureStoreArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(
            "mlkeel:index:K8sFeatureStore",
            name,
            None,
            capability_options(opts, args["tags"], "feature-store"),
        )
        child = pulumi.ResourceOptions(parent=self)
        ns = args["namespace"]
        spec = args["feast"]
        password = random.RandomPassword(f"{name}-redis-password", length=32, special=False, opts=child)
        redis_labels = labels(args["tags"], "feature-store", "feast-redis")
        auth = k8s.core.v1.Secret(
            f"{name}-redis-auth",
            metadata=metadata("feast-redis-auth", ns, redis_labels),
            type="Opaque",
            string_data={"password": pulumi.Output.secret(password.result)},  # type: ignore[arg-type]
            opts=child,
        )
        redis = container(
            "redis",
            spec["redis_image"],
            cpu_millis=250,
            memory_mib=512,
            command=["sh", "-c", 'exec redis-server --requirepass "$REDIS_PASSWORD" --dir /data'],
            env=[
                {
                    "name": "REDIS_PASSWORD",
                    "valueFrom": {"secretKeyRef": {"name": name_of(auth), "key": "password"}},
                }
            ],
            port=REDIS_PORT,
            mounts=[{"name": "data", "mountPath": "/data"}],
        )
        stateful_set(
            f"{name}-redis",
            "feast-redis",
            ns,
            redis_labels,
            pod_template(
                "feast-redis", redis_labels, [redis], args["redis_service_account"], run_as_user=REDIS_UID
            ),
            "5Gi",
            child,
        )
        service(f"{name}-redis-service", "feast-redis", ns, redis_labels, REDIS_PORT, child, headless=True)

        app = "feast"
        own = labels(args["tags"], "feature-store", app)
        volumes: list[dict[str, Any]] = []
        mounts: list[dict[str, Any]] = [{"name": "config", "mountPath": "/feast/repo", "readOnly": True}]
        registry: pulumi.Input[str]
        if args["registry_root"] is None:
            pvc = k8s.core.v1.PersistentVolumeClaim(
                f"{name}-registry",
                metadata=metadata("feast-registry", ns, own),
                spec=cast(
                    Any,
                    {
                        "accessModes": ["ReadWriteMany" if spec["replicas"] > 1 else "ReadWriteOnce"],
                        "resources": {"requests": {"storage": "1Gi"}},
                    },
                ),
                opts=child,
            )
            volumes.append(
                {
                    "name": "registry",
                    "persistentVolumeClaim": {"claimName": name_of(pvc)},
                }
            )
            mounts.append({"name": "registry", "mountPath": "/feast/registry"})
            registry = "/feast/registry/registry.db"
        else:
            registry = pulumi.Output.concat(args["registry_root"], "/feast/registry.db")
        feature_store_yaml: Any = pulumi.Output.all(registry, password.result).apply(
            lambda v: _config(args["prefix"].replace("-", "_"), v[0], v[1])
        )
        config = k8s.core.v1.Secret(
            f"{name}-config",
            metadata=metadata("feast-config", ns, own),
            type="Opaque",
            string_data={"feature_store.yaml": pulumi.Output.secret(feature_store_yaml)},
            opts=child,
        )
        volumes.append({"name": "config", "secret": {"secretName": name_of(config)}})
        server = container(
            app,
            spec["image"],
            cpu_millis=500,
            memory_mib=1024,
            command=["feast", "serve"],
            args=["--host=0.0.0.0", f"--port={FEAST_PORT}"],
            env=[{"name": "FEAST_REPO_PATH", "value": "/feast/repo"}, {"name": "HOME", "value": "/tmp"}],
            port=FEAST_PORT,
            mounts=mounts,
        )
        server["workingDir"] = "/feast/repo"
        template = pod_template(
            app,
            {**own, "mlkeel.io/feature-groups": str(len(args["groups"]))},
            [server],
            args["service_account"],
            volumes=volumes,
            egress_https=args["registry_root"] is not None,
            metrics=True,
        )
        deployment(f"{name}-server", app, ns, own, template, spec["replicas"], child)
        svc = service(f"{name}-service", app, ns, own, FEAST_PORT, child)
        disruption_budget(f"{name}-pdb", app, ns, own, child)
        self.feature_server_uri = pulumi.Output.format("http://{0}.{1}.svc:{2}", name_of(svc), ns, FEAST_PORT)
        self.register_outputs({"feature_server_uri": self.feature_server_uri})
