"""Reports of a check: a terminal summary, a pull-request comment, SARIF 2.1.0, JUnit XML and JSON.

All five render the same ``CheckResult``; none re-evaluates anything.
"""

from __future__ import annotations

import io
import json
from collections import defaultdict
from typing import Any
from xml.etree import ElementTree as ET

from .analyzer._results import EXEMPTED, SEVERITY_ORDER, UNCHECKED, VIOLATION, CheckResult, Finding

FORMATS = ("summary", "markdown", "sarif", "junit", "json")

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
DOCS_URL = "https://github.com/mlkeel/mlkeel/blob/main/docs/policies.md"


def _sorted(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (SEVERITY_ORDER.index(f.severity), f.rule_id, f.state, f.urn))


def _headline(result: CheckResult) -> str:
    counts = result.counts()
    verdict = "FAILED" if result.blocking else "passed"
    resources = sum(s.resources for s in result.states)
    return (
        f"Policy pack {result.pack} {verdict} on {len(result.states)} state(s), {resources} resources: "
        f"{counts['mandatory-violation']} mandatory, {counts['advisory-violation']} advisory, "
        f"{counts[UNCHECKED]} could not be checked, {counts[EXEMPTED]} exempted."
    )


def render_summary(result: CheckResult) -> str:
    """A readable terminal summary (rich table), one row per finding."""
    from rich.console import Console
    from rich.table import Table

    buffer = io.StringIO()
    console = Console(file=buffer, width=160, force_terminal=False, color_system=None)
    findings = _sorted(result.findings)
    if findings:
        table = Table(show_lines=False, expand=False)
        for column in ("status", "severity", "rule", "resource", "message"):
            table.add_column(column, overflow="fold")
        for f in findings:
            status = f"{f.enforcement} violation" if f.status == VIOLATION else f.status
            table.add_row(
                status,
                f.severity,
                f"{f.rule_id} {f.policy}",
                f"{f.resource_name} ({f.resource_type})",
                f.message,
            )
        console.print(table)
    console.print(_headline(result))
    for note in result.notes:
        console.print(f"note: {note}", markup=False, highlight=False)
    return buffer.getvalue()


def render_markdown(result: CheckResult) -> str:
    """A pull-request comment grouped by severity, with resource names and what to change."""
    lines = [f"### {'❌' if result.blocking else '✅'} mlkeel policy check", "", _headline(result), ""]
    lines += [f"> **Note:** {note}\n" for note in result.notes]
    groups: dict[str, list[Finding]] = defaultdict(list)
    for f in _sorted(result.findings):
        groups[f.severity].append(f)
    for severity in SEVERITY_ORDER:
        if severity not in groups:
            continue
        lines += [
            f"#### {severity.capitalize()} ({len(groups[severity])})",
            "",
            "| | rule | resource | finding |",
            "|---|---|---|---|",
        ]
        for f in groups[severity]:
            mark = {"mandatory": "⛔ mandatory", "advisory": "⚠️ advisory"}.get(f.enforcement, f.enforcement)
            if f.status != VIOLATION:
                mark = "❔ unchecked" if f.status == UNCHECKED else "🔕 exempted"
            message = f.message.replace("|", "\\|").replace("\n", " ")
            lines.append(
                f"| {mark} | `{f.rule_id}` {f.policy} | `{f.resource_name}` ({f.resource_type}) | {message} |"
            )
        lines.append("")
    remediation = {
        f.policy: result.policies[f.policy].remediation
        for f in result.findings
        if f.policy in result.policies and result.policies[f.policy].remediation
    }
    if remediation:
        lines += ["<details><summary>How to fix</summary>", ""]
        lines += [f"- **{name}**: {text}" for name, text in sorted(remediation.items())]
        lines += ["", "</details>", ""]
    lines.append(
        f"<sub>{len(result.policies)} policies from `{result.pack}` v{result.pack_version}; "
        f"rules: {DOCS_URL}</sub>"
    )
    return "\n".join(lines) + "\n"


def _sarif_level(f: Finding) -> str:
    if f.status == VIOLATION:
        return "error" if f.enforcement == "mandatory" else "warning"
    return "note"


def render_sarif(result: CheckResult) -> str:
    """SARIF 2.1.0 for code-scanning annotations: one rule per policy, one result per finding."""
    rules = []
    index: dict[str, int] = {}
    for i, p in enumerate(result.policies.values()):
        index[p.name] = i
        rules.append(
            {
                "id": p.rule_id,
                "name": p.name,
                "shortDescription": {"text": p.title},
                "fullDescription": {"text": p.title},
                "help": {"text": p.remediation or p.title},
                "helpUri": f"{DOCS_URL}#{p.rule_id.lower()}",
                "defaultConfiguration": {"level": "error" if p.enforcement == "mandatory" else "warning"},
                "properties": {
                    "severity": p.severity,
                    "enforcement": p.enforcement,
                    "framework": p.framework,
                    "kind": p.kind,
                },
            }
        )
    results = []
    for f in _sorted(result.findings):
        entry: dict[str, Any] = {
            "ruleId": f.rule_id,
            "level": _sarif_level(f),
            "message": {"text": f"{f.resource_name}: {f.message}"},
            "locations": [
                {
                    "physicalLocation": {"artifactLocation": {"uri": f.state}},
                    "logicalLocations": [
                        {"name": f.resource_name, "fullyQualifiedName": f.urn, "kind": "resource"}
                    ],
                }
            ],
            "partialFingerprints": {"mlkeelFinding/v1": f"{f.rule_id}:{f.urn}:{f.message}"},
            "properties": {"status": f.status, "severity": f.severity, "resourceType": f.resource_type},
        }
        if f.policy in index:
            entry["ruleIndex"] = index[f.policy]
        if f.status == EXEMPTED:
            entry["suppressions"] = [{"kind": "external", "justification": f.message}]
        results.append(entry)
    sarif = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "mlkeel",
                        "semanticVersion": result.pack_version,
                        "informationUri": DOCS_URL,
                        "rules": rules,
                    }
                },
                "results": results,
                "artifacts": [{"location": {"uri": s.path}} for s in result.states],
            }
        ],
    }
    return json.dumps(sarif, indent=2) + "\n"


def render_junit(result: CheckResult) -> str:
    """JUnit XML: a test suite per state, a test case per policy; mandatory violations fail, advisory and
    unchecked findings are recorded as system-out, exemptions as skipped."""
    suites = ET.Element("testsuites", name=f"mlkeel policy pack {result.pack}")
    by_state: dict[str, list[Finding]] = defaultdict(list)
    for f in result.findings:
        by_state[f.state].append(f)
    total_failures = 0
    for state in result.states:
        findings = by_state.get(state.path, [])
        suite = ET.SubElement(suites, "testsuite", name=state.path, tests=str(len(result.policies)))
        failures = 0
        for p in result.policies.values():
            case = ET.SubElement(suite, "testcase", classname=f"{result.pack}.{p.rule_id}", name=p.name)
            mine = [f for f in findings if f.policy == p.name]
            blocking = [f for f in mine if f.blocking]
            if blocking:
                failures += 1
                failure = ET.SubElement(
                    case, "failure", message=f"{len(blocking)} mandatory violation(s)", type=p.severity
                )
                failure.text = "\n".join(f"{f.resource_name} ({f.urn}): {f.message}" for f in blocking)
            other = [f for f in mine if not f.blocking and f.status != EXEMPTED]
            if other:
                out = ET.SubElement(case, "system-out")
                out.text = "\n".join(
                    f"[{f.enforcement} {f.status}] {f.resource_name}: {f.message}" for f in other
                )
            if mine and all(f.status == EXEMPTED for f in mine):
                ET.SubElement(case, "skipped", message="; ".join(f.message for f in mine))
        suite.set("failures", str(failures))
        total_failures += failures
    suites.set("tests", str(len(result.policies) * len(result.states)))
    suites.set("failures", str(total_failures))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"


def render_json(result: CheckResult) -> str:
    """Everything, machine-readable."""
    return json.dumps(result.to_dict(), indent=2) + "\n"


RENDERERS = {
    "summary": render_summary,
    "markdown": render_markdown,
    "sarif": render_sarif,
    "junit": render_junit,
    "json": render_json,
}


def render(result: CheckResult, fmt: str) -> str:
    """Render ``result`` in one of ``FORMATS``."""
    if fmt not in RENDERERS:
        raise ValueError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")
    return RENDERERS[fmt](result)
