"""``keel cost --format json``: estimates and diffs as one documented, versioned JSON document.

Other tools (a review bot, a dashboard, a finance notebook) read costs the way they read Infracost's JSON:
from a document whose shape is published (``cost-report.schema.json`` beside this file) and versioned
(``schemaVersion``), not by scraping the markdown. An unknown cost is ``null``, never ``0``, so a consumer
cannot add a missing price as free.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from runtime.cost._budget import BudgetCheck
from runtime.cost._diff import CostDiff, ResourceDelta
from runtime.cost._model import CostLine, Estimate, ResourceCost
from runtime.cost._rollup import DEFAULT_ROLLUP_KEYS, rollup_by_tag

#: The published JSON schema of both documents (``kind`` says which).
SCHEMA_FILE = Path(__file__).resolve().parent / "cost-report.schema.json"
SCHEMA_ID = "https://mlkeel.dev/schemas/cost-report.schema.json"
#: Bumped only when a field changes meaning or disappears; new fields keep the version.
SCHEMA_VERSION = 1

_UNKNOWN = ("not_priced", "price_missing")


def _money(value: float) -> float:
    """USD rounded to a hundredth of a cent: enough for unit prices summed over a month, no float noise."""
    return round(value, 4) if math.isfinite(value) else 0.0


def _line(line: CostLine) -> dict[str, Any]:
    return {
        "name": line.name,
        "unit": line.unit,
        "quantity": line.quantity if math.isfinite(line.quantity) else 0.0,
        "unitPrice": line.unit_price if math.isfinite(line.unit_price) else 0.0,
        "monthly": _money(line.monthly),
        "low": _money(line.low),
        "high": _money(line.high),
        "pricingCategory": line.pricing_category,
        "usageBased": line.usage_based,
        "assumption": line.assumption,
    }


def _resource(res: ResourceCost) -> dict[str, Any]:
    known = res.status not in _UNKNOWN
    return {
        "urn": res.urn,
        "name": res.name,
        "type": res.type,
        "cloud": res.cloud,
        "region": res.region,
        "tags": dict(res.tags),
        "service": {"name": res.service_name, "category": res.service_category},
        "status": res.status,
        "monthly": _money(res.monthly) if known else None,
        "low": _money(res.low) if known else None,
        "high": _money(res.high) if known else None,
        "spot": res.is_spot,
        "note": res.note,
        "lines": [_line(line) for line in res.lines],
    }


def _not_priced(est: Estimate) -> dict[str, Any]:
    return {
        "count": len(est.not_priced),
        "share": round(est.not_priced_share, 6),
        "byType": est.not_priced_counts(),
    }


def budget_document(check: BudgetCheck | None) -> dict[str, Any] | None:
    """A budget check as the ``budget`` object of an estimate (null when no limit is known)."""
    if check is None:
        return None
    return {
        "limit": _money(check.limit_usd),
        "estimate": _money(check.estimate_usd),
        "high": _money(check.high_usd),
        "usedShare": round(check.used_share, 6),
        "exceeded": check.exceeded,
        "mayExceed": check.may_exceed,
        "message": check.message(),
    }


def _source(est: Estimate) -> dict[str, Any]:
    return {
        "stacks": [s for s in est.stacks if s],
        "kind": est.kind,
        "prices": {"source": est.catalog_source, "asOf": est.catalog_as_of},
        "usageFile": est.usage_path or None,
        "period": {"start": est.period_start, "end": est.period_end} if est.period_start else None,
    }


def estimate_document(
    est: Estimate, *, rollup_keys: Sequence[str] = DEFAULT_ROLLUP_KEYS, budget: BudgetCheck | None = None
) -> dict[str, Any]:
    """An estimate (or actual spend) with every resource, its cost lines, the tag rollups and the budget."""
    return {
        "$schema": SCHEMA_ID,
        "schemaVersion": SCHEMA_VERSION,
        "kind": "estimate",
        "currency": "USD",
        **_source(est),
        "totals": {
            "monthly": _money(est.total),
            "low": _money(est.total_low),
            "high": _money(est.total_high),
        },
        "resources": [_resource(r) for r in est.resources],
        "rollups": {
            key: [
                {
                    "value": line.value,
                    "monthly": _money(line.monthly),
                    "low": _money(line.low),
                    "high": _money(line.high),
                    "spotMonthly": _money(line.spot_monthly),
                    "resources": line.resources,
                }
                for line in rollup_by_tag(est, key).lines
            ]
            for key in rollup_keys
        },
        "notPriced": _not_priced(est),
        "budget": budget_document(budget),
        "notes": list(est.notes),
    }


def _delta(r: ResourceDelta) -> dict[str, Any]:
    base_known = r.base_status not in _UNKNOWN
    head_known = r.head_status not in _UNKNOWN
    return {
        "urn": r.urn,
        "name": r.name,
        "type": r.type,
        "change": r.change,
        "base": _money(r.base) if base_known and r.base_status else (None if r.base_status else 0.0),
        "head": _money(r.head) if head_known and r.head_status else (None if r.head_status else 0.0),
        "delta": _money(r.delta),
        "baseStatus": r.base_status or None,
        "headStatus": r.head_status or None,
        "tags": dict(r.tags),
        "summary": r.summary,
    }


def _side(est: Estimate) -> dict[str, Any]:
    return {
        **_source(est),
        "totals": {
            "monthly": _money(est.total),
            "low": _money(est.total_low),
            "high": _money(est.total_high),
        },
        "notPriced": _not_priced(est),
    }


def diff_document(
    diff: CostDiff, *, rollup_keys: Sequence[str] = DEFAULT_ROLLUP_KEYS, budget: BudgetCheck | None = None
) -> dict[str, Any]:
    """A base-to-head comparison: totals of both, every changed resource with why, deltas per tag value.

    Unchanged resources are counted, not listed: a pull request's reader and a bot both want what moved.
    """
    changed = diff.changed
    return {
        "$schema": SCHEMA_ID,
        "schemaVersion": SCHEMA_VERSION,
        "kind": "diff",
        "currency": "USD",
        "base": _side(diff.base),
        "head": _side(diff.head),
        "totalDelta": _money(diff.total_delta),
        "resources": [_delta(r) for r in changed],
        "unchangedResources": len(diff.resources) - len(changed),
        "byTag": {
            key: [
                {
                    "value": t.value,
                    "base": _money(t.base),
                    "head": _money(t.head),
                    "delta": _money(t.delta),
                }
                for t in diff.by_tag(key)
            ]
            for key in rollup_keys
        },
        "budget": budget_document(budget),
    }


def _dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def estimate_json(
    est: Estimate, *, rollup_keys: Sequence[str] = DEFAULT_ROLLUP_KEYS, budget: BudgetCheck | None = None
) -> str:
    """:func:`estimate_document` as text."""
    return _dumps(estimate_document(est, rollup_keys=rollup_keys, budget=budget))


def diff_json(diff: CostDiff, *, rollup_keys: Sequence[str] = DEFAULT_ROLLUP_KEYS) -> str:
    """:func:`diff_document` as text."""
    return _dumps(diff_document(diff, rollup_keys=rollup_keys))


def load_schema() -> dict[str, Any]:
    """The published schema, for consumers that validate what they read."""
    from mlkeel.files import load_json

    schema: dict[str, Any] = load_json(SCHEMA_FILE, what="cost report schema")
    return schema


__all__ = [
    "SCHEMA_FILE",
    "SCHEMA_ID",
    "SCHEMA_VERSION",
    "budget_document",
    "diff_document",
    "diff_json",
    "estimate_document",
    "estimate_json",
    "load_schema",
]
