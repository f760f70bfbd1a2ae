"""The reports of a review: one pull-request comment (markdown), SARIF, JUnit and a JSON document.

The comment must fit the platform: GitHub refuses comment bodies over 65,536 characters, GitLab notes
over 1,000,000. Long sections are folded into ``<details>``, tables are cut with a "… N more" row that
points at the JSON report, and the cut tightens until the comment fits; the first line is a hidden
marker the integrations use to find and update their one comment instead of adding another.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree as ET

if TYPE_CHECKING:
    from policies.analyzer import CheckResult, Finding
    from runtime.cost import ResourceDelta

    from ._review import Review, StackReview

#: The hidden first line of every review comment; the GitHub action and GitLab template look for it.
MARKER = "<!-- mlkeel-review -->"
GITHUB_COMMENT_LIMIT = 65_536
GITLAB_NOTE_LIMIT = 1_000_000
#: Tables longer than this are folded into <details> (still readable, not in the way).
FOLD_ROWS = 10
#: Longest text in one table cell; a full message is in the JSON and SARIF reports.
CELL_CHARS = 400
REVIEW_SCHEMA_VERSION = 1

FORMATS = ("markdown", "sarif", "junit", "json")


def _usd(value: float) -> str:
    return f"-${-value:,.2f}" if value < 0 else f"${value:,.2f}"


def _signed(value: float) -> str:
    return ("+" if value >= 0 else "-") + f"${abs(value):,.2f}"


def _cell(text: str, limit: int = CELL_CHARS) -> str:
    text = " ".join(str(text).split()).replace("|", "\\|")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _plural(n: int, word: str) -> str:
    if n == 1:
        return f"{n} {word}"
    return f"{n} {word[:-1]}ies" if word.endswith("y") else f"{n} {word}s"


def _empty_check() -> CheckResult:
    from policies.analyzer import CheckResult

    return CheckResult(pack="mlkeel", pack_version="", policies={}, states=[])


# ------------------------------------------------------------------------------------------------ markdown
def _table(title: str, header: list[str], rows: list[str], max_rows: int, *, fold: bool = False) -> list[str]:
    """A titled table, cut to ``max_rows`` with a "… N more" row, folded when long (or when asked)."""
    if not rows:
        return []
    shown = rows[:max_rows]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header), *shown]
    if len(rows) > len(shown):
        rest = len(rows) - len(shown)
        lines.append(f"| … {rest} more (all in the JSON report) |" + " |" * (len(header) - 1))
    if fold or len(rows) > FOLD_ROWS:
        return [f"<details><summary><b>{title}</b></summary>", "", *lines, "", "</details>", ""]
    return [f"#### {title}", "", *lines, ""]


def _finding_row(review: Review, stack: str, f: Finding, *, mark: str = "") -> str:
    policy = review.check.policies.get(f.policy) if review.check else None
    why = review.why.get(f.rule_id, "")
    fix = policy.remediation if policy else ""
    enforcement = {"mandatory": "⛔ mandatory", "advisory": "⚠️ advisory"}.get(f.enforcement, f.enforcement)
    return (
        f"| {mark or enforcement} | `{f.rule_id}` {_cell(f.title, 120)} | {stack} | "
        f"`{_cell(f.resource_name, 120)}` ({f.resource_type.split(':')[-1]}) | {_cell(f.message)} | "
        f"{_cell(why, 250)} | {_cell(fix, 250)} |"
    )


_FINDING_HEADER = ["", "rule", "stack", "resource", "finding", "why", "how to fix"]


def _headline(review: Review) -> str:
    parts = []
    new = review.new_violations
    new_mandatory = sum(1 for f in new if f.blocking)
    if new:
        parts.append(
            f"{_plural(len(new), 'new violation')}"
            + (f" ({new_mandatory} mandatory)" if new_mandatory and new_mandatory != len(new) else "")
            + (" (mandatory)" if new_mandatory and new_mandatory == len(new) else "")
        )
    still = len(review.blocking) - new_mandatory
    if still > 0:
        parts.append(f"{_plural(still, 'mandatory violation')} still failing")
    if review.fixed_violations:
        parts.append(f"{len(review.fixed_violations)} fixed")
    if review.cost is not None:
        parts.append(f"{_signed(review.cost.total_delta)}/month")
    if review.over_budget:
        parts.append(f"{_plural(len(review.over_budget), 'stack')} over budget")
    if review.failed_plans:
        parts.append(f"{_plural(len(review.failed_plans), 'stack')} could not be planned")
    icon = "✅" if review.passed else "❌"
    return f"## {icon} mlkeel review: " + (" · ".join(parts) if parts else "no policy or cost change")


def _stack_list(review: Review) -> str:
    names = ", ".join(f"**{s.stack}** ({s.change.status})" for s in review.stacks[:30])
    more = f" and {len(review.stacks) - 30} more" if len(review.stacks) > 30 else ""
    return f"{_plural(len(review.stacks), 'stack')} changed: {names}{more}"


def _policy_section(review: Review, max_rows: int) -> list[str]:
    lines = ["### Policy", ""]
    if review.check is None:
        return [*lines, "No stack was planned, so no policy ran.", ""]
    new = [(s.stack, f) for s in review.stacks for f in s.new]
    fixed = [(s.stack, f) for s in review.stacks for f in s.fixed]
    remaining = [(s.stack, f) for s in review.stacks for f in s.remaining]
    other = [(s.stack, f) for s in review.stacks for f in s.other]
    mandatory = sum(1 for _, f in remaining if f.blocking)
    lines += [
        f"**{_plural(len(new), 'new violation')}**, {len(fixed)} fixed by this change, "
        f"{len(remaining)} already there ({mandatory} mandatory); policy pack `{review.check.pack}`"
        + (f" v{review.check.pack_version}" if review.check.pack_version else "")
        + f", {_plural(len(review.check.policies), 'policy')}.",
        "",
    ]
    order = {"critical": 0, "high": 1, "medium": 2, "low": 3}

    def key(item: tuple[str, Finding]) -> tuple[int, int, str, str, str]:
        stack, f = item
        return (0 if f.blocking else 1, order.get(f.severity, 4), f.rule_id, stack, f.resource_name)

    lines += _table(
        f"New violations ({len(new)})",
        _FINDING_HEADER,
        [_finding_row(review, stack, f) for stack, f in sorted(new, key=key)],
        max_rows,
    )
    lines += _table(
        f"✅ Fixed by this change ({len(fixed)})",
        _FINDING_HEADER,
        [_finding_row(review, stack, f, mark="✅ fixed") for stack, f in sorted(fixed, key=key)],
        max_rows,
        fold=True,
    )
    lines += _table(
        f"Already failing before this change ({len(remaining)})",
        _FINDING_HEADER,
        [_finding_row(review, stack, f) for stack, f in sorted(remaining, key=key)],
        max_rows,
        fold=True,
    )
    lines += _table(
        f"Could not be checked or exempted ({len(other)})",
        ["", "rule", "stack", "resource", "why"],
        [
            f"| {'🔕 exempted' if f.status == 'exempted' else '❔ unchecked'} | `{f.rule_id}` | {stack} | "
            f"`{_cell(f.resource_name, 120)}` | {_cell(f.message)} |"
            for stack, f in sorted(other, key=key)
        ],
        max_rows,
        fold=True,
    )
    return lines


def _cost_section(review: Review, max_rows: int) -> list[str]:
    diff = review.cost
    if diff is None:
        return []
    head = diff.head
    lines = [
        "### Cost",
        "",
        f"**{_signed(diff.total_delta)} / month** for the changed stacks ({_usd(diff.base.total)} → "
        f"{_usd(head.total)}; head at maximum scale {_usd(head.total_high)}).",
        "",
    ]
    per_stack = [
        f"| {s.stack} | {_usd(s.diff.base.total)} | {_usd(s.diff.head.total)} | "
        f"{_signed(s.diff.total_delta)} |"
        for s in review.stacks
        if s.diff is not None
    ]
    lines += _table("By stack", ["stack", "base", "head", "delta"], per_stack, max_rows)
    for key in ("team", "cost-center", "component"):
        rows = [
            f"| {_cell(t.value, 80)} | {_usd(t.base)} | {_usd(t.head)} | {_signed(t.delta)} |"
            for t in diff.by_tag(key)
            if abs(t.delta) >= 0.005
        ]
        lines += _table(f"By {key}", [key, "base", "head", "delta"], rows, max_rows)
    stack_of = {
        urn: s.stack for s in review.stacks if s.diff is not None for urn in (r.urn for r in s.diff.resources)
    }
    header = ["change", "stack", "resource", "type", "base", "head", "delta", "what changed"]

    def row(r: ResourceDelta) -> str:
        return (
            f"| {r.change} | {stack_of.get(r.urn, '')} | `{_cell(r.name, 120)}` | {r.type.split(':')[-1]} | "
            f"{_status_cell(r.base, r.base_status)} | {_status_cell(r.head, r.head_status)} | "
            f"{_signed(r.delta)} | {_cell(r.summary)} |"
        )

    moved = [
        r for r in diff.changed if abs(r.delta) >= 0.005 or {r.base_status, r.head_status} - {"", "free"}
    ]
    drivers = [row(r) for r in moved]
    shown = {id(r) for r in moved}
    rest = [row(r) for r in diff.changed if id(r) not in shown]
    lines += _table(f"What drives it ({_plural(len(drivers), 'resource')})", header, drivers, max_rows)
    lines += _table(
        f"Changed resources with no cost of their own ({len(rest)})", header, rest, max_rows, fold=True
    )
    missing = head.not_priced
    if missing:
        lines += [
            f"_{len(missing)} of {len(head.resources)} head resources are not priced: their cost is unknown, "
            "not zero._",
            "",
        ]
    return lines


def _status_cell(value: float, status: str) -> str:
    if status in ("not_priced", "price_missing"):
        return "not priced"
    return _usd(value) if status else "—"


def _budget_section(review: Review, max_rows: int) -> list[str]:
    rows = []
    for s in review.stacks:
        b = s.budget
        if b is None:
            continue
        if s.over_budget:
            status = f"❌ over by {_usd(b.estimate_usd - b.limit_usd)}"
        elif b.exceeded:
            status = f"⚠️ over by {_usd(b.estimate_usd - b.limit_usd)} (this change lowers it)"
        elif b.may_exceed:
            status = "⚠️ within, but not at maximum scale"
        else:
            status = "✅ within"
        rows.append(
            f"| {s.stack} | {_usd(b.limit_usd)} | {_usd(b.estimate_usd)} ({b.used_share:.0%}) | "
            f"{_usd(b.high_usd)} | {status} |"
        )
    if not rows:
        return []
    header = ["stack", "budget", "head estimate", "maximum scale", "status"]
    return ["### Budget", "", *_table("Head against each stack's monthly budget", header, rows, max_rows)]


def _errors_section(review: Review) -> list[str]:
    rows = [(s.stack, side, text) for s in review.stacks for side, text in sorted(s.errors.items())]
    if not rows:
        return []
    lines = ["### Could not plan", ""]
    for stack, side, text in rows[:20]:
        lines += [f"- **{stack}** ({side}):", "", "```text", text[:2000], "```", ""]
    if len(rows) > 20:
        lines.append(f"… {len(rows) - 20} more (all in the JSON report)")
    return lines


def _footer(review: Review) -> list[str]:
    prices = ""
    if review.cost is not None and review.cost.head.catalog_as_of:
        prices = f" · prices as of {review.cost.head.catalog_as_of}"
    notes = "; ".join(review.notes)
    return [
        f"<sub>`keel review {review.base.ref} {review.head.ref}` in {review.seconds:.1f} s{prices}"
        + (f" · {notes}" if notes else "")
        + " · SARIF, JUnit and JSON reports come from the same run.</sub>"
    ]


def _markdown(review: Review, max_rows: int) -> str:
    lines = [
        MARKER,
        _headline(review),
        "",
        f"`{review.base.ref}` ({review.base.short}) → `{review.head.ref}` ({review.head.short}) · "
        + (_stack_list(review) if review.stacks else "no stack changed"),
        "",
    ]
    if review.stacks:
        lines += _errors_section(review)
        lines += _policy_section(review, max_rows)
        lines += _cost_section(review, max_rows)
        lines += _budget_section(review, max_rows)
    lines += _footer(review)
    return "\n".join(lines).rstrip() + "\n"


def render_markdown(review: Review, max_chars: int = GITHUB_COMMENT_LIMIT) -> str:
    """The pull-request comment, at most ``max_chars`` characters (the platform's limit)."""
    max_rows = max(50, max_chars // 400)  # a GitLab note holds twenty times the rows of a GitHub comment
    while True:
        text = _markdown(review, max_rows)
        if len(text) <= max_chars or max_rows == 0:
            break
        max_rows = max_rows // 2 if max_rows > 2 else 0
    if len(text) <= max_chars:
        return text
    tail = "\n\n… comment cut to fit the platform's size limit; every finding is in the JSON report.\n"
    return text[: max(0, max_chars - len(tail))] + tail


# ---------------------------------------------------------------------------------------------- SARIF
def render_sarif(review: Review) -> str:
    """SARIF 2.1.0 of the head's findings, anchored on the head stack files; new ones marked ``new``."""
    from policies._reports import render_sarif as check_sarif

    sarif = json.loads(check_sarif(review.check or _empty_check()))
    new = {f"{f.rule_id}:{f.urn}:{f.message}" for f in review.new_violations}
    for result in sarif["runs"][0]["results"]:
        fingerprint = result.get("partialFingerprints", {}).get("mlkeelFinding/v1", "")
        if result.get("properties", {}).get("status") == "violation":
            result["baselineState"] = "new" if fingerprint in new else "unchanged"
    sarif["runs"][0]["automationDetails"] = {"id": f"mlkeel-review/{review.head.commit}"}
    return json.dumps(sarif, indent=2) + "\n"


# ---------------------------------------------------------------------------------------------- JUnit
def render_junit(review: Review) -> str:
    """JUnit XML: the check's suites (a case per policy and head stack file), then plans and budgets."""
    from policies._reports import render_junit as check_junit

    root = ET.fromstring(check_junit(review.check or _empty_check()).split("\n", 1)[1])
    suite = ET.SubElement(root, "testsuite", name="mlkeel review: plans and budgets")
    failures = 0
    for s in review.stacks:
        case = ET.SubElement(suite, "testcase", classname="mlkeel.plan", name=s.stack)
        if s.head_failed:
            failures += 1
            failure = ET.SubElement(case, "failure", message="the head could not be planned", type="plan")
            failure.text = s.errors["head"]
        if s.budget is not None:
            case = ET.SubElement(suite, "testcase", classname="mlkeel.budget", name=s.stack)
            if s.over_budget:
                failures += 1
                failure = ET.SubElement(case, "failure", message=s.budget.message(), type="budget")
                failure.text = s.budget.message()
            else:
                out = ET.SubElement(case, "system-out")
                out.text = s.budget.message()
    tests = len(suite)
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    root.set("tests", str(int(root.get("tests", "0")) + tests))
    root.set("failures", str(int(root.get("failures", "0")) + failures))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# ----------------------------------------------------------------------------------------------- JSON
def _finding(review: Review, f: Finding) -> dict[str, Any]:
    policy = review.check.policies.get(f.policy) if review.check else None
    return {
        **asdict(f),
        "blocking": f.blocking,
        "why": review.why.get(f.rule_id, ""),
        "remediation": policy.remediation if policy else "",
    }


def _stack(review: Review, s: StackReview) -> dict[str, Any]:
    from runtime.cost.json_report import budget_document, diff_document

    return {
        "stack": s.stack,
        "status": s.change.status,
        "baseFile": s.change.base_file,
        "headFile": s.change.head_file,
        "errors": dict(s.errors),
        "policy": {
            "new": [_finding(review, f) for f in s.new],
            "fixed": [_finding(review, f) for f in s.fixed],
            "remaining": [_finding(review, f) for f in s.remaining],
            "other": [_finding(review, f) for f in s.other],
        },
        "cost": diff_document(s.diff, budget=s.budget) if s.diff is not None else None,
        "budget": budget_document(s.budget),
        "overBudget": s.over_budget,
    }


def review_document(review: Review) -> dict[str, Any]:
    """Everything the review found, for other tools (documented in docs/pull-requests.md)."""
    from runtime.cost.json_report import diff_document

    return {
        "schemaVersion": REVIEW_SCHEMA_VERSION,
        "kind": "review",
        "base": {"ref": review.base.ref, "commit": review.base.commit},
        "head": {"ref": review.head.ref, "commit": review.head.commit},
        "passed": review.passed,
        "exitCode": review.exit_code,
        "summary": {
            "stacks": len(review.stacks),
            "newViolations": len(review.new_violations),
            "newMandatoryViolations": sum(1 for f in review.new_violations if f.blocking),
            "fixedViolations": len(review.fixed_violations),
            "mandatoryViolations": len(review.blocking),
            "stacksOverBudget": [s.stack for s in review.over_budget],
            "stacksNotPlanned": [s.stack for s in review.failed_plans],
            "monthlyDelta": round(review.cost.total_delta, 4) if review.cost is not None else 0.0,
            "seconds": round(review.seconds, 3),
            "planSeconds": round(review.plan_seconds, 3),
        },
        "stacks": [_stack(review, s) for s in review.stacks],
        "cost": diff_document(review.cost) if review.cost is not None else None,
        "policy": review.check.to_dict() if review.check is not None else None,
        "notes": list(review.notes),
    }


def render_json(review: Review) -> str:
    return json.dumps(review_document(review), indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def render(review: Review, fmt: str, *, max_chars: int = GITHUB_COMMENT_LIMIT) -> str:
    """The review in one of ``FORMATS``."""
    if fmt == "markdown":
        return render_markdown(review, max_chars)
    if fmt == "sarif":
        return render_sarif(review)
    if fmt == "junit":
        return render_junit(review)
    if fmt == "json":
        return render_json(review)
    raise ValueError(f"unknown review format {fmt!r}; allowed: {', '.join(FORMATS)}")
