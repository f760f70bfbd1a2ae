"""The analyzer client's own refusals: policy config it cannot merge, and a pack that never serves."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policies.analyzer import AnalyzerSession, PackError, PolicyConfigError, check_states, parse_state
from policies.rules import ALL_RULES

from ._kit import STATES

AWS = STATES / "aws_good.json"


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"MLK_NOPE_001": "advisory"}, "no policy 'MLK_NOPE_001'"),
        ({"all": "strict"}, "enforcementLevel must be one of"),
        ({"MLK_KMS_001": {"maxRotationDays": "long"}}, "maxRotationDays"),
        ({"MLK_KMS_001": {"maxRotationDay": 30}}, "no setting 'maxRotationDay'"),
        ({"MLK_PUB_001": {"exemptions": [{"urn": "urn:x"}]}}, "'reason' is a required property"),
    ],
)
def test_configure_rejects_bad_config(pack_session: AnalyzerSession, config: dict, message: str) -> None:
    with pytest.raises(PolicyConfigError, match=re.escape(message)):
        pack_session.configure(config, "policy-config.json")


def _keys(rule: type) -> list[str]:
    return [rule.meta.id, rule.meta.name, *rule.meta.formerly]


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(ALL_RULES).flatmap(
        lambda r: st.lists(st.sampled_from(_keys(r)), min_size=2, max_size=2, unique=True)
    )
)
def test_configure_refuses_two_keys_for_one_policy(pack_session: AnalyzerSession, keys: list[str]) -> None:
    """Name, id and former name all reach one policy; given twice, which should win is a guess."""
    config = {keys[0]: "advisory", keys[1]: "mandatory"}
    with pytest.raises(
        PolicyConfigError, match=rf"policy-config.json: {re.escape(keys[1])} = 'mandatory': names policy"
    ):
        pack_session.configure(config, "policy-config.json")


@pytest.mark.parametrize("rule", [r for r in ALL_RULES if r.meta.formerly], ids=lambda r: r.meta.id)
def test_configure_accepts_a_former_name_with_a_note(pack_session: AnalyzerSession, rule: type) -> None:
    old = rule.meta.formerly[0]
    pack_session.configure({old: "disabled"}, "policy-config.json")
    assert pack_session.policies[rule.meta.name].enforcement == "disabled"
    assert (
        len(pack_session.notes) == 1
        and f"'{old}' is the former name of policy '{rule.meta.name}'" in pack_session.notes[0]
    )
    pack_session.configure({rule.meta.name: "disabled"}, "policy-config.json")
    assert pack_session.notes == []


def test_check_pack_that_hangs_times_out(tmp_path: Path) -> None:
    pack = tmp_path / "hanging-pack"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\n")
    (pack / "__main__.py").write_text("import time\ntime.sleep(600)\n")
    state = parse_state(AWS.read_text(), AWS)
    with pytest.raises(PackError, match="did not print its port within 2s"):
        check_states([state], pack, workers=1, start_timeout=2)
