"""``K8sModelRegistry``: the MLflow tracking server and model registry in the team namespace.

MLflow (Deployment, Service, PodDisruptionBudget) keeps runs and registered models in a backend store: a
PostgreSQL the stack runs (StatefulSet with its volume) or an external database URI from the spec (the
cloud's managed database). The backend URI carries a password, so it is a Pulumi secret (a generated
``random.RandomPassword`` or the spec's secret) written only into a Kubernetes Secret that the pod reads
through ``secretKeyRef``: the planned state holds a secret marker, never the value. Artifacts go to the
stack's bucket through the workload identity (no key), or to a volume.
"""

from typing import Any, cast

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

from ..args import MlflowArgs
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

MLFLOW_PORT = 5000
POSTGRES_PORT = 5432
#: The uid the postgres image's ``postgres`` user has.
POSTGRES_UID = 999


class K8sModelRegistryArgs(K8sCapabilityArgs):
    mlflow: MlflowArgs
    artifact_root: pulumi.Input[str] | None
    """``s3://…`` / ``gs://…`` of the stack's bucket, or None for a volume."""
    service_account: pulumi.Input[str]
    """MLflow's service account (``K8sAccess``), carrying the workload identity."""
    database_service_account: pulumi.Input[str]
    """The PostgreSQL pod's service account (no identity, no token)."""


class K8sModelRegistry(pulumi.ComponentResource):
    """MLflow tracking server with its backend store, its password a Pulumi secret in a Kubernetes Secret."""

    tracking_uri: pulumi.Output[str]
    backend_secret: pulumi.Output[str]

    def __init__(self, name: str, args: K8sModelRegistryArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(
            "mlkeel:index:K8sModelRegistry", name, None, capability_options(opts, args["tags"], "registry")
        )
        child = pulumi.ResourceOptions(parent=self)
        ns = args["namespace"]
        spec = args["mlflow"]
        app = "mlflow"
        own = labels(args["tags"], "registry", app)
        if spec["backend"] == "external":
            uri = args["mlflow"].get("external_uri")
            if uri is None:  # pragma: no cover - the spec refuses it
                raise ValueError("backend 'external' needs mlflow.external_uri")
            backend_uri: pulumi.Output[str] = pulumi.Output.secret(uri)
        else:
            password = random.RandomPassword(f"{name}-db-password", length=32, special=False, opts=child)
            backend_uri = pulumi.Output.secret(
                pulumi.Output.format(
                    "postgresql://mlflow:{0}@mlflow-postgres:{1}/mlflow", password.result, POSTGRES_PORT
                )
            )
            self._postgres(name, args, password.result, child)
        secret = k8s.core.v1.Secret(
            f"{name}-backend",
            metadata=metadata("mlflow-backend", ns, own),
            type="Opaque",
            string_data={"uri": backend_uri},
            opts=child,
        )
        secret_name = name_of(secret)
        volumes: list[dict[str, Any]] = []
        mounts: list[dict[str, Any]] = []
        destination: pulumi.Input[str]
        if args["artifact_root"] is None:
            pvc = k8s.core.v1.PersistentVolumeClaim(
                f"{name}-artifacts",
                metadata=metadata("mlflow-artifacts", ns, own),
                spec=cast(
                    Any,
                    {
                        # Several replicas share the volume: the storage class must offer ReadWriteMany.
                        "accessModes": ["ReadWriteMany" if spec["replicas"] > 1 else "ReadWriteOnce"],
                        "resources": {"requests": {"storage": f"{spec['pvc_size_gib']}Gi"}},
                    },
                ),
                opts=child,
            )
            volumes.append(
                {
                    "name": "artifacts",
                    "persistentVolumeClaim": {"claimName": name_of(pvc)},
                }
            )
            mounts.append({"name": "artifacts", "mountPath": "/mlflow/artifacts"})
            destination = "/mlflow/artifacts"
        else:
            destination = pulumi.Output.concat(args["artifact_root"], "/mlflow")
        server = container(
            app,
            spec["image"],
            cpu_millis=500,
            memory_mib=1024,
            command=["mlflow", "server"],
            args=[
                "--host=0.0.0.0",
                f"--port={MLFLOW_PORT}",
                "--backend-store-uri=$(BACKEND_STORE_URI)",
                pulumi.Output.concat("--artifacts-destination=", destination),  # type: ignore[list-item]
                "--serve-artifacts",
                "--expose-prometheus=/tmp/metrics",
            ],
            env=[
                {
                    "name": "BACKEND_STORE_URI",
                    "valueFrom": {"secretKeyRef": {"name": secret_name, "key": "uri"}},
                },
                {"name": "HOME", "value": "/tmp"},
            ],
            port=MLFLOW_PORT,
            probe_path="/health",
            mounts=mounts,
        )
        template = pod_template(
            app,
            own,
            [server],
            args["service_account"],
            volumes=volumes,
            egress_https=args["artifact_root"] is not None,
            metrics=True,
        )
        deployment(f"{name}-server", app, ns, own, template, spec["replicas"], child)
        svc = service(f"{name}-service", app, ns, own, MLFLOW_PORT, child)
        disruption_budget(f"{name}-pdb", app, ns, own, child)
        self.tracking_uri = pulumi.Output.format("http://{0}.{1}.svc:{2}", name_of(svc), ns, MLFLOW_PORT)
        self.backend_secret = secret_name
        self.register_outputs({"tracking_uri": self.tracking_uri, "backend_secret": secret_name})

    def _postgres(
        self,
        name: str,
        args: K8sModelRegistryArgs,
        password: pulumi.Output[str],
        child: pulumi.ResourceOptions,
    ) -> None:
        """The backend PostgreSQL: one replica on its own volume, reachable only inside the namespace."""
        ns = args["namespace"]
        app = "mlflow-postgres"
        own = labels(args["tags"], "registry", app)
        secret = k8s.core.v1.Secret(
            f"{name}-postgres-auth",
            metadata=metadata("mlflow-postgres-auth", ns, own),
            type="Opaque",
            string_data={"password": pulumi.Output.secret(password)},  # type: ignore[arg-type]
            opts=child,
        )
        db = container(
            "postgres",
            args["mlflow"]["postgres_image"],
            cpu_millis=500,
            memory_mib=1024,
            env=[
                {"name": "POSTGRES_USER", "value": "mlflow"},
                {"name": "POSTGRES_DB", "value": "mlflow"},
                {"name": "PGDATA", "value": "/var/lib/postgresql/data/pgdata"},
                {
                    "name": "POSTGRES_PASSWORD",
                    "valueFrom": {"secretKeyRef": {"name": name_of(secret), "key": "password"}},
                },
            ],
            port=POSTGRES_PORT,
            mounts=[
                {"name": "data", "mountPath": "/var/lib/postgresql/data"},
                {"name": "run", "mountPath": "/var/run/postgresql"},
            ],
        )
        template = pod_template(
            app,
            own,
            [db],
            args["database_service_account"],
            volumes=[{"name": "run", "emptyDir": {"sizeLimit": "16Mi"}}],
            run_as_user=POSTGRES_UID,
        )
        stateful_set(f"{name}-postgres", app, ns, own, template, "10Gi", child)
        service(f"{name}-postgres-service", app, ns, own, POSTGRES_PORT, child, headless=True)
