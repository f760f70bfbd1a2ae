"""The pricing catalog: bundled data loads, validates, and answers the questions components ask."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from runtime.pricing import (
    BUNDLED_DATA_DIR,
    INTERRUPTION_BUCKETS,
    Catalog,
    CatalogError,
    RegionNotInCatalog,
    clear_catalog_cache,
    load_catalog,
)

AWS_REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "eu-west-2"]
GCP_REGIONS = ["us-central1", "europe-west4", "europe-west1", "europe-west2"]


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return load_catalog()


def test_catalog_states_source_and_date(cat: Catalog) -> None:
    assert "refresh-prices" in cat.source
    assert cat.as_of.count("-") == 2
    assert "plausible" in cat.spot_source


def test_catalog_covers_example_regions(cat: Catalog) -> None:
    assert set(AWS_REGIONS) <= set(cat.regions("aws"))
    assert set(GCP_REGIONS) <= set(cat.regions("gcp"))


@pytest.mark.parametrize("region", AWS_REGIONS)
@pytest.mark.parametrize("family", ["m5", "m6i", "m7i", "c5", "c6i", "r5", "r6i", "t3", "g4dn", "g5", "g6"])
def test_catalog_has_aws_families_everywhere(cat: Catalog, region: str, family: str) -> None:
    names = {t.name for t in cat.instance_types("aws", region) if t.family == family}
    assert names, f"{family} missing in {region}"


def test_catalog_g5_xlarge_is_the_us_east_1_list_price(cat: Catalog) -> None:
    g5 = cat.instance_type("aws", "us-east-1", "g5.xlarge")
    assert g5 is not None
    assert g5.on_demand_hourly == pytest.approx(1.006)
    assert (g5.gpu_type, g5.gpu_count, g5.gpu_memory_gib, g5.vcpu, g5.memory_gib) == (
        "nvidia-a10g",
        1,
        24,
        4,
        16,
    )
    assert g5.service == "ec2" and g5.spot_hourly is not None and g5.spot_hourly < g5.on_demand_hourly
    assert g5.interruption_bucket == 3 and g5.interruption_range == INTERRUPTION_BUCKETS[3]
    assert all(z.startswith("us-east-1") for z in g5.zones) and g5.zones


def test_catalog_sagemaker_twin_costs_more_and_has_no_spot(cat: Catalog) -> None:
    for region in AWS_REGIONS:
        ec2 = cat.instance_type("aws", region, "g5.xlarge")
        ml = cat.instance_type("aws", region, "ml.g5.xlarge")
        assert ec2 is not None and ml is not None
        assert ml.service == "sagemaker" and ml.spot_hourly is None and ml.interruption_bucket is None
        assert ml.on_demand_hourly > ec2.on_demand_hourly


def test_catalog_regional_prices_differ(cat: Catalog) -> None:
    us = cat.instance_type("aws", "us-east-1", "m5.xlarge")
    de = cat.instance_type("aws", "eu-central-1", "m5.xlarge")
    assert us is not None and de is not None and de.on_demand_hourly > us.on_demand_hourly


def test_catalog_gcp_machine_and_attachable_gpus(cat: Catalog) -> None:
    n1 = cat.instance_type("gcp", "us-central1", "n1-standard-8")
    assert n1 is not None and n1.on_demand_hourly == pytest.approx(0.38) and n1.service == "compute"
    assert n1.interruption_bucket is None  # GCP publishes no interruption rates
    t4 = cat.accelerator_price("gcp", "us-central1", "nvidia-tesla-t4")
    assert t4 is not None
    on_demand, spot = t4
    assert on_demand == pytest.approx(0.35) and spot is not None and spot < on_demand
    assert cat.attachable_accelerators("gcp", "us-central1", "n1") == ["nvidia-tesla-t4", "nvidia-tesla-v100"]
    a100 = cat.accelerator("gcp", "us-central1", "nvidia-tesla-a100")
    assert a100 is not None and a100.bundled and a100.attaches_to == "a2"
    for name in ["nvidia-l4", "nvidia-h100-80gb"]:
        assert cat.accelerator_price("gcp", "us-central1", name) is not None
    for machine in [
        "e2-standard-4",
        "n2-standard-8",
        "c2-standard-8",
        "g2-standard-4",
        "a2-highgpu-1g",
        "a3-highgpu-8g",
    ]:
        assert cat.instance_type("gcp", "us-central1", machine) is not None, machine


def test_catalog_unknown_lookups_are_none_not_zero(cat: Catalog) -> None:
    assert cat.instance_type("aws", "us-east-1", "z9.mega") is None
    assert cat.instance_type("aws", "ap-south-7", "m5.large") is None
    assert cat.accelerator_price("gcp", "us-central1", "nvidia-b300") is None
    assert cat.price("aws", "us-east-1", "no.such.sku") is None


@pytest.mark.parametrize(
    ("cloud", "sku"),
    [
        ("aws", "eks.cluster"),
        ("aws", "s3.standard.storage"),
        ("aws", "kms.key"),
        ("aws", "cloudwatch.logs.ingest"),
        ("aws", "vpc.interface-endpoint"),
        ("aws", "cloudtrail.data-events"),
        ("aws", "ecr.storage"),
        ("gcp", "gke.cluster"),
        ("gcp", "gcs.standard.storage"),
        ("gcp", "kms.key-version"),
        ("gcp", "bigquery.storage.active"),
        ("gcp", "artifactregistry.storage"),
        ("gcp", "vertex.prediction.n1-standard-4"),
    ],
)
def test_catalog_prices_other_units_in_every_region(cat: Catalog, cloud: str, sku: str) -> None:
    for region in AWS_REGIONS if cloud == "aws" else GCP_REGIONS:
        price = cat.price(cloud, region, sku)
        assert price is not None and price.usd > 0 and price.unit, (region, sku)


def test_catalog_missing_region_names_refresh_command(cat: Catalog) -> None:
    cat.require_region("aws", "eu-west-1")
    with pytest.raises(
        RegionNotInCatalog, match=r"ap-southeast-9.*keel cost refresh-prices --region ap-southeast-9"
    ):
        cat.require_region("aws", "ap-southeast-9")


def test_catalog_is_cached(cat: Catalog) -> None:
    assert load_catalog() is load_catalog()


def _copy_data(tmp_path: Path) -> Path:
    target = tmp_path / "prices"
    shutil.copytree(BUNDLED_DATA_DIR, target)
    return target


def test_catalog_bad_value_names_file_line_field_and_value(tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    path = data / "instance_types.csv"
    rows = list(csv.DictReader(path.open()))
    rows[4]["on_demand_hourly"] = "-1"
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    clear_catalog_cache()
    with pytest.raises(
        CatalogError, match=r"instance_types\.csv:6: on_demand_hourly = '-1': Input should be greater than 0"
    ):
        load_catalog(data)


def test_catalog_bad_interruption_bucket_rejected(tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    path = data / "instance_types.csv"
    text = path.read_text().splitlines()
    header = text[0].split(",")
    cells = text[1].split(",")
    cells[header.index("interruption_bucket")] = "7"
    path.write_text("\n".join([text[0], ",".join(cells), *text[2:]]) + "\n")
    with pytest.raises(CatalogError, match="interruption_bucket"):
        load_catalog(data)


def test_catalog_missing_column_and_file_rejected(tmp_path: Path) -> None:
    data = _copy_data(tmp_path)
    (data / "prices.csv").write_text("cloud,region,sku\naws,us-east-1,kms.key\n")
    with pytest.raises(CatalogError, match=r"missing columns \['basis', 'description', 'unit', 'usd'\]"):
        load_catalog(data)
    (data / "prices.csv").unlink()
    clear_catalog_cache()
    with pytest.raises(CatalogError, match=r"prices\.csv: price file missing"):
        load_catalog(data)


def test_catalog_env_var_points_elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _copy_data(tmp_path)
    meta = (data / "catalog.json").read_text().replace('"as_of": "', '"as_of": "2030-01-02", "x": "')
    (data / "catalog.json").write_text(meta)
    monkeypatch.setenv("MLKEEL_PRICING_DIR", str(data))
    with pytest.raises(
        CatalogError, match=r"catalog\.json: x = '2025-05-01': Extra inputs are not permitted"
    ):
        load_catalog()


def _append_row(path: Path, row: str) -> None:
    path.write_text(path.read_text() + row + "\n")


@pytest.mark.parametrize(
    ("name", "damage", "message"),
    [
        (
            "prices.csv",
            lambda p: p.write_bytes(p.read_bytes() + b"aws,us-east-1,x\xff,hour,1,,\n"),
            "is not UTF-8 text",
        ),
        ("prices.csv", lambda p: _append_row(p, "aws,us-east-1,x.y,hour,nan,list,"), ": usd = 'nan': "),
        ("prices.csv", lambda p: _append_row(p, "aws,us-east-1,x.y,hour,inf,list,"), ": usd = 'inf': "),
        (
            "prices.csv",
            lambda p: _append_row(p, "aws,us-east-1,x.y,hour,1,list,,extra"),
            ": (row): has 8 cells; the header has 7",
        ),
        (
            "prices.csv",
            lambda p: p.write_text('cloud,region,sku,unit,usd,basis,description\n"aws\n'),
            "not valid CSV",
        ),
        ("catalog.json", lambda p: p.write_bytes(b"\x00\xff"), "is not UTF-8 text"),
        ("catalog.json", lambda p: p.write_text(p.read_text().replace('"USD"', "NaN")), "is not valid JSON"),
        ("catalog.json", lambda p: p.write_text("[]"), "catalog.json: (top level) = []: "),
        ("catalog.json", lambda p: (p.unlink(), p.symlink_to(p)), "is a symbolic link loop"),
        ("prices.csv", lambda p: (p.unlink(), p.mkdir()), "is a folder; expected a price file (CSV)"),
    ],
)
def test_catalog_bad_files_are_catalog_errors_naming_the_file(
    tmp_path: Path, name: str, damage: object, message: str
) -> None:
    from mlkeel.files import InputError

    data = _copy_data(tmp_path)
    damage(data / name)  # type: ignore[operator]
    clear_catalog_cache()
    with pytest.raises(CatalogError) as caught:
        load_catalog(data)
    assert isinstance(caught.value, InputError)
    assert str(caught.value).startswith(str(data / name)), str(caught.value)
    assert message in str(caught.value)


def test_catalog_folder_that_is_not_a_folder(tmp_path: Path) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    with pytest.raises(CatalogError, match="is a symbolic link loop; expected a folder of price files"):
        load_catalog(loop)
    plain = tmp_path / "file"
    plain.write_text("x")
    with pytest.raises(CatalogError, match="is not a folder; expected a folder of price files"):
        load_catalog(plain)
