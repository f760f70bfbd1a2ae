"""Rebuild the price files from the clouds' own price APIs (``keel cost refresh-prices``).

AWS: the Price List API (boto3 ``pricing`` client, ``GetProducts``) for EC2 instance types (Linux,
shared tenancy, no pre-installed software, ``capacitystatus=Used``), SageMaker real-time hosting
instances and the EKS cluster hour. GCP: the Cloud Billing Catalog API (``CloudCatalogClient.list_skus``)
for Compute Engine per-vCPU / per-GiB and GPU SKUs, on-demand and spot, from which the catalog's machine
shapes are repriced.

The APIs do not give everything: the Price List API has no spot prices, the billing catalog has no
machine shapes. Those values, and every SKU not refreshed, are carried over from the current catalog
and each row's ``basis`` says so. Types the API did not price are reported by name (``RefreshReport``),
never written as zero.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mlkeel.files import atomic_write_text
from runtime.pricing._catalog import Accelerator, Catalog, InstanceType, Price

#: GCP service ids in the Cloud Billing Catalog.
GCP_COMPUTE_SERVICE = "services/6F81-5844-456A"

#: GPU model of each AWS GPU family (the Price List API gives a count and memory, not the model).
AWS_GPU_MODELS = {
    "g4dn": "nvidia-t4",
    "g5": "nvidia-a10g",
    "g6": "nvidia-l4",
    "g6e": "nvidia-l40s",
    "p3": "nvidia-v100",
    "p4d": "nvidia-a100",
    "p5": "nvidia-h100",
}

#: Billing-catalog GPU description stem -> catalog accelerator name.
GCP_GPU_NAMES = {
    "nvidia tesla t4": "nvidia-tesla-t4",
    "nvidia tesla v100": "nvidia-tesla-v100",
    "nvidia l4": "nvidia-l4",
    "nvidia tesla a100": "nvidia-tesla-a100",
    "nvidia a100 80gb": "nvidia-a100-80gb",
    "nvidia h100 80gb": "nvidia-h100-80gb",
}


class RefreshError(RuntimeError):
    """A price API could not be reached or answered something unusable."""


@dataclass
class RefreshReport:
    """What a refresh changed and what it could not price."""

    provider: str
    refreshed: int = 0
    carried_over: int = 0
    missing: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (
            f"{self.provider}: {self.refreshed} prices refreshed in {', '.join(self.regions)}; "
            f"{self.carried_over} carried over from the previous catalog"
        )
        if self.missing:
            text += f"; {len(self.missing)} not priced by the API (kept previous value): " + ", ".join(
                self.missing[:20]
            )
            if len(self.missing) > 20:
                text += ", ..."
        return text


# --------------------------------------------------------------------------------------------------- AWS
def _aws_filters(region: str, extra: dict[str, str]) -> list[dict[str, str]]:
    base = {"regionCode": region, **extra}
    return [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in base.items()]


def _aws_products(client: Any, service: str, filters: list[dict[str, str]]) -> Iterable[dict[str, Any]]:
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {
            "ServiceCode": service,
            "Filters": filters,
            "FormatVersion": "aws_v1",
            "MaxResults": 100,
        }
        if token:
            kwargs["NextToken"] = token
        try:
            page = client.get_products(**kwargs)
        except Exception as exc:  # botocore ClientError, NoCredentialsError, EndpointConnectionError
            raise RefreshError(f"AWS Price List GetProducts({service}) failed: {exc}") from exc
        for item in page.get("PriceList", []):
            yield json.loads(item) if isinstance(item, str) else item
        token = page.get("NextToken")
        if not token:
            return


def _on_demand_usd(product: dict[str, Any]) -> float | None:
    """The hourly USD price in a Price List product's ``terms.OnDemand`` (first non-zero dimension)."""
    for term in (product.get("terms", {}).get("OnDemand") or {}).values():
        for dim in (term.get("priceDimensions") or {}).values():
            usd = dim.get("pricePerUnit", {}).get("USD")
            if usd is not None and float(usd) > 0:
                return float(usd)
    return None


def _gib(text: str | None) -> float | None:
    if not text:
        return None
    m = re.match(r"^\s*([\d.,]+)\s*GiB", text)
    return float(m.group(1).replace(",", "")) if m else None


def refresh_aws(
    catalog: Catalog, client: Any, regions: Sequence[str] | None = None
) -> tuple[list[InstanceType], list[Price], RefreshReport]:
    """Reprice AWS instance types and the EKS cluster hour from the Price List API.

    ``client`` is a boto3 ``pricing`` client (its endpoints live in us-east-1, eu-central-1 and
    ap-south-1). Returns AWS instance rows, AWS price rows and a report.
    """
    regions = list(regions or catalog.regions("aws"))
    report = RefreshReport(provider="aws", regions=regions)
    stamp = datetime.now(UTC).date().isoformat()
    out_types: list[InstanceType] = []
    out_prices: list[Price] = []
    for region in regions:
        ec2: dict[str, dict[str, Any]] = {}
        for product in _aws_products(
            client,
            "AmazonEC2",
            _aws_filters(
                region,
                {
                    "operatingSystem": "Linux",
                    "tenancy": "Shared",
                    "preInstalledSw": "NA",
                    "capacitystatus": "Used",
                },
            ),
        ):
            attrs = product.get("product", {}).get("attributes", {})
            name = attrs.get("instanceType")
            if name:
                ec2[name] = product
        ml: dict[str, dict[str, Any]] = {}
        for product in _aws_products(client, "AmazonSageMaker", _aws_filters(region, {})):
            attrs = product.get("product", {}).get("attributes", {})
            name = attrs.get("instanceName") or attrs.get("instanceType") or ""
            usage = f"{attrs.get('usagetype', '')} {attrs.get('component', '')}".lower()
            if name.startswith("ml.") and "hosting" in usage:
                ml[name] = product
        previous = catalog.instance_types("aws", region)
        new_region = not previous
        if new_region:  # a region new to the catalog: known types, shapes from the regions we have
            known = {t.name: t for r in catalog.regions("aws") for t in catalog.instance_types("aws", r)}
            previous = [
                replace(t, region=region, zones=[], spot_hourly=None, interruption_bucket=None, basis="")
                for t in known.values()
            ]
        wanted = {t.name: t for t in previous}
        families = {t.family: t for t in previous if t.service == "ec2"}
        for name, product in ec2.items():  # new sizes of known families are added
            fam = name.split(".")[0]
            if name not in wanted and fam in families:
                attrs = product["product"]["attributes"]
                gpus = int(attrs.get("gpu", "0") or 0)
                wanted[name] = InstanceType(
                    cloud="aws",
                    region=region,
                    name=name,
                    family=fam,
                    vcpu=int(attrs.get("vcpu", 1)),
                    memory_gib=_gib(attrs.get("memory")) or 1.0,
                    gpu_type=AWS_GPU_MODELS.get(fam) if gpus else None,
                    gpu_count=gpus,
                    gpu_memory_gib=(_gib(attrs.get("gpuMemory")) or 0) / gpus if gpus else None,
                    on_demand_hourly=1.0,
                    spot_hourly=None,
                    interruption_bucket=None,
                    zones=list(families[fam].zones),
                    service="ec2",
                    basis="new size found by the Price List API",
                )
        for name, old in wanted.items():
            source = ml if old.service == "sagemaker" else ec2
            found: dict[str, Any] | None = source.get(name)
            usd = _on_demand_usd(found) if found else None
            if usd is None:
                report.missing.append(f"{region}/{name}")
                if not new_region:  # keep the previous price; in a new region there is none to keep
                    report.carried_over += 1
                    out_types.append(old)
                continue
            spot = old.spot_hourly
            basis = f"AWS Price List API {stamp}" + ("; no spot price yet (new region)" if new_region else "")
            if spot is not None and old.on_demand_hourly:
                spot = round(usd * spot / old.on_demand_hourly, 6)  # keep the previous spot discount
                basis += "; spot discount carried over (the Price List API has no spot prices)"
            out_types.append(replace(old, on_demand_hourly=usd, spot_hourly=spot, basis=basis))
            report.refreshed += 1
        eks = next(
            iter(_aws_products(client, "AmazonEKS", _aws_filters(region, {"operation": "CreateOperation"}))),
            None,
        )
        for price in (catalog.price("aws", region, s) for s in catalog.skus("aws", region)):
            assert price is not None
            if price.sku == "eks.cluster" and eks is not None and _on_demand_usd(eks) is not None:
                out_prices.append(
                    replace(price, usd=_on_demand_usd(eks) or price.usd, basis=f"AWS Price List API {stamp}")
                )
                report.refreshed += 1
            else:
                out_prices.append(price)
                report.carried_over += 1
    return out_types, out_prices, report


# --------------------------------------------------------------------------------------------------- GCP
def _money(unit_price: Any) -> float:
    return float(getattr(unit_price, "units", 0) or 0) + float(getattr(unit_price, "nanos", 0) or 0) / 1e9


def _sku_rate(sku: Any) -> float | None:
    """The last (steady-state) tier's unit price of a SKU's current pricing info."""
    if not sku.pricing_info:
        return None
    rates = sku.pricing_info[-1].pricing_expression.tiered_rates
    if not rates:
        return None
    return _money(rates[-1].unit_price)


_FAMILY_SKU = re.compile(
    r"^(?P<spot>spot preemptible |preemptible )?(?P<fam>n1|n2|e2|c2|g2|a2|a3)(?: predefined)? instance "
    r"(?P<kind>core|ram)\b",
    re.I,
)
_GPU_SKU = re.compile(
    r"^(?P<spot>spot preemptible |preemptible )?(?P<gpu>nvidia [a-z0-9 ]+?) gpu running in", re.I
)


def gcp_rates(skus: Iterable[Any], regions: Sequence[str]) -> dict[tuple[str, str, str, bool], float]:
    """(region, family or accelerator, 'core'|'ram'|'gpu', spot) -> USD per vCPU-h, GiB-h or GPU-h."""
    rates: dict[tuple[str, str, str, bool], float] = {}
    for sku in skus:
        desc = sku.description.strip()
        usage = sku.category.usage_type
        if usage not in ("OnDemand", "Preemptible"):
            continue  # commitments are not list prices
        spot = usage == "Preemptible"
        m = _FAMILY_SKU.match(desc)
        g = _GPU_SKU.match(desc)
        if m and "custom" not in desc.lower() and "sole tenancy" not in desc.lower():
            key_a, kind = m.group("fam").lower(), m.group("kind").lower()
        elif g:
            key_a, kind = GCP_GPU_NAMES.get(g.group("gpu").lower().strip(), ""), "gpu"
            if not key_a:
                continue
        else:
            continue
        rate = _sku_rate(sku)
        if rate is None:
            continue
        for region in sku.service_regions:
            if region in regions:
                rates[(region, key_a, kind, spot)] = rate
    return rates


def refresh_gcp(
    catalog: Catalog, client: Any, regions: Sequence[str] | None = None
) -> tuple[list[InstanceType], list[Accelerator], RefreshReport]:
    """Reprice GCP machine types and accelerators from the Cloud Billing Catalog API.

    ``client`` is a ``google.cloud.billing_v1.CloudCatalogClient``. Machine shapes (vCPU, memory, GPUs)
    come from the current catalog; price = vCPU x core rate + GiB x RAM rate (+ GPUs for the families
    whose GPUs are bundled: g2, a2, a3).
    """
    regions = list(regions or catalog.regions("gcp"))
    report = RefreshReport(provider="gcp", regions=regions)
    stamp = datetime.now(UTC).date().isoformat()
    try:
        skus = list(client.list_skus(parent=GCP_COMPUTE_SERVICE))
    except Exception as exc:  # google.api_core exceptions, auth errors
        raise RefreshError(
            f"GCP Cloud Billing Catalog list_skus({GCP_COMPUTE_SERVICE}) failed: {exc}"
        ) from exc
    rates = gcp_rates(skus, regions)
    out_types: list[InstanceType] = []
    out_accels: list[Accelerator] = []
    known_types = {t.name: t for r in catalog.regions("gcp") for t in catalog.instance_types("gcp", r)}
    known_accels = {a.name: a for r in catalog.regions("gcp") for a in catalog.accelerators("gcp", r)}
    for region in regions:
        new_region = not catalog.has_region("gcp", region)
        accels = {a.name: a for a in catalog.accelerators("gcp", region)}
        machines = catalog.instance_types("gcp", region)
        if new_region:  # shapes are global; prices come only from this region's SKUs
            accels = {n: replace(a, region=region, basis="") for n, a in known_accels.items()}
            machines = [replace(t, region=region, zones=[], basis="") for t in known_types.values()]
        for acc in accels.values():
            od = rates.get((region, acc.name, "gpu", False))
            if od is None:
                report.missing.append(f"{region}/{acc.name}")
                if not new_region:
                    report.carried_over += 1
                    out_accels.append(acc)
                continue
            spot = rates.get((region, acc.name, "gpu", True), None if new_region else acc.spot_hourly)
            out_accels.append(
                replace(
                    acc, on_demand_hourly=od, spot_hourly=spot, basis=f"GCP Cloud Billing Catalog API {stamp}"
                )
            )
            report.refreshed += 1
        for old in machines:
            core = rates.get((region, old.family, "core", False))
            ram = rates.get((region, old.family, "ram", False))
            if core is None or ram is None:
                report.missing.append(f"{region}/{old.name}")
                if not new_region:
                    report.carried_over += 1
                    out_types.append(old)
                continue
            od = old.vcpu * core + old.memory_gib * ram
            s_core = rates.get((region, old.family, "core", True))
            s_ram = rates.get((region, old.family, "ram", True))
            spot = (
                old.vcpu * s_core + old.memory_gib * s_ram
                if s_core is not None and s_ram is not None
                else None
            )
            if old.gpu_type and old.gpu_count:
                gpu = rates.get((region, old.gpu_type, "gpu", False))
                if gpu is None:
                    report.missing.append(f"{region}/{old.name} (GPU {old.gpu_type})")
                    if not new_region:
                        report.carried_over += 1
                        out_types.append(old)
                    continue
                od += old.gpu_count * gpu
                s_gpu = rates.get((region, old.gpu_type, "gpu", True))
                spot = spot + old.gpu_count * s_gpu if spot is not None and s_gpu is not None else None
            out_types.append(
                replace(
                    old,
                    on_demand_hourly=round(od, 6),
                    spot_hourly=round(spot, 6)
                    if spot is not None
                    else (None if new_region else old.spot_hourly),
                    basis=f"GCP Cloud Billing Catalog API {stamp}"
                    + ("" if spot is not None else "; spot carried over"),
                )
            )
            report.refreshed += 1
    return out_types, out_accels, report


# ------------------------------------------------------------------------------------------------ writer
def _fmt(value: object) -> object:
    return "" if value is None else value


#: The data files of a catalog folder, as ``catalog.json`` lists them.
DATA_FILES = {
    "instance_types": "instance_types.csv",
    "accelerators": "accelerators.csv",
    "prices": "prices.csv",
}


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV text with the ``\\r\\n`` line ends of Python's csv module, ready to write in one go."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def catalog_meta_text(*, source: str, as_of: str, spot_source: str) -> str:
    """``catalog.json``: where the prices came from and when, and which files hold them."""
    meta = {
        "schema_version": 1,
        "currency": "USD",
        "source": source,
        "as_of": as_of,
        "spot_source": spot_source,
        "files": DATA_FILES,
    }
    return json.dumps(meta, indent=2) + "\n"


def write_catalog_files(directory: Path, texts: Mapping[str, str]) -> None:
    """Write file name -> text under ``directory``, each atomically and ``catalog.json`` last.

    Every text is rendered before this is called, so a failure while rendering writes nothing; a reader
    never sees a half-written file, and the index that names the data files is replaced only after them.
    """
    for name in sorted(texts, key=lambda n: n == "catalog.json"):
        atomic_write_text(directory / name, texts[name])


def write_catalog(
    catalog: Catalog, directory: Path, *, source: str, as_of: str, spot_source: str = ""
) -> None:
    """Write ``catalog`` as the four data files under ``directory``
    (the format :func:`load_catalog` reads)."""
    types = [t for c in catalog.clouds() for r in catalog.regions(c) for t in catalog.instance_types(c, r)]
    accelerators = [
        a for c in catalog.clouds() for r in catalog.regions(c) for a in catalog.accelerators(c, r)
    ]
    prices = [
        p
        for c in catalog.clouds()
        for r in catalog.regions(c)
        for p in (catalog.price(c, r, s) for s in catalog.skus(c, r))
        if p is not None
    ]
    texts = {
        DATA_FILES["instance_types"]: csv_text(
            [
                "cloud",
                "service",
                "region",
                "name",
                "family",
                "vcpu",
                "memory_gib",
                "gpu_type",
                "gpu_count",
                "gpu_memory_gib",
                "on_demand_hourly",
                "spot_hourly",
                "interruption_bucket",
                "zones",
                "basis",
            ],
            (
                [
                    t.cloud,
                    t.service,
                    t.region,
                    t.name,
                    t.family,
                    t.vcpu,
                    t.memory_gib,
                    _fmt(t.gpu_type),
                    t.gpu_count,
                    _fmt(t.gpu_memory_gib),
                    t.on_demand_hourly,
                    _fmt(t.spot_hourly),
                    _fmt(t.interruption_bucket),
                    " ".join(t.zones),
                    t.basis,
                ]
                for t in types
            ),
        ),
        DATA_FILES["accelerators"]: csv_text(
            [
                "cloud",
                "region",
                "accelerator",
                "on_demand_hourly",
                "spot_hourly",
                "attaches_to",
                "bundled",
                "gpu_memory_gib",
                "basis",
            ],
            (
                [
                    a.cloud,
                    a.region,
                    a.name,
                    a.on_demand_hourly,
                    _fmt(a.spot_hourly),
                    a.attaches_to,
                    str(a.bundled).lower(),
                    a.gpu_memory_gib,
                    a.basis,
                ]
                for a in accelerators
            ),
        ),
        DATA_FILES["prices"]: csv_text(
            ["cloud", "region", "sku", "unit", "usd", "basis", "description"],
            ([p.cloud, p.region, p.sku, p.unit, p.usd, p.basis, p.description] for p in prices),
        ),
        "catalog.json": catalog_meta_text(source=source, as_of=as_of, spot_source=spot_source),
    }
    write_catalog_files(directory, texts)


def refresh_catalog(
    catalog: Catalog,
    directory: Path,
    *,
    aws_client: Any | None = None,
    gcp_client: Any | None = None,
    aws_regions: Sequence[str] | None = None,
    gcp_regions: Sequence[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[RefreshReport]:
    """Refresh the providers whose client is given and write the merged catalog to ``directory``."""
    types = {
        (t.cloud, t.region, t.name): t
        for c in catalog.clouds()
        for r in catalog.regions(c)
        for t in catalog.instance_types(c, r)
    }
    accels = {
        (a.cloud, a.region, a.name): a
        for c in catalog.clouds()
        for r in catalog.regions(c)
        for a in catalog.accelerators(c, r)
    }
    prices = {
        (p.cloud, p.region, p.sku): p
        for c in catalog.clouds()
        for r in catalog.regions(c)
        for p in (catalog.price(c, r, s) for s in catalog.skus(c, r))
        if p is not None
    }
    reports: list[RefreshReport] = []
    sources: list[str] = []
    if aws_client is not None:
        if progress:
            progress("AWS Price List API")
        new_types, new_prices, rep = refresh_aws(catalog, aws_client, aws_regions)
        types.update({(t.cloud, t.region, t.name): t for t in new_types})
        prices.update({(p.cloud, p.region, p.sku): p for p in new_prices})
        reports.append(rep)
        sources.append("AWS Price List API (EC2 Linux shared on-demand, SageMaker hosting, EKS)")
    if gcp_client is not None:
        if progress:
            progress("GCP Cloud Billing Catalog API")
        new_types, new_accels, rep = refresh_gcp(catalog, gcp_client, gcp_regions)
        types.update({(t.cloud, t.region, t.name): t for t in new_types})
        accels.update({(a.cloud, a.region, a.name): a for a in new_accels})
        reports.append(rep)
        sources.append("GCP Cloud Billing Catalog API (Compute Engine vCPU/RAM/GPU SKUs)")
    today = datetime.now(UTC).date().isoformat()
    merged = Catalog.from_records(
        source="",
        as_of=today,
        instance_types=types.values(),
        accelerators=accels.values(),
        prices=prices.values(),
    )
    source = (
        f"{' and '.join(sources)}, list prices as fetched {today}; rows not refreshed are carried over "
        f"from the previous catalog ({catalog.as_of}), as each row's 'basis' says. "
        "Refresh with `keel cost refresh-prices`."
    )
    write_catalog(merged, directory, source=source, as_of=today, spot_source=catalog.spot_source)
    return reports
