"""Contract tests over every rule: ids, names, metadata, settings, packs and the generated docs."""

from __future__ import annotations

import re

import jsonschema
import pytest
from pulumi_policy import EnforcementLevel, ResourceValidationPolicy, StackValidationPolicy

from policies import catalog
from policies.packs import PACKS, pack_arguments
from policies.rules import ALL_RULES, ResourceRule, StackRule

RULE_IDS = [r.meta.id for r in ALL_RULES]


def test_catalog_ids_and_names_are_unique_and_well_formed():
    assert len(set(RULE_IDS)) == len(RULE_IDS)
    names = [r.meta.name for r in ALL_RULES]
    assert len(set(names)) == len(names)
    for rule in ALL_RULES:
        assert re.fullmatch(r"MLK_[A-Z0-9]+_\d{3}", rule.meta.id), rule.meta.id
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", rule.meta.name), rule.meta.name
        assert rule.meta.title.startswith("Ensure "), rule.meta.id


@pytest.mark.parametrize("rule", ALL_RULES, ids=RULE_IDS)
def test_catalog_metadata_is_complete(rule):
    m = rule.meta
    assert m.description and m.why and m.resources and m.remediation
    assert m.enforcement in (EnforcementLevel.MANDATORY, EnforcementLevel.ADVISORY)
    if m.area in ("ENC", "TLS", "KMS", "PUB", "NET", "IAM", "RES"):
        assert m.enforcement is EnforcementLevel.MANDATORY, (
            "security and residency rules default to mandatory"
        )


@pytest.mark.parametrize("rule", ALL_RULES, ids=RULE_IDS)
def test_catalog_rule_lives_at_rules_area_name(rule):
    """A reader finds MLK_ENC_001 ``aws-s3-bucket-encryption-cmek`` in
    rules/enc/aws_s3_bucket_encryption_cmek.py."""
    m = rule.meta
    snake = m.name.replace("-", "_")
    assert rule.__module__ == f"policies.rules.{m.area.lower()}.{snake}", (
        "one rule per module: rules/<area>/<name>.py"
    )
    assert rule.__name__ == "".join(part.capitalize() for part in m.name.split("-"))


def test_catalog_names_say_cmek_for_customer_managed_keys():
    """One term for customer-managed keys; the names rules had before stay accepted as ``formerly``."""
    names = [r.meta.name for r in ALL_RULES]
    assert not [n for n in names if re.search(r"(^|-)cmk($|-)", n)]
    former = [old for r in ALL_RULES for old in r.meta.formerly]
    assert len(set(former)) == len(former) and not set(former) & (set(names) | set(RULE_IDS))


@pytest.mark.parametrize("rule", ALL_RULES, ids=RULE_IDS)
def test_catalog_settings_schema_is_valid_and_defaults_pass(rule):
    schema = {"type": "object", "properties": rule.config_properties()}
    jsonschema.Draft7Validator.check_schema(schema)
    jsonschema.validate(rule.defaults(), schema)
    assert "exemptions" in rule.config_properties()


@pytest.mark.parametrize("rule", ALL_RULES, ids=RULE_IDS)
def test_catalog_factory_builds_policy_and_rejects_bad_settings(rule):
    policy = rule(EnforcementLevel.ADVISORY).policy()
    expected = StackValidationPolicy if issubclass(rule, StackRule) else ResourceValidationPolicy
    assert isinstance(policy, expected)
    assert policy.name == rule.meta.name and policy.enforcement_level is EnforcementLevel.ADVISORY
    assert rule.meta.id in policy.tags
    with pytest.raises(ValueError, match=rf"{rule.meta.id}.*no setting 'bogus'"):
        rule(bogus=1)
    with pytest.raises(ValueError, match=rf"{rule.meta.id}.*exemptions"):
        rule(exemptions=[{"urn": "urn:x"}])


def test_catalog_every_rule_is_in_a_pack_and_packs_build():
    in_packs = {r for rules in PACKS.values() for r in rules}
    assert in_packs == set(ALL_RULES)
    for name in PACKS:
        assert len(pack_arguments(name)["policies"]) == len(PACKS[name])
    assert all(issubclass(r, (ResourceRule, StackRule)) for r in ALL_RULES)


def test_catalog_docs_page_is_current():
    text = catalog.DOCS_PAGE.read_text(encoding="utf-8")
    assert catalog.updated_page(text) == text, (
        "run `python -m policies.catalog` to regenerate docs/policies.md"
    )
    for rule_id in RULE_IDS:
        assert f"### {rule_id}:" in text
