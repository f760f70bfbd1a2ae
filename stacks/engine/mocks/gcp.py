"""What the Google provider answers: names, ids, self links, emails and merged default labels.

Same shape as the AWS module: ``RESOURCES`` per type token, ``CALLS`` per invoke token, and a generic
treatment for everything else (auto-named ``name``, a ``projects/.../locations/...`` id, ``selfLink``,
``effectiveLabels`` and ``terraformLabels``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._schema import input_names, output_names

if TYPE_CHECKING:
    from . import MockContext

Outputs = dict[str, Any]
ResourceHandler = Callable[[Any, "MockContext", Outputs], str | None]
CallHandler = Callable[[Any, "MockContext"], dict[str, Any]]

RESOURCES: dict[str, ResourceHandler] = {}
CALLS: dict[str, CallHandler] = {}


def _collection(token: str) -> tuple[str, str]:
    _, middle, cls = token.split(":", 2)
    module = middle.split("/", 1)[0]
    return module, cls[:1].lower() + cls[1:] + "s"


def new_resource(args: Any, ctx: MockContext) -> tuple[str, Outputs]:
    outputs: Outputs = dict(args.inputs)
    names = input_names(args.typ)
    if "name" in names and not outputs.get("name"):
        outputs["name"] = ctx.autoname(args.name)
    if "project" in names:
        outputs.setdefault("project", ctx.project)
    module, collection = _collection(args.typ)
    location = outputs.get("location") or outputs.get("region") or ctx.region
    name = str(outputs.get("name") or args.name)
    project = outputs.get("project", ctx.project)
    resource_id = f"projects/{project}/locations/{location}/{collection}/{name}"
    if module == "compute":
        scope = "global" if "region" not in names and "zone" not in names else f"regions/{location}"
        resource_id = f"projects/{project}/{scope}/{collection}/{name}"
        outputs.setdefault("selfLink", f"https://www.googleapis.com/compute/v1/{resource_id}")
    # Only types with ``effectiveLabels`` carry resource labels; ``labels`` on a notification channel
    # (channel settings) or a metric descriptor (label descriptors) is something else.
    if "labels" in names and "effectiveLabels" in output_names(args.typ):
        merged = {**ctx.default_labels(), **(outputs.get("labels") or {})}
        outputs["effectiveLabels"] = merged
        outputs["terraformLabels"] = merged
    handler = RESOURCES.get(args.typ)
    if handler is not None:
        resource_id = handler(args, ctx, outputs) or resource_id
    outputs["id"] = resource_id
    return resource_id, outputs


def call(args: Any, ctx: MockContext) -> dict[str, Any]:
    handler = CALLS.get(args.token)
    return handler(args, ctx) if handler is not None else {}


def _service_account(args: Any, ctx: MockContext, out: Outputs) -> str:
    project = out.get("project", ctx.project)
    email = f"{out['accountId']}@{project}.iam.gserviceaccount.com"
    out["email"] = email
    out["member"] = f"serviceAccount:{email}"
    out["name"] = f"projects/{project}/serviceAccounts/{email}"
    out["uniqueId"] = str(int(ctx.digest("sa", args.name, length=12), 16))
    return str(out["name"])


def _key_ring(args: Any, ctx: MockContext, out: Outputs) -> str:
    return f"projects/{out.get('project', ctx.project)}/locations/{out['location']}/keyRings/{out['name']}"


def _crypto_key(args: Any, ctx: MockContext, out: Outputs) -> str:
    return f"{out['keyRing']}/cryptoKeys/{out['name']}"


def _storage_bucket(args: Any, ctx: MockContext, out: Outputs) -> str:
    out["url"] = f"gs://{out['name']}"
    out["selfLink"] = f"https://www.googleapis.com/storage/v1/b/{out['name']}"
    return str(out["name"])


RESOURCES.update(
    {
        "gcp:serviceaccount/account:Account": _service_account,
        "gcp:kms/keyRing:KeyRing": _key_ring,
        "gcp:kms/cryptoKey:CryptoKey": _crypto_key,
        "gcp:storage/bucket:Bucket": _storage_bucket,
    }
)

CALLS.update(
    {
        "gcp:organizations/getProject:getProject": lambda args, ctx: {
            "projectId": (args.args or {}).get("projectId") or ctx.project,
            "number": ctx.project_number,
            "name": ctx.project,
            "id": f"projects/{ctx.project}",
        },
        "gcp:organizations/getClientConfig:getClientConfig": lambda args, ctx: {
            "project": ctx.project,
            "region": ctx.region,
            "accessToken": "offline",
            "id": "offline",
        },
    }
)


# ------------------------------------------------------------------ the GCP platform's own types
# What the Google APIs answer for the resources mlkeel's GCP components create: resource names in the
# API's own format (numeric endpoint ids, ``projects/<p>/notificationChannels/<n>``), service-agent
# e-mails built from the project number, the private cluster's endpoint.


def _number(ctx: MockContext, *parts: str, digits: int = 12) -> str:
    """A stable decimal id (no leading zero), like the numeric ids Google APIs assign."""
    value = int(ctx.digest(*parts, length=16), 16)
    low = 10 ** (digits - 1)
    return str(low + value % (9 * low))


def _project(ctx: MockContext, out: Outputs) -> str:
    return str(out.get("project") or ctx.project)


def _service_identity(args: Any, ctx: MockContext, out: Outputs) -> str:
    service = str(out.get("service", "")).split(".", 1)[0]
    email = f"service-{ctx.project_number}@gcp-sa-{service}.iam.gserviceaccount.com"
    out["email"] = email
    out["member"] = f"serviceAccount:{email}"
    return f"projects/{_project(ctx, out)}/services/{out.get('service')}"


def _network(args: Any, ctx: MockContext, out: Outputs) -> str:
    out["numericId"] = _number(ctx, "network", args.name, digits=19)
    return f"projects/{_project(ctx, out)}/global/networks/{out['name']}"


def _subnetwork(args: Any, ctx: MockContext, out: Outputs) -> str:
    cidr = str(out.get("ipCidrRange", "10.0.0.0/24"))
    out["gatewayAddress"] = cidr.split("/")[0].rsplit(".", 1)[0] + ".1"
    return f"projects/{_project(ctx, out)}/regions/{out.get('region', ctx.region)}/subnetworks/{out['name']}"


def _global_address(args: Any, ctx: MockContext, out: Outputs) -> str:
    out.setdefault("address", "10.250.0.0")
    return f"projects/{_project(ctx, out)}/global/addresses/{out['name']}"


def _service_networking(args: Any, ctx: MockContext, out: Outputs) -> str:
    out["peering"] = "servicenetworking-googleapis-com"
    network = str(out.get("network", "")).rsplit("/", 1)[-1]
    return f"{network}:{out.get('service', 'servicenetworking.googleapis.com')}"


def _gke_cluster(args: Any, ctx: MockContext, out: Outputs) -> str:
    location = out.get("location", ctx.region)
    out["endpoint"] = "172.16.0.2"
    out["masterVersion"] = f"{out.get('minMasterVersion', '1.31')}.5-gke.1000"
    # The cluster's CA (base64 PEM); a stand-in, stable per cluster, for the Kubernetes provider's kubeconfig.
    master_auth = dict(out.get("masterAuth") or {})
    master_auth.setdefault(
        "clusterCaCertificate", f"LS0tLS1CRUdJTi{ctx.digest('gke-ca', args.name, length=24)}"
    )
    out["masterAuth"] = master_auth
    path = f"projects/{_project(ctx, out)}/locations/{location}/clusters/{out['name']}"
    out["selfLink"] = f"https://container.googleapis.com/v1/{path}"
    return path


def _gke_node_pool(args: Any, ctx: MockContext, out: Outputs) -> str:
    cluster = str(out.get("cluster", ""))
    out["instanceGroupUrls"] = []
    return f"{cluster}/nodePools/{out['name']}"


def _dataset(args: Any, ctx: MockContext, out: Outputs) -> str:
    path = f"projects/{_project(ctx, out)}/datasets/{out['datasetId']}"
    out["selfLink"] = f"https://bigquery.googleapis.com/bigquery/v2/{path}"
    return path


def _table(args: Any, ctx: MockContext, out: Outputs) -> str:
    return f"projects/{_project(ctx, out)}/datasets/{out['datasetId']}/tables/{out['tableId']}"


def _artifact_repository(args: Any, ctx: MockContext, out: Outputs) -> str:
    location = out.get("location", ctx.region)
    path = f"projects/{_project(ctx, out)}/locations/{location}/repositories/{out['repositoryId']}"
    out["name"] = out["repositoryId"]
    return path


def _vertex_regional(collection: str, numeric: bool = False) -> ResourceHandler:
    def handler(args: Any, ctx: MockContext, out: Outputs) -> str:
        region = out.get("region") or out.get("location") or ctx.region
        name = out.get("name") or (
            _number(ctx, collection, args.name) if numeric else ctx.autoname(args.name)
        )
        out["name"] = name
        project = ctx.project_number if numeric else _project(ctx, out)
        return f"projects/{project}/locations/{region}/{collection}/{name}"

    return handler


def _feature(args: Any, ctx: MockContext, out: Outputs) -> str:
    region = out.get("region", ctx.region)
    group = out.get("featureGroup")
    return f"projects/{_project(ctx, out)}/locations/{region}/featureGroups/{group}/features/{out['name']}"


def _feature_view(args: Any, ctx: MockContext, out: Outputs) -> str:
    region = out.get("region", ctx.region)
    store = out.get("featureOnlineStore")
    project = _project(ctx, out)
    return f"projects/{project}/locations/{region}/featureOnlineStores/{store}/featureViews/{out['name']}"


def _monitoring_named(collection: str) -> ResourceHandler:
    def handler(args: Any, ctx: MockContext, out: Outputs) -> str:
        name = f"projects/{_project(ctx, out)}/{collection}/{_number(ctx, collection, args.name, digits=19)}"
        out["name"] = name
        return name

    return handler


def _metric_descriptor(args: Any, ctx: MockContext, out: Outputs) -> str:
    name = f"projects/{_project(ctx, out)}/metricDescriptors/{out.get('type')}"
    out["name"] = name
    return name


def _dashboard(args: Any, ctx: MockContext, out: Outputs) -> str:
    return f"projects/{ctx.project_number}/dashboards/{ctx.digest('dashboard', args.name, length=32)}"


def _log_bucket(args: Any, ctx: MockContext, out: Outputs) -> str:
    name = (
        f"projects/{_project(ctx, out)}/locations/{out.get('location', ctx.region)}/buckets/{out['bucketId']}"
    )
    out["name"] = name
    out["lifecycleState"] = "ACTIVE"
    return name


def _log_sink(args: Any, ctx: MockContext, out: Outputs) -> str:
    out["writerIdentity"] = (
        f"serviceAccount:service-{ctx.project_number}@gcp-sa-logging.iam.gserviceaccount.com"
    )
    return f"projects/{_project(ctx, out)}/sinks/{out['name']}"


def _budget(args: Any, ctx: MockContext, out: Outputs) -> str:
    budget_id = ctx.digest("budget", args.name, length=32)
    out["budgetId"] = budget_id
    name = f"billingAccounts/{out.get('billingAccount')}/budgets/{budget_id}"
    out["name"] = name
    return name


def _iam_member(args: Any, ctx: MockContext, out: Outputs) -> str:
    out["etag"] = f"BwY{ctx.digest('etag', args.name, length=8)}="
    target = out.get("project") or out.get("cryptoKeyId") or out.get("serviceAccountId") or out.get("bucket")
    return f"{target}/{out.get('role')}/{out.get('member')}"


def _audit_config(args: Any, ctx: MockContext, out: Outputs) -> str:
    out["etag"] = f"BwY{ctx.digest('etag', args.name, length=8)}="
    return f"{_project(ctx, out)}/{out.get('service')}"


RESOURCES.update(
    {
        "gcp:projects/serviceIdentity:ServiceIdentity": _service_identity,
        "gcp:compute/network:Network": _network,
        "gcp:compute/subnetwork:Subnetwork": _subnetwork,
        "gcp:compute/globalAddress:GlobalAddress": _global_address,
        "gcp:servicenetworking/connection:Connection": _service_networking,
        "gcp:container/cluster:Cluster": _gke_cluster,
        "gcp:container/nodePool:NodePool": _gke_node_pool,
        "gcp:bigquery/dataset:Dataset": _dataset,
        "gcp:bigquery/table:Table": _table,
        "gcp:artifactregistry/repository:Repository": _artifact_repository,
        "gcp:vertex/aiEndpoint:AiEndpoint": _vertex_regional("endpoints", numeric=True),
        "gcp:vertex/aiDeploymentResourcePool:AiDeploymentResourcePool": _vertex_regional(
            "deploymentResourcePools"
        ),
        "gcp:vertex/aiMetadataStore:AiMetadataStore": _vertex_regional("metadataStores"),
        "gcp:vertex/aiFeatureOnlineStore:AiFeatureOnlineStore": _vertex_regional("featureOnlineStores"),
        "gcp:vertex/aiFeatureGroup:AiFeatureGroup": _vertex_regional("featureGroups"),
        "gcp:vertex/aiFeatureGroupFeature:AiFeatureGroupFeature": _feature,
        "gcp:vertex/aiFeatureOnlineStoreFeatureview:AiFeatureOnlineStoreFeatureview": _feature_view,
        "gcp:monitoring/notificationChannel:NotificationChannel": _monitoring_named("notificationChannels"),
        "gcp:monitoring/alertPolicy:AlertPolicy": _monitoring_named("alertPolicies"),
        "gcp:monitoring/metricDescriptor:MetricDescriptor": _metric_descriptor,
        "gcp:monitoring/dashboard:Dashboard": _dashboard,
        "gcp:logging/projectBucketConfig:ProjectBucketConfig": _log_bucket,
        "gcp:logging/projectSink:ProjectSink": _log_sink,
        "gcp:billing/budget:Budget": _budget,
        "gcp:projects/iAMMember:IAMMember": _iam_member,
        "gcp:kms/cryptoKeyIAMMember:CryptoKeyIAMMember": _iam_member,
        "gcp:serviceaccount/iAMMember:IAMMember": _iam_member,
        "gcp:storage/bucketIAMMember:BucketIAMMember": _iam_member,
        "gcp:projects/iAMAuditConfig:IAMAuditConfig": _audit_config,
    }
)

CALLS.update(
    {
        "gcp:logging/getProjectCmekSettings:getProjectCmekSettings": lambda args, ctx: {
            "project": (args.args or {}).get("project") or ctx.project,
            "name": f"projects/{(args.args or {}).get('project') or ctx.project}/cmekSettings",
            "serviceAccountId": f"service-{ctx.project_number}@gcp-sa-logging.iam.gserviceaccount.com",
            "id": f"projects/{(args.args or {}).get('project') or ctx.project}/cmekSettings",
        },
    }
)
