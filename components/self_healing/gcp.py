"""GCP self-healing runner: Cloud Scheduler runs a Cloud Run job built from the runtime's image.

Why a Cloud Run *job* and not a service or a Cloud Function: one controller run observes, decides, starts
work (a Vertex custom job on spot VMs, a traffic split) and records it; it never waits, because the next run
resumes from the recorded state (as on AWS, docs/self-healing.md). A job runs to completion without serving
requests, so nothing listens on a port, and its executions are the run history an operator reads.

What it creates, all named from the stack prefix:

- the **runtime service account**, holding only: a **custom role** on the project with exactly the Vertex AI
  calls the controller makes (:data:`VERTEX_PERMISSIONS`; no predefined ``aiplatform`` role, each of which
  carries far more) plus ``bigquery.jobs.create`` (query jobs are project resources: no narrower place to
  grant it); object access on the stack bucket (bucket-level IAM, read under :data:`READ_PREFIXES`, write
  under :data:`WRITE_PREFIXES`, by IAM condition); BigQuery read on the request-response logging dataset
  and on the Cloud Billing export's dataset when the spec names one (dataset-level); publish on the alerts
  topic when there is one (topic-level); and
  ``roles/iam.serviceAccountUser`` on the training service account only (it launches custom jobs as that
  account, resource-level). Nothing else project-wide;
- the **job** (container image from the stack's Artifact Registry repository, CMEK with the stack key,
  direct VPC egress into the stack's private subnet with ``ALL_TRAFFIC``, so Google APIs are reached through
  private Google access and nothing leaves by a public address of its own); Cloud Run's service agent gets
  encrypt/decrypt on the stack key (CMEK needs it, and the encryption capability does not know Cloud Run);
- the **invoker** service account, which may run this one job and nothing else (``roles/run.invoker`` on
  the job), and the **Cloud Scheduler job** calling the job's ``:run`` with that account's OAuth token
  (Google APIs take OAuth access tokens, not OIDC identity tokens).
"""

import base64
import functools
from typing import Any, NotRequired

import pulumi
import pulumi_gcp as gcp

from components.gcp._naming import gcp_name
from components.gcp.args import GcpKeyedArgs
from components.platform.kubernetes import GKE_ANNOTATION, prefix_condition, workload_identity_member
from components.tagging import capability_options

from .aws import COST_COMPONENT, IMAGE_TAG, READ_PREFIXES, WRITE_PREFIXES
from .kubernetes import cron_schedule, pushgateway_url

# No `from __future__ import annotations`: Pulumi's component analyzer reads these annotations at run time.

CONTAINER_COMMAND = ["python", "-m", "runtime.self_healing"]
CONFIG_VARIABLE = "MLKEEL_SELF_HEALING_CONFIG"
#: One run starts work and never waits for it; an hour bounds a stuck run (the lease expires before).
TIMEOUT_SECONDS = 3600
#: One retry of a failed task; the next tick resumes from the recorded state anyway.
MAX_RETRIES = 1
CPU = "1"
MEMORY = "2Gi"
#: The Vertex AI calls of the controller (``GCP_PERMISSIONS`` of runtime/self_healing/_calls.py, scope
#: ``project``), as IAM permissions; a test keeps the two equal.
VERTEX_PERMISSIONS: tuple[str, ...] = (
    "aiplatform.customJobs.create",
    "aiplatform.customJobs.get",
    "aiplatform.customJobs.list",
    "aiplatform.endpoints.deploy",
    "aiplatform.endpoints.get",
    "aiplatform.endpoints.undeploy",
    "aiplatform.endpoints.update",
    "aiplatform.models.get",
    "aiplatform.models.list",
    "aiplatform.models.upload",
)
#: What the custom role holds besides the Vertex calls: a query on the logging dataset runs as a BigQuery
#: job, which is created in the project (the dataset grant then decides what it may read); the run's
#: figures are written to and the canary's serving metrics read from Cloud Monitoring (project-wide only).
PROJECT_PERMISSIONS: tuple[str, ...] = (
    "bigquery.jobs.create",
    "monitoring.timeSeries.create",
    "monitoring.timeSeries.list",
)
#: Names in the runtime's table that are no IAM permission a role may hold: Vertex AI checks the polling of a
#: long-running operation against the resource it changes (``endpoints.get`` for a deployment,
#: ``models.get`` for an upload: Vertex AI's IAM permissions page), and Google's role listings know only
#: ``aiplatform.operations.list``. A custom role naming a permission that does not exist fails at deploy.
NOT_ROLE_PERMISSIONS: frozenset[str] = frozenset({"aiplatform.operations.get"})
#: Where each of the runtime table's other scopes is granted: the predefined role, on that resource only.
BUCKET_READ_ROLE = "roles/storage.objectViewer"
BUCKET_WRITE_ROLE = "roles/storage.objectUser"
DATASET_ROLE = "roles/bigquery.dataViewer"
TOPIC_ROLE = "roles/pubsub.publisher"
ACT_AS_ROLE = "roles/iam.serviceAccountUser"
INVOKER_ROLE = "roles/run.invoker"
KEY_ROLE = "roles/cloudkms.cryptoKeyEncrypterDecrypter"
#: Cloud Run's service agent (it encrypts the job's image copy and environment with the stack key).
RUN_AGENT = "serviceAccount:service-{n}@serverless-robot-prod.iam.gserviceaccount.com"
SCHEDULER_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
#: ``jobs.run``'s request body (no overrides), base64 as Cloud Scheduler takes it.
RUN_BODY = base64.b64encode(b"{}").decode()
#: The runtime image's name in the stack's Artifact Registry repository (one repository holds many images;
#: the tag names the mlkeel version that built it, as on AWS).
IMAGE_NAME = "mlkeel-runtime"


def custom_role_id(prefix: str) -> str:
    """A custom role id: 3-64 of letters, digits, '_' and '.' (no '-')."""
    role_id = "mlkeel_" + prefix.replace("-", "_") + "_self_healing"
    if len(role_id) > 64:
        raise ValueError(f"custom role id '{role_id}' is longer than 64 characters; shorten the team name")
    return role_id


def run_uri(project: str, region: str, job: str) -> str:
    """The Cloud Run Admin API v2 call that starts one execution of ``job``."""
    return f"https://run.googleapis.com/v2/projects/{project}/locations/{region}/jobs/{job}:run"


class GcpSelfHealingArgs(GcpKeyedArgs):
    """Inputs of :class:`GcpSelfHealing`."""

    stack: str
    """The stack's prefix (``<team>-<environment>``), the controller's name for it."""
    residency_zone: str
    schedule: str
    """The spec's ``selfHealing.schedule`` (EventBridge form; converted to unix-cron)."""
    policy: dict[str, Any]
    """The spec's ``selfHealing`` section (snake_case), handed to the controller as its decision policy."""
    project_number: pulumi.Input[str]
    repository_url: pulumi.Input[str]
    """``<region>-docker.pkg.dev/<project>/<repository>`` (the registry capability's)."""
    image_tag: NotRequired[str]
    bucket_name: pulumi.Input[str]
    endpoints: dict[str, pulumi.Input[str]]
    """Endpoint key -> the Vertex endpoint's resource name."""
    prediction_log_dataset: pulumi.Input[str]
    """The request-response logging dataset (serving's)."""
    training_service_account: pulumi.Input[str]
    """Email of the account the retraining custom jobs run as."""
    rollout: dict[str, dict[str, Any]]
    network: pulumi.Input[str]
    subnet: pulumi.Input[str]
    alert_policies: NotRequired[dict[str, list[pulumi.Input[str]]]]
    """Endpoint key -> the Cloud Monitoring alert policies whose open incidents roll its canary back."""
    serving: NotRequired[dict[str, dict[str, Any]]]
    """Endpoint key -> ``{machine_type, min_replicas, max_replicas}`` of a candidate's deployment."""
    alerts_topic: NotRequired[pulumi.Input[str] | None]
    """A Pub/Sub topic id the controller alerts through; None: it records alerts in its audit log only."""
    monthly_budget_usd: NotRequired[float | None]
    latency_p99_ms: NotRequired[int]
    """The latency alert policy's threshold: the candidate's own p99 above it rolls its canary back."""
    error_rate_percent: NotRequired[float]
    """The error alert policy's threshold, applied to the candidate's own error rate."""
    billing_export_table: NotRequired[str | None]
    """The spec's ``budget.billingExportTable`` (``project.dataset.gcp_billing_export_v1_...``): where the
    budget guard reads the stack's month-to-date spend; the runtime account gets read on its dataset."""
    extra_config: NotRequired[dict[str, Any]]
    """Further fields of the controller's configuration (the GCP loop's contract)."""
    runner: NotRequired[str]
    """``cloud-run`` (default) or ``kubernetes``: a CronJob in the stack's GKE cluster instead of the job."""
    namespace: NotRequired[pulumi.Input[str] | None]
    """The in-cluster layer's namespace (``runner: kubernetes``)."""
    workload_pool: NotRequired[pulumi.Input[str] | None]
    """The GKE cluster's Workload Identity pool (``runner: kubernetes``)."""
    pushgateway: NotRequired[bool]
    """``runner: kubernetes``: run a Pushgateway in the namespace for the run's figures."""


def runtime_image(args: GcpSelfHealingArgs) -> pulumi.Output[str]:
    """The runtime image URI the job (or CronJob) runs, and the CustomJobs retrain in."""
    return pulumi.Output.format(
        "{0}/{1}:{2}", args["repository_url"], IMAGE_NAME, args.get("image_tag") or IMAGE_TAG
    )


def billing_dataset(table: str) -> tuple[str, str]:
    """(project, dataset) of a billing export ``project.dataset.table``: often the billing admin's project."""
    parts = table.split(".")
    if len(parts) != 3 or not all(parts):
        raise ValueError(f"billing export table '{table}' must be project.dataset.gcp_billing_export_v1_XXXX")
    return parts[0], parts[1]


def controller_config(args: GcpSelfHealingArgs) -> pulumi.Output[str]:
    """The controller's one configuration document (``MLKEEL_SELF_HEALING_CONFIG``), as on AWS."""
    config: dict[str, Any] = {
        "cloud": "gcp",
        "stack": args["stack"],
        "project": args["project"],
        "region": args["region"],
        "residency_zone": args["residency_zone"],
        "bucket": args["bucket_name"],
        "kms_key": args["encryption_key"],
        "endpoints": dict(args["endpoints"]),
        "prediction_log_dataset": args["prediction_log_dataset"],
        "training_service_account": args["training_service_account"],
        "alerts_topic": args.get("alerts_topic"),
        "alert_policies": {k: list(v) for k, v in (args.get("alert_policies") or {}).items()},
        "serving": dict(args.get("serving") or {}),
        "network": args["network"],
        "subnet": args["subnet"],
        "monthly_budget_usd": args.get("monthly_budget_usd"),
        **{k: args[k] for k in ("latency_p99_ms", "error_rate_percent") if k in args},  # type: ignore[literal-required]
        "billing_export_table": args.get("billing_export_table"),
        # Retraining runs the example entry point in the same image the job runs.
        "training_image": runtime_image(args),
        "cost_tags": dict(args["tags"]),
        "rollout": args["rollout"],
        "policy": args["policy"],
        **(args.get("extra_config") or {}),
    }
    namespace = args.get("namespace")
    if args.get("runner") == "kubernetes" and args.get("pushgateway") and namespace is not None:
        config["pushgateway_url"] = pushgateway_url(namespace)
    return pulumi.Output.json_dumps(config)


class GcpSelfHealing(pulumi.ComponentResource):
    """Runtime and invoker service accounts, custom role, grants, the Cloud Run job and its schedule."""

    job_name: pulumi.Output[str]
    service_account: pulumi.Output[str]
    invoker_service_account: pulumi.Output[str]
    scheduler_job: pulumi.Output[str]
    custom_role: pulumi.Output[str]
    cron_job_name: pulumi.Output[str]
    lease_name: pulumi.Output[str]

    def __init__(self, name: str, args: GcpSelfHealingArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(
            "mlkeel:index:GcpSelfHealing", name, None, capability_options(opts, args["tags"], COST_COMPONENT)
        )
        child = pulumi.ResourceOptions(parent=self)
        prefix, project, region = args["prefix"], args["project"], args["region"]
        job_name = gcp_name("compute", prefix, "self-healing")

        runtime = gcp.serviceaccount.Account(
            f"{name}-runtime",
            account_id=gcp_name("service_account", prefix, "self-healing"),
            display_name=f"{prefix} self-healing controller (mlkeel)",
            description="Runs the self-healing controller's Cloud Run job: this stack's Vertex AI only",
            project=project,
            opts=child,
        )
        role = gcp.projects.IAMCustomRole(
            f"{name}-role",
            role_id=custom_role_id(prefix),
            project=project,
            title=f"mlkeel {prefix} self-healing controller",
            description="Exactly the Vertex AI calls of the self-healing controller, its BigQuery queries "
            "and its Cloud Monitoring metrics",
            permissions=sorted(VERTEX_PERMISSIONS + PROJECT_PERMISSIONS),
            stage="GA",
            opts=child,
        )
        gcp.projects.IAMMember(
            f"{name}-role-member",
            project=project,
            # The role's full name from its id (known at plan time, so the plan shows the exact grant).
            role=role.role_id.apply(lambda r: f"projects/{project}/roles/{r}"),
            member=runtime.member,
            opts=child,
        )
        bucket = args["bucket_name"]
        for suffix, grant_role, prefixes in (
            ("read", BUCKET_READ_ROLE, READ_PREFIXES),
            ("write", BUCKET_WRITE_ROLE, WRITE_PREFIXES),
        ):
            gcp.storage.BucketIAMMember(
                f"{name}-bucket-{suffix}",
                bucket=bucket,
                role=grant_role,
                member=runtime.member,
                condition=gcp.storage.BucketIAMMemberConditionArgs(
                    title=f"self-healing {suffix}",
                    description=f"Only objects under {', '.join(prefixes)}",
                    expression=pulumi.Output.from_input(bucket).apply(
                        functools.partial(prefix_condition, prefixes=prefixes)
                    ),
                ),
                opts=child,
            )
        gcp.bigquery.DatasetIamMember(
            f"{name}-prediction-logs",
            project=project,
            dataset_id=args["prediction_log_dataset"],
            role=DATASET_ROLE,
            member=runtime.member,
            opts=child,
        )
        billing = args.get("billing_export_table")
        if billing:
            # Read on the billing export's dataset only (it may live in the billing admin's project), not
            # on the project: the budget guard's month-to-date spend (docs/self-healing.md, budget guard).
            billing_project, billing_ds = billing_dataset(billing)
            gcp.bigquery.DatasetIamMember(
                f"{name}-billing-export",
                project=billing_project,
                dataset_id=billing_ds,
                role=DATASET_ROLE,
                member=runtime.member,
                opts=child,
            )
        topic = args.get("alerts_topic")
        if topic is not None:
            gcp.pubsub.TopicIAMMember(
                f"{name}-alerts",
                project=project,
                topic=topic,
                role=TOPIC_ROLE,
                member=runtime.member,
                opts=child,
            )
        gcp.serviceaccount.IAMMember(
            f"{name}-act-as-training",
            service_account_id=pulumi.Output.format(
                "projects/{0}/serviceAccounts/{1}", project, args["training_service_account"]
            ),
            role=ACT_AS_ROLE,
            member=runtime.member,
            opts=child,
        )
        self.service_account = runtime.email
        self.custom_role = role.name
        if args.get("runner") == "kubernetes":
            self._in_cluster(name, args, runtime)
            return
        agent_key = gcp.kms.CryptoKeyIAMMember(
            f"{name}-run-agent-key",
            crypto_key_id=args["encryption_key"],
            role=KEY_ROLE,
            member=pulumi.Output.from_input(args["project_number"]).apply(lambda n: RUN_AGENT.format(n=n)),
            opts=child,
        )
        job = gcp.cloudrunv2.Job(
            f"{name}-job",
            name=job_name,
            project=project,
            location=region,
            launch_stage="GA",
            deletion_protection=False,
            template=gcp.cloudrunv2.JobTemplateArgs(
                task_count=1,
                parallelism=1,
                template=gcp.cloudrunv2.JobTemplateTemplateArgs(
                    service_account=runtime.email,
                    encryption_key=args["encryption_key"],
                    timeout=f"{TIMEOUT_SECONDS}s",
                    max_retries=MAX_RETRIES,
                    execution_environment="EXECUTION_ENVIRONMENT_GEN2",
                    vpc_access=gcp.cloudrunv2.JobTemplateTemplateVpcAccessArgs(
                        egress="ALL_TRAFFIC",
                        network_interfaces=[
                            gcp.cloudrunv2.JobTemplateTemplateVpcAccessNetworkInterfaceArgs(
                                network=args["network"], subnetwork=args["subnet"]
                            )
                        ],
                    ),
                    containers=[
                        gcp.cloudrunv2.JobTemplateTemplateContainerArgs(
                            name="self-healing",
                            image=runtime_image(args),
                            commands=CONTAINER_COMMAND,
                            envs=[
                                gcp.cloudrunv2.JobTemplateTemplateContainerEnvArgs(
                                    name=CONFIG_VARIABLE, value=controller_config(args)
                                )
                            ],
                            resources=gcp.cloudrunv2.JobTemplateTemplateContainerResourcesArgs(
                                limits={"cpu": CPU, "memory": MEMORY}
                            ),
                        )
                    ],
                ),
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[agent_key]),
        )
        invoker = gcp.serviceaccount.Account(
            f"{name}-invoker",
            account_id=gcp_name("service_account", prefix, "heal-invoker"),
            display_name=f"{prefix} self-healing scheduler (mlkeel)",
            description="Cloud Scheduler's identity: may run the self-healing job and nothing else",
            project=project,
            opts=child,
        )
        may_run = gcp.cloudrunv2.JobIamMember(
            f"{name}-invoker-run",
            project=project,
            location=region,
            name=job.name,
            role=INVOKER_ROLE,
            member=invoker.member,
            opts=child,
        )
        scheduler = gcp.cloudscheduler.Job(
            f"{name}-schedule",
            name=job_name,
            project=project,
            region=region,
            description=f"Runs the self-healing controller of {prefix}",
            schedule=cron_schedule(args["schedule"]),
            time_zone="Etc/UTC",
            attempt_deadline="180s",
            retry_config=gcp.cloudscheduler.JobRetryConfigArgs(retry_count=2, max_retry_duration="3600s"),
            http_target=gcp.cloudscheduler.JobHttpTargetArgs(
                http_method="POST",
                uri=job.name.apply(lambda j: run_uri(project, region, j)),
                body=RUN_BODY,
                headers={"Content-Type": "application/json"},
                oauth_token=gcp.cloudscheduler.JobHttpTargetOauthTokenArgs(
                    service_account_email=invoker.email, scope=SCHEDULER_SCOPE
                ),
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[may_run]),
        )
        self.job_name = job.name
        self.invoker_service_account = invoker.email
        self.scheduler_job = scheduler.name
        self.register_outputs(
            {
                "job_name": job.name,
                "service_account": runtime.email,
                "invoker_service_account": invoker.email,
                "scheduler_job": scheduler.name,
                "custom_role": role.name,
            }
        )

    def _in_cluster(self, name: str, args: GcpSelfHealingArgs, runtime: gcp.serviceaccount.Account) -> None:
        """``runner: kubernetes``: the same image and account as a CronJob in the stack's GKE cluster.

        The pods act as the runtime account through Workload Identity: the Kubernetes service account is
        annotated with it, and ``roles/iam.workloadIdentityUser`` names exactly that one Kubernetes account
        (as the layer's other workloads). No job, schedule or invoker: the CronJob is the schedule.
        Give the component the cluster's Kubernetes provider too (``providers=[gcp, kubernetes]``).
        """
        from .kubernetes import K8sSelfHealing, K8sSelfHealingArgs, service_account_name

        namespace, pool = args.get("namespace"), args.get("workload_pool")
        if namespace is None or pool is None:
            raise ValueError("runner 'kubernetes' on GCP needs the layer's namespace and the cluster's pool")
        prefix = args["prefix"]
        account = service_account_name(prefix)
        binding = gcp.serviceaccount.IAMMember(
            f"{name}-workload-identity",
            service_account_id=runtime.name,
            role="roles/iam.workloadIdentityUser",
            member=pulumi.Output.all(pool, namespace).apply(
                lambda v: workload_identity_member(str(v[0]), str(v[1]), account)
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
        cron = K8sSelfHealing(
            f"{name}-cronjob",
            K8sSelfHealingArgs(
                prefix=prefix,
                tags=args["tags"],
                region=args["region"],
                namespace=namespace,
                image=pulumi.Output.format(
                    "{0}/{1}:{2}", args["repository_url"], IMAGE_NAME, args.get("image_tag") or IMAGE_TAG
                ),
                schedule=args["schedule"],
                config=controller_config(args),
                service_account_annotations={GKE_ANNOTATION: runtime.email},
                pushgateway=bool(args.get("pushgateway")),
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[binding]),
        )
        self.cron_job_name = cron.cron_job_name
        self.lease_name = cron.lease_name
        self.register_outputs(
            {
                "cron_job_name": cron.cron_job_name,
                "lease_name": cron.lease_name,
                "service_account": runtime.email,
                "custom_role": self.custom_role,
            }
        )


__all__ = [
    "VERTEX_PERMISSIONS",
    "GcpSelfHealing",
    "GcpSelfHealingArgs",
    "billing_dataset",
    "controller_config",
    "runtime_image",
]
