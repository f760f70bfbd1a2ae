"""What a check found: one ``Finding`` per violation, unchecked resource or exemption."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

#: Finding statuses. ``violation`` counts against the exit code only when its enforcement is mandatory.
VIOLATION, UNCHECKED, EXEMPTED = "violation", "unchecked", "exempted"

SEVERITY_ORDER = ("critical", "high", "medium", "low", "unspecified")


@dataclass(frozen=True)
class PolicyInfo:
    """A policy as the pack advertised it (GetAnalyzerInfo) and as configured for this run."""

    name: str
    rule_id: str
    title: str
    severity: str
    enforcement: str
    kind: str
    framework: str = ""
    remediation: str = ""


@dataclass(frozen=True)
class Finding:
    """One result of one policy on one resource (or the stack)."""

    state: str
    policy: str
    rule_id: str
    title: str
    severity: str
    enforcement: str
    status: str
    urn: str
    resource_type: str
    resource_name: str
    message: str

    @property
    def blocking(self) -> bool:
        return self.status == VIOLATION and self.enforcement == "mandatory"


@dataclass
class StateSummary:
    path: str
    stack: str
    resources: int
    analyzed: int


@dataclass
class CheckResult:
    """Everything one ``keel check`` run produced."""

    pack: str
    pack_version: str
    policies: dict[str, PolicyInfo]
    states: list[StateSummary]
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0
    analysis_seconds: float = 0.0
    #: Warnings about the input that did not stop the check (a deprecated policy name in the config).
    notes: list[str] = field(default_factory=list)

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.blocking]

    @property
    def exit_code(self) -> int:
        return 1 if self.blocking else 0

    def counts(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for f in self.findings:
            key = f"{f.enforcement}-{f.status}" if f.status == VIOLATION else f.status
            counts[key] += 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        counts = self.counts()
        return {
            "pack": {"name": self.pack, "version": self.pack_version},
            "summary": {
                "states": len(self.states),
                "resources": sum(s.resources for s in self.states),
                "mandatoryViolations": counts["mandatory-violation"],
                "advisoryViolations": counts["advisory-violation"],
                "unchecked": counts[UNCHECKED],
                "exempted": counts[EXEMPTED],
                "passed": not self.blocking,
                "seconds": round(self.seconds, 3),
            },
            "states": [asdict(s) for s in self.states],
            "policies": [asdict(p) for p in self.policies.values()],
            "findings": [asdict(f) for f in self.findings],
        } | ({"notes": list(self.notes)} if self.notes else {})


def display_path(path: Path) -> str:
    """A state path relative to the working directory when possible (reports are read in PRs)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
