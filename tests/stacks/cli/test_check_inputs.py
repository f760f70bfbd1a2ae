"""Issue 11 for ``keel check``: any state or policy config ends in a report or in exit 2 naming the file.

Nothing in between: no traceback, no hang, no pack process left running after the command is stopped.
"""

from __future__ import annotations

import copy
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from policies.analyzer import analyze_request, analyze_stack_request, load_state
from runtime.cost import load_state as load_cost_state
from stacks.cli import _register_all, app

from ...policies._kit import STATES

RUNNER = CliRunner()
BAD = Path(__file__).resolve().parents[2] / "policies" / "fixtures" / "bad-states"
AWS = STATES / "aws_good.json"
ROOT = Path(__file__).resolve().parents[3]
KEEL = [sys.executable, "-c", "from stacks.cli import main; main()"]


def keel(*args: str):
    if not any(info.name == "check" for info in app.registered_commands):
        _register_all()  # registering again would add every verb a second time (and slow each invoke)
    return RUNNER.invoke(app, ["check", *args])


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("binary.json", "is not UTF-8 text (byte 128, line 2); a state file is UTF-8 text"),
        ("not-utf8.json", "is not UTF-8 text (byte 54, line 1)"),
        ("deep.json", "nests deeper than 100 levels"),
        ("integer-too-large.json", "is beyond what a 64-bit float holds"),
        (
            "duplicate-urn.json",
            "deployment.resources[47].urn = 'urn:pulumi:fraud-dev::mlkeel::mlkeel:index:Platform::fraud-dev'"
            ": appears twice (first at deployment.resources[3])",
        ),
        ("version-string.json", "version = '3': must be the number 3"),
        ("resource-not-object.json", "deployment.resources[2] = ['not', 'an', 'object']: must be an object"),
    ],
)
def test_check_bad_state_file_exits_two_naming_file_and_field(name: str, message: str) -> None:
    path = BAD / name
    result = keel(str(path))
    assert result.exit_code == 2, result.output
    assert f"keel: error: {path}: " in result.output and message in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("name", sorted(p.name for p in BAD.glob("*.json")))
def test_check_and_cost_refuse_a_state_alike(name: str) -> None:
    """One reader: ``keel check`` and ``keel cost`` give the same error for the same file."""
    with pytest.raises(ValueError) as check_error:
        load_state(BAD / name)
    with pytest.raises(ValueError) as cost_error:
        load_cost_state(BAD / name)
    assert str(check_error.value) == str(cost_error.value)


def test_check_symlink_loop_and_fifo_exit_two(tmp_path: Path) -> None:
    loop = tmp_path / "loop.json"
    loop.symlink_to(loop)
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)  # nobody writes: reading it would block forever
    for path, message in ((loop, "is a symbolic link loop"), (fifo, "is not a regular file")):
        result = keel(str(path))
        assert result.exit_code == 2 and f"{path}: {message}" in result.output


def test_check_non_utf8_policy_config_exits_two_naming_it(tmp_path: Path) -> None:
    config = tmp_path / "policy-config.yaml"
    config.write_bytes(b"all: mandatory\nMLK_KMS_001: \xe9t\xe9\n")
    result = keel(str(AWS), "--config", str(config))
    assert result.exit_code == 2
    assert f"{config}: is not UTF-8 text (byte 28, line 2)" in result.output


def test_check_duplicate_key_in_policy_config_exits_two(tmp_path: Path) -> None:
    config = tmp_path / "policy-config.yaml"
    config.write_text("all: mandatory\nall: advisory\n")
    result = keel(str(AWS), "--config", str(config))
    assert result.exit_code == 2 and f"{config}: all (line 2): is given twice" in result.output


def test_check_with_output_says_why_it_failed(tmp_path: Path) -> None:
    data = json.loads(AWS.read_text())
    for resource in data["deployment"]["resources"]:
        if resource["type"] == "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":
            resource["inputs"]["blockPublicAcls"] = False
    state = tmp_path / "fraud-dev.json"
    state.write_text(json.dumps(data))
    report = tmp_path / "report.md"
    result = keel(str(state), "--output", str(report))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert re.fullmatch(
        r"keel check: \d+ mandatory violations? in 1 stack(, \d+ advisory)?; report written to "
        rf"{re.escape(str(report))}\n",
        result.stderr,
    ), result.stderr
    assert "MLK_PUB" in report.read_text()


def test_check_with_output_says_it_passed(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    result = keel(str(AWS), "--format", "json", "--output", str(report))
    assert result.exit_code == 0 and result.stdout == ""
    assert result.stderr == f"keel check: passed on 1 stack; report written to {report}\n"


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found |= {int(c) for c in text}
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc; PR_SET_PDEATHSIG is Linux")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_check_stopped_while_the_pack_runs_leaves_no_pack_behind(tmp_path: Path, sig: int) -> None:
    """SIGTERM runs the clean-up; SIGKILL runs none, and the kernel still stops the pack."""
    pack = tmp_path / "slow-pack"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (pack / "__main__.py").write_text("import time\ntime.sleep(600)\n")  # starting, never serving
    check = subprocess.Popen(
        [*KEEL, "check", str(AWS), "--pack", str(pack), "--workers", "1"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        packs: set[int] = set()
        while not packs and time.monotonic() < deadline:
            packs = {
                c for c in _children(check.pid) if b"pulumi.policy" in Path(f"/proc/{c}/cmdline").read_bytes()
            }
            time.sleep(0.05)
        assert packs, "keel check never started the pack"
        check.send_signal(sig)
        code = check.wait(timeout=30)
        # SIGTERM: keel stops like Ctrl-C (typer turns the interrupt into exit 130 before keel's own 143)
        assert code in ((130, 143) if sig == signal.SIGTERM else (-signal.SIGKILL,))
        deadline = time.monotonic() + 10
        while any(_alive(p) for p in packs) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(_alive(p) for p in packs), "the pack outlived keel check"
    finally:
        if check.poll() is None:
            check.kill()
            check.wait()
        for stream in (check.stdout, check.stderr):
            assert stream is not None
            stream.close()


# -- fuzz ----------------------------------------------------------------------------------------------------
JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=12,
)
STATE_KEYS = ["version", "deployment", "resources", "urn", "type", "custom", "inputs", "outputs", "provider",
              "parent", "dependencies", "propertyDependencies", "id", "protect"]  # fmt: skip
STATE_LIKE = st.recursive(
    st.sampled_from(
        [None, True, 3, "3", 2.5, "urn:pulumi:s::p::aws:s3/bucket:Bucket::b", "aws:s3/bucket:Bucket"]
    ),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.sampled_from(STATE_KEYS), children, max_size=4)
    ),
    max_leaves=16,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.one_of(
        st.binary(max_size=200),
        JSON.map(lambda v: json.dumps(v).encode()),
        STATE_LIKE.map(lambda v: json.dumps(v).encode()),
    )
)
def test_check_any_file_exits_with_a_report_or_a_named_error(tmp_path: Path, content: bytes) -> None:
    """A file the reader refuses goes through ``keel check`` itself: exit 2 naming the file, no traceback.

    A file it accepts is turned into every analyzer request instead of being run through a pack (a pack
    start per example would make this test take minutes); the command's pack path is tested above.
    """
    path = tmp_path / "fuzz-state.json"
    path.write_bytes(content)
    try:
        state = load_state(path, allow_unknown_types=True)
    except ValueError:
        result = keel(str(path), "--workers", "1", "--allow-unknown-types")
        assert result.exit_code == 2, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
        assert result.stderr.startswith(f"keel: error: {path}: ") and result.stdout == ""
        return
    for resource in state.resources:
        analyze_request(state, resource)
    analyze_stack_request(state)


def _mutations() -> st.SearchStrategy[tuple[list[str | int], object]]:
    paths = st.lists(st.one_of(st.sampled_from(STATE_KEYS), st.integers(0, 60)), min_size=1, max_size=5)
    values = st.one_of(JSON, st.just(10**400 // 10**90), st.just("\udcff"), st.just({"a": {"b": {"c": []}}}))
    return st.tuples(paths, values)


def _apply(data: object, path: list[str | int], value: object) -> None:
    """Set ``value`` at the deepest existing point of ``path`` (lists by index, maps by key)."""
    current = data
    for step in path[:-1]:
        into_map = (
            isinstance(current, dict)
            and isinstance(step, str)
            and isinstance(current.get(step), (dict, list))
        )
        into_list = isinstance(current, list) and isinstance(step, int) and step < len(current)
        if into_map or into_list:
            current = current[step]  # type: ignore[index]
    last = path[-1]
    if isinstance(current, dict):
        current[str(last)] = value
    elif isinstance(current, list) and isinstance(last, int) and last < len(current):
        current[last] = value


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(_mutations(), min_size=1, max_size=3))
def test_check_mutated_states_read_and_encode_or_fail_naming_the_file(tmp_path: Path, mutations) -> None:
    """Every state the reader accepts also becomes analyzer requests (the step that raised OverflowError).

    A pack run per example would take minutes, so this stops where the protocol messages are built; the
    fuzz above covers the command itself.
    """
    data = json.loads(AWS.read_text())
    for path, value in mutations:
        _apply(data, path, copy.deepcopy(value))
    state_file = tmp_path / "mutated.json"
    try:
        state_file.write_text(json.dumps(data), encoding="utf-8", errors="surrogateescape")
    except UnicodeEncodeError:
        state_file.write_bytes(json.dumps(data).encode("utf-8", errors="surrogatepass"))
    try:
        state = load_state(state_file, allow_unknown_types=True)
    except ValueError as exc:
        assert str(exc).startswith(f"{state_file}: "), str(exc)
        return
    for resource in state.resources:
        analyze_request(state, resource)
    analyze_stack_request(state)
