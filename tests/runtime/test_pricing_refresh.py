"""``refresh-prices`` against recorded responses in the APIs' real shapes.

AWS: botocore's Stubber validates every request and response against the real ``pricing`` service
model. GCP: the real ``CloudCatalogClient`` talks gRPC to an in-process server on 127.0.0.1 that
serves recorded ``services.skus.list`` pages (the client's own message types, paged by token).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent import futures
from pathlib import Path
from typing import Any

import boto3
import grpc
import pytest
from botocore.stub import Stubber

from runtime.pricing import clear_catalog_cache, load_catalog
from runtime.pricing._refresh import (
    GCP_COMPUTE_SERVICE,
    RefreshError,
    refresh_aws,
    refresh_catalog,
    refresh_gcp,
    write_catalog,
)

FIXTURES = Path(__file__).parent / "fixtures" / "pricing"


def _aws_client_with(
    pages: dict[str, list[list[dict[str, Any]]]], region: str = "us-east-1"
) -> tuple[Any, Stubber]:
    client = boto3.client(
        "pricing", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    stub = Stubber(client)
    base_ec2 = {
        "regionCode": region,
        "operatingSystem": "Linux",
        "tenancy": "Shared",
        "preInstalledSw": "NA",
        "capacitystatus": "Used",
    }
    plan = [
        ("AmazonEC2", base_ec2),
        ("AmazonSageMaker", {"regionCode": region}),
        ("AmazonEKS", {"regionCode": region, "operation": "CreateOperation"}),
    ]
    for service, filters in plan:
        service_pages = pages.get(service, [[]])
        for index, page in enumerate(service_pages):
            response: dict[str, Any] = {"FormatVersion": "aws_v1", "PriceList": [json.dumps(p) for p in page]}
            if index + 1 < len(service_pages):
                response["NextToken"] = f"{service}-{index + 1}"
            expected: dict[str, Any] = {
                "ServiceCode": service,
                "FormatVersion": "aws_v1",
                "MaxResults": 100,
                "Filters": [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in filters.items()],
            }
            if index:
                expected["NextToken"] = f"{service}-{index}"
            stub.add_response("get_products", response, expected)
    return client, stub


@pytest.fixture
def aws_pages() -> dict[str, list[list[dict[str, Any]]]]:
    doc = json.loads((FIXTURES / "aws_price_list_us_east_1.json").read_text())
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def test_refresh_aws_reprices_from_price_list(aws_pages: dict[str, list[list[dict[str, Any]]]]) -> None:
    cat = load_catalog()
    client, stub = _aws_client_with(aws_pages)
    with stub:
        types, prices, report = refresh_aws(cat, client, ["us-east-1"])
    stub.assert_no_pending_responses()
    by = {t.name: t for t in types}
    assert by["g5.xlarge"].on_demand_hourly == pytest.approx(1.01)
    assert by["m5.large"].on_demand_hourly == pytest.approx(0.097)
    assert by["ml.g5.xlarge"].on_demand_hourly == pytest.approx(1.45)
    old = cat.instance_type("aws", "us-east-1", "g5.xlarge")
    assert old is not None and old.spot_hourly is not None
    # the spot discount is carried over (the Price List API has none) and said so
    assert by["g5.xlarge"].spot_hourly == pytest.approx(1.01 * old.spot_hourly / old.on_demand_hourly)
    assert "Price List API" in by["g5.xlarge"].basis and "carried over" in by["g5.xlarge"].basis
    # a new size of a known family is added with its shape from the product attributes
    assert (
        by["g5.96xlarge"].gpu_count == 8
        and by["g5.96xlarge"].gpu_memory_gib == 24
        and by["g5.96xlarge"].gpu_type == "nvidia-a10g"
    )
    # types the API did not answer for are reported, keep their previous price, never zero
    assert "us-east-1/p5.48xlarge" in report.missing
    assert by["p5.48xlarge"] == cat.instance_type("aws", "us-east-1", "p5.48xlarge")
    assert all(t.on_demand_hourly > 0 for t in types)
    eks = next(p for p in prices if p.sku == "eks.cluster")
    assert eks.usd == pytest.approx(0.10) and "Price List API" in eks.basis
    # m5.large, g5.xlarge, g5.2xlarge, ml.g5.xlarge, the new g5.96xlarge, and the EKS cluster hour
    assert report.refreshed == 6
    assert "not priced by the API" in report.summary()


def test_refresh_aws_api_error_is_refresh_error() -> None:
    cat = load_catalog()
    client = boto3.client(
        "pricing", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    stub = Stubber(client)
    stub.add_client_error("get_products", "AccessDeniedException", "not allowed")
    with stub, pytest.raises(RefreshError, match=r"GetProducts\(AmazonEC2\) failed.*AccessDenied"):
        refresh_aws(cat, client, ["us-east-1"])


# ------------------------------------------------------------------------------------------- GCP (gRPC)
@pytest.fixture
def catalog_server() -> Iterator[tuple[str, list[Any]]]:
    from google.cloud import billing_v1

    pages = json.loads((FIXTURES / "gcp_catalog_compute_skus.json").read_text())["pages"]
    responses = [billing_v1.ListSkusResponse.from_json(json.dumps(p)) for p in pages]
    seen: list[Any] = []

    def list_skus(request: Any, context: Any) -> Any:
        seen.append(request)
        index = int(request.page_token.split("-")[1]) - 1 if request.page_token else 0
        return responses[index]

    handler = grpc.method_handlers_generic_handler(
        "google.cloud.billing.v1.CloudCatalog",
        {
            "ListSkus": grpc.unary_unary_rpc_method_handler(
                list_skus,
                request_deserializer=billing_v1.ListSkusRequest.deserialize,
                response_serializer=billing_v1.ListSkusResponse.serialize,
            ),
        },
    )
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    server.add_generic_rpc_handlers((handler,))
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    try:
        yield f"127.0.0.1:{port}", seen
    finally:
        server.stop(None)


def _gcp_client(address: str) -> Any:
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import billing_v1
    from google.cloud.billing_v1.services.cloud_catalog.transports import CloudCatalogGrpcTransport

    channel = grpc.insecure_channel(address)
    transport = CloudCatalogGrpcTransport(channel=channel, credentials=AnonymousCredentials())
    return billing_v1.CloudCatalogClient(transport=transport)


def test_refresh_gcp_reprices_machines_from_billing_catalog(catalog_server: tuple[str, list[Any]]) -> None:
    address, seen = catalog_server
    cat = load_catalog()
    types, accels, report = refresh_gcp(cat, _gcp_client(address), ["us-central1"])
    assert [r.parent for r in seen] == [GCP_COMPUTE_SERVICE, GCP_COMPUTE_SERVICE]  # two pages followed
    by = {t.name: t for t in types}
    n1 = by["n1-standard-8"]
    assert n1.on_demand_hourly == pytest.approx(8 * 0.031611 + 30 * 0.004237)
    assert n1.spot_hourly == pytest.approx(8 * 0.006655 + 30 * 0.000892)
    g2 = by["g2-standard-4"]  # GPUs bundled: vCPU + RAM + 1 L4
    assert g2.on_demand_hourly == pytest.approx(4 * 0.024988 + 16 * 0.002928 + 0.56004)
    t4 = next(a for a in accels if a.name == "nvidia-tesla-t4")
    assert (t4.on_demand_hourly, t4.spot_hourly) == (pytest.approx(0.35), pytest.approx(0.14))
    # no e2 SKUs in the recording: e2 types are reported and keep their previous price
    assert "us-central1/e2-standard-4" in report.missing
    assert by["e2-standard-4"] == cat.instance_type("gcp", "us-central1", "e2-standard-4")


def test_refresh_catalog_writes_loadable_files(
    tmp_path: Path, catalog_server: tuple[str, list[Any]], aws_pages: dict[str, list[list[dict[str, Any]]]]
) -> None:
    address, _ = catalog_server
    cat = load_catalog()
    client, stub = _aws_client_with(aws_pages)
    with stub:
        reports = refresh_catalog(
            cat,
            tmp_path,
            aws_client=client,
            gcp_client=_gcp_client(address),
            aws_regions=["us-east-1"],
            gcp_regions=["us-central1"],
        )
    assert [r.provider for r in reports] == ["aws", "gcp"]
    clear_catalog_cache()
    fresh = load_catalog(tmp_path)
    assert "AWS Price List API" in fresh.source and "Cloud Billing Catalog" in fresh.source
    assert fresh.instance_type("aws", "us-east-1", "g5.xlarge").on_demand_hourly == pytest.approx(1.01)  # type: ignore[union-attr]
    assert fresh.instance_type("aws", "eu-west-1", "g5.xlarge") == cat.instance_type(
        "aws", "eu-west-1", "g5.xlarge"
    )
    assert len(fresh.instance_types("aws", "us-east-1")) == len(cat.instance_types("aws", "us-east-1")) + 1
    assert fresh.price("gcp", "europe-west4", "gke.cluster") == cat.price(
        "gcp", "europe-west4", "gke.cluster"
    )


def test_refresh_aws_adds_a_region_new_to_the_catalog(
    aws_pages: dict[str, list[list[dict[str, Any]]]],
) -> None:
    cat = load_catalog()
    assert not cat.has_region("aws", "ap-southeast-2")
    pages = json.loads(json.dumps(aws_pages).replace('"us-east-1"', '"ap-southeast-2"'))
    client, stub = _aws_client_with(pages, region="ap-southeast-2")
    with stub:
        types, _prices, report = refresh_aws(cat, client, ["ap-southeast-2"])
    by = {t.name: t for t in types}
    assert by["g5.xlarge"].region == "ap-southeast-2" and by["g5.xlarge"].on_demand_hourly == pytest.approx(
        1.01
    )
    assert by["g5.xlarge"].spot_hourly is None  # no spot data for a new region: never borrowed from another
    assert "p5.48xlarge" not in by and "ap-southeast-2/p5.48xlarge" in report.missing  # not invented either
    assert set(by) == {"m5.large", "g5.xlarge", "g5.2xlarge", "g5.96xlarge", "ml.g5.xlarge"}


def test_refresh_gcp_adds_a_region_new_to_the_catalog(tmp_path: Path) -> None:
    from google.cloud import billing_v1

    page = json.loads((FIXTURES / "gcp_catalog_compute_skus.json").read_text())["pages"][0]
    for sku in page["skus"]:
        sku["serviceRegions"] = ["asia-northeast1"]
    response = billing_v1.ListSkusResponse.from_json(json.dumps({**page, "nextPageToken": ""}))

    class _Pages:  # the shape CloudCatalogClient.list_skus returns: an iterable of Sku messages
        def list_skus(self, parent: str) -> Any:
            assert parent == GCP_COMPUTE_SERVICE
            return iter(response.skus)

    cat = load_catalog()
    types, accels, report = refresh_gcp(cat, _Pages(), ["asia-northeast1"])
    assert {t.family for t in types} == {"n1"} and all(t.region == "asia-northeast1" for t in types)
    assert accels == []  # no GPU SKUs in that region: none invented
    assert "asia-northeast1/e2-standard-4" in report.missing and report.carried_over == 0


def test_write_catalog_round_trips_the_bundled_catalog(tmp_path: Path) -> None:
    cat = load_catalog()
    write_catalog(cat, tmp_path / "copy", source=cat.source, as_of=cat.as_of, spot_source=cat.spot_source)
    clear_catalog_cache()
    copy = load_catalog(tmp_path / "copy")
    assert (copy.source, copy.as_of, copy.spot_source) == (cat.source, cat.as_of, cat.spot_source)
    for cloud in cat.clouds():
        assert copy.regions(cloud) == cat.regions(cloud)
        for region in cat.regions(cloud):
            assert copy.instance_types(cloud, region) == cat.instance_types(cloud, region)
            assert copy.accelerators(cloud, region) == cat.accelerators(cloud, region)
            assert [copy.price(cloud, region, s) for s in cat.skus(cloud, region)] == [
                cat.price(cloud, region, s) for s in cat.skus(cloud, region)
            ]


def test_a_catalog_write_that_fails_leaves_the_previous_files_byte_for_byte(tmp_path: Path) -> None:
    """Every file is rendered before any is replaced, and each is replaced whole:
    a failure changes nothing."""
    import dataclasses

    cat = load_catalog()
    write_catalog(cat, tmp_path, source="previous", as_of="2025-01-01")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    records = [t for c in cat.clouds() for r in cat.regions(c) for t in cat.instance_types(c, r)]
    records[-1] = dataclasses.replace(records[-1], zones=None)  # type: ignore[arg-type]  # cannot be written
    broken = type(cat).from_records(source="next", as_of="2026-01-01", instance_types=records)
    with pytest.raises(TypeError):
        write_catalog(broken, tmp_path, source="next", as_of="2026-01-01")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # no temporary file either


def test_the_seed_rewrites_the_bundled_price_files_byte_for_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bundled data is exactly what ``python -m runtime.pricing._seed`` writes:
    every number has its basis."""
    from runtime.pricing import BUNDLED_DATA_DIR, _seed

    monkeypatch.setattr(_seed, "DATA_DIR", tmp_path)
    _seed.main()
    bundled = sorted(p.name for p in BUNDLED_DATA_DIR.iterdir() if p.is_file())
    assert sorted(p.name for p in tmp_path.iterdir()) == bundled
    for name in bundled:
        assert (tmp_path / name).read_bytes() == (BUNDLED_DATA_DIR / name).read_bytes(), name
