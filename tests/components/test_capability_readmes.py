"""Every capability folder has a README whose links lead somewhere: files that exist and headings that
exist in them (GitHub's heading anchors), so the AWS and GCP sections stay reachable as the docs change."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CAPABILITIES = sorted(
    p.parent.name for p in (ROOT / "components").glob("*/aws.py") if p.parent.name != "platform"
)
LINK = re.compile(r"\]\(([^)#]+)(?:#([^)]+))?\)")
#: Capabilities built for AWS only so far, each with the README sentence that says so (a GCP side that is
#: missing must be stated, not silently skipped; when one lands, drop it here and its README links gcp.py).
AWS_ONLY: dict[str, str] = {}


def _anchor(heading: str) -> str:
    """GitHub's anchor of a markdown heading: lowercase, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(markdown: Path) -> set[str]:
    return {
        _anchor(line.lstrip("#"))
        for line in markdown.read_text(encoding="utf-8").splitlines()
        if line.startswith("#")
    }


def test_capability_readmes_exist_for_every_capability() -> None:
    assert len(CAPABILITIES) == 11
    for capability in CAPABILITIES:
        has_gcp = (ROOT / "components" / capability / "gcp.py").is_file()
        assert has_gcp is (capability not in AWS_ONLY), f"{capability}: gcp.py {has_gcp}, AWS_ONLY {AWS_ONLY}"
    assert all((ROOT / "components" / c / "README.md").is_file() for c in CAPABILITIES)


@pytest.mark.parametrize("capability", CAPABILITIES)
def test_capability_readmes_link_existing_files_and_headings(capability: str) -> None:
    readme = ROOT / "components" / capability / "README.md"
    links = LINK.findall(readme.read_text(encoding="utf-8"))
    targets = {target for target, _ in links}
    if capability in AWS_ONLY:
        assert {"aws.py"} <= targets and not {"gcp.py", "../../docs/gcp.md"} & targets
        assert AWS_ONLY[capability] in readme.read_text(encoding="utf-8"), f"{readme}: says nothing of GCP"
    else:
        assert {"../../docs/aws.md", "../../docs/gcp.md", "aws.py", "gcp.py"} <= targets
    for target, anchor in links:
        path = (readme.parent / target).resolve()
        assert path.is_file(), f"{readme}: {target} does not exist"
        if anchor:
            assert anchor in _anchors(path), f"{readme}: no heading #{anchor} in {target}"


def test_capability_readmes_anchor_rule_matches_github() -> None:
    assert _anchor(
        " Training pools (`components/training/aws.py`, `AwsTrainingCluster` + `AwsTrainingPool`)"
    ) == ("training-pools-componentstrainingawspy-awstrainingcluster--awstrainingpool")
    assert (
        _anchor("Model deployment: not expressible with pulumi-gcp")
        == "model-deployment-not-expressible-with-pulumi-gcp"
    )
