"""The review of a change: plan the stacks it touches on both sides, check the head, price and diff both.

One run produces one :class:`Review`; every report (the comment, SARIF, JUnit, JSON) renders it and none
re-evaluates anything, so the comment and the code-scanning annotations can never disagree.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._changes import StackChange, changed_stacks, stack_name
from ._git import changed_files, export_revision, merge_base, repo_root, resolve
from ._plan import Program, SideRequest, plan_sides

if TYPE_CHECKING:
    from policies.analyzer import CheckResult, Finding
    from runtime.cost import BudgetCheck, CostDiff, Estimate


@dataclass(frozen=True)
class Revision:
    """One side of the change as the user named it and the commit it resolved to."""

    ref: str
    commit: str

    @property
    def short(self) -> str:
        return self.commit[:7]


@dataclass
class StackReview:
    """Everything the review found about one stack."""

    change: StackChange
    #: Why a side could not be planned (its stack file is invalid there, or the program failed).
    errors: dict[str, str] = field(default_factory=dict)
    #: Head violations the base did not have, base violations the head no longer has, and the rest.
    new: list[Finding] = field(default_factory=list)
    fixed: list[Finding] = field(default_factory=list)
    remaining: list[Finding] = field(default_factory=list)
    #: Head findings that are not violations (could not be checked, exempted).
    other: list[Finding] = field(default_factory=list)
    diff: CostDiff | None = None
    budget: BudgetCheck | None = None

    @property
    def stack(self) -> str:
        return self.change.stack

    @property
    def head_violations(self) -> list[Finding]:
        return [*self.new, *self.remaining]

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.head_violations if f.blocking]

    @property
    def over_budget(self) -> bool:
        """The head is over the stack's budget and this change does not lower its cost."""
        if self.budget is None or not self.budget.exceeded:
            return False
        return self.diff is None or self.diff.total_delta > -0.005

    @property
    def head_failed(self) -> bool:
        return "head" in self.errors


@dataclass
class Review:
    """A change between two revisions, reviewed."""

    base: Revision
    head: Revision
    stacks: list[StackReview]
    #: The pack's result on the head states, each finding's ``state`` the head stack file (repo path).
    check: CheckResult | None = None
    cost: CostDiff | None = None
    #: What to tell the reader that is not a finding (a side planned with the installed program...).
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    plan_seconds: float = 0.0
    #: Rule id -> why the rule exists (from the rule library; empty for rules of other packs).
    why: dict[str, str] = field(default_factory=dict)

    @property
    def new_violations(self) -> list[Finding]:
        return [f for s in self.stacks for f in s.new]

    @property
    def fixed_violations(self) -> list[Finding]:
        return [f for s in self.stacks for f in s.fixed]

    @property
    def blocking(self) -> list[Finding]:
        return [f for s in self.stacks for f in s.blocking]

    @property
    def over_budget(self) -> list[StackReview]:
        return [s for s in self.stacks if s.over_budget]

    @property
    def failed_plans(self) -> list[StackReview]:
        return [s for s in self.stacks if s.head_failed]

    @property
    def exit_code(self) -> int:
        """1 when a mandatory policy fails on the head, a stack goes over its budget, or the head cannot
        be planned; else 0."""
        return 1 if (self.blocking or self.over_budget or self.failed_plans) else 0

    @property
    def passed(self) -> bool:
        return self.exit_code == 0


def _project(repo: Path, project: Path | None) -> str:
    """The project folder (where Pulumi.yaml is), repository-relative and POSIX ("" for the top)."""
    from stacks.engine import find_project_file
    from stacks.stackspec import SpecError

    start = (project or Path.cwd()).resolve()
    try:
        folder = find_project_file(start).parent.resolve()
    except SpecError:
        folder = start
    try:
        rel = folder.relative_to(repo.resolve()).as_posix()
    except ValueError:
        return ""
    return "" if rel == "." else rel


def _stack_files(tree: Path, project: str) -> tuple[str, dict[str, str]]:
    """A revision's stackConfigDir (repo-relative) and its stack files (stack -> repo path)."""
    from stacks.engine._config import stack_config_dir

    project_dir = tree / project if project else tree
    project_file = project_dir / "Pulumi.yaml"
    if not project_file.is_file():
        return (project or "."), {}
    folder = stack_config_dir(project_file).resolve()
    try:
        rel = folder.relative_to(tree.resolve()).as_posix()
    except ValueError:
        rel = project or "."
    files = {}
    for path in sorted(folder.glob("Pulumi.*.y*ml")) if folder.is_dir() else []:
        name = stack_name(path.name)
        if name is not None:
            files[name] = path.relative_to(tree.resolve()).as_posix()
    return rel, files


def _finding_key(f: Finding) -> tuple[str, str, str]:
    return (f.policy, f.urn, f.message if not f.urn else "")


def _empty_estimate(like: Estimate | None, stack: str) -> Estimate:
    from runtime.cost import Estimate

    return Estimate(
        stacks=[stack],
        resources=[],
        catalog_source=like.catalog_source if like else "",
        catalog_as_of=like.catalog_as_of if like else "",
    )


def _merged(estimates: list[Estimate], stacks: list[str]) -> Estimate:
    from runtime.cost import Estimate

    first = estimates[0] if estimates else None
    return Estimate(
        stacks=stacks,
        resources=[r for e in estimates for r in e.resources],
        catalog_source=first.catalog_source if first else "",
        catalog_as_of=first.catalog_as_of if first else "",
        usage_path=first.usage_path if first else "",
    )


def rule_reasons() -> dict[str, str]:
    """Rule id -> the rule's ``why``, so a comment explains each violation and not only names it."""
    from policies.rules import ALL_RULES

    return {rule.meta.id: rule.meta.why for rule in ALL_RULES}


def review_change(
    base_ref: str,
    head_ref: str = "HEAD",
    *,
    repo: Path | None = None,
    project: Path | None = None,
    use_merge_base: bool = True,
    program: Program = "auto",
    all_stacks: bool = False,
    policy_config: Path | None = None,
    pack: Path | None = None,
    usage: Path | None = None,
    workers: int = 0,
    jobs: int | None = None,
) -> Review:
    """Review the change from ``base_ref`` to ``head_ref`` in the git repository around ``repo``/cwd.

    Raises ``InputError`` (a ``GitError``, a bad policy config or usage file) for bad input and
    ``PackError`` when the policy pack fails; a stack that cannot be planned is part of the review.
    """
    started = time.perf_counter()
    root = repo_root((repo or project or Path.cwd()).resolve())
    head = Revision(head_ref, resolve(root, head_ref, "HEAD_REF"))
    base_commit = resolve(root, base_ref, "BASE_REF")
    if use_merge_base:
        base_commit = merge_base(root, base_commit, head.commit)
    base = Revision(base_ref, base_commit)
    project_rel = _project(root, project)
    with tempfile.TemporaryDirectory(prefix="keel-review-") as tmp:
        work = Path(tmp)
        trees = {
            side: export_revision(root, rev.commit, work / side)
            for side, rev in (("base", base), ("head", head))
        }
        base_dir, base_files = _stack_files(trees["base"], project_rel)
        head_dir, head_files = _stack_files(trees["head"], project_rel)
        changes = changed_stacks(
            changed_files(root, base.commit, head.commit),
            project=project_rel,
            base_config_dir=base_dir,
            head_config_dir=head_dir,
            base_stacks=base_files,
            head_stacks=head_files,
            all_stacks=all_stacks,
        )
        review = Review(base=base, head=head, stacks=[StackReview(c) for c in changes], why=rule_reasons())
        if not changes:
            review.seconds = time.perf_counter() - started
            return review
        requests = []
        for side in ("base", "head"):
            tree = trees[side]
            files = {
                c.stack: tree / path
                for c in changes
                if (path := (c.base_file if side == "base" else c.head_file)) is not None
            }
            requests.append(
                SideRequest(
                    side, tree, tree / project_rel if project_rel else tree, files, work / f"{side}-states"
                )
            )
        plan_started = time.perf_counter()
        plans = {p.side: p for p in plan_sides(requests, program=program, jobs=jobs)}
        review.plan_seconds = time.perf_counter() - plan_started
        for p in plans.values():
            if p.states or p.errors:
                whose = "its own code" if p.program == "revision" else "the mlkeel running this review"
                review.notes.append(f"{p.side} planned with {whose}")
        for s in review.stacks:
            for side in ("base", "head"):
                if s.stack in plans[side].errors:
                    s.errors[side] = plans[side].errors[s.stack]
        _check(review, plans["base"].states, plans["head"].states, policy_config, pack, workers)
        _price(review, plans["base"].states, plans["head"].states, trees["head"], usage)
    review.seconds = time.perf_counter() - started
    return review


def _check(
    review: Review,
    base_states: dict[str, Path],
    head_states: dict[str, Path],
    policy_config: Path | None,
    pack: Path | None,
    workers: int,
) -> None:
    """Run the pack once over both sides' states; sort head violations into new and remaining."""
    from policies import DEFAULT_PACK
    from policies.analyzer import VIOLATION, check_states, load_policy_config, load_state
    from policies.analyzer._results import StateSummary, display_path

    ordered = [("base", s, p) for s, p in base_states.items()] + [
        ("head", s, p) for s, p in head_states.items()
    ]
    if not ordered:
        return
    states = [load_state(path, allow_unknown_types=True) for _, _, path in ordered]
    config = load_policy_config(policy_config)
    result = check_states(
        states,
        Path(pack) if pack is not None else DEFAULT_PACK,
        user_config=config,
        config_source=str(policy_config) if policy_config else "policy config",
        workers=workers,
    )
    where = {display_path(path): (side, stack) for side, stack, path in ordered}
    found: dict[tuple[str, str], list[Finding]] = {}
    for f in result.findings:
        side, stack = where.get(f.state, ("", ""))
        found.setdefault((side, stack), []).append(f)
    head_file = {s.stack: s.change.head_file or s.stack for s in review.stacks}
    for s in review.stacks:
        base = [f for f in found.get(("base", s.stack), []) if f.status == VIOLATION]
        head_all = [replace(f, state=head_file[s.stack]) for f in found.get(("head", s.stack), [])]
        head = [f for f in head_all if f.status == VIOLATION]
        base_keys = {_finding_key(f) for f in base}
        head_keys = {_finding_key(f) for f in head}
        s.new = [f for f in head if _finding_key(f) not in base_keys]
        s.remaining = [f for f in head if _finding_key(f) in base_keys]
        s.fixed = [
            replace(f, state=s.change.base_file or s.stack)
            for f in base
            if _finding_key(f) not in head_keys and s.stack in head_states
        ]
        s.other = [f for f in head_all if f.status != VIOLATION]
    summaries = {display_path(p): (stack, p) for stack, p in head_states.items()}
    head_summaries = [
        StateSummary(head_file[summaries[st.path][0]], st.stack, st.resources, st.analyzed)
        for st in result.states
        if st.path in summaries
    ]
    review.check = replace(
        result,
        states=head_summaries,
        findings=[f for s in review.stacks for f in (*s.new, *s.remaining, *s.other)],
    )


def _price(
    review: Review,
    base_states: dict[str, Path],
    head_states: dict[str, Path],
    head_tree: Path,
    usage: Path | None,
) -> None:
    """Price both sides, diff them per stack and together, and check each head against its budget."""
    from runtime.cost import (
        budget_from_outputs,
        budget_from_stack_file,
        check_budget,
        check_usage_resources,
        diff_estimates,
        estimate_cost,
        load_state,
        load_usage,
    )

    usage_data = load_usage(usage)
    loaded = {("base", s): load_state(p) for s, p in base_states.items()}
    loaded |= {("head", s): load_state(p) for s, p in head_states.items()}
    if usage_data is not None:
        check_usage_resources(usage_data, list(loaded.values()))
    estimates = {
        key: estimate_cost(state, usage=usage_data, check_usage=False) for key, state in loaded.items()
    }
    any_estimate = next(iter(estimates.values()), None)
    bases, heads, names = [], [], []
    for s in review.stacks:
        if s.head_failed or ("base" in s.errors and s.change.base_file is not None):
            continue  # a side that exists but did not plan: a diff against nothing would mislead
        base = estimates.get(("base", s.stack)) or _empty_estimate(any_estimate, s.stack)
        head = estimates.get(("head", s.stack)) or _empty_estimate(any_estimate, s.stack)
        s.diff = diff_estimates(base, head)
        bases.append(base)
        heads.append(head)
        names.append(s.stack)
        state = loaded.get(("head", s.stack))
        if state is None:
            continue
        limit = budget_from_outputs(state.outputs, s.change.head_file or str(state.path))
        if limit is None and s.change.head_file:
            limit = budget_from_stack_file(head_tree / s.change.head_file)
        if limit is not None:
            s.budget = check_budget(head, limit)
    if names:
        review.cost = diff_estimates(_merged(bases, names), _merged(heads, names))


def review_files(
    stack_files: list[Path], *, policy_config: Path | None = None, pack: Path | None = None, workers: int = 0
) -> Any:
    """Plan stack files from the working tree (into a temporary folder) and check them: the pre-commit hook.

    Returns ``(CheckResult | None, {stack file: error})``; the check's findings name the stack files.
    """
    from policies import check_files
    from policies.analyzer._results import display_path
    from stacks.engine._parallel import plan_many

    with tempfile.TemporaryDirectory(prefix="keel-review-files-") as tmp:
        states = [
            Path(tmp) / f"{i}-{f.name.removesuffix('.yaml').removesuffix('.yml')}.json"
            for i, f in enumerate(stack_files)
        ]
        outcomes = plan_many(stack_files, list(states))
        errors = {str(o.stack_file): o.error or "" for o in outcomes if o.error}
        planned = [(o.stack_file, o.state_file) for o in outcomes if not o.error and o.state_file is not None]
        if not planned:
            return None, errors
        result = check_files(
            [s for _, s in planned], policy_config, pack, workers=workers, allow_unknown_types=True
        )
        names = {display_path(state): str(stack_file) for stack_file, state in planned}
        result.findings = [replace(f, state=names.get(f.state, f.state)) for f in result.findings]
        for summary in result.states:
            summary.path = names.get(summary.path, summary.path)
        return result, errors
