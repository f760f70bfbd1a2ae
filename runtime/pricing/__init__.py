"""Pricing catalog: on-demand and spot prices per cloud and region, with their source and date.

``load_catalog()`` reads the bundled CSV files under ``data/`` (or a refreshed copy) once and caches them;
``refresh_aws`` / ``refresh_gcp`` rebuild them from the AWS Price List API and the GCP Cloud Billing
Catalog API (``keel cost refresh-prices``).
"""

from runtime.pricing._catalog import (
    BUNDLED_DATA_DIR,
    INTERRUPTION_BUCKETS,
    PRICING_DIR_ENV,
    REFRESH_COMMAND,
    Accelerator,
    AcceleratorPrice,
    Catalog,
    CatalogError,
    CatalogMeta,
    InstanceType,
    Price,
    RegionNotInCatalog,
    clear_catalog_cache,
    load_catalog,
)
from runtime.pricing._refresh import (
    RefreshError,
    RefreshReport,
    refresh_aws,
    refresh_catalog,
    refresh_gcp,
    write_catalog,
)

__all__ = [
    "BUNDLED_DATA_DIR",
    "INTERRUPTION_BUCKETS",
    "PRICING_DIR_ENV",
    "REFRESH_COMMAND",
    "Accelerator",
    "AcceleratorPrice",
    "Catalog",
    "CatalogError",
    "CatalogMeta",
    "InstanceType",
    "Price",
    "RefreshError",
    "RefreshReport",
    "RegionNotInCatalog",
    "clear_catalog_cache",
    "load_catalog",
    "refresh_aws",
    "refresh_catalog",
    "refresh_gcp",
    "write_catalog",
]
