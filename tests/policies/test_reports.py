"""The report formats of ``keel check``, rendered from one result with a mandatory and an advisory finding."""

from __future__ import annotations

import json
from dataclasses import replace
from xml.etree import ElementTree as ET

from policies import render
from policies.analyzer import CheckResult


def test_reports_markdown_groups_by_severity(failing_result: CheckResult) -> None:
    text = render(failing_result, "markdown")
    assert text.index("#### Critical") < text.index("#### Low")
    assert "`fraud-dev-registry-artifacts`" in text and "How to fix" in text


def test_reports_junit_fails_only_mandatory(failing_result: CheckResult) -> None:
    root = ET.fromstring(render(failing_result, "junit").split("\n", 1)[1])
    assert root.get("failures") == "1"
    failed = [c.get("classname") for c in root.iter("testcase") if c.find("failure") is not None]
    assert failed == ["mlkeel.MLK_PUB_002"]


def test_reports_json_summary(failing_result: CheckResult) -> None:
    data = json.loads(render(failing_result, "json"))
    assert data["summary"]["mandatoryViolations"] == 1 and data["summary"]["advisoryViolations"] == 1
    assert data["summary"]["passed"] is False
    assert data["pack"] == {"name": "mlkeel", "version": "0.1.0"}
    assert "notes" not in data  # only a run with something to note says so


def test_reports_show_notes_in_summary_markdown_and_json(failing_result: CheckResult) -> None:
    note = "policy.yaml: 'logs-encryption-cmk' is the former name of policy 'logs-encryption-cmek'; [x]"
    noted = replace(failing_result, notes=[note])
    assert f"note: {note}" in render(noted, "summary").replace("\n", " ").replace("  ", " ")
    assert f"> **Note:** {note}" in render(noted, "markdown")
    assert json.loads(render(noted, "json"))["notes"] == [note]
