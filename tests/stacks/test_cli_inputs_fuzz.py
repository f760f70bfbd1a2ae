"""Every file-reading entry point of ``keel``, fed broken files the way users run it (issue 11).

Each entry point gets a valid seed file (in ``fixtures/fuzz`` or the other test fixtures) and hypothesis
derives inputs from it: random bytes, truncations, flipped bytes, invalid UTF-8, a value anywhere in the
document replaced by another JSON value, deep nesting, and special files (a FIFO, a folder, a symlink
loop, a missing file). The command runs in-process through ``stacks.cli.main``, the console script's own
entry. Every run must end in success (0), a finding (1) or bad input (2) whose message names the file:
never a traceback, an internal error (3), a hang or another code.

``MLKEEL_FUZZ_EXAMPLES`` sets the examples per entry point (default 200; ``scripts/fuzz_inputs.sh`` runs
thousands). Entry points whose valid inputs start a policy pack or plan a stack get a tenth of that, as
their valid cases take seconds.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from stacks.cli import main

ROOT = Path(__file__).resolve().parents[2]
FUZZ = Path(__file__).parent / "fixtures" / "fuzz"
EXAMPLES = int(os.environ.get("MLKEEL_FUZZ_EXAMPLES", "200"))


@dataclass(frozen=True)
class EntryPoint:
    """One file a verb reads: its valid seed, the name the file must have, and the command around it."""

    seed: Path
    name: str
    argv: Callable[[Path, Path], list[str]]  # (the fuzzed file, a scratch folder) -> keel arguments
    slow: bool = False


STATE = FUZZ / "state.json"
STACK = ROOT / "tests" / "stacks" / "fixtures" / "spec" / "good" / "Pulumi.minimal-aws.yaml"
JOBS = ROOT / "tests" / "runtime" / "scheduling" / "fixtures" / "jobs-ok.yaml"
SCHEDULE_STACK = ROOT / "tests" / "runtime" / "scheduling" / "fixtures" / "Pulumi.fraud-dev.yaml"
REFERENCE = ROOT / "tests" / "runtime" / "fixtures" / "drift_reference.csv"
CURRENT = ROOT / "tests" / "runtime" / "fixtures" / "drift_current.csv"
SCORED = ROOT / "tests" / "runtime" / "fixtures" / "fairness_scored.csv"


def _with_project(path: Path, scratch: Path) -> Path:
    """Stack files are read with their project's Pulumi.yaml beside them."""
    if not (path.parent / "Pulumi.yaml").exists():
        shutil.copy(ROOT / "Pulumi.yaml", path.parent / "Pulumi.yaml")
    return path


ENTRY_POINTS: dict[str, EntryPoint] = {
    "plan stack file": EntryPoint(
        STACK,
        "Pulumi.fuzz-dev.yaml",
        lambda f, d: ["plan", str(_with_project(f, d)), "--no-tree", "--output", str(d / "out.json")],
        slow=True,
    ),
    "check state": EntryPoint(STATE, "state.json", lambda f, d: ["check", str(f)], slow=True),
    "check policy config": EntryPoint(
        ROOT / "policies" / "policy-config.json",
        "policy-config.json",
        lambda f, d: ["check", str(STATE), "--config", str(f)],
        slow=True,
    ),
    "cost state": EntryPoint(
        STATE, "state.json", lambda f, d: ["cost", str(f), "--output", str(d / "r.txt")]
    ),
    "cost usage": EntryPoint(
        FUZZ / "usage.yml",
        "usage.yml",
        lambda f, d: ["cost", str(STATE), "--usage", str(f), "--output", str(d / "r.txt")],
    ),
    "cost stack file": EntryPoint(
        STACK,
        "Pulumi.fuzz-dev.yaml",
        lambda f, d: [
            "cost",
            str(STATE),
            "--stack-file",
            str(_with_project(f, d)),
            "--output",
            str(d / "r.txt"),
        ],
    ),
    "schedule jobs": EntryPoint(
        JOBS,
        "jobs.yaml",
        lambda f, d: ["schedule", str(f), "--stack", str(SCHEDULE_STACK), "--method", "heuristic"],
    ),
    "schedule stack file": EntryPoint(
        SCHEDULE_STACK,
        "Pulumi.fuzz-dev.yaml",
        lambda f, d: ["schedule", str(JOBS), "--stack", str(_with_project(f, d)), "--method", "heuristic"],
    ),
    "drift reference csv": EntryPoint(
        REFERENCE, "reference.csv", lambda f, d: ["drift", "--reference", str(f), "--current", str(CURRENT)]
    ),
    "drift current csv": EntryPoint(
        CURRENT, "current.csv", lambda f, d: ["drift", "--reference", str(REFERENCE), "--current", str(f)]
    ),
    "drift profile": EntryPoint(
        FUZZ / "profile.npz",
        "profile.npz",
        lambda f, d: ["drift", "--profile", str(f), "--current", str(CURRENT)],
    ),
    "fairness data csv": EntryPoint(
        SCORED,
        "scored.csv",
        lambda f, d: [
            "fairness",
            "--data",
            str(f),
            "--label",
            "label",
            "--prediction",
            "prediction",
            "--sensitive",
            "group",
            "--gate-max-dpd",
            "0.5",
        ],
    ),
}

_json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
)
_json_values = st.recursive(
    _json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found.extend(_paths(child, (*prefix, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found.extend(_paths(child, (*prefix, index)))
    return found


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, *rest = path
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[head] = _replace(value[head], tuple(rest), new)
    return copy


@st.composite
def _structured(draw: st.DrawFn, seed: bytes, suffix: str) -> bytes:
    """The seed document with one value (anywhere) replaced by another JSON value."""
    if suffix not in (".json", ".yaml", ".yml"):
        return seed
    data = json.loads(seed) if suffix == ".json" else yaml.safe_load(seed)
    path = draw(st.sampled_from(_paths(data)))
    mutated = _replace(data, path, draw(_json_values))
    text = json.dumps(mutated) if suffix == ".json" else yaml.safe_dump(mutated, sort_keys=False)
    return text.encode()


def _mutations(seed: bytes, suffix: str) -> st.SearchStrategy[bytes | str]:
    flips = st.lists(
        st.tuples(st.integers(0, max(len(seed) - 1, 0)), st.integers(0, 255)), min_size=1, max_size=4
    )

    def flip(changes: list[tuple[int, int]]) -> bytes:
        data = bytearray(seed)
        for position, byte in changes:
            data[position] = byte
        return bytes(data)

    return st.one_of(
        st.binary(max_size=200),
        st.integers(0, len(seed)).map(lambda n: seed[:n]),
        flips.map(flip),
        st.integers(0, len(seed)).map(lambda n: seed[:n] + b"\xff\xfe\xc3(" + seed[n:]),
        st.integers(1, 20_000).map(lambda n: b"[" * n),
        _structured(seed, suffix),
        st.sampled_from(["fifo", "folder", "symlink loop", "missing"]),
    )


def _materialise(content: bytes | str, folder: Path, name: str) -> Path:
    path = folder / name
    if content == "fifo":
        os.mkfifo(path)
    elif content == "folder":
        path.mkdir()
    elif content == "symlink loop":
        path.symlink_to(folder / "loop")
        (folder / "loop").symlink_to(path)
    elif content == "missing":
        pass
    else:
        assert isinstance(content, bytes)
        path.write_bytes(content)
    return path


def _run(argv: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    return code, out.getvalue() + err.getvalue()


@pytest.fixture(scope="module")
def profile_seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real reference profile, written by keel itself (profiles are binary, so none is checked in)."""
    path = FUZZ / "profile.npz"
    if not path.exists():
        scratch = tmp_path_factory.mktemp("profile") / "profile.npz"
        code, text = _run(
            [
                "drift",
                "--reference",
                str(REFERENCE),
                "--current",
                str(CURRENT),
                "--save-profile",
                str(scratch),
            ]
        )
        assert code in (0, 1), text
        return scratch
    return path


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_every_broken_input_ends_in_success_a_finding_or_exit_2_naming_the_file(
    entry: str, tmp_path_factory: pytest.TempPathFactory, profile_seed: Path
) -> None:
    point = ENTRY_POINTS[entry]
    seed_path = profile_seed if point.seed.name == "profile.npz" else point.seed
    seed = seed_path.read_bytes()

    @settings(
        max_examples=max(EXAMPLES // 10, 10) if point.slow else EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
        # No shrinking: the failing file and keel's output are reported as found, in seconds; shrinking
        # one entry's failure re-runs keel thousands of times.
        phases=[Phase.explicit, Phase.generate],
        report_multiple_bugs=False,
    )
    @given(content=_mutations(seed, Path(point.name).suffix))
    def check(content: bytes | str) -> None:
        folder = tmp_path_factory.mktemp("fuzz")
        path = _materialise(content, folder, point.name)
        code, text = _run(point.argv(path, folder))
        assert "Traceback" not in text, text[-2000:]
        assert code in (0, 1, 2), f"exit {code}: {text[-2000:]}"
        if code == 2:
            assert point.name in text, f"the message does not name {point.name}: {text[-2000:]}"

    check()
