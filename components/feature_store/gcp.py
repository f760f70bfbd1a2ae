"""``GcpFeatureStore``: Vertex AI Feature Store over BigQuery, built from the spec's feature groups.

Offline storage is a BigQuery dataset encrypted with the stack key, one table per feature group (the
record identifier is the entity id column; the event-time feature is stored as the ``feature_timestamp``
TIMESTAMP column Vertex AI reads time series from). Each group is registered as a Vertex AI feature group
with one feature per remaining column. Groups marked ``online`` are served by one optimized feature
online store, CMEK-encrypted and reachable only through Private Service Connect, with a feature view per
group synchronised hourly.
"""

import json

import pulumi
import pulumi_gcp as gcp

from components.args import FeatureGroupArgs
from components.gcp._naming import gcp_name
from components.gcp.args import GcpKeyedArgs
from components.tagging import capability_options

#: Spec feature type -> BigQuery column type.
BIGQUERY_TYPES: dict[str, str] = {"string": "STRING", "integer": "INT64", "fractional": "FLOAT64"}

#: Column Vertex AI reads the event time of a row from.
TIMESTAMP_COLUMN = "feature_timestamp"


class GcpFeatureStoreArgs(GcpKeyedArgs):
    groups: list[FeatureGroupArgs]
    sync_cron: str
    """When online stores refresh from BigQuery (cron, UTC)."""


def table_schema(group: FeatureGroupArgs) -> list[dict[str, str]]:
    """BigQuery schema of one group: its features, with the event time as ``feature_timestamp``."""
    columns = []
    for feature in group["features"]:
        if feature["name"] == group["event_time"]:
            columns.append(
                {
                    "name": TIMESTAMP_COLUMN,
                    "type": "TIMESTAMP",
                    "mode": "REQUIRED",
                    "description": f"event time ('{feature['name']}' in the spec)",
                }
            )
        else:
            mode = "REQUIRED" if feature["name"] == group["record_identifier"] else "NULLABLE"
            columns.append({"name": feature["name"], "type": BIGQUERY_TYPES[feature["type"]], "mode": mode})
    return columns


def served_features(group: FeatureGroupArgs) -> list[str]:
    """Features Vertex AI registers: every column except the entity id and the timestamp."""
    return [
        f["name"]
        for f in group["features"]
        if f["name"] not in (group["record_identifier"], group["event_time"])
    ]


class GcpFeatureStore(pulumi.ComponentResource):
    """BigQuery offline store, Vertex AI feature groups and an online store (see module docstring)."""

    dataset_id: pulumi.Output[str]

    def __init__(self, name: str, args: GcpFeatureStoreArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(
            "mlkeel:index:GcpFeatureStore",
            name,
            None,
            capability_options(opts, args["tags"], "feature-store"),
        )
        prefix, region, project, key = args["prefix"], args["region"], args["project"], args["encryption_key"]
        child = pulumi.ResourceOptions(parent=self)

        dataset = gcp.bigquery.Dataset(
            f"{name}-offline",
            dataset_id=gcp_name("bigquery", prefix, "features"),
            project=project,
            location=region,
            description=f"Offline feature store of {prefix}",
            default_encryption_configuration=gcp.bigquery.DatasetDefaultEncryptionConfigurationArgs(
                kms_key_name=key
            ),
            delete_contents_on_destroy=False,
            opts=child,
        )
        groups: dict[str, gcp.vertex.AiFeatureGroup] = {}
        features: dict[str, list[gcp.vertex.AiFeatureGroupFeature]] = {}
        for group in args["groups"]:
            table_id = group["name"].replace("-", "_")
            table = gcp.bigquery.Table(
                f"{name}-{group['name']}-table",
                dataset_id=dataset.dataset_id,
                table_id=table_id,
                project=project,
                schema=json.dumps(table_schema(group)),
                time_partitioning=gcp.bigquery.TableTimePartitioningArgs(type="DAY", field=TIMESTAMP_COLUMN),
                clusterings=[group["record_identifier"]],
                encryption_configuration=gcp.bigquery.TableEncryptionConfigurationArgs(kms_key_name=key),
                deletion_protection=True,
                opts=child,
            )
            feature_group = gcp.vertex.AiFeatureGroup(
                f"{name}-{group['name']}",
                name=gcp_name("vertex_feature", prefix, group["name"]),
                project=project,
                region=region,
                description=f"Feature group {group['name']} of {prefix}",
                big_query=gcp.vertex.AiFeatureGroupBigQueryArgs(
                    big_query_source=gcp.vertex.AiFeatureGroupBigQueryBigQuerySourceArgs(
                        input_uri=pulumi.Output.concat(
                            "bq://", project, ".", dataset.dataset_id, ".", table.table_id
                        )
                    ),
                    entity_id_columns=[group["record_identifier"]],
                ),
                opts=child,
            )
            groups[group["name"]] = feature_group
            features[group["name"]] = [
                gcp.vertex.AiFeatureGroupFeature(
                    f"{name}-{group['name']}-{feature}",
                    name=feature,
                    project=project,
                    region=region,
                    feature_group=feature_group.name,
                    opts=child,
                )
                for feature in served_features(group)
            ]

        online_groups = [g for g in args["groups"] if g["online"]]
        store = None
        views: dict[str, pulumi.Output[str]] = {}
        if online_groups:
            store = gcp.vertex.AiFeatureOnlineStore(
                f"{name}-online",
                name=gcp_name("vertex_store", prefix, "online"),
                project=project,
                region=region,
                optimized=gcp.vertex.AiFeatureOnlineStoreOptimizedArgs(),
                dedicated_serving_endpoint=gcp.vertex.AiFeatureOnlineStoreDedicatedServingEndpointArgs(
                    private_service_connect_config=gcp.vertex.AiFeatureOnlineStoreDedicatedServingEndpointPrivateServiceConnectConfigArgs(
                        enable_private_service_connect=True, project_allowlists=[project]
                    )
                ),
                encryption_spec=gcp.vertex.AiFeatureOnlineStoreEncryptionSpecArgs(kms_key_name=key),
                opts=child,
            )
            for group in online_groups:
                view = gcp.vertex.AiFeatureOnlineStoreFeatureview(
                    f"{name}-{group['name']}-view",
                    name=gcp_name("vertex_store", group["name"], "view"),
                    project=project,
                    region=region,
                    feature_online_store=store.name,
                    feature_registry_source=gcp.vertex.AiFeatureOnlineStoreFeatureviewFeatureRegistrySourceArgs(
                        feature_groups=[
                            gcp.vertex.AiFeatureOnlineStoreFeatureviewFeatureRegistrySourceFeatureGroupArgs(
                                feature_group_id=groups[group["name"]].name,
                                feature_ids=served_features(group),
                            )
                        ]
                    ),
                    sync_config=gcp.vertex.AiFeatureOnlineStoreFeatureviewSyncConfigArgs(
                        cron=args["sync_cron"]
                    ),
                    opts=pulumi.ResourceOptions(parent=self, depends_on=list(features[group["name"]])),
                )
                views[group["name"]] = view.name

        self.dataset_id = dataset.dataset_id
        self.group_names = {k: g.name for k, g in groups.items()}
        self.online_store_name = store.name if store else None
        self.view_names = views
        self.register_outputs(
            {
                "dataset_id": dataset.dataset_id,
                "groups": self.group_names,
                "online_store": self.online_store_name,
                "views": views,
            }
        )
