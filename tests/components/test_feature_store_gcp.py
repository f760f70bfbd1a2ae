"""GcpFeatureStore: BigQuery offline store (CMEK), Vertex feature groups and features from the spec,
a private CMEK online store with one feature view per online group (issue 3)."""

from __future__ import annotations

import json

from components.feature_store.gcp import table_schema

from .gcp_plans import full, full_config, of_type, one


def spec_groups() -> list[dict]:
    return json.loads(json.dumps(full_config()["mlkeel:featureStore"]))["groups"]


def test_feature_store_gcp_tables_follow_the_spec_schema() -> None:
    tables = {t["inputs"]["tableId"]: t["inputs"] for t in of_type(full(), "gcp:bigquery/table:Table")}
    assert set(tables) == {"transactions", "merchants"}
    schema = {c["name"]: c for c in json.loads(tables["transactions"]["schema"])}
    assert schema["card_id"] == {"name": "card_id", "type": "STRING", "mode": "REQUIRED"}
    assert schema["amount_7d"]["type"] == "FLOAT64" and schema["tx_count_1h"]["type"] == "INT64"
    assert schema["feature_timestamp"]["type"] == "TIMESTAMP" and "event_time" not in schema
    assert tables["transactions"]["timePartitioning"] == {"type": "DAY", "field": "feature_timestamp"}


def test_feature_store_gcp_groups_and_features_come_from_the_spec() -> None:
    plan = full()
    groups = {
        g["inputs"]["name"]: g["inputs"] for g in of_type(plan, "gcp:vertex/aiFeatureGroup:AiFeatureGroup")
    }
    assert set(groups) == {"fraud_prod_transactions", "fraud_prod_merchants"}
    source = groups["fraud_prod_transactions"]["bigQuery"]
    assert source["entityIdColumns"] == ["card_id"]
    assert source["bigQuerySource"]["inputUri"] == "bq://fraud-ml-prod.fraud_prod_features.transactions"
    features = sorted(
        (f["inputs"]["featureGroup"], f["inputs"]["name"])
        for f in of_type(plan, "gcp:vertex/aiFeatureGroupFeature:AiFeatureGroupFeature")
    )
    assert features == [
        ("fraud_prod_merchants", "chargeback_rate"),
        ("fraud_prod_transactions", "amount_7d"),
        ("fraud_prod_transactions", "tx_count_1h"),
    ]


def test_feature_store_gcp_online_store_is_private_and_serves_only_online_groups() -> None:
    plan = full()
    store = one(plan, "gcp:vertex/aiFeatureOnlineStore:AiFeatureOnlineStore")["inputs"]
    assert store["optimized"] == {}
    psc = store["dedicatedServingEndpoint"]["privateServiceConnectConfig"]
    assert psc == {"enablePrivateServiceConnect": True, "projectAllowlists": ["fraud-ml-prod"]}
    [view] = of_type(plan, "gcp:vertex/aiFeatureOnlineStoreFeatureview:AiFeatureOnlineStoreFeatureview")
    source = view["inputs"]["featureRegistrySource"]["featureGroups"]
    assert source == [
        {"featureGroupId": "fraud_prod_transactions", "featureIds": ["amount_7d", "tx_count_1h"]}
    ]
    features = {f["urn"] for f in of_type(plan, "gcp:vertex/aiFeatureGroupFeature:AiFeatureGroupFeature")}
    assert features & set(view["dependencies"]), "the view must wait for its features"


def test_feature_store_gcp_dataset_is_regional_and_encrypted() -> None:
    datasets = {
        d["inputs"]["datasetId"]: d["inputs"] for d in of_type(full(), "gcp:bigquery/dataset:Dataset")
    }
    features = datasets["fraud_prod_features"]
    assert features["location"] == "europe-west4" and features["defaultEncryptionConfiguration"]["kmsKeyName"]


def test_feature_store_gcp_table_schema_maps_every_spec_type() -> None:
    group = {
        "name": "g",
        "record_identifier": "id",
        "event_time": "ts",
        "online": True,
        "features": [
            {"name": "id", "type": "integer"},
            {"name": "ts", "type": "string"},
            {"name": "s", "type": "string"},
            {"name": "f", "type": "fractional"},
        ],
    }
    assert [(c["name"], c["type"]) for c in table_schema(group)] == [  # type: ignore[arg-type]
        ("id", "INT64"),
        ("feature_timestamp", "TIMESTAMP"),
        ("s", "STRING"),
        ("f", "FLOAT64"),
    ]
