"""The pricing catalog: hourly prices of instance and machine types, GPUs and other priced units.

Prices live in readable CSV files (``data/instance_types.csv``, ``accelerators.csv``, ``prices.csv``) with a
``catalog.json`` that says where they came from and when. Every row is validated on load by the pydantic
models below, so a hand edit or a bad refresh fails loudly with the file, line, field and value instead of
pricing something at zero. The catalog is read once per directory and cached: the cost estimator, the
policy pack and the spot scheduler all ask it thousands of questions per run.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from mlkeel.files import MAX_DOCUMENT_BYTES, InputError, parse_json, read_text

Cloud = Literal["aws", "gcp"]
Service = Literal["ec2", "sagemaker", "compute"]

#: Where the bundled price files live; ``MLKEEL_PRICING_DIR`` points the loader elsewhere (a refreshed copy).
BUNDLED_DATA_DIR = Path(__file__).resolve().parent / "data"
PRICING_DIR_ENV = "MLKEEL_PRICING_DIR"
REFRESH_COMMAND = "keel cost refresh-prices"

#: Interruption buckets of the AWS Spot Advisor: monthly interruption frequency ranges.
INTERRUPTION_BUCKETS: tuple[str, ...] = ("<5%", "5-10%", "10-15%", "15-20%", ">20%")


class CatalogError(InputError):
    """A price file is missing, unreadable or malformed; the message names the file, row, field and value."""


class RegionNotInCatalog(LookupError):
    """A region has no prices in the catalog; the message names the refresh command."""


@dataclass(frozen=True, slots=True)
class InstanceType:
    """One instance or machine type in one region, with its on-demand and spot hourly prices."""

    cloud: str
    region: str
    name: str
    family: str
    vcpu: int
    memory_gib: float
    gpu_type: str | None
    gpu_count: int
    gpu_memory_gib: float | None
    on_demand_hourly: float
    spot_hourly: float | None
    interruption_bucket: int | None
    zones: list[str]
    service: str
    basis: str = ""

    @property
    def interruption_range(self) -> str | None:
        """The bucket as the advisor prints it (``"15-20%"``), or None when not published."""
        return None if self.interruption_bucket is None else INTERRUPTION_BUCKETS[self.interruption_bucket]

    def hourly(self, spot: bool = False) -> float | None:
        """Hourly price for the purchase option; None when ``spot`` is asked but no spot price exists."""
        return self.spot_hourly if spot else self.on_demand_hourly


class AcceleratorPrice(NamedTuple):
    """Per GPU-hour prices of an attachable accelerator (unpacks as ``on_demand, spot``)."""

    on_demand_hourly: float
    spot_hourly: float | None


@dataclass(frozen=True, slots=True)
class Accelerator:
    """A GCP accelerator: price per GPU-hour and the machine family it attaches to (or is bundled in)."""

    cloud: str
    region: str
    name: str
    on_demand_hourly: float
    spot_hourly: float | None
    attaches_to: str
    bundled: bool
    gpu_memory_gib: float
    basis: str = ""


@dataclass(frozen=True, slots=True)
class Price:
    """One priced unit other than compute: storage GB-month, key-month, cluster-hour, requests..."""

    cloud: str
    region: str
    sku: str
    unit: str
    usd: float
    description: str = ""
    basis: str = ""


# ------------------------------------------------------------------------------------------ row schemas
class _Row(BaseModel):
    # allow_inf_nan=False: "inf" passes gt=0 and "nan" passes every comparison, and either would price
    # everything it touches as nonsense rather than fail here with the file and line.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if value == "" else value


class InstanceTypeRow(_Row):
    """Schema of one ``instance_types.csv`` row."""

    cloud: Cloud
    service: Service
    region: str = Field(min_length=1)
    name: str = Field(min_length=1)
    family: str = Field(min_length=1)
    vcpu: int = Field(gt=0)
    memory_gib: float = Field(gt=0)
    gpu_type: str | None = None
    gpu_count: int = Field(default=0, ge=0)
    gpu_memory_gib: float | None = Field(default=None, gt=0)
    on_demand_hourly: float = Field(gt=0)
    spot_hourly: float | None = Field(default=None, gt=0)
    interruption_bucket: int | None = Field(default=None, ge=0, le=4)
    zones: str | None = None
    basis: str = ""

    @field_validator("gpu_count")
    @classmethod
    def _gpu_consistent(cls, value: int, info: object) -> int:
        data = getattr(info, "data", {})
        if value > 0 and not data.get("gpu_type"):
            raise ValueError("gpu_count > 0 needs a gpu_type")
        return value


class AcceleratorRow(_Row):
    """Schema of one ``accelerators.csv`` row."""

    cloud: Cloud
    region: str = Field(min_length=1)
    accelerator: str = Field(min_length=1)
    on_demand_hourly: float = Field(gt=0)
    spot_hourly: float | None = Field(default=None, gt=0)
    attaches_to: str = Field(min_length=1)
    bundled: bool
    gpu_memory_gib: float = Field(gt=0)
    basis: str = ""


class PriceRow(_Row):
    """Schema of one ``prices.csv`` row; a zero price is allowed only when it is a real free tier."""

    cloud: Cloud
    region: str = Field(min_length=1)
    sku: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    usd: float = Field(ge=0)
    basis: str = ""
    description: str = ""


class CatalogMeta(BaseModel):
    """Schema of ``catalog.json``: where the prices came from and when."""

    model_config = ConfigDict(extra="forbid")

    schema_version: Literal[1]
    currency: Literal["USD"]
    source: str = Field(min_length=10)
    as_of: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    spot_source: str = ""
    files: dict[str, str]


def _read_rows(path: Path, model: type[_Row]) -> list[_Row]:
    if not path.exists() and not path.is_symlink():
        raise CatalogError.at(path, "", None, f"price file missing; rebuild it with `{REFRESH_COMMAND}`")
    text = _read_text(path, "price file (CSV)")
    out: list[_Row] = []
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
        expected = set(model.model_fields)
        header = set(reader.fieldnames or [])
        if header != expected:
            missing, extra = sorted(expected - header), sorted(header - expected)
            raise CatalogError.at(
                path, "(header)", None, f"missing columns {missing}, unexpected columns {extra}"
            )
        for line, raw in enumerate(reader, start=2):
            if None in raw:  # more cells than the header has columns
                raise CatalogError.at(
                    f"{path}:{line}",
                    "(row)",
                    None,
                    f"has {len(raw) - 1 + len(raw[None])} cells; the header has {len(expected)}",  # type: ignore[index]
                )
            try:
                out.append(model.model_validate(raw))
            except ValidationError as exc:
                err = exc.errors()[0]
                fld = ".".join(str(p) for p in err["loc"]) or "(row)"
                bad = raw.get(str(err["loc"][0])) if err["loc"] else None
                raise CatalogError.at(f"{path}:{line}", fld, bad, err["msg"]) from None
    except csv.Error as exc:
        raise CatalogError.at(path, f"line {reader.line_num}", None, f"is not valid CSV: {exc}") from None
    return out


def _read_text(path: Path, what: str) -> str:
    try:
        return read_text(path, what=what, max_bytes=MAX_DOCUMENT_BYTES)
    except InputError as exc:
        raise CatalogError(
            str(exc), file=exc.file, field=exc.field, value=exc.value, allowed=exc.allowed
        ) from None


# ------------------------------------------------------------------------------------------ the catalog
@dataclass
class Catalog:
    """Prices per cloud and region, looked up by instance/machine type, accelerator or SKU.

    Build it with :func:`load_catalog`; lookups return None for anything unknown so callers decide
    whether a missing price is an error (the estimator lists it as "not priced", never as zero).
    """

    source: str
    as_of: str
    spot_source: str = ""
    directory: Path | None = None
    _types: dict[tuple[str, str, str], InstanceType] = field(default_factory=dict, repr=False)
    _accels: dict[tuple[str, str, str], Accelerator] = field(default_factory=dict, repr=False)
    _prices: dict[tuple[str, str, str], Price] = field(default_factory=dict, repr=False)
    _regions: dict[str, set[str]] = field(default_factory=dict, repr=False)
    _by_region: dict[tuple[str, str], list[InstanceType]] = field(default_factory=dict, repr=False)

    @classmethod
    def from_records(
        cls,
        *,
        source: str,
        as_of: str,
        instance_types: Iterable[InstanceType],
        accelerators: Iterable[Accelerator] = (),
        prices: Iterable[Price] = (),
        spot_source: str = "",
        directory: Path | None = None,
    ) -> Catalog:
        """A catalog from already-built records (used by the loader and by the refresh command)."""
        cat = cls(source=source, as_of=as_of, spot_source=spot_source, directory=directory)
        for it in instance_types:
            cat._types[(it.cloud, it.region, it.name)] = it
            cat._regions.setdefault(it.cloud, set()).add(it.region)
            cat._by_region.setdefault((it.cloud, it.region), []).append(it)
        for acc in accelerators:
            cat._accels[(acc.cloud, acc.region, acc.name)] = acc
            cat._regions.setdefault(acc.cloud, set()).add(acc.region)
        for price in prices:
            cat._prices[(price.cloud, price.region, price.sku)] = price
            cat._regions.setdefault(price.cloud, set()).add(price.region)
        return cat

    # -- regions
    def clouds(self) -> list[str]:
        """Clouds with at least one price."""
        return sorted(self._regions)

    def regions(self, cloud: str) -> list[str]:
        """Regions of ``cloud`` with prices, sorted."""
        return sorted(self._regions.get(cloud, ()))

    def has_region(self, cloud: str, region: str) -> bool:
        """Whether ``region`` of ``cloud`` has any price."""
        return region in self._regions.get(cloud, ())

    def require_region(self, cloud: str, region: str) -> None:
        """Raise :class:`RegionNotInCatalog` naming the known regions and the refresh command."""
        if not self.has_region(cloud, region):
            known = ", ".join(self.regions(cloud)) or "none"
            raise RegionNotInCatalog(
                f"region '{region}' of cloud '{cloud}' is not in the pricing catalog (as of {self.as_of}; "
                f"known {cloud} regions: {known}); add it with `{REFRESH_COMMAND} --region {region}`"
            )

    # -- compute
    def instance_type(self, cloud: str, region: str, name: str) -> InstanceType | None:
        """The instance/machine type ``name`` (``g5.xlarge``, ``ml.g5.xlarge``, ``n1-standard-8``) or None."""
        return self._types.get((cloud, region, name))

    def instance_types(self, cloud: str, region: str) -> list[InstanceType]:
        """All instance/machine types priced in ``region``, in file order."""
        return list(self._by_region.get((cloud, region), ()))

    # -- accelerators
    def accelerator(self, cloud: str, region: str, name: str) -> Accelerator | None:
        """Full record of accelerator ``name`` in ``region`` (which family it attaches to), or None."""
        return self._accels.get((cloud, region, name))

    def accelerators(self, cloud: str, region: str) -> list[Accelerator]:
        """Accelerators priced in ``region``."""
        return [a for (c, r, _), a in self._accels.items() if c == cloud and r == region]

    def accelerator_price(self, cloud: str, region: str, accelerator: str) -> AcceleratorPrice | None:
        """Per GPU-hour ``(on_demand, spot)`` of an attachable GPU, or None when not priced there."""
        acc = self._accels.get((cloud, region, accelerator))
        return None if acc is None else AcceleratorPrice(acc.on_demand_hourly, acc.spot_hourly)

    def attachable_accelerators(self, cloud: str, region: str, family: str) -> list[str]:
        """Accelerators that attach to (or come bundled with) machine ``family`` (``n1`` -> T4, V100)."""
        return sorted(a.name for a in self.accelerators(cloud, region) if a.attaches_to == family)

    # -- other priced units
    def price(self, cloud: str, region: str, sku: str) -> Price | None:
        """Price of another unit (``s3.standard.storage``, ``kms.key``, ``eks.cluster``...) or None."""
        return self._prices.get((cloud, region, sku))

    def skus(self, cloud: str, region: str) -> list[str]:
        """SKU names priced in ``region``."""
        return sorted(s for (c, r, s) in self._prices if c == cloud and r == region)

    def __len__(self) -> int:
        return len(self._types) + len(self._accels) + len(self._prices)


def _build(directory: Path) -> Catalog:
    meta_path = directory / "catalog.json"
    if not directory.is_dir():
        raise CatalogError.at(directory, "", None, "is not a folder; expected a folder of price files")
    if not meta_path.exists() and not meta_path.is_symlink():
        raise CatalogError.at(
            meta_path, "", None, f"catalog metadata missing; rebuild it with `{REFRESH_COMMAND}`"
        )
    text = _read_text(meta_path, "catalog metadata file (JSON)")
    try:
        meta = CatalogMeta.model_validate(parse_json(text, meta_path, what="catalog metadata file"))
    except InputError as exc:
        raise CatalogError(
            str(exc), file=exc.file, field=exc.field, value=exc.value, allowed=exc.allowed
        ) from None
    except ValidationError as exc:
        err = exc.errors()[0]
        fld = ".".join(map(str, err["loc"])) or "(top level)"
        raise CatalogError.at(meta_path, fld, err.get("input"), err["msg"]) from None
    files = meta.files
    types = [
        InstanceType(
            cloud=r.cloud,
            region=r.region,
            name=r.name,
            family=r.family,
            vcpu=r.vcpu,
            memory_gib=r.memory_gib,
            gpu_type=r.gpu_type,
            gpu_count=r.gpu_count,
            gpu_memory_gib=r.gpu_memory_gib,
            on_demand_hourly=r.on_demand_hourly,
            spot_hourly=r.spot_hourly,
            interruption_bucket=r.interruption_bucket,
            zones=(r.zones or "").split(),
            service=r.service,
            basis=r.basis,
        )
        for r in _read_rows(directory / files.get("instance_types", "instance_types.csv"), InstanceTypeRow)
        if isinstance(r, InstanceTypeRow)
    ]
    accels = [
        Accelerator(
            cloud=r.cloud,
            region=r.region,
            name=r.accelerator,
            on_demand_hourly=r.on_demand_hourly,
            spot_hourly=r.spot_hourly,
            attaches_to=r.attaches_to,
            bundled=r.bundled,
            gpu_memory_gib=r.gpu_memory_gib,
            basis=r.basis,
        )
        for r in _read_rows(directory / files.get("accelerators", "accelerators.csv"), AcceleratorRow)
        if isinstance(r, AcceleratorRow)
    ]
    prices = [
        Price(
            cloud=r.cloud,
            region=r.region,
            sku=r.sku,
            unit=r.unit,
            usd=r.usd,
            description=r.description,
            basis=r.basis,
        )
        for r in _read_rows(directory / files.get("prices", "prices.csv"), PriceRow)
        if isinstance(r, PriceRow)
    ]
    return Catalog.from_records(
        source=meta.source,
        as_of=meta.as_of,
        spot_source=meta.spot_source,
        instance_types=types,
        accelerators=accels,
        prices=prices,
        directory=directory,
    )


@lru_cache(maxsize=8)
def _load_cached(directory: str) -> Catalog:
    return _build(Path(directory))


def load_catalog(directory: str | Path | None = None) -> Catalog:
    """The pricing catalog from ``directory``, else ``$MLKEEL_PRICING_DIR``, else the bundled data (cached).

    Raises :class:`CatalogError` naming the file, row, field and value when a price file is malformed.
    """
    chosen = directory or os.environ.get(PRICING_DIR_ENV) or BUNDLED_DATA_DIR
    try:
        resolved = Path(chosen).resolve()
    except (OSError, RuntimeError):  # a symbolic link loop (RuntimeError before Python 3.13)
        raise CatalogError.at(
            chosen, "", None, "is a symbolic link loop; expected a folder of price files"
        ) from None
    return _load_cached(str(resolved))


def clear_catalog_cache() -> None:
    """Forget cached catalogs (after ``keel cost refresh-prices`` rewrote the files)."""
    _load_cached.cache_clear()
