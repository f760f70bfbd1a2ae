"""Offers from the catalog: residency, allow-lists, node services only, GCP guest GPUs."""

from __future__ import annotations

import pytest

from runtime.pricing import Catalog, load_catalog
from runtime.scheduling import DEFAULT_INTERRUPTION_BUCKET, NoOffers, Offer, offers_from_catalog


def test_offers_from_catalog_keep_the_residency_zone(small_catalog: Catalog) -> None:
    offers = offers_from_catalog(small_catalog, clouds=["aws"], residency_zone="eu")
    assert {o.region for o in offers} == {"eu-west-1", "eu-central-1"}
    assert not any(o.instance_type.startswith("ml.") for o in offers)


def test_offers_from_catalog_allow_and_deny_lists(small_catalog: Catalog) -> None:
    offers = offers_from_catalog(
        small_catalog,
        clouds=["aws"],
        residency_zone="eu",
        regions=["eu-west-1"],
        families=["g5", "g6"],
        deny_instance_types=["g5.2xlarge"],
    )
    assert sorted(o.key for o in offers) == ["aws/eu-west-1/g6.2xlarge"]


def test_offers_from_catalog_names_the_constraint_that_left_nothing(small_catalog: Catalog) -> None:
    with pytest.raises(NoOffers, match="lies in residency zone 'uk'"):
        offers_from_catalog(small_catalog, clouds=["aws"], residency_zone="uk")
    with pytest.raises(NoOffers, match=r"after the allow-lists .*families=\['x1'\]"):
        offers_from_catalog(small_catalog, clouds=["aws"], residency_zone="eu", families=["x1"])
    with pytest.raises(ValueError, match="residency zone 'mars' is unknown"):
        offers_from_catalog(small_catalog, residency_zone="mars")


def test_offers_from_catalog_gcp_gets_guest_gpus_and_assumed_buckets() -> None:
    offers = offers_from_catalog(load_catalog(), clouds=["gcp"], residency_zone="eu")
    t4 = [o for o in offers if o.accelerator_attached and o.gpu_type == "nvidia-tesla-t4"]
    assert t4, "N1 machines with attached T4s are offered"
    n1_8 = next(
        o
        for o in t4
        if o.instance_type == "n1-standard-8" and o.gpu_count == 1 and o.region == "europe-west4"
    )
    cat = load_catalog()
    machine = cat.instance_type("gcp", "europe-west4", "n1-standard-8")
    acc = cat.accelerator("gcp", "europe-west4", "nvidia-tesla-t4")
    assert machine is not None and acc is not None
    assert n1_8.on_demand_hourly == pytest.approx(machine.on_demand_hourly + acc.on_demand_hourly)
    assert n1_8.label == "n1-standard-8+1xnvidia-tesla-t4"
    # V100 allows at most 12 vCPU per GPU: no n1-standard-16 with one V100
    assert not any(
        o.instance_type == "n1-standard-16" and o.gpu_type == "nvidia-tesla-v100" and o.gpu_count == 1
        for o in offers
    )
    spot = [o for o in offers if o.spot_hourly is not None]
    assert all(o.interruption_bucket == DEFAULT_INTERRUPTION_BUCKET and o.interruption_assumed for o in spot)


def test_every_offer_reads_its_catalog_row_plus_only_the_attached_gpus() -> None:
    """An offer holds the catalog row itself, so no field can disagree with the catalog."""
    catalog = load_catalog()
    for o in offers_from_catalog(catalog):
        row = o.instance
        assert row in catalog.instance_types(o.cloud, o.region)
        assert (o.cloud, o.region, o.instance_type, o.family, o.vcpu, o.memory_gib, o.service) == (
            row.cloud,
            row.region,
            row.name,
            row.family,
            row.vcpu,
            row.memory_gib,
            row.service,
        )
        assert o.zones == tuple(row.zones)
        if o.attached is None:
            assert (o.gpu_type, o.gpu_count, o.on_demand_hourly, o.spot_hourly) == (
                row.gpu_type,
                row.gpu_count,
                row.on_demand_hourly,
                row.spot_hourly,
            )
        else:
            acc, n = o.attached, o.attached_count
            assert o.on_demand_hourly == row.on_demand_hourly + n * acc.on_demand_hourly
            assert o.gpu_type == acc.name and o.gpu_count == n and o.label.endswith(f"+{n}x{acc.name}")
        if row.interruption_bucket is not None:
            assert o.interruption_bucket == row.interruption_bucket and not o.interruption_assumed


def test_an_offer_refuses_what_would_contradict_its_row(small_catalog: Catalog) -> None:
    published = small_catalog.instance_types("aws", "eu-west-1")[0]
    assert published.interruption_bucket is not None
    with pytest.raises(ValueError, match="already publishes bucket"):
        Offer(instance=published, assumed_interruption_bucket=2)
    with pytest.raises(ValueError, match="attached accelerator exactly when"):
        Offer(instance=published, attached_count=2)
